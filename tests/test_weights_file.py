"""Bring-your-own weights: safe loading, inference of the configuration, hostile files.

The reference is the real module: a module saved with ``safetensors.torch.save`` or
``torch.save(module.state_dict())`` must load into ``build_module(infer_config(...))`` with
``strict=True`` and give the same output. Every hostile file is made here
(``tests/hostile_weights.py``) and must be refused with its own key — and the pickles that
would run code must not have run it.
"""

from __future__ import annotations

import io
import pickle
import re
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save as st_save
from torch import nn

from lstm_viz.core.build import build_module, seeded_module
from lstm_viz.core.caps import Caps
from lstm_viz.core.config import RNNConfig
from lstm_viz.i18n import catalog, t
from lstm_viz.io.weights_file import WeightsError, load_state_dict
from lstm_viz.io.weights_infer import (
    Mismatch,
    check_against,
    infer_config,
    module_state,
    rnn_prefixes,
)
from tests.hostile_weights import GOOD, HOSTILE, pickle_exec, pt_exec, torch_bytes, zip_lying_size

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"safetensors": lambda sd: (st_save(dict(sd)), "w.safetensors"),
           "pt": lambda sd: (torch_bytes(sd), "w.pt")}


def refusal(data: bytes, filename: str, **kwargs) -> WeightsError:
    with pytest.raises(WeightsError) as info:
        load_state_dict(data, filename, **kwargs)
    return info.value


def same_output(reference: nn.Module, module: nn.Module, batch_first: bool, h_in: int) -> None:
    x = torch.randn((2, 4, h_in) if batch_first else (4, 2, h_in))  # (N, L, H_in) / (L, N, H_in)
    with torch.no_grad():
        want, got = reference.eval()(x), module.eval()(x)
    for a, b in zip(torch.utils._pytree.tree_leaves(want), torch.utils._pytree.tree_leaves(got),
                    strict=True):
        assert torch.equal(a, b)


def rebuild(sd: dict, prefix: str, original: nn.Module, nonlinearity: str = "tanh",
            batch_first: bool = False) -> RNNConfig:
    """infer → build_module (other seed) → load_state_dict(strict) → same output as original."""
    config = infer_config(sd, prefix, nonlinearity=nonlinearity).replace(batch_first=batch_first)
    assert check_against(config, sd, prefix) == []
    module = build_module(config, seed=12345).module
    module.load_state_dict(module_state(sd, prefix), strict=True)
    same_output(original, module, batch_first, config.input_size)
    return config


# ---- round trips with real modules --------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_bare_module_round_trip(config, fmt):
    original = seeded_module(config, seed=3)
    sd = load_state_dict(*FORMATS[fmt](original.state_dict()))
    assert rnn_prefixes(sd) == [""]
    assert all(v.dtype == torch.float32 for v in sd.values())
    got = rebuild(sd, "", original, config.nonlinearity, config.batch_first)
    assert got == config.replace(dropout=0.0)


class Tagger(nn.Module):
    """A model containing an LSTM: embedding → lstm → linear head."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(12, 5, padding_idx=0)
        self.lstm = nn.LSTM(5, 6, 2, bidirectional=True, proj_size=3)
        self.head = nn.Linear(6, 2)


class Seq2Seq(nn.Module):
    """Two recurrent layers, one nested deeper: prefixes "encoder.rnn." and "decoder."."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Module()
        self.encoder.rnn = nn.GRU(4, 5, bidirectional=True, batch_first=True)
        self.decoder = nn.RNN(10, 3, 3, nonlinearity="relu", bias=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_model_containing_an_lstm(fmt):
    torch.manual_seed(0)
    model = Tagger()
    sd = load_state_dict(*FORMATS[fmt](model.state_dict()))
    assert rnn_prefixes(sd) == ["lstm."]
    config = rebuild(sd, "lstm.", model.lstm)
    assert config == RNNConfig("LSTM", 5, 6, 2, bidirectional=True, proj_size=3)
    assert sd["embedding.weight"].shape == (12, 5)  # the other tensors are kept, untouched


@pytest.mark.parametrize("fmt", FORMATS)
def test_model_with_two_rnns(fmt):
    torch.manual_seed(1)
    model = Seq2Seq()
    sd = load_state_dict(*FORMATS[fmt](model.state_dict()))
    assert rnn_prefixes(sd) == ["decoder.", "encoder.rnn."]
    enc = rebuild(sd, "encoder.rnn.", model.encoder.rnn, batch_first=True)
    dec = rebuild(sd, "decoder.", model.decoder, nonlinearity="relu")
    assert (enc.cell, enc.bidirectional, dec.cell, dec.num_layers, dec.bias) == (
        "GRU", True, "RNN", 3, False)


def test_checkpoint_wrapper_is_unwrapped():
    torch.manual_seed(2)
    model = Tagger()
    ckpt = {"epoch": 7, "state_dict": model.state_dict(), "optimizer": {"lr": 0.1}}
    sd = load_state_dict(torch_bytes(ckpt), "ckpt.pth")
    assert rnn_prefixes(sd) == ["lstm."]
    rebuild(sd, "lstm.", model.lstm)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("fmt", FORMATS)
def test_float_dtypes_become_float32(dtype, fmt):
    original = {"weight_ih_l0": torch.randn(12, 2, dtype=dtype),
                "weight_hh_l0": torch.randn(12, 4, dtype=dtype)}
    sd = load_state_dict(*FORMATS[fmt](original))
    for name, tensor in sd.items():
        assert tensor.dtype == torch.float32
        assert torch.equal(tensor, original[name].float())
    assert infer_config(sd) == RNNConfig("GRU", 2, 4, bias=False)


@st.composite
def small_configs(draw):
    cell = draw(st.sampled_from(["LSTM", "GRU", "RNN"]))
    hidden = draw(st.integers(2, 6))
    proj = draw(st.integers(0, hidden - 1)) if cell == "LSTM" else 0
    return RNNConfig(cell, draw(st.integers(1, 6)), hidden, draw(st.integers(1, 3)),
                     bias=draw(st.booleans()), batch_first=draw(st.booleans()),
                     bidirectional=draw(st.booleans()), proj_size=proj,
                     nonlinearity=draw(st.sampled_from(["tanh", "relu"])))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=small_configs(), fmt=st.sampled_from(list(FORMATS)), seed=st.integers(0, 99))
def test_any_small_config_round_trips(config, fmt, seed):
    original = seeded_module(config, seed)
    sd = load_state_dict(*FORMATS[fmt](original.state_dict()))
    got = rebuild(sd, "", original, config.nonlinearity, config.batch_first)
    assert got == config


# ---- hostile files ------------------------------------------------------------------------

@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_is_refused_with_its_reason(case):
    make, key = HOSTILE[case]
    err = refusal(*make())
    assert err.key == f"weights_file.{key}"
    for lang in ("en", "zh"):
        text = t(err.key, lang, **err.values)
        assert text != err.key and not re.search(r"\{\w+\}", text)
    assert re.search(r"[\u4e00-\u9fff]", err.message("zh"))
    assert str(err).startswith(err.message("en"))


def test_torch_pickle_that_would_run_code_is_refused_without_running(tmp_path):
    err = refusal(*pt_exec(tmp_path))
    assert err.key == "weights_file.unsafe_pickle" and "exec" in err.values["what"]
    assert not (tmp_path / "pwned").exists()
    # control: the same bytes do run code when loaded without weights_only
    torch.load(io.BytesIO(pt_exec(tmp_path)[0]), weights_only=False)
    assert (tmp_path / "pwned").exists()


def test_bare_pickle_that_would_run_code_is_refused_without_running(tmp_path):
    data, name = pickle_exec(tmp_path)
    assert refusal(data, name).key == "weights_file.pt_not_zip"
    assert not (tmp_path / "pwned").exists()
    pickle.loads(data)  # control: the payload is live
    assert (tmp_path / "pwned").exists()


def test_zip_member_longer_than_declared_is_read_only_to_its_declared_size():
    data = zip_lying_size()
    assert max(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < 1000  # lie
    try:
        sd = load_state_dict(data, "w.pt")
    except WeightsError as err:  # a stricter torch may refuse it: fine too
        assert err.key == "weights_file.corrupt"
    else:
        assert all(torch.equal(sd[k], GOOD[k]) for k in GOOD)


def test_size_limit_is_the_callers():
    data, name = FORMATS["safetensors"]({"w": torch.ones(1000)})
    assert refusal(data, name, max_bytes=1000).values == {"size": len(data), "limit": 1000}
    assert load_state_dict(data, "W.SAFETENSORS", max_bytes=len(data))["w"].shape == (1000,)


def test_caps_bound_the_largest_weight():
    data, name = FORMATS["safetensors"]({"weight_ih_l0": torch.ones(64, 8)})
    small = Caps(max_hidden_size=2, max_input_size=4, max_vocab=4, max_embedding_dim=4)
    err = refusal(data, name, caps=small)  # largest weight: (4*H_cell, 2*H_cell) = 16 numbers
    assert err.key == "weights_file.too_many_elements" and err.values["shape"] == "(64, 8)"


# ---- inference: every inconsistency names the parameter, the expected and the got shape ----

def lstm_sd(**kw) -> dict:
    return dict(nn.LSTM(3, 4, **kw).state_dict())


@pytest.mark.parametrize("change, key, values", [
    (lambda sd: sd.pop("weight_ih_l1_reverse"), "missing",
     {"name": "weight_ih_l1_reverse", "expected": "(16, 8)"}),
    (lambda sd: sd.pop("bias_hh_l0"), "missing", {"name": "bias_hh_l0", "expected": "(16,)"}),
    (lambda sd: sd.update(weight_hh_l1=torch.ones(16, 5)), "shape",
     {"name": "weight_hh_l1", "expected": "(16, 4)", "got": "(16, 5)"}),
    (lambda sd: sd.update(weight_ih_l0=torch.ones(10, 3)), "gate_rows",
     {"name": "weight_ih_l0", "got": "(10, 3)", "hidden": 4}),
    (lambda sd: sd.update(weight_ih_l0=torch.ones(48)), "not_matrix",
     {"name": "weight_ih_l0", "got": "(48,)"}),
    (lambda sd: sd.pop("weight_ih_l0"), "missing_l0", {"name": "weight_ih_l0"}),
    (lambda sd: [sd.pop(k) for k in list(sd) if "_l1" in k], "layer_gap",
     {"name": "weight_ih_l1"}),
    (lambda sd: sd.update(weight_ih_l3=torch.ones(16, 8)), "missing",
     {"name": "weight_hh_l3", "expected": "(16, 4)"}),
    (lambda sd: sd.update(weight_hh_l4=torch.ones(16, 4)), "layer_gap",
     {"name": "weight_ih_l3", "found": "weight_hh_l4"}),
])
def test_inconsistent_weights_are_named(change, key, values):
    sd = lstm_sd(num_layers=3, bidirectional=True)
    change(sd)
    with pytest.raises(WeightsError) as info:
        infer_config(sd, "")
    assert info.value.key == f"weights_file.{key}"
    assert values.items() <= info.value.values.items()


def test_prefix_errors_inside_a_model():
    torch.manual_seed(0)
    sd = dict(Tagger().state_dict())
    sd["lstm.weight_hh_l1"] = torch.ones(24, 2)
    with pytest.raises(WeightsError) as info:
        infer_config(sd, "lstm.")
    assert info.value.values == {"name": "lstm.weight_hh_l1", "expected": "(24, 3)",
                                 "got": "(24, 2)"}
    with pytest.raises(WeightsError) as info:
        infer_config(sd, "rnn.")
    assert info.value.key == "weights_file.no_rnn" and "'lstm.'" in info.value.values["found"]


def test_inferred_config_beyond_the_caps_is_refused():
    with pytest.raises(WeightsError) as info:
        infer_config(dict(nn.GRU(2, 300).state_dict()), "")
    assert info.value.key == "weights_file.config_cap"
    assert info.value.values == {"arg": "hidden_size", "value": 300, "cap": 256}
    with pytest.raises(WeightsError) as info:
        infer_config(lstm_sd(), "", caps=Caps(max_input_size=2))
    assert info.value.values["arg"] == "input_size"


def test_pytorch_rule_broken_by_the_shapes_is_refused():
    sd = lstm_sd(proj_size=2)
    sd["weight_hr_l0"] = torch.ones(5, 4)  # proj_size 5 >= hidden_size 4
    with pytest.raises(WeightsError) as info:
        infer_config(sd, "")
    assert info.value.key == "weights_file.config" and info.value.values["arg"] == "proj_size"


def test_check_against_the_sidebar_lists_every_mismatch():
    sd = {"m." + k: v for k, v in nn.GRU(3, 4, 2).state_dict().items()}
    found = check_against(RNNConfig("LSTM", 3, 4, 1), sd, "m.")
    assert found[0] == Mismatch("m.weight_ih_l0", (16, 3), (12, 3))
    assert Mismatch("m.weight_ih_l1", None, (12, 4)) in found  # unexpected: one layer asked
    assert {m.key for m in found} == {"weights_file.shape", "weights_file.unexpected"}
    assert check_against(RNNConfig("GRU", 3, 4, 3), sd, "m.")[-1].key == "weights_file.missing"
    text = t(found[0].key, "zh", **found[0].values)
    assert "m.weight_ih_l0" in text and "(16, 3)" in text and "(12, 3)" in text
    assert check_against(RNNConfig("GRU", 3, 4, 2), sd, "m.") == []


def test_every_refusal_key_is_in_both_catalogs():
    sources = "".join((ROOT / "lstm_viz" / "io" / f).read_text() for f in (
        "weights_file.py", "weights_infer.py"))
    keys = set(re.findall(r'WeightsError\(\s*"(\w+)"', sources))
    keys |= {"pt_not_zip", "shape", "missing", "unexpected"}
    keys |= {key for _, key in HOSTILE.values()}
    for lang in ("en", "zh"):
        assert sorted(k for k in keys if f"weights_file.{k}" not in catalog(lang)) == []
