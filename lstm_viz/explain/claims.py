"""Claims the reference articles make, checked live on this configuration.

Each check returns a ``Claim``: whether it holds here (None: not applicable), and the
numbers behind the verdict, so a page can show *why*. Texts live in the i18n catalogs
under ``claim.<key>.*``; this module only computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_viz.core.trace import TOLERANCE, Trace


@dataclass(frozen=True)
class Claim:
    key: str  # "output_last_is_h_n", …
    holds: bool | None  # None when the claim does not apply to this configuration
    numbers: dict = field(default_factory=dict)


def batch_major_output(tr: Trace) -> torch.Tensor:
    """``output`` as (N, L, D*H_out) on cpu; zeros past each length for packed input."""
    out = tr.output
    if tr.packed:
        out = pad_packed_sequence(out, batch_first=True)[0]
    elif not tr.config.batch_first:
        out = out.transpose(0, 1)
    return out.detach().float().cpu()


def _last_layer_h_n(tr: Trace) -> torch.Tensor:
    """h_n rows of the last layer, directions side by side: (N, D*H_out)."""
    cfg = tr.config
    rows = tr.h_n[(cfg.num_layers - 1) * cfg.D:].detach().float().cpu()  # (D, N, H_out)
    return torch.cat(list(rows), dim=-1)


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max()) if a.numel() else 0.0


def output_last_is_h_n(tr: Trace) -> Claim:
    """"h_n == output[:, -1]": true only for one direction on unpadded (unpacked) input."""
    out, h_last = batch_major_output(tr), _last_layer_h_n(tr)
    H = tr.config.H_out
    per_sentence = [_diff(out[n, -1], h_last[n]) for n in range(tr.N)]
    numbers = {"max_diff": max(per_sentence), "per_sentence": per_sentence,
               "forward_diff": _diff(out[:, -1, :H], h_last[:, :H]),
               "backward_diff": _diff(out[:, -1, H:], h_last[:, H:]),
               "bidirectional": tr.config.D == 2,
               "shorter": [n for n in range(tr.N) if tr.packed and int(tr.lengths[n]) < tr.L]}
    return Claim("output_last_is_h_n", numbers["max_diff"] <= TOLERANCE, numbers)


def backward_h_n_is_first_step(tr: Trace) -> Claim:
    """For D=2 the backward half of h_n is output's FIRST step, not its last."""
    if tr.config.D == 1:
        return Claim("backward_h_n_is_first_step", None)
    out, h_last = batch_major_output(tr), _last_layer_h_n(tr)
    H = tr.config.H_out
    first = _diff(out[:, 0, H:], h_last[:, H:])
    last = _diff(out[:, -1, H:], h_last[:, H:])
    return Claim("backward_h_n_is_first_step", first <= TOLERANCE,
                 {"diff_first": first, "diff_last": last})


def state_shapes_ignore_batch_first(tr: Trace, input_shape: tuple[int, ...]) -> Claim:
    """h_0/h_n stay (num_layers*D, N, H_out) whatever batch_first says."""
    cfg = tr.config
    expected = (cfg.num_layers * cfg.D, tr.N, cfg.H_out)
    got = tuple(tr.h_n.shape)
    return Claim("state_shapes_ignore_batch_first", got == expected,
                 {"batch_first": cfg.batch_first, "input_shape": input_shape,
                  "h_n_shape": got, "expected": expected})


def _final_state(tr: Trace, k: int, d: int) -> torch.Tensor:
    """(N, H_out): forward at t = length-1, backward at t = 0."""
    h = tr.step_values(k, d)["h"]  # (N, L, H_out)
    idx = (tr.lengths - 1) if d == 0 else torch.zeros_like(tr.lengths)
    return h[torch.arange(tr.N), idx]


def view_splits_directions(tr: Trace) -> Claim:
    """output.view(·, ·, D, H_out) and h_n.view(num_layers, D, N, H_out) split directions."""
    cfg, out = tr.config, batch_major_output(tr)  # (N, L, D*H_out)
    out_view = out.view(tr.N, tr.L, cfg.D, cfg.H_out)
    valid = (torch.arange(tr.L)[None, :] < tr.lengths[:, None])  # (N, L)
    last = cfg.num_layers - 1
    out_diff = max(_diff(out_view[:, :, d][valid], tr.step_values(last, d)["h"][valid])
                   for d in range(cfg.D))
    h_n = tr.h_n.detach().float().cpu()
    right = h_n.view(cfg.num_layers, cfg.D, tr.N, cfg.H_out)
    wrong = h_n.view(cfg.D, cfg.num_layers, tr.N, cfg.H_out)
    truth = {(k, d): _final_state(tr, k, d) for k in range(cfg.num_layers) for d in range(cfg.D)}
    h_diff = max(_diff(right[k, d], v) for (k, d), v in truth.items())
    wrong_diff = max(_diff(wrong[d, k], v) for (k, d), v in truth.items())
    return Claim("view_splits_directions", max(out_diff, h_diff) <= TOLERANCE,
                 {"output_view_diff": out_diff, "h_n_view_diff": h_diff,
                  "wrong_view_diff": wrong_diff})


def padding_changes_shorter(module, padded: torch.Tensor, lengths: torch.Tensor,
                            hx, batch_first: bool) -> Claim:
    """Padded-but-unpacked input feeds pad vectors to the shorter sentences and changes
    their h_n; packing stops each sentence at its own length. Numbers: per sentence,
    max |h_n(padded) - h_n(packed)|."""
    if bool((lengths == lengths.max()).all()):
        return Claim("padding_changes_shorter", None, {"length": int(lengths.max())})
    packed = pack_padded_sequence(padded, lengths.cpu(), batch_first=batch_first,
                                  enforce_sorted=False)
    was_training = module.training
    try:
        with torch.no_grad():
            module.eval()
            _, s_pad = module(padded, hx)
            _, s_pack = module(packed, hx)
    finally:
        module.train(was_training)
    h_pad = (s_pad[0] if isinstance(s_pad, tuple) else s_pad).float().cpu()
    h_pack = (s_pack[0] if isinstance(s_pack, tuple) else s_pack).float().cpu()
    longest = int(lengths.max())
    rows = [{"sentence": n, "length": int(lengths[n]),
             "diff": _diff(h_pad[:, n], h_pack[:, n])} for n in range(len(lengths))]
    shorter_differ = all(r["diff"] > TOLERANCE for r in rows if r["length"] < longest)
    full_same = all(r["diff"] <= TOLERANCE for r in rows if r["length"] == longest)
    return Claim("padding_changes_shorter", shorter_differ and full_same, {"per_sentence": rows})


def check_claims(module, tr: Trace, padded: torch.Tensor, lengths: torch.Tensor, hx,
                 input_shape: tuple[int, ...]) -> list[Claim]:
    """Every claim, in the order the Shapes page lists them."""
    return [output_last_is_h_n(tr), backward_h_n_is_first_step(tr),
            state_shapes_ignore_batch_first(tr, input_shape), view_splits_directions(tr),
            padding_changes_shorter(module, padded, lengths, hx, tr.config.batch_first)]
