"""Settings ↔ query string: round trips, and hostile values repaired with a notice."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_viz import Caps, make_batch, validate
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query, to_query
from lstm_viz.state.settings import Settings, from_preset

CAPS = Caps()


def _valid(s: Settings) -> None:
    """A repaired Settings must build its batch and pass validation within the caps."""
    validate(s.config, CAPS)
    batch = make_batch(s.spec, s.config, caps=CAPS)
    assert batch.N <= CAPS.max_batch and batch.L <= CAPS.max_seq_len


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_url_is_just_the_preset(name):
    s, notices = from_query({"preset": name})
    assert notices == []
    assert s == from_preset(name)
    assert to_query(s) == {"preset": name}


def test_changed_values_round_trip():
    s = from_preset("official").set("hidden_size", 7).set("bidirectional", True)
    s = s.set("lang", "zh").set("hide", ("proj_size",)).set("lock", True)
    query = to_query(s)
    assert query == {"preset": "official", "hidden_size": "7", "bidirectional": "true",
                     "lang": "zh", "hide": "proj_size", "lock": "1"}
    again, notices = from_query(query)
    assert again == s and notices == []


@pytest.mark.parametrize(("query", "arg", "used"), [
    ({"hidden_size": "100000"}, "hidden_size", CAPS.max_hidden_size),
    ({"hidden_size": "-3"}, "hidden_size", 20),
    ({"hidden_size": "abc"}, "hidden_size", 20),
    ({"hidden_size": "2.5"}, "hidden_size", 20),
    ({"num_layers": "0"}, "num_layers", 2),
    ({"dropout": "nan"}, "dropout", 0.0),
    ({"dropout": "1"}, "dropout", 0.0),
    ({"dropout": "1e309"}, "dropout", 0.0),
    ({"proj_size": "20"}, "proj_size", 0),
    ({"cell": "GRU", "proj_size": "5"}, "proj_size", 0),
    ({"cell": "transformer"}, "cell", "LSTM"),
    ({"seed": "-1"}, "seed", 0),
])
def test_bad_values_are_named_and_repaired(query, arg, used):
    s, notices = from_query(query)
    assert any(n.arg == arg for n in notices), notices
    assert s.get(arg) == used
    _valid(s)


def test_booleans_accept_common_spellings():
    for raw, value in [("yes", True), ("TRUE", True), ("1", True), ("no", False), ("0", False)]:
        s, notices = from_query({"bidirectional": raw})
        assert s.config.bidirectional is value and notices == []
    s, notices = from_query({"bidirectional": "maybe"})
    assert s.config.bidirectional is False and notices[0].arg == "bidirectional"


def test_minus_zero_is_zero():
    s, notices = from_query({"proj_size": "-0"})
    assert s.config.proj_size == 0 and notices == []


def test_repeated_and_unknown_keys_are_reported():
    s, notices = from_query({"hidden_size": ["3", "4"], "utm_source": "mail"})
    assert s.config.hidden_size == 4
    assert {n.arg for n in notices} == {"hidden_size", "utm_source"}


def test_unknown_preset_falls_back_to_official():
    s, notices = from_query({"preset": "../../etc/passwd"})
    assert s.preset == "official" and notices[0].arg == "preset"


def test_ten_thousand_sentences_are_cut_to_the_cap():
    s, notices = from_query({"preset": "pets", "sentences": "\n".join(["a b"] * 10_000)})
    assert len(s.spec.sentences.splitlines()) == CAPS.max_batch
    assert notices and all(n.arg == "sentences" for n in notices)
    _valid(s)


def test_enforce_sorted_on_unsorted_batch_quotes_torch():
    s, notices = from_query({"preset": "packing", "enforce_sorted": "true"})
    assert s.spec.enforce_sorted is False
    assert "must be sorted in decreasing order" in notices[0].rule


def test_ids_tokens_on_words_revert_the_tokenisation():
    s, notices = from_query({"preset": "pets", "tokens": "ids"})
    assert s.spec.tokens == "word" and len(notices) == 1


def test_deployment_caps_below_a_preset_clamp_it():
    small = Caps(max_hidden_size=8, max_layers=1)
    s, notices = from_query({"preset": "official"}, small)
    assert s.config.hidden_size == 8 and s.config.num_layers == 1
    assert {n.arg for n in notices} == {"hidden_size", "num_layers"}


QUERY_KEYS = ["cell", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
              "dropout", "bidirectional", "proj_size", "nonlinearity", "packed",
              "enforce_sorted", "mode", "tokens", "encoding", "embedding_dim", "sentences",
              "seq_len", "batch", "h0", "seed", "device", "lang", "preset", "total_length"]
VALUES = st.one_of(st.sampled_from(["0", "-1", "1", "3", "true", "no", "nan", "inf", "1e309",
                                    "LSTM", "gru", "relu", "ids", "char", "embedding",
                                    "packing", "zh", "cuda", "-0", "2.5", ""]),
                   st.text(max_size=30))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=8))
def test_any_query_gives_valid_settings_that_round_trip(query):
    s, _ = from_query(query)
    _valid(s)
    again, notices = from_query(to_query(s))
    assert again == s and notices == []
    assert not math.isnan(s.config.dropout)
