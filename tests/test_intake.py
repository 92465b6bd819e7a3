"""Intake: stored once, handled once, in order per chat, also by two workers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from rasa_sdk import Action
from sqlalchemy import func, select

from bot.actions import DEFAULT_POLICY
from bot.dialogue import Dialogue
from bot.inbound import Inbound
from bot.intake import Intake
from bot.metrics import BotMetrics
from intents import Understanding
from store import Database, InboundUpdate, Message, OutboxMessage, SystemClock
from tests.support.cases import actions_for


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def make_intake(database: Database, understanding: Understanding, clock: object = None) -> Intake:
    clock = clock or SystemClock()
    metrics = BotMetrics.create(CollectorRegistry())
    dialogue = Dialogue(
        actions=actions_for(database),
        policy=DEFAULT_POLICY,
        understand=understanding.parse,
        clock=clock,  # type: ignore[arg-type]
        metrics=metrics,
    )
    return Intake(database, dialogue, channels={"test"}, clock=clock, metrics=metrics)  # type: ignore[arg-type]


def text_update(update_id: int, chat_id: int, text: str) -> Inbound:
    return Inbound(
        channel="test",
        update_id=update_id,
        kind="text",
        chat_id=chat_id,
        user_id=str(chat_id),
        language_code="en",
        text=text,
    )


async def test_an_update_is_stored_once(database: Database, understanding: Understanding) -> None:
    intake = make_intake(database, understanding)
    assert await intake.record(text_update(1, 10, "hello")) is True
    assert await intake.record(text_update(1, 10, "hello")) is False
    assert await intake.handle_pending() == 1
    assert await intake.handle_pending() == 0


async def test_two_workers_handle_each_update_once_and_each_chat_in_order(
    database: Database, understanding: Understanding
) -> None:
    if database.is_sqlite:
        pytest.skip("replicas need PostgreSQL; on SQLite one process handles updates")
    first, second = make_intake(database, understanding), make_intake(database, understanding)
    chats = range(100, 120)  # more chats than one batch takes, so that both find work
    update_id = 0
    for round_ in range(4):
        for chat in chats:
            update_id += 1
            await first.record(text_update(update_id, chat, f"hello {round_}"))
    handled = {id(first): 0, id(second): 0}

    async def drain(intake: Intake) -> None:
        while took := await intake.handle_pending(limit=7):
            handled[id(intake)] += took
            await asyncio.sleep(0)

    for _ in range(20):  # a worker skips what the other holds; both go on until all is done
        await asyncio.gather(drain(first), drain(second))
        async with database.sessions() as session:
            left = await session.scalar(
                select(func.count()).where(InboundUpdate.handled_at.is_(None))
            )
        if not left:
            break
    async with database.sessions() as session:
        replies = await session.scalar(select(func.count()).select_from(OutboxMessage))
        incoming = (
            await session.execute(
                select(Message.conversation_id, Message.text)
                .where(Message.direction == "in")
                .order_by(Message.id)
            )
        ).all()
    assert replies == update_id
    assert all(handled.values()), "both workers should have taken a share"
    by_conversation: dict[int, list[str]] = {}
    for conversation_id, text in incoming:
        by_conversation.setdefault(conversation_id, []).append(text)
    assert len(by_conversation) == len(chats)
    for texts in by_conversation.values():
        assert texts == [f"hello {round_}" for round_ in range(4)]


async def test_handled_updates_are_forgotten_after_a_week(
    database: Database, understanding: Understanding
) -> None:
    clock = FixedClock(datetime(2026, 11, 2, 12, tzinfo=UTC))
    intake = make_intake(database, understanding, clock)
    await intake.record(text_update(1, 10, "hello"))
    await intake.handle_pending()
    await intake.record(text_update(2, 10, "hello"))  # not handled yet: kept however old
    clock.current += timedelta(days=8)
    assert await intake.prune_handled() == 1
    assert await intake.record(text_update(2, 10, "hello")) is False


class ActionThatBreaks(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_that_breaks"

    async def run(self, dispatcher: object, tracker: object, domain: object) -> list[object]:
        raise RuntimeError("a bug in an action")


async def test_an_update_that_breaks_the_dialogue_gets_an_apology_and_blocks_nothing(
    database: Database, understanding: Understanding
) -> None:
    metrics = BotMetrics.create(CollectorRegistry())
    dialogue = Dialogue(
        actions=[*actions_for(database), ActionThatBreaks()],
        policy={**DEFAULT_POLICY, "greet": "action_that_breaks"},
        understand=understanding.parse,
        clock=SystemClock(),
        metrics=metrics,
    )
    intake = Intake(database, dialogue, channels={"test"}, clock=SystemClock(), metrics=metrics)
    await intake.record(text_update(1, 10, "hello"))  # breaks
    await intake.record(text_update(2, 11, "thanks"))  # another chat in the same batch
    assert await intake.handle_pending() == 2
    await intake.record(text_update(3, 10, "thank you"))  # the same resident, later
    assert await intake.handle_pending() == 1
    async with database.sessions() as session:
        said = (
            await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.text).order_by(OutboxMessage.id)
            )
        ).all()
        outcomes = (
            await session.scalars(select(InboundUpdate.outcome).order_by(InboundUpdate.update_id))
        ).all()
        kept = await session.scalar(select(Message.text).where(Message.text == "hello"))
    assert outcomes == ["failed", "answered", "answered"]
    assert [text for chat, text in said if chat == 10] == [
        "Something went wrong on our side. Your message is saved.",
        "You're welcome! Tell me if there is anything else I can help with.",
    ]
    assert [text[:14] for chat, text in said if chat == 11] == ["You're welcome"]
    assert kept == "hello"
