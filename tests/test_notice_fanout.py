"""Fan-out of area notices: replicas that never deliver a notice to a chat twice, and
Telegram's flood limits (30/s, 429s) that lose nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from bot.metrics import BotMetrics
from bot.notices import NoticeDispatcher
from bot.ports import Button
from bot.sender import Sender, SenderPolicy
from knowledge.areas import area_registry
from store import Database, OutboxMessage, SystemClock
from tests.fakes.telegram import FakeTelegram, TelegramLimits
from tests.support.notices import (
    KALLIO,
    add_group,
    add_notices,
    add_subscribers,
    notice_state,
    until_notice_state,
)
from tests.support.running import TELEGRAM_PACING, bot_settings, running_bot


class SharedWire:
    """A channel whose every arrival, from every replica, lands in one list."""

    channel = "test"

    def __init__(self, arrived: list[tuple[int, str]]) -> None:
        self.arrived = arrived
        self.sent = 0

    def spacing(self, chat_id: int) -> float:
        return 0.0

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        await asyncio.sleep(0.001)
        self.arrived.append((chat_id, text))
        self.sent += 1
        return len(self.arrived)


async def test_two_dispatchers_and_senders_on_postgresql_deliver_each_notice_once(
    database: Database,
) -> None:
    if database.is_sqlite:
        pytest.skip("replicas need PostgreSQL; on SQLite one process sends")
    await add_subscribers(database, range(1, 301), KALLIO, channel="test")
    await add_group(database, -1, KALLIO, channel="test")
    ids = await add_notices(database, 6, KALLIO)
    arrived: list[tuple[int, str]] = []
    wires = [SharedWire(arrived), SharedWire(arrived)]
    replicas = [
        (
            NoticeDispatcher(database, clock=SystemClock(), registry=area_registry()),
            Sender(
                database,
                {"test": wire},
                clock=SystemClock(),
                metrics=BotMetrics.create(CollectorRegistry()),
                policy=SenderPolicy(rate=10_000, max_in_flight=16),
            ),
        )
        for wire in wires
    ]
    # Both dispatch at once, and again (as every second): SKIP LOCKED shares the notices.
    queued = await asyncio.gather(*(d.dispatch_due() for d, _ in replicas for _ in range(2)))
    assert sum(queued) == 6 * 301
    for _ in range(50):
        tried = await asyncio.gather(*(sender.deliver_pending() for _, sender in replicas))
        if not sum(tried):
            break
    await asyncio.gather(*(d.dispatch_due() for d, _ in replicas))
    assert len(arrived) == 6 * 301
    assert not [item for item, n in Counter(arrived).items() if n > 1]
    # Outside the sending role's election (deliver_pending): both claim, never the same row.
    assert all(wire.sent for wire in wires), "both senders should have claimed a share"
    for notice_id in ids:
        assert await notice_state(database, notice_id) == "sent"


async def test_telegrams_flood_limits_lose_nothing_and_send_nothing_twice(
    database_url: str,
) -> None:
    chats = range(7000, 7300)
    # Faster than Telegram allows, so that it answers 429 and the sender pauses.
    with FakeTelegram(limits=TelegramLimits()) as telegram:
        settings = bot_settings(database_url, telegram, send_rate=40.0, **TELEGRAM_PACING)
        async with running_bot(settings) as bot:
            await add_subscribers(bot.database, chats, KALLIO)
            await add_group(bot.database, -7001, KALLIO)
            [notice_id] = await add_notices(bot.database, 1, KALLIO)
            await until_notice_state(bot.database, notice_id, "sent", within=90)
            async with bot.database.sessions() as session:
                statuses = dict(
                    (
                        await session.execute(
                            select(OutboxMessage.status, func.count())
                            .where(OutboxMessage.notice_id == notice_id)
                            .group_by(OutboxMessage.status)
                        )
                    ).all()
                )
        sent = Counter(message.chat_id for message in telegram.sent())
        rejected = telegram.rejected_429
    assert statuses == {"sent": 301}
    assert set(sent) == {*chats, -7001} and set(sent.values()) == {1}
    assert rejected > 0, "the test should have met Telegram's limit"
