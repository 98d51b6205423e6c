"""Nicknames and other short texts students and teachers type, made safe plain text.

``nickname(raw)``: Unicode NFKC (full-width letters become ASCII, ligatures split), then
every character that is not visible text removed — control characters (NUL, ESC, C1),
format characters (zero-width space and joiners, the BOM, soft hyphen, every bidirectional
embedding, override and isolate: the "Trojan Source" characters), surrogates, private-use
and unassigned code points — runs of white space made one space, and at most 24 characters
kept. What is left is shown as text, never as markup (the pages escape it). An empty result
means "no nickname": the student is then "Student 7", numbered in the order they joined.
"""

from __future__ import annotations

import unicodedata

NICKNAME_CHARS = 24
CLASS_NAME_CHARS = 80
ANSWER_CHARS = 200  # an answer is stored as typed up to this many characters
REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
SPACES = {"Zs", "Zl", "Zp"}


def plain(raw: object, limit: int) -> str:
    """``raw`` as one line of visible text: NFKC, invisible characters removed, white space
    collapsed, at most ``limit`` characters."""
    text = unicodedata.normalize("NFKC", str(raw))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r" or category in SPACES:
            kept.append(" ")
        elif category not in REMOVED_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())[:limit].rstrip()


def nickname(raw: object) -> str:
    """A nickname as stored and shown: ≤ 24 visible characters ("" for none)."""
    return plain(raw, NICKNAME_CHARS)


def class_name(raw: object) -> str:
    """A class's name as stored and shown: ≤ 80 visible characters."""
    return plain(raw, CLASS_NAME_CHARS)


def default_name(number: int) -> str:
    """The name of a student who gave none (English; pages translate it)."""
    return f"Student {number}"


def answer_text(raw: object) -> str:
    """An answer as stored "as typed": NUL and surrogates removed (no database takes them),
    at most 200 characters; everything else kept exactly, for the teacher to read."""
    text = "".join(ch for ch in str(raw) if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF)
    return text[:ANSWER_CHARS]
