"""One question asked of one run: the real module's answer, the misconceptions' answers,
the values its texts need and the evidence shown when it is revealed.

``ask(step, run, module)`` is all a page needs: the expected answer comes from the module's
own tensors (``truth``; for a trained model's heatmaps, ``reading``), the wrong answers
from ``misconceptions``. For every target with a rule, ``contract.answer`` must agree with
torch; ``ask`` raises ``ValueError`` if it does not, so no question is ever asked with an
answer the app cannot explain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_viz import trained
from lstm_viz.core.build import RNNModule
from lstm_viz.core.config import constructor_call
from lstm_viz.core.shapes import GATE_COUNT, shape_contract
from lstm_viz.lessons import contract, race, reading, targets, truth
from lstm_viz.lessons.catalogue import Step
from lstm_viz.lessons.facts import Facts
from lstm_viz.lessons.misconceptions import wrong_answers
from lstm_viz.state.pipeline import Run


@dataclass(frozen=True)
class Question:
    step: Step
    kind: str  # "shape", "number", "choice", "unit", "step"
    expected: object  # tuple of ints, int or option id: what the module returned
    options: tuple = ()  # choice: option ids; unit/step: the indices to pick from
    wrong: dict = field(default_factory=dict)  # misconception id → its answer (≠ expected)
    values: dict = field(default_factory=dict)  # placeholders of the step's texts
    evidence: str = ""  # Python-like lines: what torch returned
    view: dict | None = None  # the heatmap to read: {"name": "o", "n": 0} or {"name": "h_n"}
    link: dict = field(default_factory=dict)  # the explaining page's own URL keys (Train's)

    @property
    def target(self) -> str:
        return self.step.target


def facts_of(run: Run) -> Facts:
    """The true facts of ``run``: its module's arguments and its batch."""
    spec, batch = run.settings.spec, run.batch
    return Facts(run.trace.config, batch.N, batch.L, tuple(batch.lengths.tolist()),
                 spec.packed, spec.total_length if spec.packed else 0)


def _evidence(step: Step, run: Run, answer) -> str:
    if step.target in reading.TARGETS:
        return reading.evidence(run, step.target, step.params, answer)
    return truth.evidence(run, step.target, step.params, answer)


def _options(step: Step, run: Run, facts: Facts) -> tuple:
    if step.target == "hn_row":
        return tuple(range(facts.config.num_layers * facts.config.D))
    if step.target == "model_answer":
        return tuple(trained.info(run.settings.weights)["classes"])
    if step.target in targets.UNITS:
        return tuple(range(run.trace.step_values(0, 0)[step.params.get("kind", "h")].shape[-1]))
    if step.target in targets.STEPS:
        return tuple(range(int(run.trace.lengths[step.params["n"]])))
    return targets.OPTIONS.get(step.target, ())


def values(step: Step, run: Run, facts: Facts) -> dict:
    """Every placeholder a step's texts may use (sizes, the call, the step's params)."""
    cfg, p = facts.config, step.params
    out = {"N": facts.N, "L": facts.L, "H_in": cfg.input_size, "H_cell": cfg.hidden_size,
           "H_out": cfg.H_out, "D": cfg.D, "layers": cfg.num_layers, "cell": cfg.cell,
           "rows": cfg.num_layers * cfg.D, "batch_first": cfg.batch_first,
           "call": constructor_call(cfg), "name": targets.display(step.target),
           "lengths": list(facts.lengths), "T": facts.total_length,
           "last": "output[:, -1]" if cfg.batch_first else "output[-1]",
           "tail": "" if cfg.D == 1 else f"[..., {cfg.H_out}:]", "tokens": sum(facts.lengths),
           "layout": "(N, L, H_in)" if cfg.batch_first else "(L, N, H_in)",
           "gates": GATE_COUNT[cfg.cell], "proj": cfg.proj_size, "is_packed": facts.packed}
    out.update({k: v for k, v in p.items() if k in ("t", "n", "k", "d", "kind", "token")})
    if "n" in p:
        out["sentence"] = " ".join(run.batch.tokens[p["n"]])
    if "unit" in p:
        out["unit"] = reading.unit(run, p)
    return out


def formula(step: Step, facts: Facts) -> str:
    """A shape target's rule in PyTorch's letters: ``output = (L, N, D*H_out)``; "" if none."""
    if targets.kind(step.target) != "shape":
        return ""
    special = {"packed_data": "(sum(lengths), H_in)", "batch_sizes": "(L,)"}
    dims = special.get(step.target)
    if dims is None:
        entries = {e.name: e.dims for e in shape_contract(facts.config, facts.N, facts.L)}
        dims = f"({', '.join(entries[step.target])})"
    return f"{targets.display(step.target)} = {dims}"


def _race(step: Step, run: Run, facts: Facts) -> Question:
    """A question a training answers (``lstm_viz.lessons.race``), not ``run``."""
    expected, p = race.answer(step.params), step.params
    return Question(step, "choice", expected, race.settings_of(p).cells,
                    wrong_answers(facts, step.target, p, run, expected),
                    {**values(step, run, facts), **race.values(p)}, race.evidence(p),
                    link=race.link(p))


def ask(step: Step, run: Run, module: RNNModule) -> Question:
    """The question of ``step`` on ``run`` (made from the step's Settings) and its module."""
    facts = facts_of(run)
    if step.target in race.TARGETS:
        return _race(step, run, facts)
    if step.target in reading.TARGETS:
        expected = reading.answer(run, facts, step.target, step.params)
    else:
        expected = truth.answer(run, module, step.target, step.params)
        ruled = contract.answer(facts, step.target, step.params)
        if ruled != expected:
            raise ValueError(f"{step.target}: the rules say {ruled}, torch says {expected}")
    view = None
    if step.target in reading.TARGETS and step.target != "model_answer":
        view = ({"name": "h_n"} if step.target == "label_unit" else
                {"name": step.params.get("kind", "h"), "n": step.params["n"]})
    return Question(step, targets.kind(step.target), expected, _options(step, run, facts),
                    wrong_answers(facts, step.target, step.params, run, expected),
                    values(step, run, facts), _evidence(step, run, expected), view)
