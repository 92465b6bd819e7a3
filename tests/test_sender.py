"""The sender on its own: order per chat, retries, replicas that never send a row twice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from bot.errors import DeliveryFailed, RateLimited
from bot.metrics import BotMetrics
from bot.ports import Button
from bot.sender import Sender, SenderPolicy
from store import Database, OutboxMessage, SystemClock
from store.outbox import enqueue_text


class RecordingTransport:
    """A channel that records what it is asked to deliver; can fail chosen texts once."""

    channel = "test"

    def __init__(
        self, fail_once: set[str] | None = None, telegram: list[tuple[int, str]] | None = None
    ) -> None:
        self.delivered: list[tuple[int, str]] = []
        self.telegram = [] if telegram is None else telegram
        """What arrived on the channel's side, from every replica, in arrival order."""
        self._fail_once = set(fail_once or ())

    def spacing(self, chat_id: int) -> float:
        return 0.0

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        await asyncio.sleep(0.001)
        if text in self._fail_once:
            self._fail_once.discard(text)
            raise DeliveryFailed("connection reset")
        self.delivered.append((chat_id, text))
        self.telegram.append((chat_id, text))
        return len(self.delivered)


def make_sender(
    database: Database, transport: RecordingTransport, *, max_in_flight: int = 64
) -> Sender:
    return Sender(
        database,
        {"test": transport},
        clock=SystemClock(),
        metrics=BotMetrics.create(CollectorRegistry()),
        policy=SenderPolicy(
            rate=10_000, first_backoff=0.05, max_backoff=0.1, max_in_flight=max_in_flight
        ),
    )


async def enqueue(database: Database, chat_id: int, *texts: str) -> None:
    async with database.transaction() as session:
        for text in texts:
            await enqueue_text(
                session, channel="test", chat_id=chat_id, text=text, now=datetime.now(UTC)
            )


async def deliver_all(*senders: Sender, rounds: int = 100) -> None:
    for _ in range(rounds):
        if not sum(await asyncio.gather(*(sender.deliver_pending() for sender in senders))):
            await asyncio.sleep(0.06)  # a retry may still be due
            if not sum(await asyncio.gather(*(s.deliver_pending() for s in senders))):
                return


async def test_a_failed_text_holds_back_the_chats_later_texts(database: Database) -> None:
    transport = RecordingTransport(fail_once={"first"})
    await enqueue(database, 7, "first", "second", "third")
    await enqueue(database, 8, "other chat")
    await deliver_all(make_sender(database, transport))
    assert [text for chat, text in transport.delivered if chat == 7] == ["first", "second", "third"]
    assert (8, "other chat") in transport.delivered


async def test_two_senders_on_one_database_never_send_a_row_twice(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("replicas need PostgreSQL; on SQLite one process sends")
    # In a deployment only the holder of the sending role sends (tests/test_replicas.py); should
    # two senders ever claim at once, they still never share a row. More chats than one claim
    # takes (64 rows), so that both senders find work.
    for chat in range(100):
        await enqueue(database, chat, *(f"{chat}:{n}" for n in range(2)))
    telegram: list[tuple[int, str]] = []
    first, second = RecordingTransport(telegram=telegram), RecordingTransport(telegram=telegram)
    await deliver_all(
        make_sender(database, first, max_in_flight=8),
        make_sender(database, second, max_in_flight=8),
    )
    assert len(telegram) == len(set(telegram)) == 200
    assert first.delivered and second.delivered, "both senders should have claimed a share"
    async with database.sessions() as session:
        statuses = set((await session.scalars(select(OutboxMessage.status))).all())
    assert statuses == {"sent"}
    for chat in range(100):
        assert [text for c, text in telegram if c == chat] == [f"{chat}:{n}" for n in range(2)]


class RateLimitedOnce(RecordingTransport):
    """Telegram says "too many requests" once, for longer than a claim's lease."""

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self._retry_after: float | None = retry_after

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        if self._retry_after is not None:
            retry_after, self._retry_after = self._retry_after, None
            raise RateLimited(retry_after)
        return await super().send(chat_id, text, buttons=buttons)


async def test_a_429_longer_than_the_lease_sends_each_text_once_and_in_order(
    database: Database,
) -> None:
    for chat in range(1, 6):
        await enqueue(database, chat, f"{chat}:first", f"{chat}:second")
    transport = RateLimitedOnce(retry_after=1.5)
    sender = Sender(
        database,
        {"test": transport},
        clock=SystemClock(),
        metrics=BotMetrics.create(CollectorRegistry()),
        policy=SenderPolicy(rate=10_000, lease_seconds=1.0, first_backoff=0.05),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    for _ in range(200):
        if len(transport.delivered) >= 10:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    assert sorted(transport.delivered) == sorted(
        (chat, f"{chat}:{part}") for chat in range(1, 6) for part in ("first", "second")
    )
    for chat in range(1, 6):
        assert [t for c, t in transport.delivered if c == chat] == [
            f"{chat}:first",
            f"{chat}:second",
        ]
