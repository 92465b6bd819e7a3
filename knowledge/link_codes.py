"""One-time codes that link a Telegram group or channel to an area.

Comms staff create a code in the admin API (shown to them once); a group admin sends it to
the bot in the group. Only the code's hash is stored, so a database dump links nothing. Codes
are typed by hand: eight characters from an alphabet without look-alikes (no 0/O, 1/I/L),
read case-insensitively, spaces and dashes ignored.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

__all__ = ["ALPHABET", "CODE_LENGTH", "link_code_hash", "new_link_code", "normalise_link_code"]

ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 8
"""31**8 ≈ 8.5e14 codes: guessing one of the few live ones within its 24 h is hopeless."""


def new_link_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_link_code(typed: str) -> str:
    """The code as stored before hashing: upper case, without spaces or dashes."""
    return "".join(typed.split()).replace("-", "").upper()


def link_code_hash(typed: str) -> str:
    """SHA-256 (hex, 64 characters) of the normalised code: what ``ChannelLinkCode`` keeps."""
    return hashlib.sha256(normalise_link_code(typed).encode()).hexdigest()
