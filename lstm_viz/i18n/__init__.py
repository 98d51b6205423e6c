"""Translations: English and 简体中文 catalogs, one JSON file per topic per language.

``t(key, lang, **values)`` looks the key up in ``lang``, falls back to English, then to
the key itself (tests check every key used exists in both catalogs). Values are
formatted into our template with ``str.format``; user text passed as a value is never
re-interpreted as a template.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "简体中文"}
HERE = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    """All keys of ``lang``, merged from ``i18n/<lang>/*.json`` (sorted by file name)."""
    merged: dict[str, str] = {}
    for path in sorted((HERE / lang).glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        clash = merged.keys() & entries.keys()
        if clash:
            raise ValueError(f"{path.name} repeats keys: {sorted(clash)}")
        merged.update(entries)
    return merged


def t(key: str, lang: str = "en", **values) -> str:
    """The text for ``key`` in ``lang`` (English fallback), with ``values`` filled in."""
    text = catalog(lang).get(key) if lang in LANGS else None
    if text is None:
        text = catalog("en").get(key, key)
    return text.format(**values) if values else text


def pick_lang(url_lang: str | None, browser_locale: str | None) -> str:
    """``lang`` from the URL, else the browser's locale (zh-*), else English."""
    if url_lang in LANGS:
        return url_lang
    if browser_locale and browser_locale.lower().startswith("zh"):
        return "zh"
    return "en"
