"""The floor for measure/server_cpu.py: a bare Streamlit page that sends what an lstm-viz page sent.

``measure/server_cpu.py`` records, over the websocket, every element one rerun of an
lstm-viz page sends (sidebar included) into ``$LSTM_VIZ_FLOOR_DIR/<page>.pb`` (a
``ForwardMsgList`` of its deltas). This page (``/?page=gates``) sends the same elements again
through Streamlit's public API and nothing else: the same figure specs (``ui.charts.show``,
the cheapest way lstm-viz itself sends a finished spec), the same tables (``st.dataframe`` of
the recorded Arrow data), the same text, the same widgets (labels, options, values), in the
same containers. No torch, no run, no state: what any page with these elements pays.

    LSTM_VIZ_FLOOR_DIR=/tmp/rec streamlit run measure/floor_page_app.py
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsgList

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.charts import show

ALERTS = {1: st.error, 2: st.warning, 3: st.info, 4: st.success}  # Alert.Format


@st.cache_resource(show_spinner=False)
def recording(page: str) -> list:
    """The recorded deltas of ``page``: (delta path, "element" | "block", proto)."""
    msgs = ForwardMsgList()
    msgs.ParseFromString((Path(os.environ["LSTM_VIZ_FLOOR_DIR"]) / f"{page}.pb").read_bytes())
    out = []
    for msg in msgs.messages:
        kind = msg.delta.WhichOneof("type")
        proto = msg.delta.new_element if kind == "new_element" else msg.delta.add_block
        out.append((tuple(msg.metadata.delta_path), kind, proto))
    return out


@st.cache_resource(show_spinner=False)
def _data(page: str, index: int):
    """An element's data ready for the public API: a figure dict or a DataFrame (once)."""
    _, _, el = recording(page)[index]
    if el.WhichOneof("type") == "plotly_chart":
        return json.loads(el.plotly_chart.spec), json.loads(el.plotly_chart.config or "{}")
    frame = el.dataframe
    raw = frame.arrow_data.data or frame.lazy_data.initial_chunk.data
    return pa.ipc.open_stream(io.BytesIO(raw)).read_all().to_pandas()


def _text(el, kind: str) -> None:
    if kind == "heading":
        {"h1": st.title, "h2": st.header}.get(el.heading.tag, st.subheader)(el.heading.body)
    elif kind == "markdown":
        md = el.markdown
        writer = {2: st.caption, 4: lambda b: st.latex(b.strip("$"))}.get(md.element_type,
                                                                          st.markdown)
        writer(md.body)
    elif kind == "code":
        st.code(el.code.code_text, language=el.code.language or None)
    elif kind == "alert":
        ALERTS.get(el.alert.format, st.info)(el.alert.body, icon=el.alert.icon or None)
    else:
        st.markdown(getattr(el, kind).label if hasattr(getattr(el, kind), "label") else kind)


def _widget(el, kind: str, key: str) -> None:
    w = getattr(el, kind)
    if kind in ("selectbox", "radio"):
        index = int(w.default) if w.HasField("default") else 0
        (st.selectbox if kind == "selectbox" else st.radio)(w.label, list(w.options),
                                                           index=index, key=key)
    elif kind == "number_input":
        cast = int if w.data_type == w.INT else float
        st.number_input(w.label, min_value=cast(w.min), max_value=cast(w.max),
                        value=cast(w.default), step=cast(w.step), key=key)
    elif kind == "checkbox":
        (st.toggle if w.type == w.TOGGLE else st.checkbox)(w.label, value=w.default, key=key)
    elif kind == "slider" and w.options:
        st.select_slider(w.label, list(w.options), value=w.options[int(w.default[0])], key=key)
    elif kind == "slider":
        st.slider(w.label, w.min, w.max, w.default[0], step=w.step, key=key)
    elif kind == "text_area":
        st.text_area(w.label, value=w.default, key=key)
    elif kind == "download_button":
        st.download_button(w.label, b"", key=key, on_click="ignore")
    elif kind == "file_uploader":
        st.file_uploader(w.label, key=key)
    else:  # button, page_link, …: one button of the same label
        st.button(getattr(w, "label", kind), key=key)


def _element(page: str, index: int, el) -> None:
    kind = el.WhichOneof("type")
    if kind == "plotly_chart":
        spec, config = _data(page, index)
        selects = bool(el.plotly_chart.selection_mode)
        show(spec, width="stretch", config=config, key=f"chart{index}",
             **({"on_select": "rerun", "selection_mode": "points"} if selects else {}))
    elif kind == "dataframe":
        st.dataframe(_data(page, index))
    elif kind in ("heading", "markdown", "code", "alert"):
        _text(el, kind)
    else:
        _widget(el, kind, f"w{index}")


def _block(block):
    kind = block.WhichOneof("type")
    if kind == "expandable":
        return st.expander(block.expandable.label, expanded=block.expandable.expanded)
    if kind == "flex_container" and block.flex_container.direction == 2:  # horizontal
        return st.container(horizontal=True)
    return st.container()


def replay(page: str) -> None:
    """Every recorded element of ``page`` in its container (columns as columns)."""
    containers = {(0,): st.container(), (1,): st.sidebar}
    deltas = recording(page)
    for index, (path, kind, proto) in enumerate(deltas):
        parent = containers.get(path[:-1])
        if parent is None:
            continue
        with parent:
            if kind == "new_element":
                _element(page, index, proto)
            elif proto.WhichOneof("type") == "column":
                continue  # made with its siblings below
            else:
                columns = [(p, b.column.weight or 1) for p, k, b in deltas
                           if p[:-1] == path and k == "add_block"
                           and b.WhichOneof("type") == "column"]
                if not columns:
                    containers[path] = _block(proto)
                    continue
                for (p, _), col in zip(columns, st.columns([w for _, w in columns]),
                                       strict=True):
                    containers[p] = col


st.set_page_config(page_title="floor", layout="wide")
replay(st.query_params.get("page", "overview"))
