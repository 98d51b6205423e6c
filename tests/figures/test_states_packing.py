"""Figure builders of the Hidden states and Packing pages tested as data: the step that became
h_n, the output assembly, padded/sorted/packed layouts, the diff bars. Expectations come from
the trace, the module and torch's packing."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pad_packed_sequence

import lstm_viz.figures as F
from lstm_viz.core.tokens import PAD
from lstm_viz.explain.claims import padding_changes_shorter
from tests.figures.cases import LABELS, assert_z

# --- states, h_n highlight, output -----------------------------------------------------

@pytest.mark.parametrize("which", ["lstm_packed", "lstm_padded"])
@pytest.mark.parametrize("state", ["h", "c"])
def test_states_grid_highlights_the_step_that_became_the_final_state(request, which, state):
    _, batch, tr = request.getfixturevalue(which)
    cfg = tr.config
    final = tr.h_n if state == "h" else tr.c_n  # what the module returned
    for n in range(tr.N):  # lengths 4, 2, 3 when packed; all 4 when padded
        states = F.sentence_states(tr, n, state)
        steps = F.hn_source_steps(int(tr.lengths[n]), cfg.num_layers, cfg.D)
        fig = F.states_grid(states, batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
                            highlight=steps, name=f"{state}_t", **LABELS)
        panels = [t for t in fig.data if t.coloraxis]
        limit = max(1.0, max(float(np.nanmax(np.abs(v))) for v in states.values()))
        assert fig.layout.coloraxis.cmax == -fig.layout.coloraxis.cmin == limit
        for trace_, ((k, d), v) in zip(panels, states.items(), strict=True):
            assert_z(trace_.z, v)
            t = steps[(k, d)]
            torch.testing.assert_close(torch.from_numpy(v[t]), final[k * cfg.D + d, n])
            box = next(s for s in fig.layout.shapes if s.name == f"h_n {k} {d}")
            assert (box.y0 + box.y1) / 2 == t
            assert (box.xref, box.yref) == (trace_.xaxis, trace_.yaxis)
    if which == "lstm_packed":
        assert steps[(0, 0)] == 2 and steps[(0, 1)] == 0  # last sentence, length 3


def test_states_grid_rejects_missing_panels_and_bad_highlight():
    z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="expected keys"):
        F.states_grid({(0, 0): z}, ["a"], num_layers=1, D=2, **LABELS)
    with pytest.raises(ValueError, match=r"states\(0, 1\): expected \(L=3, H_out\)"):
        F.states_grid({(0, 0): z, (0, 1): z[:2]}, ["a"], num_layers=1, D=2, **LABELS)
    with pytest.raises(ValueError, match="highlight"):
        F.states_grid({(0, 0): z}, ["a"], num_layers=1, D=1, highlight={(0, 0): 3}, **LABELS)


def test_output_assembly_is_the_modules_output(lstm_packed):
    _, batch, tr = lstm_packed
    cfg, n, last = tr.config, 2, tr.config.num_layers - 1
    fwd, bwd = (tr.step_values(last, d)["h"][n].numpy() for d in range(2))
    fig = F.output_assembly(fwd, bwd, batch.tokens[n], forward_label="⟦fwd⟧",
                            backward_label="⟦bwd⟧", **LABELS)
    z = np.asarray(fig.data[0].z)
    assert_z(z, np.concatenate([fwd, bwd], axis=1))
    out, lengths = pad_packed_sequence(tr.output, batch_first=True)  # (N, L, D*H_out)
    length = int(lengths[n])
    torch.testing.assert_close(torch.from_numpy(z[:length]), out[n, :length])
    divider = next(s for s in fig.layout.shapes if s.name == "divider")
    assert divider.x0 == divider.x1 == cfg.H_out - 0.5
    assert [a.text for a in fig.layout.annotations] == ["⟦fwd⟧", "⟦bwd⟧"]
    one = F.output_assembly(fwd, None, batch.tokens[n], forward_label="f", backward_label="b",
                            **LABELS)
    assert_z(one.data[0].z, fwd)
    assert not one.layout.shapes
    with pytest.raises(ValueError, match=r"backward: expected \(4, 5\) like forward, got"):
        F.output_assembly(fwd, bwd[:, :2], batch.tokens[n], forward_label="f",
                          backward_label="b", **LABELS)


# --- packing ---------------------------------------------------------------------------

def test_padded_grid_marks_pads(layout):
    batch, _ = layout
    fig = F.padded_grid(batch.tokens, batch.lengths, row_label="⟦n={n} {length}⟧", **LABELS)
    z, text = np.asarray(fig.data[0].z), fig.data[0].text
    N, L = batch.N, batch.L
    for n in range(N):
        length = int(batch.lengths[n])
        assert (z[n, :length] == n).all() and (z[n, length:] == N).all()
        assert list(text[n]) == [F.plain(w) for w in batch.tokens[n]] + [F.plain(PAD)] * (
            L - length)
    assert list(fig.layout.yaxis.ticktext) == [f"⟦n={n} {int(batch.lengths[n])}⟧"
                                               for n in range(N)]
    with pytest.raises(ValueError, match=r"lengths: expected \(N=3,\)"):
        F.padded_grid(batch.tokens, [1, 2], **LABELS)


def test_sorted_order_rows_follow_sorted_indices(layout):
    batch, lay = layout
    fig = F.sorted_order(lay, batch.tokens, **LABELS)
    z = np.asarray(fig.data[0].z)
    assert [int(row[0]) for row in z] == lay.sorted_indices
    lengths = [int((row != batch.N).sum()) for row in z]
    assert lengths == sorted(lengths, reverse=True)


def test_packed_strip_is_packed_data_in_order(layout):
    batch, lay = layout
    fig = F.packed_strip(lay, **{k: v for k, v in LABELS.items() if k != "y_title"})
    strip = fig.data[0]
    z, custom = np.asarray(strip.z), np.asarray(strip.customdata)
    assert z.shape == (1, sum(lay.lengths))
    x = batch.padded if batch.batch_first else batch.padded.transpose(0, 1)  # (N, L, H_in)
    for r, row in enumerate(lay.rows):
        assert z[0, r] == row.sentence and list(custom[0, r]) == [row.t, row.slot, row.sentence]
        assert strip.text[0][r] == F.plain(batch.tokens[row.sentence][row.t])
        torch.testing.assert_close(lay.data[r], x[row.sentence, row.t])  # torch's order
    edges = sorted(s.x0 + 0.5 for s in fig.layout.shapes)
    assert edges == np.cumsum(lay.batch_sizes)[:-1].tolist()
    sizes = [re.search(r"=(\d+)$", a.text).group(1) for a in fig.layout.annotations]
    assert sizes == [str(s) for s in lay.batch_sizes]


# --- bars ------------------------------------------------------------------------------

def test_diff_bars_from_the_padding_claim(lstm_padded):
    module, batch, _ = lstm_padded
    claim = padding_changes_shorter(module, batch.padded, batch.lengths, batch.hx,
                                    batch.batch_first)
    rows = claim.numbers["per_sentence"]
    fig = F.diff_bars(rows, differs_label="⟦d⟧", same_label="⟦s⟧", tolerance_label="⟦tol⟧",
                      **LABELS)
    shown = {int(x): c[0] for bar in fig.data for x, c in zip(bar.x, bar.customdata,
                                                              strict=True)}
    assert shown == {i: r["diff"] for i, r in enumerate(rows)}
    differs = {int(x) for x in fig.data[0].x}
    assert differs == {i for i, r in enumerate(rows) if r["diff"] > 1e-5}
    assert differs == {i for i, r in enumerate(rows) if r["length"] < batch.L}
    assert fig.layout.yaxis.type == "log"
    assert (fig.data[0].name, fig.data[1].name) == ("⟦d⟧", "⟦s⟧")
    zero = F.diff_bars([{"sentence": 0, "length": 3, "diff": 0.0}], differs_label="d",
                       same_label="s", tolerance_label="t", **LABELS)
    assert list(zero.data[1].text) == ["0"]
    assert zero.data[1].y[0] == pytest.approx(10 ** zero.layout.yaxis.range[0])  # no bar
    for bad in ([], [{"sentence": 0}], [{"sentence": 0, "length": 1, "diff": -1.0}]):
        with pytest.raises(ValueError, match="per_sentence"):
            F.diff_bars(bad, differs_label="d", same_label="s", tolerance_label="t", **LABELS)


def test_vector_bar(lstm_padded):
    _, _, tr = lstm_padded
    v = tr.step_values(0, 0)["o"][0, 0].numpy()
    fig = F.vector_bar(v, kind="sigmoid", name="o_t", **LABELS)
    assert_z(fig.data[0].y, v)
    assert tuple(fig.layout.yaxis.range) == (0, 1)
    with pytest.raises(ValueError, match=r"expected \(units,\), got \(2, 2\)"):
        F.vector_bar(np.zeros((2, 2)), kind="tanh", **LABELS)
