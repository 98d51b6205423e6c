"""``validate`` mirrors PyTorch's constructor rules, and ``Caps.from_env`` reads overrides.

Every broken rule must raise ``ConfigError`` naming the argument and the value. Each case
also records what torch itself does with the same arguments ("raises", "warns" or
"accepts"), and the test checks torch really does that: where torch only warns or accepts,
our rule is deliberately stricter (the reason is in the table).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import fields

import pytest
from torch import nn

from lstm_viz import CELLS, Caps, ConfigError, RNNConfig, build_module, config_of, validate
from lstm_viz.core.caps import HARD_LIMIT

BASE = RNNConfig("LSTM", 10, 20)

# (id, config, arg named in the error, what torch does with the same arguments)
BROKEN = [
    ("proj-equal-hidden", BASE.replace(proj_size=20), "proj_size", "raises"),
    ("proj-above-hidden", BASE.replace(proj_size=25), "proj_size", "raises"),
    ("proj-negative", BASE.replace(proj_size=-1), "proj_size", "raises"),
    ("proj-on-gru", BASE.replace(cell="GRU", proj_size=5), "proj_size", "raises"),
    ("proj-on-rnn", BASE.replace(cell="RNN", proj_size=5), "proj_size", "raises"),
    # torch allows dropout=1.0 (warning only for one layer); it zeroes every output between
    # layers in training, so a classroom tool refuses it.
    ("dropout-1-one-layer", BASE.replace(dropout=1.0), "dropout", "warns"),
    ("dropout-1-two-layers", BASE.replace(dropout=1.0, num_layers=2), "dropout", "accepts"),
    ("dropout-negative", BASE.replace(dropout=-0.1), "dropout", "raises"),
    ("dropout-nan", BASE.replace(dropout=math.nan), "dropout", "raises"),
    ("dropout-bool", BASE.replace(dropout=True), "dropout", "raises"),
    ("dropout-str", BASE.replace(dropout="0.1"), "dropout", "raises"),
    ("hidden-0", BASE.replace(hidden_size=0), "hidden_size", "raises"),
    ("hidden-float", BASE.replace(hidden_size=2.0), "hidden_size", "raises"),
    # torch takes True as 1 (bool is an int); we refuse a checkbox value as a size.
    ("hidden-bool", BASE.replace(hidden_size=True), "hidden_size", "accepts"),
    ("input-0", BASE.replace(input_size=0), "input_size", "raises"),
    ("layers-minus-1", BASE.replace(num_layers=-1), "num_layers", "raises"),
    ("layers-0", BASE.replace(num_layers=0), "num_layers", "raises"),
    ("layers-float", BASE.replace(num_layers=1.0), "num_layers", "raises"),
    ("bias-int", BASE.replace(bias=0), "bias", "raises"),
    ("batch-first-int", BASE.replace(batch_first=1), "batch_first", "raises"),
    # torch 2.13 checks bias and batch_first for bool but not bidirectional.
    ("bidirectional-int", BASE.replace(bidirectional=1), "bidirectional", "accepts"),
    ("nonlinearity", BASE.replace(cell="RNN", nonlinearity="sigmoid"), "nonlinearity", "raises"),
    ("cell-unknown", BASE.replace(cell="LSTMX"), "cell", "raises"),
    ("cell-lowercase", BASE.replace(cell="lstm"), "cell", "raises"),
    # Classroom caps: torch has none.
    ("cap-hidden", BASE.replace(hidden_size=Caps().max_hidden_size + 1), "hidden_size", "accepts"),
    ("cap-input", BASE.replace(input_size=Caps().max_input_size + 1), "input_size", "accepts"),
    ("cap-layers", BASE.replace(num_layers=Caps().max_layers + 1), "num_layers", "accepts"),
]


def torch_outcome(cfg: RNNConfig) -> str:
    """What torch's constructor does with the arguments of ``cfg``, passed literally
    (proj_size only where a user would write it: GRU/RNN refuse even proj_size=0)."""
    kw = {f.name: getattr(cfg, f.name) for f in fields(cfg) if f.name not in ("cell",
                                                                              "nonlinearity")}
    if cfg.cell != "LSTM" and cfg.proj_size == 0:
        del kw["proj_size"]
    if cfg.cell == "RNN":
        kw["nonlinearity"] = cfg.nonlinearity
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if cfg.cell in CELLS:
                getattr(nn, cfg.cell)(**kw)
            else:
                nn.RNNBase(cfg.cell, **kw)
        except (ValueError, TypeError):
            return "raises"
    return "warns" if caught else "accepts"


@pytest.mark.parametrize(("cfg", "arg", "torch_does"), [c[1:] for c in BROKEN],
                         ids=[c[0] for c in BROKEN])
def test_validate_names_argument_and_value(cfg, arg, torch_does):
    value = getattr(cfg, arg)
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    err = info.value
    assert err.arg == arg
    assert err.value is value or (isinstance(value, float) and math.isnan(err.value))
    assert str(err).startswith(f"{arg}={value!r}")
    assert err.rule and err.rule in str(err)
    assert torch_outcome(cfg) == torch_does


@pytest.mark.parametrize(("cfg", "arg", "torch_does"), [c[1:] for c in BROKEN],
                         ids=[c[0] for c in BROKEN])
def test_build_module_refuses_what_validate_refuses(cfg, arg, torch_does):
    with pytest.raises(ConfigError, match=arg):
        build_module(cfg)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_valid_configs_pass_and_torch_agrees(config):
    assert validate(config) is config
    assert torch_outcome(config) == "accepts"


@pytest.mark.parametrize("cfg", [
    BASE.replace(proj_size=19),  # just below hidden_size
    BASE.replace(dropout=0.0), BASE.replace(dropout=0.5, num_layers=2),
    BASE.replace(dropout=0.999, num_layers=2), BASE.replace(dropout=0),
    BASE.replace(cell="RNN", nonlinearity="relu"),
    BASE.replace(cell="GRU", nonlinearity="relu"),  # ignored by GRU, as torch has no such arg
    BASE.replace(hidden_size=Caps().max_hidden_size, input_size=Caps().max_input_size,
                 num_layers=Caps().max_layers),  # exactly at the caps
], ids=lambda c: repr(c))
def test_edge_values_pass(cfg):
    assert validate(cfg) is cfg
    assert torch_outcome(cfg) == "accepts"


def test_custom_caps_are_applied():
    caps = Caps(max_hidden_size=8, max_layers=2, max_input_size=4)
    validate(RNNConfig("GRU", 4, 8, 2), caps)
    for cfg, arg in [(RNNConfig("GRU", 4, 9), "hidden_size"),
                     (RNNConfig("GRU", 4, 8, 3), "num_layers"),
                     (RNNConfig("GRU", 5, 8), "input_size")]:
        with pytest.raises(ConfigError) as info:
            validate(cfg, caps)
        assert info.value.arg == arg
        assert str(getattr(caps, f"max_{'layers' if arg == 'num_layers' else arg}")) in str(
            info.value)


def test_kwargs_rebuild_the_same_config(config):
    module = build_module(config).module
    assert type(module) is getattr(nn, config.cell)
    assert config_of(module) == config


def test_config_of_refuses_other_modules():
    with pytest.raises(TypeError, match="Linear"):
        config_of(nn.Linear(2, 3))


def test_derived_sizes(config):
    assert (2 if config.bidirectional else 1) == config.D
    assert (config.proj_size or config.hidden_size) == config.H_out
    module = build_module(config).module
    gate_rows = module.weight_ih_l0.shape[0] // config.hidden_size
    assert gate_rows == max(len(config.gates), 1)


# --- Caps.from_env -------------------------------------------------------------------------

def test_from_env_defaults():
    assert Caps.from_env({}) == Caps()
    assert Caps.from_env({"LSTM_VIZ_SOMETHING_ELSE": "x", "PATH": "/bin"}) == Caps()


@pytest.mark.parametrize("name", [f.name for f in fields(Caps)])
def test_from_env_overrides_each_field(name):
    caps = Caps.from_env({f"LSTM_VIZ_{name.upper()}": " 7 "})
    assert getattr(caps, name) == 7
    others = {f.name for f in fields(Caps)} - {name}
    assert all(getattr(caps, f) == getattr(Caps(), f) for f in others)


def test_from_env_reads_os_environ(monkeypatch):
    monkeypatch.setenv("LSTM_VIZ_MAX_HIDDEN_SIZE", "128")
    caps = Caps.from_env()
    assert caps.max_hidden_size == 128
    with pytest.raises(ConfigError, match="hidden_size"):
        validate(RNNConfig("LSTM", 10, 129), caps)


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "", "  ", "1.5", "1e3", "+5", "0x10"])
def test_from_env_rejects_bad_values(raw):
    with pytest.raises(ValueError, match="LSTM_VIZ_MAX_BATCH") as info:
        Caps.from_env({"LSTM_VIZ_MAX_BATCH": raw})
    assert raw.strip() == "" or repr(raw.strip()) in str(info.value)


@pytest.mark.parametrize("raw", ["²", "١", "٣", "１２", str(HARD_LIMIT + 1)])
def test_from_env_rejects_non_ascii_digits_and_huge_values(raw):
    with pytest.raises(ValueError, match="LSTM_VIZ_MAX_BATCH"):
        Caps.from_env({"LSTM_VIZ_MAX_BATCH": raw})


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "8", HARD_LIMIT + 1])
def test_caps_refuse_nonsense_directly(value):
    with pytest.raises(ValueError, match="max_hidden_size"):
        Caps(max_hidden_size=value)
