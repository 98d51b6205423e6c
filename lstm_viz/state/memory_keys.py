"""The Memory page's own URL keys, and the views a teacher can link by name.

    /memory?m_view=long                          a prepared view
    /memory?m_sentence=dog%20saw%20a%20cat&m_gate=o&m_value=0&m_from=2

``m_sentence`` the sentence; ``m_step`` the output step whose connectivity is drawn behind
the words (-1: the last word); ``m_cell``, ``m_gate``, ``m_value``, ``m_units`` (``all`` or
``1,5``), ``m_from``: what is forced, to what, on which units, from which word on;
``m_distance``: how many words Generate puts after the first.
"""

from __future__ import annotations

import math

from lstm_viz.core.caps import Caps
from lstm_viz.explain.memory import MAX_WORDS, NAMES, SIGMOID, TASK
from lstm_viz.state.page_spec import PageKey, PageKeys
from lstm_viz.state.sanitize import clean_text
from lstm_viz.state.settings import Notice

UNITS = 8  # hidden_size of the three memory models (tests check it against their configs)
FIRST = TASK.examples[0]  # "cat saw a dog and then the big bird ran home"
LONG = ("cat bird then saw old very was home a was it happy old ran old red was old home was "
        "was home fish home ran away was home home home ran old and away happy saw was big it "
        "saw small")  # lstm_viz.explain.memory.generate(40, 2): 41 words


def _sentence(raw: str) -> str:
    """Plain text on one line, control characters removed, at most ``max_text_chars``."""
    return " ".join(clean_text(raw)[: Caps().max_text_chars].split())


def _int_in(low: int, high: int):
    def parse(raw: str) -> int:
        raw = raw.strip()
        if not raw.lstrip("+-").isascii() or not raw.lstrip("+-").isdigit() or len(raw) > 6:
            raise ValueError("expected a whole number")
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"expected {low} … {high}")
        return value
    return parse


def _cell(raw: str) -> str:
    match = {c.lower(): c for c in NAMES}.get(raw.strip().lower())
    if match is None:
        raise ValueError(f"expected one of {', '.join(NAMES)}")
    return match


def _gate(raw: str) -> str:
    names = sorted({n for ns in NAMES.values() for n in ns})
    if raw.strip() not in names:
        raise ValueError(f"expected one of {', '.join(names)}")
    return raw.strip()


def _value(raw: str) -> float:
    value = float(raw)  # ValueError for text
    if not math.isfinite(value) or not -1 <= value <= 1:
        raise ValueError("expected a number from -1 to 1")
    return round(value, 3)


def _units(raw: str) -> tuple[int, ...] | None:
    if raw.strip().lower() in ("", "all"):
        return None
    parse = _int_in(0, UNITS - 1)
    return tuple(sorted({parse(part) for part in raw.split(",")[:UNITS + 1]}))


def _units_text(units) -> str:
    return "all" if units is None else ",".join(map(str, units))


def repair(values: dict, notices: list[Notice]) -> dict:
    """A gate the chosen cell has, on the gate's own range (σ gates: 0 … 1)."""
    names = NAMES[values["m_cell"]]
    if values["m_gate"] not in names:
        notices.append(Notice("m_gate", values["m_gate"], f"{values['m_cell']} has "
                              f"{', '.join(names)}", names[0]))
        values = {**values, "m_gate": names[0]}
    if values["m_gate"] in SIGMOID and values["m_value"] < 0:
        notices.append(Notice("m_value", str(values["m_value"]), "a gate σ is 0 … 1", "0"))
        values = {**values, "m_value": 0.0}
    return values


def _view(sentence: str = FIRST, cell: str = "LSTM", gate: str = "f", value: float = 0.0,
          from_t: int = 1) -> dict:
    return {"m_sentence": sentence, "m_step": -1, "m_cell": cell, "m_gate": gate,
            "m_value": value, "m_units": None, "m_from": from_t, "m_distance": 40}


MEMORY = PageKeys(
    page="memory", view_key="m_view",
    keys=(PageKey("m_sentence", _sentence), PageKey("m_step", _int_in(-1, MAX_WORDS - 1)),
          PageKey("m_cell", _cell), PageKey("m_gate", _gate),
          PageKey("m_value", _value, "{:g}".format),
          PageKey("m_units", _units, _units_text), PageKey("m_from", _int_in(0, MAX_WORDS - 1)),
          PageKey("m_distance", _int_in(0, MAX_WORDS - 1))),
    views={"first-word": _view(), "long": _view(LONG, from_t=20),
           "input-shut": _view(gate="i", from_t=0), "open": _view(value=1.0, from_t=0)},
    repair=repair)
