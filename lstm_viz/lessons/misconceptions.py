"""Each misconception's wrong answer, computed for the current configuration.

A misconception (``misconceptions.json``) concerns some targets, applies when its ``when``
facts hold, and either believes other facts (its answer is then the same rule's answer
under those facts) or always gives one ``answer`` ("yes"). Only wrong answers that differ
from the truth are kept: a belief that changes nothing here cannot be diagnosed here.
"""

from __future__ import annotations

from lstm_viz.lessons import contract, reading
from lstm_viz.lessons.catalogue import misconceptions
from lstm_viz.lessons.facts import Facts, believe, holds
from lstm_viz.state.pipeline import Run


def rule_answer(facts: Facts, target: str, params: dict, run: Run):
    """The answer the rules give for ``facts``: read off the run for a trained model's
    heatmaps, the shape contract and PyTorch's documented rules otherwise."""
    if target in reading.TARGETS:
        return reading.answer(run, facts, target, params)
    return contract.answer(facts, target, params)


def wrong_answers(facts: Facts, target: str, params: dict, run: Run, truth) -> dict:
    """misconception id → the answer it predicts, for those that apply and differ from
    ``truth`` (in catalogue order; a wrong answer two misconceptions share goes to the first)."""
    found: dict = {}
    for mid, m in misconceptions().items():
        if target not in m["targets"] or not holds(facts, m.get("when", {})):
            continue
        try:
            wrong = m["answer"] if "answer" in m else rule_answer(
                believe(facts, m["believe"]), target, params, run)
        except (KeyError, IndexError, ValueError):  # the belief makes no answer here
            continue
        if wrong != truth and wrong not in found.values():
            found[mid] = wrong
    return found
