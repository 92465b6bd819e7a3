"""Delivery through the outbox: Telegram's refusals and limits, long texts, order."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from store import Conversation, Database, Message, OutboxMessage
from store.outbox import enqueue_text
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot


async def test_a_429_delays_all_sending_and_loses_nothing(
    database_url: str, telegram: FakeTelegram
) -> None:
    telegram.fail(
        "sendMessage", status=429, description="Too Many Requests: retry after 2", retry_after=2
    )
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(3001, "moi")
        await telegram.wait_for_calls("sendMessage", 1)
        telegram.push_message(3002, "hello")  # another chat must wait out the pause too
        first = (await telegram.wait_for_sent(1, chat_id=3001))[0]
        second = (await telegram.wait_for_sent(1, chat_id=3002))[0]
    refused_at = telegram.calls_of("sendMessage")[0].at
    assert first.text.startswith("Hei!")
    assert first.at - refused_at >= 1.9
    assert second.at - refused_at >= 1.9
    assert len(telegram.sent()) == 2


async def test_a_chat_that_blocked_the_bot_is_marked_inactive(
    database_url: str, telegram: FakeTelegram
) -> None:
    telegram.block(3003)
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(3003, "moi")
        telegram.push_message(3004, "moi")
        await telegram.wait_for_sent(1, chat_id=3004)
        await telegram.wait_for_calls("sendMessage", 2)
    # The bot has stopped, which it does only after recording what its sends came to.
    database = Database(database_url)
    async with database.sessions() as session:
        blocked = await session.scalar(select(Conversation).where(Conversation.chat_id == 3003))
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 3003))
    await database.dispose()
    assert blocked is not None and row is not None
    assert (blocked.active, blocked.blocked_at is not None) == (False, True)
    assert (row.status, row.last_error) == ("failed", "Forbidden: bot was blocked by the user")
    assert len(telegram.calls_of("sendMessage")) == 2  # no retries to a chat that blocked us


async def test_transient_failures_are_retried(database_url: str, telegram: FakeTelegram) -> None:
    telegram.fail("sendMessage", status=502, description="Bad Gateway", times=2)
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(3005, "hello")
        [reply] = await telegram.wait_for_sent(1, chat_id=3005, timeout=20)
    assert reply.text.startswith("Hello!")
    assert len(telegram.calls_of("sendMessage")) == 3


async def test_a_long_message_is_stored_whole_and_answered(
    database_url: str, telegram: FakeTelegram
) -> None:
    text = ("Kadulla on kuoppa ja katuvalo ei toimi. " * 125)[:4096]  # Telegram's longest
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        telegram.push_message(3006, text, language_code="fi")
        [reply] = await telegram.wait_for_sent(1, chat_id=3006)
        async with runtime.database.sessions() as session:
            stored = await session.scalar(select(Message.text).where(Message.direction == "in"))
    assert stored == text
    # Understood as a report; with no teams set up the bot says nobody here can take it.
    assert reply.text.startswith("Täällä ei ole ketään, joka voisi ottaa keskustelun")


async def test_a_reply_over_4096_characters_arrives_split_in_order(
    database_url: str, telegram: FakeTelegram
) -> None:
    paragraphs = [f"Kappale {n}: " + "sana " * 150 for n in range(1, 21)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 3 * 4096
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        async with runtime.database.transaction() as session:
            await enqueue_text(
                session, channel="telegram", chat_id=3007, text=text, now=datetime.now(UTC)
            )
        runtime.sender.wake()
        parts = await telegram.wait_for_sent(4, chat_id=3007, timeout=30)
    assert all(len(part.text) <= 4096 for part in parts)
    assert [p.split(":")[0] for p in "\n\n".join(m.text for m in parts).split("\n\n")] == [
        f"Kappale {n}" for n in range(1, 21)
    ]
    assert " ".join(m.text for m in parts).split() == text.split()
