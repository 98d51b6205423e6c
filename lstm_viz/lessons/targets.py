"""What a question can ask about, and the kind of answer each expects.

- ``shape``: a tensor's or parameter's shape, typed as a tuple;
- ``number``: a whole number (N, ``batch_sizes[t]``, steps read for sentence n);
- ``choice``: one of several options (a row of h_n, yes/no, packs/raises, the model's class,
  the cell a training leaves at chance);
- ``unit`` / ``step``: a unit or a time step picked on a trained model's heatmap.
"""

from __future__ import annotations

from lstm_viz.lessons.contract import PARAMETER

NUMBERS = ("batch_N", "tokens_at_step", "steps_read")
CHOICES = ("hn_row", "hn_equals_last_output", "enforce_sorted", "model_answer",
           "still_at_chance")  # the last: answered by a training (lstm_viz.lessons.race)
UNITS = ("trigger_unit", "label_unit")
STEPS = ("lowest_step", "flip_step")
TENSORS = ("input", "output", "h_0", "c_0", "h_n", "c_n", "packed_data", "batch_sizes")
READ_OFF = ("model_answer", *UNITS, *STEPS)  # measured on a trained model's run
OPTIONS = {"hn_equals_last_output": ("yes", "no"), "enforce_sorted": ("packs", "raises")}


def kind(target: str) -> str:
    """"shape", "number", "choice", "unit" or "step"; KeyError for an unknown target."""
    if target in TENSORS or PARAMETER.fullmatch(target):
        return "shape"
    for name, group in (("number", NUMBERS), ("choice", CHOICES), ("unit", UNITS),
                        ("step", STEPS)):
        if target in group:
            return name
    raise KeyError(f"unknown question target {target!r}")


def display(target: str) -> str:
    """How the target is written in Python: ``packed.data``, ``lstm.weight_ih_l0`` …"""
    if PARAMETER.fullmatch(target):
        return f"rnn.{target}"
    return {"packed_data": "packed.data", "batch_sizes": "packed.batch_sizes"}.get(target, target)
