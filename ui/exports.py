"""Download buttons under the figures and tables (the files come from ``lstm_viz.io.exports``).

Every file is made lazily: ``st.download_button(data=callable)`` runs the callable on a
worker thread when the user clicks (Streamlit 1.67), so a rerun costs nothing and a PNG's
browser export (about a second, more for the first) happens only when asked for.
``on_click="ignore"``: downloading does not rerun the app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from lstm_viz.i18n import t
from lstm_viz.io import exports
from lstm_viz.state.pipeline import Run
from ui import state
from ui.text import md_escape

PREFIX = "lstm_viz_"
MIME = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv",
        "npz": "application/octet-stream", "json": "application/json"}
Data = Callable[[], bytes | str]


def _button(label: str, help_text: str, data: Data, name: str, ext: str) -> None:
    st.download_button(label, data, file_name=f"{PREFIX}{name}.{ext}", mime=MIME[ext],
                       key=f"{name}_download_{ext}", help=help_text, on_click="ignore",
                       icon=":material/download:", type="tertiary")


def _row():
    return st.container(horizontal=True, gap="small")


def _csv(frame: Callable) -> bytes:
    return exports.tensor_csv(frame())


def _csv_button(csv: Callable, name: str, lang: str) -> None:
    _button("CSV", t("exports.csv.help", lang), partial(_csv, csv), name, "csv")


def _trace_buttons(result: Run, lang: str) -> None:
    _button(t("exports.npz", lang), t("exports.npz.help", lang),
            partial(exports.trace_npz, result), "trace", "npz")
    _button(t("exports.json", lang), t("exports.json.help", lang),
            partial(exports.config_json, result.settings), "trace_settings", "json")


def figure_downloads(fig, name: str, csv: Callable | None = None,
                     trace: Run | None = None) -> None:
    """One row of buttons: PNG and SVG of ``fig`` (a go.Figure or its dict), the CSV of
    ``csv()`` (a DataFrame) and the trace of ``trace`` when given. Where no browser can
    export images, a caption says why instead of the PNG/SVG buttons."""
    lang = state.lang()
    reason = exports.unavailable_reason()
    with _row():
        if reason is None:
            for fmt in ("png", "svg"):
                _button(fmt.upper(), t("exports.image.help", lang),
                        partial(exports.figure_image, fig, fmt), name, fmt)
        if csv is not None:
            _csv_button(csv, name, lang)
        if trace is not None:
            _trace_buttons(trace, lang)
    if reason is not None:
        st.caption(md_escape(t("exports.unavailable", lang, reason=reason)))


def table_download(csv: Callable, name: str) -> None:
    """A CSV button for the DataFrame ``csv()`` returns (made on click)."""
    with _row():
        _csv_button(csv, name, state.lang())


def trace_downloads(result: Run) -> None:
    """The whole trace (.npz) and the settings (.json) of ``result``, in a row."""
    with _row():
        _trace_buttons(result, state.lang())


def steps(result: Run, **selection) -> Callable:
    """The step-values table of ``result`` for ``selection`` (``sentences``, ``layers``,
    ``directions``, ``names``: lists; left out = all), made when called."""
    return partial(exports.steps_frame, result.trace, result.batch.tokens, **selection)


def packed(result: Run) -> Callable:
    """The packed.data table of ``result``, made when called."""
    return partial(exports.packed_frame, result.layout)


def shapes(result: Run) -> Callable:
    """The shape-contract table of ``result``, made when called."""
    return partial(exports.shapes_frame, result.shapes)
