"""The app's accessibility fixes to Streamlit's own styles (``ui/a11y.css``) and markup
(``ui/a11y.js``), sent with every run: an ``st.html`` holding only a ``<style>`` goes to the
page's event container and takes no room; the script, a constant file read once, runs once per
page load (tests/test_security.py keeps both constant)."""

from pathlib import Path

import streamlit as st

CSS = Path(__file__).with_name("a11y.css")
SCRIPT = "<script>" + Path(__file__).with_name("a11y.js").read_text(encoding="utf-8") + "</script>"


def style() -> None:
    st.html(CSS)
    st.html(SCRIPT, unsafe_allow_javascript=True)
