"""Secrets and identifiers of a class: its code, the teacher's key, a student's token, an
answer's id. All random values come from ``secrets`` (the OS's CSPRNG).

- The **class code** is what students type or scan: 6 symbols of an alphabet without the
  look-alikes 0/O, 1/I/L (and U, as in Crockford's base 32), read case-insensitively with
  spaces and dashes ignored. It opens the class for students only, never the dashboard.
- The **teacher key** is 128 random bits (22 URL-safe characters) in the teacher's link. The
  store keeps only its SHA-256; a link is checked by comparing hashes with
  ``hmac.compare_digest``. A fast hash is enough because the key is random and long: there is
  no low-entropy password to stretch.
- A **student token** (96 bits) is the student's identity in their URL: a reload, a new tab
  or another replica finds the same student with it.
- An **answer id** (128 bits) is made where the answer is checked, before it is stored, so
  that sending an answer again never stores it twice (``outbox``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 symbols: no 0 O 1 I L U
CODE_LENGTH = 6  # 30**6 ≈ 7.3e8 codes
KEY_BYTES = 16  # 128 bits → 22 characters of base64url
TOKEN_BYTES = 12  # 96 bits → 16 characters
KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,40}")
ANSWER_ID = re.compile(r"[0-9a-f]{32}")
_IGNORED = re.compile(r"[\s\-_.·]+")


def new_code() -> str:
    """A fresh class code: ``K7QX3M``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def read_code(raw: str) -> str:
    """The class code in ``raw`` (typed, scanned or from a URL): NFKC (full-width ``Ｋ７`` →
    ``K7``), upper case, spaces and dashes dropped. ValueError says the rule."""
    text = _IGNORED.sub("", unicodedata.normalize("NFKC", str(raw))).upper()
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        raise ValueError(f"expected a class code of {CODE_LENGTH} letters and digits "
                         f"(no 0, O, 1, I, L or U)")
    return text


def new_key() -> str:
    """A fresh teacher key: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """What the store keeps of a teacher key: SHA-256, hex (64 characters)."""
    return hashlib.sha256(b"lstm-viz teacher key\0" + key.encode("utf-8")).hexdigest()


def key_matches(key: str | None, stored_hash: str) -> bool:
    """Whether ``key`` is the one whose hash is ``stored_hash``, in constant time."""
    if not key or not KEY.fullmatch(key):
        return False
    return hmac.compare_digest(key_hash(key), stored_hash)


def _url_safe(raw: str, pattern: re.Pattern, what: str) -> str:
    text = str(raw).strip()
    if not pattern.fullmatch(text):
        raise ValueError(f"expected {what}")
    return text


def read_key(raw: str) -> str:
    """A teacher key as a URL carries it; ValueError if it cannot be one."""
    return _url_safe(raw, KEY, "the teacher key of a teacher link (22 letters, digits, - or _)")


def new_token() -> str:
    """A fresh student token: 96 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def read_token(raw: str) -> str:
    """A student token as a URL carries it; ValueError if it cannot be one."""
    return _url_safe(raw, TOKEN, "a student token (16 letters, digits, - or _)")


def new_answer_id() -> str:
    """A fresh answer id: 32 hex digits, made when the answer is checked."""
    return secrets.token_hex(16)


def same_secret(given: str | None, expected: str) -> bool:
    """A typed password against the deployment's, in constant time."""
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))
