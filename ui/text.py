"""Show user text as plain text in Streamlit's Markdown-rendering elements."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown (and HTML-looking) characters so text shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
