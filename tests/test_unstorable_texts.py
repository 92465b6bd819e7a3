"""Texts no database would store as sent: NUL, lone surrogates, a megabyte. The resident is
answered and the text is kept, made storable, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import select

from bot.inbound import Inbound
from store import Message
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot


async def test_nul_and_lone_surrogates_are_replaced_and_the_resident_answered(
    database_url: str, telegram: FakeTelegram
) -> None:
    telegram.push_message(3001, "moi\x00 mitä kuuluu", language_code="fi")
    telegram.push_message(3002, "hello \ud800 there", language_code="en")
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        [nul_reply] = await telegram.wait_for_sent(1, chat_id=3001)
        [surrogate_reply] = await telegram.wait_for_sent(1, chat_id=3002)
        async with runtime.database.sessions() as session:
            incoming = select(Message.text).where(Message.direction == "in")
            texts = set(await session.scalars(incoming))
    assert nul_reply.text and surrogate_reply.text
    assert texts == {"moi\ufffd mitä kuuluu", "hello \ufffd there"}


async def test_a_megabyte_of_text_is_cut_to_telegrams_longest_and_answered(
    database_url: str, telegram: FakeTelegram
) -> None:
    telegram.push_message(3003, "moi " + "a" * 1_000_000, language_code="fi")
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        [reply] = await telegram.wait_for_sent(1, chat_id=3003)
        async with runtime.database.sessions() as session:
            [text] = await session.scalars(select(Message.text).where(Message.direction == "in"))
    assert reply.text
    assert text == "moi " + "a" * 4092


def test_the_length_as_sent_travels_with_a_cut_text() -> None:
    inbound = Inbound(channel="telegram", update_id=1, kind="text", chat_id=1, text="x" * 5000)
    stored = Inbound.from_payload("telegram", 1, inbound.to_payload())
    assert (len(stored.text or ""), stored.text_length) == (4096, 5000)
