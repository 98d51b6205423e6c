"""The app's accessibility fixes to Streamlit's own styles (``ui/a11y.css``), sent with every
run: an ``st.html`` holding only a ``<style>`` goes to the page's event container and takes
no room."""

from pathlib import Path

import streamlit as st

CSS = Path(__file__).with_name("a11y.css")


def style() -> None:
    st.html(CSS)
