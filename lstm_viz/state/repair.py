"""Repair Settings to what the config, the input and the caps allow, one value at a time.

Each change is a ``Notice`` naming the argument, the rule it broke and the value used
instead: to the cap it broke, else the preset's value, else PyTorch's default. The weights'
fixed values (``lstm_viz.trained.pin``) are set first.
"""

from __future__ import annotations

from collections.abc import Mapping

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import ConfigError, RNNConfig, validate
from lstm_viz.core.inputs import InputSpec, check_spec
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.sanitize import derived_input_size, fit_meta, fit_sentences, minimal
from lstm_viz.state.settings import (
    CONFIG_KEYS,
    HIDEABLE,
    KNOWN_KEYS,
    LANGS,
    SPEC_KEYS,
    WEIGHTS,
    Notice,
    Settings,
    from_preset,
    short,
)
from lstm_viz.trained.pin import fixed_values, is_upload


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
        return Notice(err.arg, short(err.value), err.rule, short(new))
    return Notice(key, short(old), f"{err.arg}={short(err.value)}: {err.rule}", short(new))


def _pin(settings: Settings, caps: Caps, notices: list[Notice], uploads: Mapping) -> Settings:
    """Set the values the weights fix (each change a Notice); weights not known here (an
    upload of another session) fall back to the preset's."""
    fixed = fixed_values(settings.weights, settings.spec.mode, uploads, caps.max_embedding_dim)
    if fixed is None:
        upload, fallback = is_upload(settings.weights), from_preset(settings.preset).weights
        rule = ("the uploaded file is not in this session; upload it again" if upload
                else f"expected one of {', '.join(WEIGHTS)}")
        notices.append(Notice("weights", "upload" if upload else short(settings.weights), rule,
                              fallback))
        settings = settings.set("weights", fallback)
        fixed = fixed_values(fallback, settings.spec.mode, uploads, caps.max_embedding_dim)
    name = "upload" if is_upload(settings.weights) else settings.weights
    for key, value in fixed.items():
        if settings.get(key) != value:
            notices.append(Notice(key, short(settings.get(key)), f"fixed by the weights "
                                  f"({name})", short(value)))
            settings = settings.set(key, value)
    return settings


def _fits_weights(settings: Settings, caps: Caps, notices: list[Notice],
                  uploads: Mapping) -> Settings:
    """Random weights when a repair (a cap lower than the model) broke what they fix."""
    fixed = fixed_values(settings.weights, settings.spec.mode, uploads, caps.max_embedding_dim)
    broken = [k for k, v in (fixed or {}).items() if settings.get(k) != v]
    if not broken:
        return settings
    notices.append(Notice("weights", short(settings.weights), f"need {broken[0]}="
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
