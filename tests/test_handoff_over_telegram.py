"""The residents' side of the handoff, through Telegram: the promise, silence while people have
the thread, /botti, and a failing bot giving the conversation to people."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import DEFAULT_POLICY
from bot.dialogue import Dialogue
from bot.handoff import HandoffEdge, WithPeople
from bot.intake import Intake
from bot.metrics import BotMetrics
from intents import Understanding
from routing import HELSINKI, Router
from store import Conversation, Database, InboxEvent, OutboxMessage
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import make_team
from tests.support.cases import actions_for
from tests.support.clock import ShiftedClock
from tests.support.running import bot_settings, running_bot
from tests.test_intake import text_update

WEEKDAYS_8_TO_16 = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}
TUESDAY_10 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
FRIDAY_17 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 17:00 in Helsinki: closed


async def streets(runtime: Any) -> None:
    await make_team(
        runtime.database,
        "default",
        name_fi="Katujen kunnossapito",
        name_sv="Gatuunderhåll",
        name_en="Street maintenance",
        office_hours=WEEKDAYS_8_TO_16,
        sla_minutes=240,
    )
    await runtime.router.refresh()


async def conversation_of(runtime: Any, chat_id: int) -> Conversation:
    async with runtime.database.sessions() as session:
        found = await session.scalar(select(Conversation).where(Conversation.chat_id == chat_id))
        assert found is not None
        return found


async def test_asking_for_a_person_gets_the_promise_and_then_silence_until_botti(
    database_url: str, telegram: FakeTelegram
) -> None:
    clock = ShiftedClock.at(TUESDAY_10)
    async with running_bot(bot_settings(database_url, telegram), clock=clock) as bot:
        await streets(bot)
        telegram.push_message(9001, "haluan puhua ihmisen kanssa")
        [promise] = await telegram.wait_for_sent(1, chat_id=9001)
        waiting = await conversation_of(bot, 9001)
        telegram.push_message(9001, "onko mitään uutta?")
        telegram.push_message(9001, "haloo?")
        await asyncio.sleep(1.5)
        quiet = len(telegram.sent(chat_id=9001))
        telegram.push_message(9001, "/botti")
        _, back = await telegram.wait_for_sent(2, chat_id=9001)
        telegram.push_message(9001, "moi")
        *_, greeting = await telegram.wait_for_sent(3, chat_id=9001)
        async with bot.database.sessions() as session:
            kinds = list(await session.scalars(select(InboxEvent.kind).order_by(InboxEvent.id)))
    assert promise.text == (
        "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo 8–16; saat "
        "vastauksen viimeistään tänään klo 14.00."
    )
    assert (waiting.state, waiting.handoff_reason) == ("waiting", "asked")
    assert quiet == 1, "the bot answered while people had the conversation"
    assert back.text == "Olet taas botin kanssa. Miten voin auttaa?"
    assert greeting.text.startswith("Hei! Olen Kaupunkitalkkari")
    assert kinds == ["waiting", "message", "message", "released"]


async def test_outside_office_hours_the_promise_says_so_in_the_residents_language(
    database_url: str, telegram: FakeTelegram
) -> None:
    clock = ShiftedClock.at(FRIDAY_17)
    async with running_bot(bot_settings(database_url, telegram), clock=clock) as bot:
        await streets(bot)
        telegram.push_message(9002, "I want to talk to a person", language_code="en")
        [promise] = await telegram.wait_for_sent(1, chat_id=9002)
        telegram.push_message(9003, "jag vill prata med en människa", language_code="sv")
        [swedish] = await telegram.wait_for_sent(1, chat_id=9003)
    assert promise.text.startswith("Your message is with the Street maintenance team.")
    assert "We are closed now; we open again on Monday at 8:00" in promise.text
    assert "by Monday 12:00" in promise.text
    assert swedish.text.startswith("Ditt meddelande")
    assert "Gatuunderhåll" in swedish.text


class ActionThatBreaks(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_that_breaks"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise RuntimeError("a bug in an action")


async def test_a_failing_bot_gives_the_conversation_to_people(
    database: Database, understanding: Understanding
) -> None:
    await make_team(
        database,
        "default",
        name_en="Street maintenance",
        office_hours=WEEKDAYS_8_TO_16,
        sla_minutes=240,
    )
    router = Router(database, timezone=HELSINKI)
    await router.refresh()
    clock = ShiftedClock.at(TUESDAY_10)
    metrics = BotMetrics.create(CollectorRegistry())
    dialogue = Dialogue(
        actions=[*actions_for(database), ActionThatBreaks()],
        policy={**DEFAULT_POLICY, "greet": "action_that_breaks"},
        understand=understanding.parse,
        clock=clock,
        metrics=metrics,
        edges=[HandoffEdge()],
        people=WithPeople(router, timezone=HELSINKI),
    )
    intake = Intake(database, dialogue, channels={"test"}, clock=clock, metrics=metrics)
    await intake.record(text_update(1, 10, "hello"))  # breaks
    await intake.handle_pending()
    await intake.record(text_update(2, 10, "haloo?"))  # people have it now: silence
    await intake.handle_pending()
    async with database.sessions() as session:
        said = list(await session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))
        handed = await session.scalar(select(Conversation).where(Conversation.chat_id == 10))
    assert said == [
        "Something went wrong on our side. Your message is saved.",
        "Your message is with the Street maintenance team. We answer on weekdays 8–16; you "
        "will hear from us today by 14:00.",
    ]
    assert handed is not None
    assert (handed.state, handed.handoff_reason) == ("waiting", "bot_failed")


class ActionThatHangs(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_that_hangs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        await asyncio.sleep(60)
        return []


async def test_a_bot_that_hangs_gives_the_conversation_to_people_too(
    database: Database, understanding: Understanding
) -> None:
    await make_team(database, "default", office_hours=WEEKDAYS_8_TO_16)
    router = Router(database, timezone=HELSINKI)
    await router.refresh()
    metrics = BotMetrics.create(CollectorRegistry())
    clock = ShiftedClock.at(TUESDAY_10)
    dialogue = Dialogue(
        actions=[*actions_for(database), ActionThatHangs()],
        policy={**DEFAULT_POLICY, "greet": "action_that_hangs"},
        understand=understanding.parse,
        clock=clock,
        metrics=metrics,
        edges=[HandoffEdge()],
        people=WithPeople(router, timezone=HELSINKI),
        action_timeout=0.2,
    )
    intake = Intake(database, dialogue, channels={"test"}, clock=clock, metrics=metrics)
    await intake.record(text_update(1, 10, "hello"))
    await asyncio.wait_for(intake.handle_pending(), timeout=5)
    async with database.sessions() as session:
        said = list(await session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))
        handed = await session.scalar(select(Conversation).where(Conversation.chat_id == 10))
    assert said[0].startswith("Something went wrong on our side.")
    assert said[1].startswith("Your message is with the default (en) team.")
    assert handed is not None
    assert (handed.state, handed.handoff_reason) == ("waiting", "bot_failed")
