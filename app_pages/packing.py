"""Packing: the padded batch, the sort by length, packed.data and batch_sizes, the
enforce_sorted error, the round trip and what padding without packing changes."""

import streamlit as st

from lstm_viz.explain import packing_view as pv
from lstm_viz.figures import diff_bars_spec, packed_strip_spec, padded_grid_spec
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import settings_key
from ui import charts, exports, run, state

lang = state.lang()
result = run.page("packing")
batch, layout, cfg = result.batch, result.layout, result.trace.config
CHART = {"width": "stretch", "config": {"displaylogo": False}}
sep = pv.token_sep(batch.tokens)
lengths = layout.lengths

tiny = pv.tiny_example()
st.markdown(t("packing.intro", lang, words=" + ".join(f"`{w}`" for w in tiny.words),
              data=tiny.data, sizes=tiny.batch_sizes))
if not batch.spec.packed:
    st.info(t("packing.not_packed", lang), icon=":material/info:")

st.header(t("packing.padded_title", lang))
key = settings_key(result.settings)
padded = charts.figure("packing_padded", key, (lang,), lambda: padded_grid_spec(
    batch.tokens, lengths, title=t("packing.padded_fig", lang, N=len(lengths), L=max(lengths)),
    x_title=t("packing.axis_t", lang), y_title=t("packing.axis_n", lang),
    row_label=t("packing.row_label", lang)))
charts.show(padded, key="packing_padded", **CHART)
exports.figure_downloads(padded, "packing_padded")

st.header(t("packing.sort_title", lang))
st.markdown(t("packing.sort_text", lang))
cols = {k: t(f"packing.col.{k}", lang) for k in ("slot", "n", "length", "tokens")}
st.dataframe(pv.sorted_table(layout, batch.tokens, cols, sep), hide_index=True)
st.code(f"sorted_indices   = {layout.sorted_indices}\nunsorted_indices = "
        f"{layout.unsorted_indices}", language="python")
first = layout.sorted_indices[0]
st.markdown(t("packing.sorted_indices", lang, slot0=first, len0=lengths[first]))
st.markdown(t("packing.unsorted_indices", lang, n0=layout.unsorted_indices[0]))

st.header(t("packing.data_title", lang))
strip = charts.figure("packing_strip", key, (lang,), lambda: packed_strip_spec(
    layout, title=t("packing.strip_fig", lang, R=len(layout.rows)),
    x_title=t("packing.axis_row", lang),
    size_label=t("packing.size_label" if pv.long_step_labels(layout.batch_sizes) else
                 "packing.size_label_short", lang),
    step_label=t("packing.step_label", lang)))
charts.show(strip, key="packing_strip", **CHART)
exports.figure_downloads(strip, "packing_data", csv=exports.packed(result))
st.markdown(t("packing.batch_sizes", lang, sizes=layout.batch_sizes, R=len(layout.rows)))

st.header(t("packing.enforce_title", lang))
if result.enforce_sorted_error:
    st.markdown(t("packing.enforce_fails", lang, lengths=lengths))
    st.code(result.enforce_sorted_error, language=None, wrap_lines=True)
    st.markdown(t("packing.enforce_plain", lang))
else:
    st.markdown(t("packing.enforce_ok", lang, lengths=lengths))

st.header(t("packing.roundtrip_title", lang))
plain, longer = pv.roundtrip_shapes(batch.padded, batch.lengths, cfg.batch_first,
                                    layout.total_length)
layout_letters = "(N, T, H_in)" if cfg.batch_first else "(T, N, H_in)"
st.markdown(t("packing.roundtrip_plain", lang, shape=plain, letters=layout_letters,
              T=max(lengths)))
if longer is not None:
    st.markdown(t("packing.roundtrip_total", lang, total=layout.total_length, shape=longer))
else:
    st.markdown(t("packing.roundtrip_hint", lang))
st.markdown(t("packing.roundtrip_ok" if layout.roundtrip_matches else "packing.roundtrip_bad",
              lang))

st.header(t("packing.diff_title", lang))
claim = next(c for c in result.claims if c.key == "padding_changes_shorter")
if claim.holds is None:
    st.info(t("packing.diff_none", lang, L=max(lengths)), icon=":material/info:")
else:
    st.markdown(t("packing.diff_text", lang))
    bars = charts.figure("packing_diff", key, (lang,), lambda: diff_bars_spec(
        claim.numbers["per_sentence"], title=t("packing.diff_fig", lang),
        x_title=t("packing.axis_sentence", lang), y_title=t("packing.axis_diff", lang),
        differs_label=t("packing.differs", lang), same_label=t("packing.same", lang),
        tolerance_label=t("packing.tolerance", lang),
        names=pv.sentence_names(batch.tokens, lengths, sep)))
    charts.show(bars, key="packing_diff", **CHART)
    exports.figure_downloads(bars, "packing_diff")
