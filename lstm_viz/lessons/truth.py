"""Every answer as the real module gives it: read off one run (``lstm_viz.state.pipeline``).

Nothing here follows a rule: shapes are ``.shape`` of the tensors torch returned or of the
module's own parameters, numbers are torch's ``batch_sizes`` and the trace's lengths, and
identities compare the returned tensors. ``lstm_viz.lessons.contract`` must agree with
every answer here (the tests check it for every lesson step and hundreds of drill seeds).
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz.core.build import RNNModule
from lstm_viz.lessons.targets import display
from lstm_viz.state.pipeline import Run

ATOL = 1e-6  # equal within float32 rounding of the same computation


def output_tensor(run: Run) -> torch.Tensor:
    """``output`` as the student holds it: the tensor, or ``pad_packed_sequence(output,
    batch_first, total_length)[0]`` for packed input; (L, N, D*H_out) or (N, L, D*H_out)."""
    out, spec = run.trace.output, run.settings.spec
    if isinstance(out, PackedSequence):
        out = pad_packed_sequence(out, batch_first=run.trace.config.batch_first,
                                  total_length=spec.total_length or None)[0]
    return out.detach().cpu()


def _tensors(run: Run) -> dict[str, torch.Tensor]:
    tr, batch = run.trace, run.batch
    found = {"input": batch.padded, "output": output_tensor(run), "h_n": tr.h_n}
    if tr.c_n is not None:
        found["c_n"] = tr.c_n
    hx = batch.hx
    if hx is not None:
        found["h_0"], c_0 = hx if isinstance(hx, tuple) else (hx, None)
        if c_0 is not None:
            found["c_0"] = c_0
    if isinstance(batch.input, PackedSequence):
        found["packed_data"] = batch.input.data
        found["batch_sizes"] = batch.input.batch_sizes
    return found


def shape(run: Run, module: RNNModule, target: str) -> tuple[int, ...]:
    """``.shape`` of the tensor or parameter named ``target``."""
    params = dict(module.named_parameters())
    tensor = params[target] if target in params else _tensors(run)[target]
    return tuple(tensor.shape)


def last_state(run: Run, k: int, d: int) -> torch.Tensor:
    """(N, H_out): layer k, direction d's h after its last step (t = length-1 forward,
    t = 0 backward), from the trace's step values."""
    h = run.trace.step_values(k, d)["h"]  # (N, L, H_out)
    ends = run.trace.lengths - 1 if d == 0 else torch.zeros_like(run.trace.lengths)
    return h[torch.arange(h.shape[0]), ends]


def hn_row(run: Run, k: int, d: int) -> int:
    """The row of the real h_n equal to layer k, direction d's last state."""
    h_n, want = run.trace.h_n.detach().float().cpu(), last_state(run, k, d)
    rows = [r for r in range(h_n.shape[0]) if torch.allclose(h_n[r], want, atol=1e-5)]
    if len(rows) != 1:
        raise ValueError(f"layer {k} direction {d}: rows {rows} of h_n match")
    return rows[0]


def last_output_diff(run: Run) -> float:
    """max |h_n[-1] - (the last H_out features of output's last time step)|."""
    cfg, out = run.trace.config, output_tensor(run).float()
    last = out[:, -1] if cfg.batch_first else out[-1]  # (N, D*H_out)
    return float((run.trace.h_n[-1].detach().float().cpu() - last[:, -cfg.H_out:]).abs().max())


def hn_equals_last_output(run: Run) -> str:
    """"yes" if h_n[-1] equals the last H_out features of output's last time step."""
    return "yes" if last_output_diff(run) <= ATOL else "no"


def answer(run: Run, module: RNNModule, target: str, params: dict):
    """The real module's answer to ``target`` (``params``: t, n, k, d as the step gives)."""
    cfg, batch = run.trace.config, run.batch
    if target == "batch_N":
        return int(batch.padded.shape[0 if cfg.batch_first else 1])
    if target == "tokens_at_step":
        if isinstance(batch.input, PackedSequence):
            return int(batch.input.batch_sizes[params["t"]])
        return int(batch.padded.shape[0 if cfg.batch_first else 1])  # every row, pads too
    if target == "steps_read":
        return int(run.trace.lengths[params["n"]]) if run.trace.packed else int(
            batch.padded.shape[1 if cfg.batch_first else 0])
    if target == "hn_row":
        return hn_row(run, params["k"], params["d"])
    if target == "hn_equals_last_output":
        return hn_equals_last_output(run)
    if target == "enforce_sorted":
        return "raises" if run.enforce_sorted_error else "packs"
    return shape(run, module, target)


def _size(shape: tuple[int, ...]) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def evidence(run: Run, target: str, params: dict, answer) -> str:
    """What torch returned for ``target``, as Python-like lines (shown on reveal)."""
    if target not in ("batch_N", "tokens_at_step", "steps_read", "hn_row",
                      "hn_equals_last_output", "enforce_sorted"):
        return f"{display(target)}.shape\n# {_size(answer)}"
    if target == "hn_row":
        k, d = params["k"], params["d"]
        last, h_n = last_state(run, k, d), run.trace.h_n.float().cpu()
        return "\n".join(f"(h_n[{r}] - h[layer {k}, direction {d}, last]).abs().max()"
                         f"  # {float((h_n[r] - last).abs().max()):.2g}"
                         for r in range(h_n.shape[0]))
    if target == "hn_equals_last_output":
        cfg = run.trace.config
        last = "output[:, -1]" if cfg.batch_first else "output[-1]"
        return (f"(h_n[-1] - {last}[..., -{cfg.H_out}:]).abs().max()\n"
                f"# {last_output_diff(run):.4g}")
    if target == "enforce_sorted":
        return f"# {(run.enforce_sorted_error or 'packed').splitlines()[0]}"
    lines = [f"input.shape  # {_size(tuple(run.batch.padded.shape))}"]
    if isinstance(run.batch.input, PackedSequence):
        lines += [f"packed.batch_sizes  # {run.batch.input.batch_sizes.tolist()}",
                  f"lengths  # {run.trace.lengths.tolist()}"]
    return "\n".join(lines)
