"""Read what a student types: a shape, a whole number or an index, spelled as people do.

``(5, 3, 20)``, ``5,3,20``, ``[5 3 20]``, ``torch.Size([5, 3, 20])``, ``5×3×20``, the
full-width ``（５，３，２０）`` and the Chinese comma ``，``/``、`` of an IME are all the
shape (5, 3, 20). Anything else raises ``AnswerError`` with a message key
(``lesson.answer.<code>``) and its values, never a bare exception: empty, too long,
letters or other symbols (the first one is named), a negative number, a number too large
for any tensor here.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 200  # longer than any honest answer; a 20 000-character paste is refused at once
MAX_NUMBER = 10**6  # no dimension under the classroom caps comes near it
_WRAPPER = re.compile(r"^\s*(?:torch\s*\.\s*)?size\s*\(\s*(.*?)\s*\)\s*$",
                      re.IGNORECASE | re.DOTALL)
_SEPARATORS = re.compile(r"[\s,;、×*xX()\[\]]+")
_NUMBER = re.compile(r"[+-]?\d+")
_ALLOWED = re.compile(r"^[\s\d,;、×*xX()\[\]+-]*$")


class AnswerError(ValueError):
    """An answer that cannot be read; ``code`` names the message (``lesson.answer.<code>``)."""

    def __init__(self, code: str, **values):
        self.code, self.values = code, values
        super().__init__(f"{code}: {values}")


def normalise(raw: object) -> str:
    """NFKC (full-width digits, brackets and comma → ASCII), Chinese commas → ``,``, control
    characters dropped, stripped. Refuses answers longer than ``MAX_CHARS``."""
    text = str(raw if raw is not None else "")
    if len(text) > MAX_CHARS:
        raise AnswerError("too_long", limit=MAX_CHARS)
    text = unicodedata.normalize("NFKC", text).replace("、", ",").replace("，", ",")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    return text.strip()


def _numbers(text: str) -> list[int]:
    if not _ALLOWED.match(text):
        bad = next(ch for ch in text if not _ALLOWED.match(ch))
        raise AnswerError("letters" if bad.isalpha() else "symbols", char=bad)
    parts = [p for p in _SEPARATORS.split(text) if p]
    if not parts:
        raise AnswerError("empty")
    if not all(_NUMBER.fullmatch(p) for p in parts):
        raise AnswerError("symbols", char="+-")
    numbers = [int(p) for p in parts]
    for n in numbers:
        if n < 0:
            raise AnswerError("negative", value=n)
        if n > MAX_NUMBER:
            raise AnswerError("huge", limit=MAX_NUMBER)
    return numbers


def parse_shape(raw: object) -> tuple[int, ...]:
    """A tensor shape typed as a tuple, list, ``torch.Size`` or bare numbers."""
    text = normalise(raw)
    if not text:
        raise AnswerError("empty")
    wrapped = _WRAPPER.match(text)
    if wrapped:
        text = wrapped.group(1)
    return tuple(_numbers(text))


def parse_number(raw: object) -> int:
    """One whole number (full-width digits, brackets and spaces allowed)."""
    text = normalise(raw)
    if not text:
        raise AnswerError("empty")
    numbers = _numbers(text)
    if len(numbers) != 1:
        raise AnswerError("one_number", count=len(numbers))
    return numbers[0]


def spellings(shape: tuple[int, ...]) -> list[str]:
    """Ways students write ``shape`` (the tests feed every one to the checker)."""
    plain = ", ".join(map(str, shape))
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ",".join(map(str, shape)))
    return [f"({plain})", ",".join(map(str, shape)), f"[{' '.join(map(str, shape))}]",
            f"torch.Size([{plain}])", f"（{wide.replace(',', '，')}）", "，".join(map(str, shape)),
            f"  {plain}  ", "×".join(map(str, shape)), f"({plain},)" if len(shape) == 1 else plain]
