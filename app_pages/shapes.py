"""Shapes: constructor arguments, every shape with PyTorch's letters, batch_first side by side,
a script that reproduces the run, and the articles' claims checked live."""

import streamlit as st

from lstm_viz.explain import tables
from lstm_viz.i18n import t
from lstm_viz.io.snippet import FILE_NAME, reproduce_snippet
from lstm_viz.state.presets import PRESETS
from ui import exports, run, state

COLOURS = {"holds": "green", "fails": "red", "na": "gray"}

lang = state.lang()
result = run.page("shapes")
s, cfg, batch = result.settings, result.settings.config, result.batch
st.caption(t("shapes.intro", lang))


def table(df) -> None:
    st.dataframe(df, hide_index=True, width="stretch")


st.header(t("shapes.section.args", lang))
table(tables.constructor_table(cfg, lang))

st.header(t("shapes.section.shapes", lang))
st.markdown(t("shapes.tensors", lang))
table(tables.shapes_table([e for e in result.shapes if e.kind != "parameter"], lang))
if batch.hx is None:
    st.caption(t("shapes.zeros_state", lang))
total = s.spec.total_length if s.spec.packed else 0
if total:  # the contract's output is already pad_packed_sequence(..., total_length=T)'s
    output = next(e for e in result.shapes if e.name == "output")
    st.caption(t("shapes.total_length", lang, T=total, shape=tables.shape_text(output)))
st.markdown(t("shapes.parameters", lang))
table(tables.shapes_table([e for e in result.shapes if e.kind == "parameter"], lang))
exports.table_download(exports.shapes(result), "shapes")

st.header(t("shapes.section.batch_first", lang))
st.caption(t("shapes.bf.caption", lang, value=cfg.batch_first))
table(tables.batch_first_table(cfg, batch.N, batch.L, lang, total or None))

st.header(t("shapes.section.snippet", lang))
st.caption(t("shapes.snippet.caption", lang))
code = reproduce_snippet(s, result.device)
st.code(code, language="python")
st.download_button(t("shapes.snippet.download", lang), code.encode("utf-8"), file_name=FILE_NAME,
                   mime="text/x-python", key="shapes_download", on_click="ignore",
                   icon=":material/download:")
exports.trace_downloads(result)

st.header(t("shapes.section.claims", lang))
st.caption(t("shapes.claims.caption", lang))
for claim in result.claims:
    verdict, key = tables.verdict(claim), f"claim.{claim.key}"
    numbers = {k: tables.format_number(v) for k, v in claim.numbers.items()}
    with st.container(border=True):
        st.markdown(f":{COLOURS[verdict]}[**{t(f'claim.verdict.{verdict}', lang)}**] · "
                    + t(f"{key}.statement", lang))
        articles = [t(f"claim.article.{a}", lang) for a in tables.CLAIM_SOURCES[claim.key]]
        st.caption(t("claim.sources", lang, articles="; ".join(articles)))
        st.markdown(" ".join([t(f"{key}.{verdict}", lang, **numbers),
                              *tables.claim_details(claim, lang)]))
        parts = [(t("shapes.claim.numbers", lang), tables.claim_numbers(claim, lang)),
                 (t("shapes.claim.per_sentence", lang),
                  tables.claim_sentences(claim, batch.tokens, lang))]
        parts = [(label, df) for label, df in parts if df is not None]
        for column, (label, df) in zip(st.columns(max(len(parts), 1)), parts, strict=False):
            column.caption(label)
            with column:
                table(df)
        st.markdown(t("shapes.claim.why", lang) + t(f"{key}.why", lang))

preset = PRESETS[s.preset]
unchanged = (cfg, s.spec) == (preset.config, preset.spec)
st.header(t("shapes.section.expected", lang))
st.caption(t("shapes.expected.caption", lang, title=t(f"preset.{s.preset}.title", lang),
             article=tables.source_caption(preset.source, preset.weights, lang)))
if not unchanged:
    st.caption(t("shapes.expected.changed", lang))
table(tables.expected_table(preset.expected, result.shapes, unchanged, lang))
