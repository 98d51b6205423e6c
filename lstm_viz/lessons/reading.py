"""Questions read off a trained model's heatmaps: a unit, a time step, the model's answer.

Every answer is measured on the run itself (``Trace.step_values`` of layer 0, forward, and
the model's own classifier head), with ``lstm_viz.trained.readable``'s scores, so it holds
for whatever sentences the sidebar holds. Beliefs of ``Facts`` (``one_based``,
``trigger_kind``, ``label_from_trigger``, ``at_trigger``) give the misconceptions' answers.
"""

from __future__ import annotations

import numpy as np

from lstm_viz import trained
from lstm_viz.lessons.facts import Facts
from lstm_viz.state.pipeline import Run
from lstm_viz.trained import readable

TARGETS = ("model_answer", "trigger_unit", "label_unit", "lowest_step", "flip_step")


def values(run: Run) -> dict[str, np.ndarray]:
    """Layer 0, forward: every gate and state, (N, L, units), NaN past a packed length."""
    return {k: v.numpy() for k, v in run.trace.step_values(0, 0).items()}


def predictions(run: Run) -> list[str]:
    """The model's class for every sentence (its head on h after the last real token)."""
    h = run.trace.step_values(0, 0)["h"]  # (N, L, H_out)
    ends = run.trace.lengths - 1
    probs = trained.head_probabilities(run.settings.weights, h[np.arange(h.shape[0]), ends])
    classes = trained.info(run.settings.weights)["classes"]
    return [classes[int(k)] for k in probs.argmax(-1)]


def view_values(run: Run, view: dict) -> tuple[np.ndarray, list[str]]:
    """The heatmap a question is read from: (rows, units) values and one label per row.

    ``{"name": "o", "n": 0}``: gate o of sentence 0 over its steps, labelled by token;
    ``{"name": "h_n"}``: h after each sentence's last token, labelled by sentence.
    """
    v = values(run)
    if view["name"] == "h_n":
        ends = run.trace.lengths.numpy() - 1
        labels = [f"{n}: {' '.join(toks)}"[:24] for n, toks in enumerate(run.batch.tokens)]
        return v["h"][np.arange(len(ends)), ends], labels  # (N, H_out)
    n = view["n"]
    length = int(run.trace.lengths[n])
    return v[view["name"]][n, :length], run.batch.tokens[n][:length]  # (length, units)


def _trigger(run: Run, kind: str, token: str) -> int:
    return readable.trigger_finding(values(run), run.batch.tokens, (token,), (kind,)).unit


def label_unit(run: Run, params: dict, from_trigger: bool = False) -> int:
    """The unit of h whose value after the last token best follows the model's answer
    (``from_trigger``: the belief that it is the unit of h that moves at the token)."""
    if from_trigger:
        return _trigger(run, "h", params["token"])
    labels = np.array([c == "positive" for c in predictions(run)], dtype=float)
    found = readable.label_finding({"h": values(run)["h"]}, run.trace.lengths.numpy(), labels)
    return found.unit


def unit(run: Run, params: dict) -> int:
    """A unit named by the step: "trigger" (moves most at the token) or "label"."""
    if params["unit"] == "label":
        return label_unit(run, params)
    return _trigger(run, params["kind"], params["token"])


def lowest_step(run: Run, facts: Facts, params: dict) -> int:
    """The step t where unit ``unit`` of ``kind`` is lowest in sentence n."""
    n, j = params["n"], unit(run, params)
    row = values(run)[params["kind"]][n, : int(run.trace.lengths[n]), j]
    return int(np.argmin(row))


def flip_step(run: Run, facts: Facts, params: dict) -> int:
    """The first step t from which unit ``unit`` of h keeps the sign it ends with."""
    n = params["n"]
    if facts.at_trigger:
        return run.batch.tokens[n].index(params["token"])
    j = unit(run, params)
    row = values(run)["h"][n, : int(run.trace.lengths[n]), j]
    sign = np.sign(row[-1])
    t = len(row) - 1
    while t > 0 and np.sign(row[t - 1]) == sign:
        t -= 1
    return t


def answer(run: Run, facts: Facts, target: str, params: dict):
    """``target``'s answer on this run (under ``facts``' beliefs)."""
    shift = 1 if facts.one_based else 0
    if target == "model_answer":
        return predictions(run)[params["n"]]
    if target == "trigger_unit":
        return _trigger(run, facts.trigger_kind or params["kind"], params["token"]) + shift
    if target == "label_unit":
        return label_unit(run, params, facts.label_from_trigger) + shift
    if target == "lowest_step":
        return lowest_step(run, facts, params) + shift
    return flip_step(run, facts, params) + shift


def evidence(run: Run, target: str, params: dict, answer) -> str:
    """What the run shows for ``target``, as Python-like lines (values rounded)."""
    if target == "model_answer":
        n = params["n"]
        h = run.trace.step_values(0, 0)["h"][n, int(run.trace.lengths[n]) - 1]  # (H_out,)
        probs = trained.head_probabilities(run.settings.weights, h).tolist()
        return f"softmax(head(h[{n}, last]))  # {[round(p, 3) for p in probs]} → {answer}"
    v = values(run)
    if target == "label_unit":
        ends = run.trace.lengths.numpy() - 1
        finals = v["h"][np.arange(len(ends)), ends]  # (N, H_out)
        return "\n".join(f"h[{n}, last, {answer}]  # {finals[n, answer]:+.2f} → {c}"
                         for n, c in enumerate(predictions(run)))
    kind = params.get("kind", "h")
    j = answer if target == "trigger_unit" else unit(run, params)
    n = params["n"]
    row = v[kind][n, : int(run.trace.lengths[n]), j]
    cells = ", ".join(f"{tok}: {x:+.2f}" for tok, x in zip(run.batch.tokens[n], row, strict=False))
    return f"{kind}[{n}, :, {j}]  # {cells}"
