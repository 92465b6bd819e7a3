"""The ports through which the bot reaches a channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from store.outbox import Button

__all__ = ["Button", "DocumentTransport", "Transport"]


class Transport(Protocol):
    """Delivers texts to one channel's chats.

    ``send`` returns the channel's id for the delivered message (None where the channel has
    none) and raises a :class:`bot.errors.DeliveryError` when it could not deliver.
    ``spacing`` is how long to wait between two texts to the same chat.
    """

    channel: str

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None: ...

    def spacing(self, chat_id: int) -> float: ...


@runtime_checkable
class DocumentTransport(Protocol):
    """A transport that also delivers files (Telegram's ``sendDocument``).

    ``send_document`` returns the channel's id for the delivered message and raises what
    :meth:`Transport.send` raises. A transport without it gets a file's text as a message.
    """

    async def send_document(
        self, chat_id: int, *, filename: str, content: bytes, caption: str | None = None
    ) -> int | None: ...
