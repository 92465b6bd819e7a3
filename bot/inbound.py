"""What a channel hands the bot: an inbound event, independent of the channel's own types."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["MAX_TEXT", "Inbound", "clean_text"]

MAX_TEXT = 4096
"""Telegram's longest message: a text longer than this comes from no real client. Kept to
this, a text costs the understanding at most a few milliseconds, so one resident cannot hold
the process."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (PostgreSQL's text refuses it) and lone surrogates (no database's UTF-8 takes them: a
surrogate *pair* is one code point in a Python string, so any surrogate left is alone)."""


def clean_text(text: str) -> str:
    """``text`` as every database stores it: at most :data:`MAX_TEXT` characters, NUL and
    lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text[:MAX_TEXT])


@dataclass(frozen=True, slots=True)
class Inbound:
    """One update from a channel, reduced to what the dialogue needs.

    ``kind`` is ``text`` (a message with text), ``callback`` (a button pressed), ``media`` (a
    message without text: a photo, sticker, location…) or ``other`` (nothing for the dialogue,
    e.g. a member change or an update we could not read).
    """

    channel: str
    update_id: int
    kind: str
    chat_id: int | None = None
    chat_kind: str = "private"
    user_id: str | None = None
    language_code: str | None = None
    text: str | None = None
    callback_id: str | None = None
    text_length: int | None = None
    """How long the text was as sent, where that is longer than the :data:`MAX_TEXT` kept."""

    def __post_init__(self) -> None:
        # Every channel's text is made storable here, before anything keeps it.
        if self.text is not None:
            if len(self.text) > MAX_TEXT:
                object.__setattr__(self, "text_length", len(self.text))
            object.__setattr__(self, "text", clean_text(self.text))

    def to_payload(self) -> dict[str, Any]:
        payload = asdict(self)
        del payload["channel"], payload["update_id"]
        return payload

    @classmethod
    def from_payload(cls, channel: str, update_id: int, payload: dict[str, Any]) -> Inbound:
        return cls(channel=channel, update_id=update_id, **payload)
