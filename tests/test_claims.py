"""Each claim's verdict on configurations where PyTorch's semantics decide it.

- ``output_last_is_h_n``: holds for one direction on unpacked input; fails for D=2 (the
  backward half of h_n is output's first step) and for packed batches with shorter sentences
  (their output is zero-padded after their last token).
- ``backward_h_n_is_first_step``: not applicable for D=1; holds for every D=2 run.
- ``state_shapes_ignore_batch_first``: always holds.
- ``view_splits_directions``: always holds; the wrong view (D, num_layers) differs from the
  right one exactly when num_layers > 1 and D = 2.
- ``padding_changes_shorter``: not applicable for equal lengths; holds otherwise.
"""

from __future__ import annotations

import pytest

from lstm_viz import TOLERANCE, InputSpec, RNNConfig, tokenise_batch, trace
from lstm_viz.explain.claims import (
    backward_h_n_is_first_step,
    check_claims,
    output_last_is_h_n,
    padding_changes_shorter,
    state_shapes_ignore_batch_first,
    view_splits_directions,
)

UNEVEN = "i like dog\ni\nyou hate coffee milk"  # lengths 3, 1, 4
V = tokenise_batch(UNEVEN.splitlines(), "word").vocab_size


def random_run(config, build, h0="randn"):
    module, batch = build(config, InputSpec(mode="randn", seq_len=4, batch=3, h0=h0))
    return module, batch, trace(module, batch.input, batch.hx)


def sentence_run(config, build, packed):
    cfg = config.replace(input_size=V)
    module, batch = build(cfg, InputSpec(sentences=UNEVEN, packed=packed, h0="randn"))
    return module, batch, trace(module, batch.input, batch.hx)


def test_output_last_is_h_n_on_unpadded_input(config, build):
    _, _, tr = random_run(config, build)
    claim = output_last_is_h_n(tr)
    assert claim.key == "output_last_is_h_n"
    if config.D == 1:
        assert claim.holds is True
        assert claim.numbers["max_diff"] <= TOLERANCE
    else:
        assert claim.holds is False
        assert claim.numbers["bidirectional"] is True
        assert claim.numbers["forward_diff"] <= TOLERANCE < claim.numbers["backward_diff"]


def test_output_last_is_h_n_fails_for_packed_unequal_lengths(config, build):
    _, batch, tr = sentence_run(config, build, packed=True)
    claim = output_last_is_h_n(tr)
    assert claim.holds is False
    shorter = [n for n in range(batch.N) if int(batch.lengths[n]) < batch.L]
    assert claim.numbers["shorter"] == shorter
    for n in shorter:
        assert claim.numbers["per_sentence"][n] > TOLERANCE


def test_output_last_is_h_n_on_padded_unpacked_sentences(config, build):
    """Unpacked, every sentence runs all L steps (pads included), so the claim holds for D=1."""
    _, _, tr = sentence_run(config, build, packed=False)
    assert output_last_is_h_n(tr).holds is (config.D == 1)


@pytest.mark.parametrize("packed", [False, True])
def test_backward_h_n_is_first_step(config, build, packed):
    _, _, tr = sentence_run(config, build, packed=packed)
    claim = backward_h_n_is_first_step(tr)
    if config.D == 1:
        assert claim.holds is None
    else:
        assert claim.holds is True
        assert claim.numbers["diff_first"] <= TOLERANCE < claim.numbers["diff_last"]


def test_state_shapes_ignore_batch_first(config, build):
    for cfg in (config, config.replace(batch_first=not config.batch_first)):
        _, batch, tr = random_run(cfg, build)
        claim = state_shapes_ignore_batch_first(tr, tuple(batch.padded.shape))
        assert claim.holds is True
        assert claim.numbers["h_n_shape"] == tuple(tr.h_n.shape) == claim.numbers["expected"]
        assert claim.numbers["batch_first"] is cfg.batch_first


@pytest.mark.parametrize("packed", [None, False, True], ids=["randn", "padded", "packed"])
def test_view_splits_directions(config, build, packed):
    if packed is None:
        _, _, tr = random_run(config, build)
    else:
        _, _, tr = sentence_run(config, build, packed=packed)
    claim = view_splits_directions(tr)
    assert claim.holds is True
    assert claim.numbers["output_view_diff"] <= TOLERANCE
    assert claim.numbers["h_n_view_diff"] <= TOLERANCE
    if config.num_layers > 1 and config.D == 2:
        assert claim.numbers["wrong_view_diff"] > TOLERANCE
    else:  # (num_layers, D) and (D, num_layers) are the same view when either is 1
        assert claim.numbers["wrong_view_diff"] == claim.numbers["h_n_view_diff"]


def test_wrong_view_differs_for_two_layers_bidirectional(build):
    _, _, tr = random_run(RNNConfig("LSTM", 3, 4, 2, bidirectional=True), build)
    assert view_splits_directions(tr).numbers["wrong_view_diff"] > 0


def test_padding_changes_shorter(config, build):
    module, batch, _ = sentence_run(config, build, packed=False)
    claim = padding_changes_shorter(module, batch.padded, batch.lengths, batch.hx,
                                    config.batch_first)
    assert claim.holds is True
    longest = batch.L
    for row in claim.numbers["per_sentence"]:
        if row["length"] < longest:
            assert row["diff"] > TOLERANCE
        else:
            assert row["diff"] <= TOLERANCE


def test_padding_claim_does_not_apply_to_equal_lengths(config, build):
    module, batch, _ = random_run(config, build)
    claim = padding_changes_shorter(module, batch.padded, batch.lengths, batch.hx,
                                    config.batch_first)
    assert claim.holds is None


def test_padding_claim_leaves_module_mode(build):
    cfg = RNNConfig("LSTM", V, 3, 2, dropout=0.5)
    module, batch, _ = sentence_run(cfg, build, packed=False)
    module.train()
    padding_changes_shorter(module, batch.padded, batch.lengths, batch.hx, False)
    assert module.training


def test_check_claims_lists_every_claim_in_order(config, build):
    module, batch, tr = sentence_run(config, build, packed=True)
    claims = check_claims(module, tr, batch.padded, batch.lengths, batch.hx,
                          tuple(batch.padded.shape))
    assert [c.key for c in claims] == [
        "output_last_is_h_n", "backward_h_n_is_first_step", "state_shapes_ignore_batch_first",
        "view_splits_directions", "padding_changes_shorter"]
    assert claims[0].holds is False and claims[4].holds is True
