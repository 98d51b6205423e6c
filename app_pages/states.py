"""Hidden states: h (and c) of every layer and direction, where h_n comes from, how
``output`` is assembled, and the ``view``s that split directions."""

import streamlit as st

from lstm_viz.core.tokens import PAD
from lstm_viz.explain import states_view as sv
from lstm_viz.explain.packing_view import sentence_names, token_sep
from lstm_viz.figures import output_assembly_spec, sentence_states, states_grid_spec, value_kinds
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import settings_key
from ui import charts, exports, run, state, weights

lang = state.lang()
result = run.page("states")
tr, cfg, batch = result.trace, result.trace.config, result.batch
CHART = {"width": "stretch", "config": {"displaylogo": False}}
DIRS = (t("states.dir.0", lang), t("states.dir.1", lang))

st.caption(t("states.intro", lang))
weights.show(result.settings, ("state",), lang)  # a trained model: the unit whose job is readable
names = sentence_names(batch.tokens, batch.lengths.tolist(), token_sep(batch.tokens))
chosen = (st.session_state.get("selection") or {}).get("sentence", 0)
if st.session_state.get("states_sentence") not in range(tr.N):
    st.session_state["states_sentence"] = min(max(int(chosen or 0), 0), tr.N - 1)
left, right = st.columns([3, 2])


def share_sentence() -> None:
    """Other pages (Gates) follow the sentence picked here."""
    st.session_state["selection"] = {**(st.session_state.get("selection") or {}),
                                     "sentence": st.session_state["states_sentence"]}


n = left.selectbox(t("states.sentence", lang), range(tr.N), format_func=names.__getitem__,
                   key="states_sentence", on_change=share_sentence)
which = "h"
if cfg.cell == "LSTM":
    weights.preselect(result.settings, "states_which")  # a trained model's readable c unit
    which = right.radio(t("states.which", lang), ("h", "c"), horizontal=True, key="states_which",
                        format_func=lambda v: t(f"states.which.{v}", lang))
tokens = batch.tokens[n]
sources = sv.hn_sources(tr, n, batch.lengths)
weights.prediction(result, n, lang)  # a trained model: what its head answers



def grid_spec() -> dict:
    spec = states_grid_spec(
        sentence_states(tr, n, which), tokens, num_layers=cfg.num_layers, D=cfg.D,
        title=t(f"states.grid_title.{which}", lang),
        x_title=t(f"states.axis_units.{which}", lang), y_title=t("states.axis_steps", lang),
        panel_label=t("states.panel", lang), name=f"{which}_t", kind=value_kinds(cfg)[which],
        highlight=sv.highlight_steps(sources), highlight_label=f"{which}_n")
    weights.outline(spec, result.settings, tr.L, {which: 0})  # panel (layer 0, forward)
    return spec


key = settings_key(result.settings)
grid = charts.figure("states", key, (lang, n, which), grid_spec)
weights.switch_note(result.settings, which, lang)
charts.show(grid, key="states_grid", **CHART)
exports.figure_downloads(grid, "states", csv=exports.steps(result, sentences=[n], names=[which]))

st.header(t("states.sources_title", lang))
st.markdown(t("states.sources_rule", lang))
cols = {k: t(f"states.col.{k}", lang) for k in ("row", "layer", "direction", "t", "token", "diff")}
st.dataframe(sv.sources_table(sources, tokens, cols, DIRS), hide_index=True)
length = sources[0].length
one = "_one" if cfg.D == 1 else ""
st.markdown(t(f"states.source_steps{one}", lang, last=length - 1, length=length))
if tr.packed:
    st.info(t("states.packed_hn", lang, last=length - 1))
elif sources[0].reads_pad:
    st.warning(t("states.reads_pad", lang, real=sources[0].real_length, L=tr.L),
               icon=":material/warning:")

st.header(t("states.output_title", lang))
code = sv.view_code(cfg, tr.N, tr.L, n, which)
seq = "(N, L, D*H_out)" if cfg.batch_first else "(L, N, D*H_out)"
st.markdown(t(f"states.output_text{one}", lang, seq=seq, shape=code["output_shape"], D=cfg.D,
              H=cfg.H_out))
fwd, bwd = sv.output_halves(tr, n)
H = cfg.H_out
assembly = charts.figure("states_output", key, (lang, n), lambda: output_assembly_spec(
    fwd, bwd, tokens, title=t(f"states.output_fig{one}", lang),
    x_title=t("states.axis_features", lang), y_title=t("states.axis_steps", lang),
    forward_label=t("states.forward_half", lang, hi=H - 1),
    backward_label=t("states.backward_half", lang, lo=H, hi=2 * H - 1)))
charts.show(assembly, key="states_output", **CHART)
exports.figure_downloads(assembly, "states_output", csv=exports.steps(
    result, sentences=[n], layers=[cfg.num_layers - 1], names=["h"]))
if tr.packed and length < tr.L:
    ok = sv.padded_output_is_zero(tr, n)
    st.info(t("states.packed_zeros" if ok else "states.packed_nonzero", lang, length=length))

st.header(t("states.view_title", lang))
st.markdown(t("states.view_output", lang))
st.code(code["output"], language="python")
a, b = st.columns([1, cfg.D])
a.caption(t("states.raw_output", lang, n=n))
a.dataframe(sv.output_table(tr, n, tokens, PAD))
for col, d, frame in zip(b.columns(cfg.D), range(cfg.D), sv.output_view_tables(tr, n, tokens, PAD),
                         strict=True):
    col.caption(t("states.view_dir", lang, d=d, dir=DIRS[d]))
    col.dataframe(frame)
width = "H_out" if which == "h" else "H_cell"
st.markdown(t("states.view_state", lang, name=f"{which}_n", width=width))
st.code(code["state"], language="python")
a, b = st.columns(2)
a.caption(t("states.raw_state", lang, name=f"{which}_n", n=n))
a.dataframe(sv.state_table(tr, n, which))
b.caption(t("states.view_state_table", lang, name=f"{which}_n", n=n))
b.dataframe(sv.state_view_table(tr, n, which))

st.header(t("states.wrong_title", lang))
diff = next(c for c in result.claims if c.key == "view_splits_directions").numbers
st.code(code["wrong"], language="python")
wrong_cols = {k: t(f"states.col.{k}", lang) for k in ("index", "claims", "holds", "right")}
st.dataframe(sv.wrong_view_table(cfg, wrong_cols, t("states.layer_dir", lang), DIRS),
             hide_index=True)
key = "states.wrong_same" if cfg.D == 1 or cfg.num_layers == 1 else "states.wrong_differs"
st.markdown(t(key, lang, diff=f"{diff['wrong_view_diff']:.3g}", D=cfg.D, layers=cfg.num_layers))
