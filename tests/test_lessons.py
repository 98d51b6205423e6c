"""The lessons engine: every step's answer is the real module's, the rules agree with it,
every accepted spelling is read, and every misconception's computed wrong answer is
diagnosed as that misconception. The same for ≥ 300 drill seeds, within the caps."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from lstm_viz.core.caps import Caps
from lstm_viz.i18n import LANGS, catalog
from lstm_viz.lessons import reading, targets
from lstm_viz.lessons.answers import AnswerError, parse_number, parse_shape, spellings
from lstm_viz.lessons.catalogue import lessons, misconceptions
from lstm_viz.lessons.checker import check
from lstm_viz.lessons.drill import drill_step
from lstm_viz.lessons.questions import ask
from lstm_viz.lessons.steps import DRILL, count, settings_for, step_of
from lstm_viz.state.pipeline import build, run
from lstm_viz.state.settings import Settings

DRILL_SEEDS = 300
SMALL_CAPS = Caps(max_seq_len=3, max_batch=2, max_hidden_size=3, max_input_size=2,
                  max_layers=1, max_vocab=3, max_embedding_dim=2)
STEPS = [(lid, k) for lid in lessons() for k in range(count(lid))]


def asked(step, caps: Caps | None = None):
    """(question, run, module) for ``step`` on its own configuration."""
    s, notices = settings_for(step, Settings(), caps)
    assert not notices, notices  # every lesson and drill configuration is valid as it is
    built = build(s, caps)
    result = run(s, built, caps)
    return ask(step, result, built.module), result, built.module


def torch_answer(target: str, result, module, params: dict):
    """The answer straight from torch: the module called again, its parameters, packing."""
    batch, cfg, spec = result.batch, result.trace.config, result.settings.spec
    with torch.no_grad():
        out, state = module(batch.input, batch.hx)
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    if isinstance(out, PackedSequence):
        out = pad_packed_sequence(out, batch_first=cfg.batch_first,
                                  total_length=spec.total_length or None)[0]
    hx = batch.hx if isinstance(batch.hx, tuple) else (batch.hx, None)
    tensors = {"input": batch.padded, "output": out, "h_n": h_n, "c_n": c_n,
               "h_0": hx[0], "c_0": hx[1], **dict(module.named_parameters())}
    if isinstance(batch.input, PackedSequence):
        tensors |= {"packed_data": batch.input.data, "batch_sizes": batch.input.batch_sizes}
    if target in tensors:
        return tuple(tensors[target].shape)
    if target == "batch_N":
        return batch.padded.shape[0 if cfg.batch_first else 1]
    if target == "tokens_at_step":
        return int(batch.input.batch_sizes[params["t"]]) if spec.packed else batch.N
    if target == "steps_read":
        return int(batch.lengths[params["n"]]) if spec.packed else batch.L
    if target == "hn_equals_last_output":
        last = out[:, -1] if cfg.batch_first else out[-1]
        return "yes" if torch.allclose(h_n[-1], last[:, -cfg.H_out:], atol=1e-6) else "no"
    if target == "hn_row":
        return hn_row_by_torch(module, batch, cfg, params["k"], params["d"], h_n)
    if target == "enforce_sorted":
        return "raises" if result.enforce_sorted_error else "packs"
    return None  # a trained model's heatmap: measured on the run itself (reading)


def hn_row_by_torch(module, batch, cfg, k: int, d: int, h_n) -> int:
    """The row of h_n equal to layer k, direction d's last state, found by running torch's
    own module cut after layer k (its output is layer k's h; an unpacked batch)."""
    sub = type(module)(**{**cfg.kwargs(), "num_layers": k + 1})
    own = {name: p for name, p in module.named_parameters()
           if int(name.split("_l")[1][0]) <= k}
    sub.load_state_dict(own)
    rows, hx = (k + 1) * cfg.D, batch.hx
    hx = tuple(h[:rows] for h in hx) if isinstance(hx, tuple) else (
        None if hx is None else hx[:rows])
    with torch.no_grad():
        out = sub.eval()(batch.input, hx)[0]  # (L, N, D*H_out) or (N, L, D*H_out)
    out = out if cfg.batch_first else out.transpose(0, 1)  # (N, L, D*H_out)
    last = out[:, -1 if d == 0 else 0, d * cfg.H_out:(d + 1) * cfg.H_out]  # (N, H_out)
    found = [r for r in range(h_n.shape[0]) if torch.allclose(h_n[r], last, atol=1e-6)]
    assert len(found) == 1, found
    return found[0]


def typed(question, value) -> list:
    """Every way a student may give ``value``."""
    if question.kind == "shape":
        return spellings(value)
    if question.kind in ("number", "unit", "step"):
        wide = "".join(chr(ord(c) + 0xFEE0) for c in str(value))
        return [value, str(value), f" {value} ", wide, f"[{value}]"]
    return [value, str(value).upper()]


def assert_checked(question) -> None:
    for spelled in typed(question, question.expected):
        verdict = check(question, spelled)
        assert verdict.status == "right", (question.target, spelled, verdict)
    for mid, wrong in question.wrong.items():
        assert wrong != question.expected
        verdict = check(question, wrong)
        assert (verdict.status, verdict.misconception) == ("wrong", mid), (question.target, mid)


@pytest.mark.parametrize(("lesson", "k"), STEPS, ids=[f"{lid}-{k}" for lid, k in STEPS])
def test_every_lesson_step(lesson, k):
    question, result, module = asked(step_of(lesson, k))
    want = torch_answer(question.target, result, module, question.step.params)
    if want is not None:
        assert question.expected == want
    assert_checked(question)
    assert question.evidence
    if question.kind in ("choice", "unit", "step"):
        assert question.expected in question.options


def test_drill_seeds_agree_with_torch_and_the_contract():
    """≥ 300 seeds, under the default caps and a deployment's small ones (``ask`` itself
    raises if the shape contract and torch disagree)."""
    seen: set[str] = set()
    for seed in range(DRILL_SEEDS):
        caps = SMALL_CAPS if seed % 5 == 4 else Caps()
        question, result, module = asked(drill_step(seed, seed % 11, caps), caps)
        assert question.kind == "shape"
        assert question.expected == torch_answer(question.target, result, module, {})
        assert_checked(question)
        seen.update(question.wrong)
    assert {"nl_swapped", "forgot_D", "batch_first_states", "gru_four_gates",
            "packed_data_nl", "proj_changes_c"} <= seen


def test_drill_is_a_function_of_its_seed():
    assert drill_step(7, 3) == drill_step(7, 3)
    assert [drill_step(7, k) for k in range(5)] != [drill_step(8, k) for k in range(5)]
    assert step_of(DRILL, 4, seed=7) == drill_step(7, 4)


def test_every_misconception_is_diagnosed_somewhere_and_named_in_both_languages():
    diagnosed = set()
    for lid, k in STEPS:
        diagnosed.update(asked(step_of(lid, k))[0].wrong)
    for seed in range(60):
        diagnosed.update(asked(drill_step(seed, 0))[0].wrong)
    assert set(misconceptions()) - diagnosed == set()
    for lang in LANGS:
        assert {f"lesson.mis.{m}" for m in misconceptions()} <= catalog(lang).keys()


def test_lessons_are_five_to_ten_steps_with_texts():
    assert list(lessons()) == ["000-shapes", "001-bidirectional", "002-packing",
                               "003-batch-first", "004-stacked", "trained-sentiment"]
    for lesson in lessons().values():
        assert 5 <= len(lesson.steps) <= 10
        for step in lesson.steps:
            targets.kind(step.target)  # a known target
            for part in ("say", "why"):
                assert f"lesson.{lesson.id}.{step.name}.{part}" in catalog("zh")


def test_trained_answers_are_the_readable_units_of_the_shipped_model():
    """The heatmap questions find the units the training script found on its test set."""
    found = {lesson_step.target: asked(lesson_step)[0].expected
             for lesson_step in lessons()["trained-sentiment"].steps}
    meta = reading.trained.info("sentiment-lstm")["readable"]
    assert found["trigger_unit"] == meta["gate"]["unit"]
    assert found["label_unit"] == meta["state"]["unit"]
    assert found["model_answer"] == "negative"  # "i do not like this"


@pytest.mark.parametrize("text", ["(5, 3, 20)", "5,3,20", "[5 3 20]", "torch.Size([5, 3, 20])",
                                  "（５，３，２０）", "5，3，20", "5、3、20", " ( 5 ,3, 20 ) ",
                                  "torch.Size((5, 3, 20))", "5 x 3 x 20", "5×3×20"])
def test_shapes_students_type(text):
    assert parse_shape(text) == (5, 3, 20)


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"), ("   ", "empty"), ("()", "empty"), ("five", "letters"), ("(5, 3, a)", "letters"),
    ("(5, -3, 20)", "negative"), ("(5, 3, 99999999999)", "huge"), ("5.0, 3", "symbols"),
    ("<b>5</b>", "symbols"), ("9" * 20000, "too_long"), ("$5$", "symbols"),
])
def test_unreadable_answers_say_why(text, code):
    with pytest.raises(AnswerError) as err:
        parse_shape(text)
    assert err.value.code == code
    assert f"lesson.answer.{code}" in catalog("en")


def test_numbers_and_wrong_arity():
    assert parse_number("３") == 3 and parse_number(" [12] ") == 12
    with pytest.raises(AnswerError, match="one_number"):
        parse_number("3, 4")
    question = asked(step_of("000-shapes", 2))[0]
    verdict = check(question, "5, 3")
    assert (verdict.status, verdict.message, verdict.values) == (
        "invalid", "lesson.answer.arity", {"want": 3, "got": 2})
    assert not verdict.counts
