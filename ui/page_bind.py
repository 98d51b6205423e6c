"""Widgets bound to a page's own URL keys (``lstm_viz.state.page_keys.SPECS``: Memory's
``m_*``, Train's ``t_*``).

A widget's value lives under ``w_<key>``; a change goes through ``state.set_page_value`` (its
parser, the page's repair, the URL). Widget values are rebuilt from the page's values
whenever Streamlit dropped them (another page ran) or a change repaired them (a view sets
them all): ``bind`` forgets every widget of the page once a change asked for it.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from lstm_viz.state.page_keys import SPECS
from ui import state


class PageBinder:
    """``bind(key)``: keyword arguments for the widget of page value ``key``."""

    def __init__(self, page: str):
        self.page, self.spec = page, SPECS[page]
        self.forget = f"{page}_forget_widgets"

    def values(self) -> dict:
        return state.page_values(self.page)

    def set(self, key: str, value) -> None:
        """Set one value (a callback: Generate, a view), and rebuild the widgets."""
        state.set_page_value(self.page, key, value)
        st.session_state[self.forget] = True

    def _changed(self, key: str, to_value) -> None:
        self.set(key, to_value(st.session_state[f"w_{key}"]))

    def bind(self, key: str, shown=None, to_value=lambda v: v) -> dict:
        """Keyword arguments for the widget of page value ``key`` (shown as ``shown``)."""
        wkey = f"w_{key}"
        if st.session_state.pop(self.forget, False):
            for name in self.spec.names():
                st.session_state.pop(f"w_{name}", None)
        if wkey not in st.session_state:
            st.session_state[wkey] = self.values()[key] if shown is None else shown
        return {"key": wkey, "on_change": partial(self._changed, key, to_value)}
