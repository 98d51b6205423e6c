"""Check a student's answer against a ``Question``: right, a named misconception, wrong, or
unreadable (with the message saying why).

The verdict carries i18n keys and values only; pages translate them. An unreadable answer
is not counted as an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_viz.lessons.answers import AnswerError, parse_number, parse_shape
from lstm_viz.lessons.questions import Question


@dataclass(frozen=True)
class Verdict:
    status: str  # "right", "wrong" or "invalid"
    misconception: str | None = None  # the id whose answer it was
    answer: object = None  # the answer as read
    message: str = ""  # i18n key for "invalid": lesson.answer.<code>
    values: dict = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        """Whether this answer is an attempt (an unreadable one is not)."""
        return self.status != "invalid"


def shape_text(shape) -> str:
    """A shape as PyTorch prints a tuple: ``(5, 3, 20)``, ``(7,)``."""
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def read(question: Question, raw: object):
    """The answer in ``raw`` as the question's kind expects it; AnswerError if unreadable."""
    if question.kind == "shape":
        answer = parse_shape(raw)
        if len(answer) != len(question.expected):
            raise AnswerError("arity", want=len(question.expected), got=len(answer))
        return answer
    if question.kind == "choice":
        value = raw if raw in question.options else str(raw).strip().lower()
        match = [o for o in question.options if str(o).lower() == str(value).lower()]
        if not match:
            raise AnswerError("option", options=", ".join(map(str, question.options)))
        return match[0]
    answer = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_number(raw)
    if question.options and answer not in question.options:
        raise AnswerError("range", low=question.options[0], high=question.options[-1])
    return answer


def check(question: Question, raw: object) -> Verdict:
    """The verdict on ``raw`` (what the student typed or picked)."""
    try:
        answer = read(question, raw)
    except AnswerError as err:
        return Verdict("invalid", message=f"lesson.answer.{err.code}", values=err.values)
    if answer == question.expected:
        return Verdict("right", answer=answer)
    named = next((m for m, wrong in question.wrong.items() if wrong == answer), None)
    return Verdict("wrong", named, answer)
