"""The app's state through the query string, both ways.

``from_query`` turns any query string (hostile ones included) into valid Settings plus
``Notice``s naming each argument it had to change; ``to_query`` writes the preset and only
the values that differ from it, so ``/shapes?preset=official`` is the official example and a
copied URL reproduces the view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from lstm_viz.core.caps import Caps
from lstm_viz.state.pages import KNOWN as PAGE_KEYS
from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS
from lstm_viz.state.repair import make_valid
from lstm_viz.state.sanitize import DEVICE
from lstm_viz.state.settings import (
    CHOICES,
    CONFIG_KEYS,
    HIDEABLE,
    KNOWN_KEYS,
    LANGS,
    SPEC_KEYS,
    Notice,
    Settings,
    from_preset,
    short,
)
from lstm_viz.trained.pin import is_upload

_INT = re.compile(r"[+-]?\d{1,12}")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def parse_value(key: str, raw: str, kind: type):
    """Parse one query value into ``kind``; ValueError says what was expected."""
    raw = raw.strip()
    if kind is bool:
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ValueError("expected true or false")
    if kind is int:
        if not _INT.fullmatch(raw):
            raise ValueError("expected a whole number")
        return int(raw)
    if kind is float:
        value = float(raw)  # raises ValueError for text
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value
    if key == "weights" and is_upload(raw.lower()):
        raise ValueError("a link cannot carry an uploaded file; upload it again")
    if key in CHOICES:
        match = {c.lower(): c for c in CHOICES[key]}.get(raw.lower())
        if match is None:
            raise ValueError(f"expected one of {', '.join(CHOICES[key])}")
        return match
    if key == "device" and not DEVICE.fullmatch(raw.lower()):
        raise ValueError("expected cpu, cuda, cuda:<k> or mps")
    return raw.lower() if key == "device" else raw


def _kind(key: str) -> type:
    base = Settings()
    value = base.get(key) if key not in ("hide",) else ""
    return type(value) if not isinstance(value, str | None) else str


def _last(value) -> tuple[str, bool]:
    """A query value: the last of repeated keys, and whether it was repeated."""
    if isinstance(value, list | tuple):
        return (str(value[-1]) if value else ""), len(value) > 1
    return str(value), False


def _parse_meta(params: Mapping, notices: list[Notice]) -> dict:
    meta = {}
    preset, _ = _last(params.get("preset", DEFAULT_PRESET))
    if preset not in PRESETS:  # a name looked up in a dict, never a path
        notices.append(Notice("preset", short(preset),
                              f"unknown preset; one of {', '.join(PRESETS)}", DEFAULT_PRESET))
        preset = DEFAULT_PRESET
    meta["preset"] = preset
    if "lang" in params:
        lang, _ = _last(params["lang"])
        if lang.strip().lower() in LANGS:
            meta["lang"] = lang.strip().lower()
        else:
            notices.append(Notice("lang", short(lang), "expected en or zh", "en"))
    if "hide" in params:
        names = [h.strip() for h in _last(params["hide"])[0].split(",") if h.strip()]
        meta["hide"] = tuple(dict.fromkeys(h for h in names if h in HIDEABLE))
        bad = [h for h in names if h not in HIDEABLE]
        if bad:
            notices.append(Notice("hide", short(",".join(bad)), "not a setting name; ignored"))
    if "lock" in params:
        try:
            meta["lock"] = parse_value("lock", _last(params["lock"])[0], bool)
        except ValueError as err:
            notices.append(Notice("lock", short(_last(params["lock"])[0]), str(err), "false"))
    return meta


def _parse_fields(settings: Settings, params: Mapping, notices: list[Notice]) -> Settings:
    for key in (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights"):
        if key not in params:
            continue
        raw, repeated = _last(params[key])
        if repeated:
            notices.append(Notice(key, short(raw), "given more than once; the last value is used"))
        try:
            settings = settings.set(key, parse_value(key, raw, _kind(key)))
        except ValueError as err:
            notices.append(Notice(key, short(raw), str(err), short(settings.get(key))))
    return settings


def from_query(params: Mapping, caps: Caps | None = None) -> tuple[Settings, list[Notice]]:
    """Valid Settings from a query string mapping (str or list of str values)."""
    caps = caps or Caps()
    notices: list[Notice] = []
    unknown = [str(key) for key in params if key not in KNOWN_KEYS and key not in PAGE_KEYS]
    if unknown:  # one notice however many: a URL with 10 000 keys is not 10 000 warnings
        more = f" (+{len(unknown) - 3} more)" if len(unknown) > 3 else ""
        value = short(_last(params[unknown[0]])[0]) if len(unknown) == 1 else "…"
        notices.append(Notice(short(", ".join(unknown[:3])) + more, value, "unknown; ignored"))
    meta = _parse_meta(params, notices)
    settings = from_preset(meta.pop("preset"), **meta)
    settings = _parse_fields(settings, params, notices)
    return make_valid(settings, caps, notices), notices


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def to_query(settings: Settings) -> dict[str, str]:
    """The preset, then only the values that differ from it (plus lang/hide/lock if set)."""
    base = from_preset(settings.preset)
    query = {"preset": settings.preset}
    for key in (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights"):
        if key == "input_size" and settings.spec.mode == "sentences":
            continue  # derived from the sentences
        if settings.get(key) != base.get(key):
            query[key] = "upload" if key == "weights" and is_upload(settings.weights) else _text(
                settings.get(key))
    if settings.lang:
        query["lang"] = settings.lang
    if settings.hide:
        query["hide"] = ",".join(settings.hide)
    if settings.lock:
        query["lock"] = "1"
    return query
