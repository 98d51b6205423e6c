"""Class codes, teacher keys, student tokens and nicknames: random where they must be, read
back leniently where a person types them, and never carrying markup or invisible text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_viz.classroom import codes, names


def test_a_code_uses_only_the_unambiguous_alphabet():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) >= 6 and set(code) <= set(codes.ALPHABET)
    assert not set("0O1IL") & set(codes.ALPHABET)


@pytest.mark.parametrize("typed", ["k7qx3m", " K7Q-X3M ", "k7 qx 3m", "Ｋ７ＱＸ３Ｍ", "k7.qx.3m"])
def test_a_code_is_read_as_people_type_it(typed):
    assert codes.read_code(typed) == "K7QX3M"


@pytest.mark.parametrize("bad", ["", "K7QX3", "K7QX3MM", "K0QX3M", "K7QX1M", "<b>K7QX",
                                 "K7QX3M\x00", "'; DROP TABLE classes; --", "٣٣٣٣٣٣"])
def test_a_bad_code_says_the_rule(bad):
    with pytest.raises(ValueError, match="class code"):
        codes.read_code(bad)


def test_a_teacher_key_has_128_bits_and_only_its_hash_is_kept():
    key = codes.new_key()
    assert len(key) == 22 and codes.KEY.fullmatch(key)
    stored = codes.key_hash(key)
    assert key not in stored and len(stored) == 64
    assert codes.key_matches(key, stored)
    assert not codes.key_matches(codes.new_key(), stored)
    assert not codes.key_matches(key[:-1] + ("A" if key[-1] != "A" else "B"), stored)
    assert not codes.key_matches(None, stored) and not codes.key_matches("", stored)
    assert not codes.key_matches(stored, stored)  # the hash is no key
    assert len({codes.new_key() for _ in range(1000)}) == 1000


def test_tokens_and_answer_ids_are_fresh_and_well_formed():
    tokens = {codes.new_token() for _ in range(1000)}
    assert len(tokens) == 1000 and all(codes.read_token(t) == t for t in tokens)
    ids = {codes.new_answer_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(codes.ANSWER_ID.fullmatch(i) for i in ids)
    for bad in ("", "short", "x" * 41, "a" * 15 + "<", "../../etc/passwd"):
        with pytest.raises(ValueError):
            codes.read_token(bad)


def test_the_teacher_password_is_compared_whole():
    assert codes.same_secret("s3cret ✓", "s3cret ✓")
    assert not codes.same_secret("s3cret", "s3cret ✓")
    assert not codes.same_secret(None, "x") and not codes.same_secret("", "x")


@pytest.mark.parametrize(("raw", "kept"), [
    ("  Ada  Lovelace ", "Ada Lovelace"),
    ("Ｌｉ　Ｌｅｉ", "Li Lei"),  # full-width letters and space: NFKC
    ("a\u200bb\u200dc\ufeffd\u00ade", "abcde"),  # zero-width, BOM, soft hyphen
    ("evil\u202etxt.exe", "eviltxt.exe"),  # a bidi override ("Trojan Source")
    ("x\u2066y\u2069z\u200fw", "xyzw"),  # isolates, a right-to-left mark
    ("a\x00b\x1b[31mc\x7f\x85d", "ab[31mcd"),  # NUL, ESC, DEL, C1
    ("line\nbreak\u2028and\ttab", "line break and tab"),
    ("<b onclick=x>hi</b>", "<b onclick=x>hi</b>"),  # text: escaped when shown
    ("مرحبا", "مرحبا"), ("王小明", "王小明"), ("x" * 100, "x" * 24), ("\u3000 \n", ""),
])
def test_nicknames_are_visible_plain_text(raw, kept):
    assert names.nickname(raw) == kept


@given(st.text(max_size=300))
def test_any_nickname_is_short_one_line_and_visible(raw):
    nick = names.nickname(raw)
    assert len(nick) <= names.NICKNAME_CHARS and nick == nick.strip()
    assert "\n" not in nick and "  " not in nick
    assert not any(unicodedata.category(ch) in names.REMOVED_CATEGORIES for ch in nick)
    assert names.nickname(nick) == nick  # already clean


def test_the_default_name_and_answers_as_typed():
    assert names.default_name(7) == "Student 7"
    assert names.answer_text("(5, 3, 20)") == "(5, 3, 20)"
    assert names.answer_text("a\x00b\ud800c" + "9" * 10_000) == "abc" + "9" * 197
