"""Show user text as plain text in Streamlit's Markdown-rendering elements."""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and then shows
# as itself: Markdown (`*_#[]()!|~>` …), HTML and entities (`<` `&`), KaTeX (`$`), setext
# headings (`=`), Streamlit's `:material/…:` icons and `:red[…]` colours (`:`), emoji
# shortcodes, and GFM autolinks (`www.` `http:`) all lose their meaning.
_MD_SPECIAL = re.compile(r"""([!-/:-@\[-`{-~])""")


def md_escape(text: object) -> str:
    """Backslash-escape every ASCII punctuation character so ``text`` shows literally.

    ``md_escape("**hi** <b>$x$</b>") == r"\\*\\*hi\\*\\* \\<b\\>\\$x\\$\\<\\/b\\>"``.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))
