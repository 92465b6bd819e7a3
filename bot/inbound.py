"""What a channel hands the bot: an inbound event, independent of the channel's own types."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Inbound"]


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

    def to_payload(self) -> dict[str, Any]:
        payload = asdict(self)
        del payload["channel"], payload["update_id"]
        return payload

    @classmethod
    def from_payload(cls, channel: str, update_id: int, payload: dict[str, Any]) -> Inbound:
        return cls(channel=channel, update_id=update_id, **payload)
