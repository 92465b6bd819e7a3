"""The ports through which the bot reaches a channel, and the role of the one sender."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from store.outbox import Button

__all__ = ["Button", "DocumentTransport", "SendingRole", "Transport"]


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


class SendingRole(Protocol):
    """Held by one process at a time among all that share a database: the one that sends.

    ``try_take`` returns True when this process holds the role (raising when the database
    cannot be reached); ``until_lost`` returns once it no longer does (its hold on the role
    broke); ``give_up`` hands it over. Implemented in :mod:`store.roles` on PostgreSQL.
    """

    async def try_take(self) -> bool: ...

    async def until_lost(self) -> None: ...

    async def give_up(self) -> None: ...
