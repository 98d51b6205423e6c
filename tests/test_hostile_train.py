"""Hostile training settings (the hostile-input suite, issue 21): every Train page URL key with
every bad number and every hostile text, alone and repeated, reads as valid TrainSettings
within the caps, a notice names each change, and the link the page writes back reads the same.
Through the app: tests/test_page_train.py."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from lstm_viz.state.page_spec import from_query, to_query
from lstm_viz.state.train_keys import FIELDS, TRAIN, settings_of
from lstm_viz.training import LIMITS, repair
from lstm_viz.training.settings import CELLS, CHOICES
from tests.hostile_inputs import BAD_NUMBERS, HOSTILE_TEXTS
from tests.hostile_report import write_count

VALUES = [*BAD_NUMBERS, *HOSTILE_TEXTS.values(), "1e9", "-1", "1000000000", "nan", "NaN",
          "RNN,RNN", "lstm", "ＬＳＴＭ", "SGD ", "../../etc/passwd", "race"]


def valid(settings) -> None:
    assert settings.task in CHOICES["task"] and settings.optimizer in CHOICES["optimizer"]
    assert settings.cells and set(settings.cells) <= set(CELLS)
    for name, limit in LIMITS.items():
        value = getattr(settings, name)
        assert math.isfinite(value) and limit.low <= value <= limit.high, (name, value)
    assert repair(settings) == (settings, [])


@pytest.fixture(scope="module")
def tried():
    return Counter()


@pytest.fixture(scope="module", autouse=True)
def report(request, tried):
    yield
    write_count(request, "hostile training settings", tried)


@pytest.mark.parametrize("key", [TRAIN.view_key, *FIELDS])
def test_every_key_with_every_hostile_value(key, tried):
    for raw in VALUES:
        for given in (raw, [raw, "7"], ["7", raw]):
            values, notices = from_query({key: given}, TRAIN)
            valid(settings_of(values))
            assert all(n.arg == key for n in notices), notices
            assert from_query(to_query(values, TRAIN), TRAIN) == (values, [])
            tried[key] += 1


def test_every_key_hostile_at_once(tried):
    for raw in VALUES:
        values, notices = from_query({key: raw for key in (TRAIN.view_key, *FIELDS)}, TRAIN)
        valid(settings_of(values))
        tried["all keys"] += 1
    assert notices  # "race" is a fine view, but not a fine number


@pytest.mark.parametrize(("key", "raw", "used"), [
    ("t_lr", "1e9", 1.0), ("t_lr", "nan", 0.02), ("t_epochs", "1000000000", 40),
    ("t_hidden", "1000", 32), ("t_distance", "-1", 0), ("t_batch", "0", 8),
    ("t_cells", "CNN", ("RNN", "GRU", "LSTM")), ("t_forget", "-1e309", 1.0),
])
def test_the_issues_cases_are_repaired_with_a_notice_naming_them(key, raw, used):
    values, notices = from_query({key: raw}, TRAIN)
    assert values[key] == used and [n.arg for n in notices] == [key]
