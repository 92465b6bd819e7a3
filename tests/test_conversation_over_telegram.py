"""A resident's Telegram message, end to end: fake Bot API → store → dialogue → outbox → reply."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from store import Database, InboundUpdate, Message
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot


@pytest.mark.parametrize(
    ("text", "language_code", "expected"),
    [
        ("moi", "fi", "Hei! Olen Kaupunkitalkkari"),
        ("hej", "sv", "Hej! Jag är Stadsvaktmästaren"),
        ("hello", "en", "Hello! I am the City Caretaker"),
        # The message's own language wins over the app's.
        ("hej", "fi", "Hej! Jag är Stadsvaktmästaren"),
    ],
)
async def test_a_greeting_is_answered_in_its_language(
    database_url: str, telegram: FakeTelegram, text: str, language_code: str, expected: str
) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(1001, text, language_code=language_code)
        [reply] = await telegram.wait_for_sent(1, chat_id=1001)
    assert reply.text.startswith(expected)


async def test_without_a_recognisable_language_the_app_language_decides(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(1002, "/start", language_code="sv")
        telegram.push_message(1003, "/start", language_code="de")
        [swedish] = await telegram.wait_for_sent(1, chat_id=1002)
        [finnish] = await telegram.wait_for_sent(1, chat_id=1003)
    assert swedish.text.startswith("Jag är stadens bot")
    assert finnish.text.startswith("Olen kaupungin botti")


async def test_the_conversation_keeps_the_residents_language(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(1004, "hello", language_code="fi")
        await telegram.wait_for_sent(1, chat_id=1004)
        telegram.push_message(1004, "qwzx", language_code="fi")
        _, second = await telegram.wait_for_sent(2, chat_id=1004)
    assert second.text.startswith("Sorry, I did not understand")


async def test_the_same_update_twice_is_stored_and_answered_once(
    database_url: str, telegram: FakeTelegram
) -> None:
    update = telegram.update_json(1005, "moi")
    telegram.push_update(update)
    telegram.push_update(update)  # re-delivered before the first was acknowledged
    telegram.push_message(1005, "hello")  # a later update shows the duplicate was passed
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        await telegram.wait_for_sent(2, chat_id=1005)
        stored = await _count(runtime.database, InboundUpdate)
        incoming = await _count(runtime.database, Message, Message.direction == "in")
    assert [m.text[:5] for m in telegram.sent(1005)] == ["Hei! ", "Hello"]
    assert (stored, incoming) == (2, 2)


async def test_a_message_without_text_gets_a_clear_answer(
    database_url: str, telegram: FakeTelegram
) -> None:
    update = telegram.update_json(1006, "placeholder", language_code="en")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "sticker-1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_update(update)
        [reply] = await telegram.wait_for_sent(1, chat_id=1006)
    assert reply.text == "I can only read text. Write your question as a message and I will help."


async def test_a_malformed_update_is_skipped_and_later_ones_answered(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        broken = telegram.push_update({"update_id": 555_000, "message": {"text": "no chat"}})
        telegram.push_message(1007, "moi")
        await telegram.wait_for_sent(1, chat_id=1007)
        async with runtime.database.sessions() as session:
            outcome = await session.scalar(
                select(InboundUpdate.outcome).where(InboundUpdate.update_id == broken)
            )
    assert outcome == "ignored"


async def test_group_messages_are_not_answered(database_url: str, telegram: FakeTelegram) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(-100123, "moi", chat_type="group", user_id=42)
        telegram.push_message(1008, "moi")
        await telegram.wait_for_sent(1, chat_id=1008)
    assert telegram.sent(-100123) == []


async def _count(database: Database, model: type, *where: object) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))
