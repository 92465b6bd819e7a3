"""The secret key officials' tokens are signed with: what makes one strong enough, and the keys
derived from it.

Nothing signs with a key anyone else can know: :class:`~admin_api.context.AdminContext`
refuses a key :func:`weak_key_reason` finds fault with, so an API built from our own files
never accepts a token made with the old built-in ``dev-only-change-me`` or an empty key.

A string's entropy cannot be measured, only estimated. A key must be

- at least :data:`MIN_KEY_BYTES` bytes long,
- worth at least :data:`MIN_ESTIMATED_BITS` bits by the frequencies of its characters
  (Shannon's estimate times the length: a typed phrase makes about 4 bits a character, a random
  base64 key about 5, hex about 4 over many more characters), and
- no repeated pattern (three in four of its four-character pieces differ),

and never a value this project has shipped. Every key made by
``secrets.token_urlsafe(32)`` (or longer), ``openssl rand -hex 32`` or ``openssl rand -base64
32`` passes; a 16-byte key, a sentence under about forty characters and ``abcd`` repeated do
not.

The key itself signs nothing: :func:`derived_key` makes one key per purpose from it (access
tokens, refresh-token digests), and :func:`key_id` names a derived key in a token's ``kid``
header without revealing anything of it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter

__all__ = [
    "KNOWN_KEYS",
    "MAKE_A_KEY",
    "MIN_ESTIMATED_BITS",
    "MIN_KEY_BYTES",
    "WeakSecretKey",
    "derived_key",
    "key_id",
    "weak_key_reason",
]

MIN_KEY_BYTES = 32
MIN_ESTIMATED_BITS = 160
KNOWN_KEYS = frozenset({"dev-only-change-me"})
"""Keys that were once built in or documented: public, whatever their length."""
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class WeakSecretKey(ValueError):
    """The secret key is missing or weak; ``str(error)`` says why (never the key)."""


def weak_key_reason(key: str | None) -> str | None:
    """Why ``key`` may not sign tokens, or ``None`` when it may."""
    if key is None or not key.strip():
        return "missing (or empty)"
    if key.strip() in KNOWN_KEYS:
        return "the old built-in development key, which anyone can read in the repository"
    if len(key.encode()) < MIN_KEY_BYTES:
        return f"too short: at least {MIN_KEY_BYTES} bytes of random are needed"
    if _estimated_bits(key) < MIN_ESTIMATED_BITS or _repeats(key):
        return "too predictable (too few different characters, or a repeated pattern)"
    return None


def _estimated_bits(key: str) -> float:
    counts = Counter(key)
    return -sum(count * math.log2(count / len(key)) for count in counts.values())


def _repeats(key: str) -> bool:
    pieces = [key[start : start + 4] for start in range(len(key) - 3)]
    return len(set(pieces)) < 0.75 * len(pieces)


def derived_key(secret_key: str, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose``: the secret may sign other things too."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    """A token's ``kid``: names ``key`` (so a token made with another key is told apart at
    once) and reveals nothing of it (a digest of the derived key, never the key)."""
    return hashlib.sha256(b"kid:" + key).hexdigest()[:16]
