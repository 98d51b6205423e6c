"""The app's accessibility fixes to Streamlit's own styles (``ui/a11y.css``) and markup
(``ui/a11y.js``), sent with every run: an ``st.html`` holding only a ``<style>`` goes to the
page's event container and takes no room; the script runs once per page load."""

from pathlib import Path

import streamlit as st

CSS = Path(__file__).with_name("a11y.css")
JS = Path(__file__).with_name("a11y.js")


def style() -> None:
    st.html(CSS)
    st.html(f"<script>{JS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)
