"""Every preset builds, traces to ``verified``, and its ``expected`` shapes are the real ones.

Real shapes: input = ``batch.padded``; h_0 / c_0 = the tensors in ``batch.hx``; output,
h_n, c_n = what the module returns (a packed output unpacked with torch's
``pad_packed_sequence`` and the preset's own ``total_length``).
"""

from __future__ import annotations

import re

import pytest
import torch

from lstm_viz import trace, validate
from lstm_viz.explain.claims import output_last_is_h_n
from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS


def real_shapes(preset, build, forward, as_tensor) -> tuple[dict, object]:
    module, batch = build(preset.config, preset.spec)
    out, h_n, c_n = forward(module, batch)
    total = preset.spec.total_length or None
    shapes = {"input": batch.padded.shape,
              "output": as_tensor(out, preset.config.batch_first, total).shape,
              "h_n": h_n.shape}
    if isinstance(batch.hx, tuple):
        shapes["h_0"], shapes["c_0"] = batch.hx[0].shape, batch.hx[1].shape
    elif isinstance(batch.hx, torch.Tensor):
        shapes["h_0"] = batch.hx.shape
    if c_n is not None:
        shapes["c_n"] = c_n.shape
    return {k: tuple(v) for k, v in shapes.items()}, batch


def test_registry():
    assert DEFAULT_PRESET in PRESETS
    assert all(key == p.name for key, p in PRESETS.items())
    for p in PRESETS.values():
        # every preset follows an article, except a trained task of our own
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", p.source) or (
            p.source == "" and p.weights != "random"), (p.name, p.source)
        assert p.expected, p.name


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_builds_and_traces_verified(name, build):
    preset = PRESETS[name]
    assert validate(preset.config) is preset.config
    module, batch = build(preset.config, preset.spec)
    tr = trace(module, batch.input, batch.hx)
    assert tr.verified, tr.max_abs_diff


@pytest.mark.parametrize("name", list(PRESETS))
def test_expected_shapes_are_the_real_ones(name, build, forward, as_tensor):
    preset = PRESETS[name]
    real, _ = real_shapes(preset, build, forward, as_tensor)
    assert set(preset.expected) <= set(real), set(preset.expected) - set(real)
    assert {k: real[k] for k in preset.expected} == preset.expected


@pytest.mark.parametrize("name", list(PRESETS))
def test_expected_mentions_h0_exactly_when_the_preset_passes_one(name, build, forward,
                                                                  as_tensor):
    preset = PRESETS[name]
    _, batch = real_shapes(preset, build, forward, as_tensor)
    assert ("h_0" in preset.expected) == (batch.hx is not None)


def test_article_003_claim_holds_on_its_own_example(build):
    """003 says h_n equals output[:, -1, :]: true for its unidirectional, unpadded example."""
    preset = PRESETS["batch-first"]
    module, batch = build(preset.config, preset.spec)
    assert output_last_is_h_n(trace(module, batch.input, batch.hx)).holds is True


def test_article_002_packed_batch_breaks_that_claim(build):
    preset = PRESETS["packing"]
    module, batch = build(preset.config, preset.spec)
    assert output_last_is_h_n(trace(module, batch.input, batch.hx)).holds is False
