"""The Gates page's worked unit: where it is, the notes that apply to it, its equations with
the module's numbers (LaTeX, ``lstm_viz.explain.worked_tex``) and the weight tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_viz.core.config import RNNConfig
from lstm_viz.explain.worked import as_text, projection_columns, weight_columns
from lstm_viz.explain.worked_tex import step_tex
from lstm_viz.i18n import t
from ui.text import md_escape


def show(step, params, cfg: RNNConfig, layer: int, d: int, n: int, token: str,
         lang: str) -> None:
    """One unit of (layer, direction d, sentence n) at step ``step.t`` worked out."""
    arrow = " " + t(f"gates.dir.{d}", lang) if cfg.D == 2 else ""
    st.header(t("gates.worked.title", lang, unit=step.unit, t=step.t))
    st.caption(md_escape(t("gates.worked.where", lang, layer=layer, arrow=arrow, n=n,
                           t=step.t, token=token, unit=step.unit)))
    notes = {"gates.worked.backward": d == 1, "gates.worked.gru": cfg.cell == "GRU",
             f"gates.worked.initial.{'LSTM' if cfg.cell == 'LSTM' else 'h'}": step.prev_t is None,
             "gates.worked.layer_input": layer > 0, "gates.worked.proj": cfg.proj_size > 0}
    for key in (key for key, shown in notes.items() if shown):
        st.caption(t(key, lang, below=layer - 1, width=len(step.x), proj=cfg.proj_size,
                     H=cfg.hidden_size))
    for line in step_tex(step):
        st.latex(line)
    st.caption(t("gates.worked.rounding", lang))
    tables = [("gates.table.x", weight_columns(params, step, "i")),
              ("gates.table.h", weight_columns(params, step, "h"))]
    for col, (key, data) in zip(st.columns(2), tables, strict=True):
        _table(col, key, data, lang)
    if step.m is not None:
        _table(st, "gates.table.proj", projection_columns(step), lang)


def _table(where, key: str, data: dict, lang: str) -> None:
    where.caption(t(key, lang))
    right = {name: st.column_config.Column(alignment="right") for name in data}  # numbers
    where.dataframe(pd.DataFrame(as_text(data)), width="stretch", column_config=right)
