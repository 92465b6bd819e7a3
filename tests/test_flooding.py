"""A resident who floods is told once and answered at a pace: every message, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from bot.actions import DEFAULT_POLICY
from bot.dialogue import Dialogue
from bot.flooding import FloodLimit
from bot.inbound import Inbound
from bot.intake import Intake
from bot.metrics import BotMetrics
from bot.texts import say
from intents import Understanding
from store import Conversation, Database, InboundUpdate, Message, OutboxMessage
from tests.support.cases import actions_for

FLOODER = 10
NEIGHBOUR = 11
THANKS = {"fi": "kiitos", "sv": "tack", "en": "thanks"}


class FixedClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 2, 12, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def make_intake(database: Database, understanding: Understanding, clock: FixedClock) -> Intake:
    metrics = BotMetrics.create(CollectorRegistry())
    dialogue = Dialogue(
        actions=actions_for(database),
        policy=DEFAULT_POLICY,
        understand=understanding.parse,
        clock=clock,
        metrics=metrics,
    )
    return Intake(
        database,
        dialogue,
        channels={"test"},
        clock=clock,
        metrics=metrics,
        flood=FloodLimit(per_minute=20, pace=1.0),
    )


class Chat:
    """One chat's messages, numbered so that their order can be read back."""

    def __init__(self, chat_id: int, language: str = "fi", kind: str = "private") -> None:
        self.chat_id = chat_id
        self.language = language
        self.kind = kind
        self.sent = 0

    def next(self) -> Inbound:
        self.sent += 1
        return Inbound(
            channel="test",
            update_id=self.chat_id * 10_000 + self.sent,
            kind="text",
            chat_id=self.chat_id,
            chat_kind=self.kind,
            user_id=str(self.chat_id),
            language_code=self.language,
            text=f"{THANKS[self.language]} {self.sent}",
        )


async def drain(intake: Intake) -> int:
    """Handle whatever is due now; returns how many updates that was."""
    handled = 0
    while took := await intake.handle_pending():
        handled += took
    return handled


async def told(database: Database, chat_id: int) -> list[str]:
    async with database.sessions() as session:
        return list(
            await session.scalars(
                select(OutboxMessage.text)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)
            )
        )


async def written(database: Database, chat_id: int) -> list[str]:
    """The resident's messages as the conversation keeps them, in the order handled."""
    async with database.sessions() as session:
        return list(
            await session.scalars(
                select(Message.text)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.direction == "in", Conversation.chat_id == chat_id)
                .order_by(Message.id)
            )
        )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_flood_is_told_once_in_its_language_and_then_answered_one_a_pace(
    database: Database, understanding: Understanding, language: str
) -> None:
    clock = FixedClock()
    intake = make_intake(database, understanding, clock)
    flooder, neighbour = Chat(FLOODER, language), Chat(NEIGHBOUR)
    await intake.record_many([flooder.next() for _ in range(25)])
    await intake.record(neighbour.next())
    notice = say("flooding", language)

    assert await drain(intake) == 22  # twenty at once, the first paced one, and the neighbour
    texts = await told(database, FLOODER)
    assert texts.count(notice) == 1
    assert texts.index(notice) == 20, "the notice comes with the first message over the limit"
    assert len(await told(database, NEIGHBOUR)) == 1

    clock.advance(0.5)
    assert await drain(intake) == 0, "the next one waits for its turn"
    clock.advance(0.5)
    assert await drain(intake) == 1
    await intake.record(neighbour.next())  # the neighbour is not held up by the flood
    assert await drain(intake) == 1
    clock.advance(3)
    assert await drain(intake) == 3

    assert await written(database, FLOODER) == [f"{THANKS[language]} {n}" for n in range(1, 26)]
    assert (await told(database, FLOODER)).count(notice) == 1
    assert len(await told(database, FLOODER)) == 25 + 1


async def test_the_flood_goes_on_without_another_notice_until_the_chat_is_quiet(
    database: Database, understanding: Understanding
) -> None:
    clock = FixedClock()
    intake = make_intake(database, understanding, clock)
    flooder = Chat(FLOODER)
    await intake.record_many([flooder.next() for _ in range(21)])
    await drain(intake)
    for _ in range(3):  # bursts a few minutes apart: one episode
        clock.advance(240)
        await intake.record_many([flooder.next() for _ in range(5)])
        clock.advance(10)
        await drain(intake)
    assert (await told(database, FLOODER)).count(say("flooding", "fi")) == 1
    clock.advance(11 * 60)  # quiet for longer than an episode lasts
    await intake.record_many([flooder.next() for _ in range(21)])
    await drain(intake)
    assert (await told(database, FLOODER)).count(say("flooding", "fi")) == 2
    async with database.sessions() as session:
        unhandled = await session.scalar(
            select(func.count()).where(InboundUpdate.handled_at.is_(None))
        )
    assert unhandled == 0
    assert len(await written(database, FLOODER)) == flooder.sent


async def test_a_busy_group_is_no_flood(database: Database, understanding: Understanding) -> None:
    clock = FixedClock()
    intake = make_intake(database, understanding, clock)
    group = Chat(-100_500, kind="group")
    await intake.record_many([group.next() for _ in range(30)])
    assert await drain(intake) == 30
    assert await told(database, group.chat_id) == []


async def test_two_replicas_tell_a_flood_once_and_keep_its_order(
    database: Database, understanding: Understanding
) -> None:
    if database.is_sqlite:
        pytest.skip("replicas need PostgreSQL; on SQLite one process handles updates")
    clock = FixedClock()
    first = make_intake(database, understanding, clock)
    second = make_intake(database, understanding, clock)
    flooder = Chat(FLOODER, "en")
    # Both replicas store the flood at once (webhook requests land on either).
    for _ in range(5):
        batch = [flooder.next() for _ in range(8)]
        await asyncio.gather(first.record_many(batch[:4]), second.record_many(batch[4:]))
    for _ in range(30):
        await asyncio.gather(drain(first), drain(second))
        clock.advance(1)
    texts = await told(database, FLOODER)
    assert texts.count(say("flooding", "en")) == 1
    assert len(texts) == 40 + 1
    async with database.sessions() as session:
        stored = await session.scalars(
            select(InboundUpdate.update_id)
            .where(InboundUpdate.chat_id == FLOODER)
            .order_by(InboundUpdate.id)
        )
        stored_order = [f"thanks {update_id - FLOODER * 10_000}" for update_id in stored]
    assert await written(database, FLOODER) == stored_order
