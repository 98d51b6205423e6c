"""The app's whole state as plain data: ``Settings`` and the ``Notice`` of a changed value.

``Settings`` = base preset + RNNConfig + InputSpec + device, language and the teacher's
``hide``/``lock``. Repairing them to valid values is ``lstm_viz.state.repair``; the round
trip through the query string is ``lstm_viz.state.query``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from lstm_viz.core.config import CELLS, NONLINEARITIES, RNNConfig
from lstm_viz.core.inputs import ENCODINGS, INITIAL_STATES, MODES, InputSpec
from lstm_viz.core.notice import Notice, short  # noqa: F401 (the app's callers import them here)
from lstm_viz.core.tokens import TOKENISATIONS
from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS
from lstm_viz.trained import MODELS

LANGS = ("en", "zh")
WEIGHTS = ("random", *MODELS)  # and "upload:<sha256>", known to one session only
CONFIG_KEYS = tuple(f.name for f in fields(RNNConfig))
SPEC_KEYS = tuple(f.name for f in fields(InputSpec))
CHOICES = {"cell": CELLS, "nonlinearity": NONLINEARITIES, "mode": MODES, "tokens": TOKENISATIONS,
           "encoding": ENCODINGS, "h0": INITIAL_STATES, "weights": WEIGHTS}
KNOWN_KEYS = (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights", "lang", "preset", "hide", "lock")
HIDEABLE = (*CONFIG_KEYS, *SPEC_KEYS, "device", "weights", "lang", "preset")


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
