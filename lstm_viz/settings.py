"""The app's whole state as plain data, and its round trip through the query string.

``Settings`` = base preset + RNNConfig + InputSpec + device, language and the teacher's
``hide``/``lock``. ``from_query`` turns any query string (hostile ones included) into
valid Settings plus ``Notice``s naming each argument it had to change; ``to_query`` writes
the preset and only the values that differ from it, so ``/shapes?preset=official`` is the
official example and a copied URL reproduces the view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from lstm_viz.caps import Caps
from lstm_viz.config import CELLS, NONLINEARITIES, ConfigError, RNNConfig, validate
from lstm_viz.inputs import ENCODINGS, INITIAL_STATES, MODES, InputSpec, check_spec
from lstm_viz.presets import DEFAULT_PRESET, PRESETS
from lstm_viz.sanitize import DEVICE, derived_input_size, fit_meta, fit_sentences, minimal
from lstm_viz.tokens import TOKENISATIONS
from lstm_viz.trained import MODELS
from lstm_viz.trained.pin import fixed_values, is_upload

LANGS = ("en", "zh")
WEIGHTS = ("random", *MODELS)  # and "upload:<sha256>", known to one session only
CONFIG_KEYS = tuple(f.name for f in fields(RNNConfig))
SPEC_KEYS = tuple(f.name for f in fields(InputSpec))
CHOICES = {"cell": CELLS, "nonlinearity": NONLINEARITIES, "mode": MODES, "tokens": TOKENISATIONS,
           "encoding": ENCODINGS, "h0": INITIAL_STATES, "weights": WEIGHTS}
KNOWN_KEYS = (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights", "lang", "preset", "hide", "lock")
HIDEABLE = (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights", "lang", "preset")


@dataclass(frozen=True)
class Notice:
    """A value that was refused or changed: shown to the user, never a traceback."""

    arg: str
    value: str
    rule: str
    used: str = ""  # the value used instead

    def __str__(self) -> str:
        used = f" → {self.used}" if self.used else ""
        return f"{self.arg}={self.value}: {self.rule}{used}"


@dataclass(frozen=True)
class Settings:
    preset: str = DEFAULT_PRESET
    config: RNNConfig = field(default_factory=lambda: PRESETS[DEFAULT_PRESET].config)
    spec: InputSpec = field(default_factory=lambda: PRESETS[DEFAULT_PRESET].spec)
    device: str = "cpu"
    lang: str | None = None  # None: follow the browser
    hide: tuple[str, ...] = ()
    lock: bool = False
    weights: str = "random"  # "random" (seeded), a model of lstm_viz.trained, "upload:<sha256>"

    def get(self, key: str):
        if key in CONFIG_KEYS:
            return getattr(self.config, key)
        if key in SPEC_KEYS:
            return getattr(self.spec, key)
        return getattr(self, key)

    def set(self, key: str, value) -> Settings:
        if key in CONFIG_KEYS:
            return replace(self, config=replace(self.config, **{key: value}))
        if key in SPEC_KEYS:
            return replace(self, spec=replace(self.spec, **{key: value}))
        return replace(self, **{key: value})


def from_preset(name: str, **keep) -> Settings:
    """The settings of preset ``name`` (plus device/lang/hide/lock given in ``keep``)."""
    p = PRESETS[name]
    return Settings(preset=name, config=p.config, spec=p.spec, weights=p.weights, **keep)


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


def _short(value) -> str:
    """A user's value as a notice shows it: at most 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _parse_meta(params: Mapping, notices: list[Notice]) -> dict:
    meta = {}
    preset, _ = _last(params.get("preset", DEFAULT_PRESET))
    if preset not in PRESETS:  # a name looked up in a dict, never a path
        notices.append(Notice("preset", _short(preset),
                              f"unknown preset; one of {', '.join(PRESETS)}", DEFAULT_PRESET))
        preset = DEFAULT_PRESET
    meta["preset"] = preset
    if "lang" in params:
        lang, _ = _last(params["lang"])
        if lang.strip().lower() in LANGS:
            meta["lang"] = lang.strip().lower()
        else:
            notices.append(Notice("lang", _short(lang), "expected en or zh", "en"))
    if "hide" in params:
        names = [h.strip() for h in _last(params["hide"])[0].split(",") if h.strip()]
        meta["hide"] = tuple(dict.fromkeys(h for h in names if h in HIDEABLE))
        bad = [h for h in names if h not in HIDEABLE]
        if bad:
            notices.append(Notice("hide", _short(",".join(bad)), "not a setting name; ignored"))
    if "lock" in params:
        try:
            meta["lock"] = parse_value("lock", _last(params["lock"])[0], bool)
        except ValueError as err:
            notices.append(Notice("lock", _short(_last(params["lock"])[0]), str(err), "false"))
    return meta


def _parse_fields(settings: Settings, params: Mapping, notices: list[Notice]) -> Settings:
    for key in (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights"):
        if key not in params:
            continue
        raw, repeated = _last(params[key])
        if repeated:
            notices.append(Notice(key, _short(raw), "given more than once; the last value is used"))
        try:
            settings = settings.set(key, parse_value(key, raw, _kind(key)))
        except ValueError as err:
            notices.append(Notice(key, _short(raw), str(err), _short(settings.get(key))))
    return settings


def _repair(settings: Settings, err: ConfigError, base: Settings,
            tried: set) -> tuple[Settings, str]:
    """Change one value so that ``err`` goes away: to the cap it broke, else to the
    preset's value, else to PyTorch's default (for text: the tokenisation too)."""
    key = {"vocabulary": "sentences", "input": "input_size"}.get(err.arg, err.arg)
    if key in ("batch", "seq_len") and settings.spec.mode == "sentences":
        key = "sentences"
    if key not in (*CONFIG_KEYS, *SPEC_KEYS):
        raise err
    default = Settings(config=RNNConfig(), spec=InputSpec())
    candidates = [(key, base.get(key)), (key, default.get(key))]
    if err.cap is not None and isinstance(settings.get(key), int) and key != "sentences":
        candidates.insert(0, (key, err.cap))
    if key == "sentences":  # the tokenisation was changed: revert that first
        tokens = [("tokens", base.spec.tokens), ("tokens", "word")]
        changed = settings.spec.tokens != base.spec.tokens
        candidates = tokens + candidates if changed else candidates + tokens
        if settings.spec.tokens == "ids":  # an id >= num_embeddings: keep the text, 0 = auto
            candidates.insert(0, ("num_embeddings", 0))
    for k, value in candidates:
        if settings.get(k) != value and (k, value) not in tried:
            tried.add((k, value))
            return settings.set(k, value), k
    raise err


def _repaired(err: ConfigError, key: str, old, new) -> Notice:
    """The notice for one repair: the broken rule, and the value changed to mend it."""
    if key in (err.arg, "sentences", "input_size"):
        return Notice(err.arg, _short(err.value), err.rule, _short(new))
    return Notice(key, _short(old), f"{err.arg}={_short(err.value)}: {err.rule}", _short(new))


def _pin(settings: Settings, caps: Caps, notices: list[Notice], uploads: Mapping) -> Settings:
    """Set the values the weights fix (each change a Notice); weights not known here (an
    upload of another session) fall back to the preset's."""
    fixed = fixed_values(settings.weights, settings.spec.mode, uploads, caps.max_embedding_dim)
    if fixed is None:
        upload, fallback = is_upload(settings.weights), from_preset(settings.preset).weights
        rule = ("the uploaded file is not in this session; upload it again" if upload
                else f"expected one of {', '.join(WEIGHTS)}")
        notices.append(Notice("weights", "upload" if upload else _short(settings.weights), rule,
                              fallback))
        settings = settings.set("weights", fallback)
        fixed = fixed_values(fallback, settings.spec.mode, uploads, caps.max_embedding_dim)
    name = "upload" if is_upload(settings.weights) else settings.weights
    for key, value in fixed.items():
        if settings.get(key) != value:
            notices.append(Notice(key, _short(settings.get(key)), f"fixed by the weights "
                                  f"({name})", _short(value)))
            settings = settings.set(key, value)
    return settings


def _fits_weights(settings: Settings, caps: Caps, notices: list[Notice],
                  uploads: Mapping) -> Settings:
    """Random weights when a repair (a cap lower than the model) broke what they fix."""
    fixed = fixed_values(settings.weights, settings.spec.mode, uploads, caps.max_embedding_dim)
    broken = [k for k, v in (fixed or {}).items() if settings.get(k) != v]
    if not broken:
        return settings
    notices.append(Notice("weights", _short(settings.weights), f"need {broken[0]}="
                          f"{fixed[broken[0]]}, beyond this server's caps", "random"))
    return settings.set("weights", "random")


def make_valid(settings: Settings, caps: Caps, notices: list[Notice],
               uploads: Mapping | None = None) -> Settings:
    """Repair ``settings`` until the config, the input spec and the batch are all valid
    within ``caps``: one value at a time, each change a Notice. ``uploads`` maps the
    session's ``"upload:<sha256>"`` weights to their RNNConfig."""
    settings, fixed = fit_meta(settings, PRESETS, HIDEABLE, LANGS)
    notices.extend(Notice(*f) for f in fixed)
    settings = _pin(settings, caps, notices, uploads or {})
    base = from_preset(settings.preset)
    tried: set = set()
    for _ in range(2 * len(KNOWN_KEYS)):
        settings, cut = fit_sentences(settings, caps)  # also a repaired text: cut to the caps
        if settings.spec.mode == "sentences":  # else the text is kept fitted, silently
            notices.extend(n for n in (Notice("sentences", *c) for c in cut) if n not in notices)
        try:
            check_spec(settings.spec, caps)
            settings = settings.set("input_size", derived_input_size(settings, caps))
            validate(settings.config, caps)
            return _fits_weights(settings, caps, notices, uploads or {})
        except ConfigError as err:
            before = settings
            try:
                settings, key = _repair(settings, err, base, tried)
            except ConfigError:
                break
            notices.append(_repaired(err, key, before.get(key), settings.get(key)))
    notices.append(Notice("preset", settings.preset, "settings could not be repaired within "
                          "the caps; a minimal configuration is used"))
    return minimal(settings.set("weights", "random"), caps)


def from_query(params: Mapping, caps: Caps | None = None) -> tuple[Settings, list[Notice]]:
    """Valid Settings from a query string mapping (str or list of str values)."""
    caps = caps or Caps()
    notices: list[Notice] = []
    unknown = [str(key) for key in params if key not in KNOWN_KEYS]
    if unknown:  # one notice however many: a URL with 10 000 keys is not 10 000 warnings
        more = f" (+{len(unknown) - 3} more)" if len(unknown) > 3 else ""
        value = _short(_last(params[unknown[0]])[0]) if len(unknown) == 1 else "…"
        notices.append(Notice(_short(", ".join(unknown[:3])) + more, value, "unknown; ignored"))
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
