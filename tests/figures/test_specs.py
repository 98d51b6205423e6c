"""What the figures send: no English of their own (labels come from the catalogs), lean
payloads at the largest configuration, no Streamlit import, and every spec exactly the JSON
plotly.py makes of it once validated (and read-only when shared)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest

import lstm_viz.figures as F
from lstm_viz import InputSpec, RNNConfig
from lstm_viz.core.packing import packing_layout
from tests.figures.cases import LABELS, run

ROOT = Path(__file__).resolve().parents[2]


# --- no hard-coded prose ---------------------------------------------------------------

TEXT_KEYS = ("text", "name", "hovertemplate", "hovertext", "ticktext")


def visible_words(fig: go.Figure) -> set[str]:
    """ASCII words of 3+ letters in titles, axis titles, annotations, legends, hovers
    (shape names are internal ids, never shown)."""
    spec = json.loads(fig.to_json())
    texts = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in TEXT_KEYS:
            texts.append(node)

    walk(spec["data"])
    walk({k: v for k, v in spec["layout"].items() if k not in ("template", "shapes")})
    words = set()
    for t in texts:
        t = re.sub(r"%\{[^}]*\}|<[^>]*>|⟦[^⟧]*⟧|&\w+;", " ", t)
        words |= set(re.findall(r"[A-Za-z]{3,}", t))
    return words


def test_builders_write_no_english_of_their_own(lstm_packed, layout):
    _, batch, tr = lstm_packed
    cfg, n = tr.config, 0
    vals = F.sentence_steps(tr, 0, 0, n)
    fk = {k: f"⟦{k}⟧" for k in vals}
    toks = {w for s in batch.tokens for w in s}
    figs = [
        F.gates_grid(vals, batch.tokens[n], kinds=F.value_kinds(cfg), titles=fk, **LABELS),
        F.unrolled_grid(F.state_norms(tr, n), batch.tokens[n], num_layers=2, D=2,
                        row_label="⟦{layer}{arrow}⟧", **LABELS),
        F.states_grid(F.sentence_states(tr, n), batch.tokens[n], num_layers=2, D=2,
                      panel_label="⟦{layer}{arrow}⟧", **LABELS),
        F.output_assembly(vals["h"], vals["h"], batch.tokens[n], forward_label="⟦f⟧",
                          backward_label="⟦b⟧", **LABELS),
        F.padded_grid(batch.tokens, batch.lengths, **LABELS),
        F.packed_strip(layout[1], title="⟦t⟧", x_title="⟦x⟧"),
    ]
    symbols = {"pad", "script", "amp",  # <pad> and the tokens' own text
               "data", "batch", "sizes", "slot", "output"}  # torch's names
    for fig in figs:
        assert visible_words(fig) - symbols - toks == set()


# --- payload ---------------------------------------------------------------------------

def test_largest_figures_stay_lean():
    cfg = RNNConfig("LSTM", 10, 256, 4, bidirectional=True)
    _, batch, tr = run(cfg, InputSpec(mode="randn", seq_len=64, batch=2))
    n, L, H = 1, 64, 256
    vals = F.sentence_steps(tr, 3, 1, n)
    gates = F.gates_grid(vals, batch.tokens[n], kinds=F.value_kinds(cfg),
                         titles={k: k for k in vals}, selected_t=5, **LABELS)
    states = F.states_grid(F.sentence_states(tr, n), batch.tokens[n], num_layers=4, D=2,
                           highlight=F.hn_source_steps(L, 4, 2), **LABELS)
    sizes = {}
    for name, fig, panels in (("gates_grid", gates, 6), ("states_grid", states, 8)):
        spec = fig.to_json()
        sizes[name] = len(spec)
        data = json.loads(spec)["data"]
        assert all(t["z"]["dtype"] == "f4" for t in data)  # base64 float32, not lists
        assert all("text" not in t for t in data)  # no per-cell text on big grids
        raw = panels * L * H * 4
        assert len(spec) < 1.5 * (raw * 4 / 3)  # base64 + plotly's "\/" escaping + layout
    print({k: f"{v / 1024:.0f} KiB" for k, v in sizes.items()})


def test_figures_import_no_streamlit():
    code = "import sys, lstm_viz.figures; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --- specs: the dicts pages send -------------------------------------------------------

def _json(value):
    return json.loads(json.dumps(value))


def _specs(tr, batch, layout):
    """Every spec builder on one trace, as a page calls it (labels as placeholders)."""
    cfg, n = tr.config, 1
    vals = F.sentence_steps(tr, cfg.num_layers - 1, cfg.D - 1, n)
    kinds = F.value_kinds(cfg)
    last = cfg.num_layers - 1
    fwd = tr.step_values(last, 0)["h"][n]
    bwd = tr.step_values(last, 1)["h"][n] if cfg.D == 2 else None
    per_sentence = [{"sentence": 0, "length": 3, "diff": 0.0},
                    {"sentence": 1, "length": 2, "diff": 2e-3}]
    return {
        "gates_grid": F.gates_grid_spec(vals, batch.tokens[n], kinds=kinds,
                                        titles={k: k for k in vals}, selected_t=0, **LABELS),
        "gate_heatmap": F.gate_heatmap_spec(vals["h"], batch.tokens[n], name="h",
                                            kind=kinds["h"], **LABELS),
        "states_grid": F.states_grid_spec(
            F.sentence_states(tr, n), batch.tokens[n], num_layers=cfg.num_layers, D=cfg.D,
            highlight=F.hn_source_steps(int(tr.lengths[n]), cfg.num_layers, cfg.D), **LABELS),
        "unrolled_grid": F.unrolled_grid_spec(F.state_norms(tr, n), batch.tokens[n],
                                              num_layers=cfg.num_layers, D=cfg.D,
                                              selected=(0, 0, 0), **LABELS),
        "output_assembly": F.output_assembly_spec(fwd, bwd, batch.tokens[n], forward_label="f",
                                                  backward_label="b", **LABELS),
        "padded_grid": F.padded_grid_spec(batch.tokens, batch.lengths, **LABELS),
        "sorted_order": F.sorted_order_spec(layout, batch.tokens, **LABELS),
        "packed_strip": F.packed_strip_spec(layout, title="t", x_title="x"),
        "diff_bars": F.diff_bars_spec(per_sentence, differs_label="d", same_label="s",
                                      tolerance_label="tl", **LABELS),
        "vector_bar": F.vector_bar_spec(vals["h"][0], kind=kinds["h"], **LABELS),
    }


def test_every_spec_is_what_plotly_would_send_after_validating_it(any_cell):
    """A spec goes to the browser without plotly.py's validation (ui.charts.show): it must
    be exactly the JSON plotly.py makes of it once validated — nothing plotly.py would
    reject, rename, drop or spell out differently (colour scales, typed arrays, subplot
    axes)."""
    _, batch, tr = any_cell
    layout = packing_layout(batch.padded, batch.lengths, batch.tokens, batch.batch_first)
    for name, spec in _specs(tr, batch, layout).items():
        sent = _json(F.typed_arrays(spec))
        assert sent == _json(F.to_figure(spec).to_dict()), name
        assert sent == _json(F.typed_arrays(F.frozen(spec))), name  # frozen: the same JSON


def test_frozen_specs_refuse_changes_and_thaw_into_copies(lstm_packed):
    import copy

    _, batch, tr = lstm_packed
    spec = F.frozen(F.typed_arrays(F.gate_heatmap_spec(
        F.sentence_steps(tr, 0, 0, 0)["i"], batch.tokens[0], name="i", kind="sigmoid",
        **LABELS)))
    for change in (lambda s: s.__setitem__("x", 1), lambda s: s["layout"].update(height=1),
                   lambda s: s["layout"].setdefault("shapes", []), lambda s: s.pop("layout"),
                   lambda s: s["data"][0].clear(), lambda s: s["data"].append({})):
        with pytest.raises((TypeError, AttributeError)):
            change(spec)
    assert spec["data"][0].pop("uid", None) is None  # what plotly's to_json does: allowed
    mutable = copy.deepcopy(spec)
    mutable["layout"]["height"] = 1
    assert spec["layout"]["height"] != 1 and _json(F.thawed(spec))["layout"] == _json(
        spec["layout"])
