"""Privacy, end to end over Telegram: what is stored (``/privacy``), a copy of it (``/mydata``,
a JSON file) and being forgotten (``/forget``), which leaves nothing of the resident in any
table — a walk over every table and column of the models, so a table added later is covered."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from bot.actions.privacy import forget_payload
from bot.privacy import CITY_PRIVACY_PAGES
from bot.texts import say
from store import AuditEntry, Base, Database, InboxEvent, LocalCase, OutboxMessage, Team
from talkkari.runtime import Runtime
from tests.fakes.telegram import FakeTelegram, SentMessage
from tests.support.admin import AdminClient, make_official, make_team
from tests.support.city import city_topics
from tests.support.running import bot_settings, running_bot

CASE = "HEL 2024-007007"
FORGOTTEN = 770_012_345
"""The resident who asks to be forgotten: an id no other value in the tests contains."""
STAYS = 880_054_321
"""Another resident, talking at the same time."""

FORGOTTEN_SAYS = [
    "hei vaan",
    f"haluan seurata asiaa {CASE}",
    "tilaa Kallion tiedotteet",
    "haluan puhua ihmisen kanssa",
]
"""Each is answered once; the last hands the conversation over to people."""
WHILE_WAITING = "katuvalo on rikki kotikadullani Pihlajamäessä"
STAYS_SAYS = ["moikka", "tilaa Vallilan tiedotteet"]
OFFICIAL_REPLY = "Selvitän katuvalon korjauksen huomiseen mennessä."
NOTE = "Asukas toivoo soittoa iltapäivällä."


async def say_and_wait(telegram: FakeTelegram, chat: int, text: str, **kw: Any) -> SentMessage:
    before = len(telegram.sent(chat))
    telegram.push_message(chat, text, **kw)
    return (await telegram.wait_for_sent(before + 1, chat_id=chat))[-1]


async def press_and_wait(
    telegram: FakeTelegram, chat: int, data: str, **kw: Any
) -> SentMessage:
    before = len(telegram.sent(chat))
    telegram.push_callback_query(chat, data, **kw)
    return (await telegram.wait_for_sent(before + 1, chat_id=chat))[-1]


async def eventually(
    check: Callable[[], Awaitable[bool]],
    what: str,
    timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
) -> None:
    """Wait until ``check()`` holds (polling: these are changes in the database)."""
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} within {timeout} s")


async def street_team(bot: Runtime) -> None:
    team = await make_team(bot.database, "default", name_fi="Kaupunkineuvonta")
    await make_official(
        bot.database,
        email="aino@hel.fi",
        role="official",
        teams=[team],
        name="Aino Virtanen",
        title="Katuasiantuntija",
    )
    await bot.router.refresh()


async def register_case(database: Database) -> None:
    async with database.transaction() as session:
        session.add(LocalCase(diary_number=CASE, title="Katuvalojen uusiminen", status="Vireillä"))


async def every_value(database: Database) -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every non-empty value in every table of the models."""
    found = []
    async with database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is not None:
                        found.append((table.name, column, _as_text(value)))
    return found


def _as_text(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def holding(values: Iterable[tuple[str, str, str]], secrets: Iterable[str]) -> list[Any]:
    wanted = list(secrets)
    return [(t, c, v[:80]) for t, c, v in values if any(secret in v for secret in wanted)]


async def farewell_gone(database: Database) -> bool:
    """The farewell was sent and, being sent, deleted: no outbox row for the chat is left."""
    async with database.sessions() as session:
        erased = await session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "resident.erase")
        )
        chats = set(await session.scalars(select(OutboxMessage.chat_id)))
    return erased is not None and FORGOTTEN not in chats


async def test_forgetting_leaves_nothing_of_the_resident_in_any_table(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        await street_team(bot)
        await register_case(bot.database)
        for mine, theirs in zip(FORGOTTEN_SAYS, [*STAYS_SAYS, None, None], strict=True):
            await say_and_wait(telegram, FORGOTTEN, mine)
            if theirs:
                await say_and_wait(telegram, STAYS, theirs)
        telegram.push_message(FORGOTTEN, WHILE_WAITING)  # people have it: the bot is quiet
        async with AdminClient.of(bot) as official:
            await official.login("aino@hel.fi")
            [waiting] = (await official.get_ok("/conversations", state="waiting"))["items"]
            path = f"/conversations/{waiting['id']}"

            async def heard() -> bool:
                thread = await official.get_ok(path)
                return WHILE_WAITING in [message["text"] for message in thread["messages"]]

            await eventually(heard, "the official did not see the message")
            await official.post_ok(f"{path}/claim")
            await official.post_ok(f"{path}/messages", {"text": OFFICIAL_REPLY})
            await official.post_ok(f"{path}/notes", {"text": NOTE})
            await telegram.wait_for_sent(len(FORGOTTEN_SAYS) + 2, chat_id=FORGOTTEN)

            # While the official has the thread, the resident takes a copy and asks to be
            # forgotten: the bot answers these even now.
            coming = await say_and_wait(telegram, FORGOTTEN, "/mydata")
            [export] = await telegram.wait_for_documents(1, chat_id=FORGOTTEN)
            question = await say_and_wait(telegram, FORGOTTEN, "/forget")
            farewell = await press_and_wait(telegram, FORGOTTEN, forget_payload("yes"))
            await eventually(partial(farewell_gone, bot.database), "the farewell stayed")
            inbox = await official.get_ok("/conversations")
        values = await every_value(bot.database)
        async with bot.database.sessions() as session:
            audit = list(
                await session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "resident.erase")
                )
            )
            told = (
                await session.execute(
                    select(InboxEvent.conversation_id, Team.key)
                    .join(Team, Team.id == InboxEvent.team_id)
                    .where(InboxEvent.kind == "erased")
                )
            ).all()

    assert coming.text == say("my_data_coming", "fi")
    exported = json.loads(export.file.data)
    assert export.file.filename.endswith(".json")
    assert [m["text"] for m in exported["conversations"][0]["messages"]][:2] == [
        "hei vaan",
        say("greet", "fi"),
    ]
    assert question.reply_markup is not None
    buttons = [row[0]["callback_data"] for row in question.reply_markup["inline_keyboard"]]
    assert buttons == [forget_payload("yes"), forget_payload("no")]
    assert all(len(data.encode()) <= 64 for data in buttons)
    assert farewell.text == say("forgotten", "fi")

    # Nothing anywhere holds their id (as a number, as text, inside JSON) or their words.
    their_words = [
        *FORGOTTEN_SAYS,
        WHILE_WAITING,
        "/mydata",
        "/forget",
        forget_payload("yes"),
        OFFICIAL_REPLY,
        NOTE,
    ]
    assert holding(values, [str(FORGOTTEN), *their_words]) == []
    # The other resident is untouched.
    assert {"moikka", "tilaa Vallilan tiedotteet"} <= {v for t, c, v in values if t == "messages"}
    assert ("area_subscriptions", "area") in {(t, c) for t, c, _ in values}
    assert any(str(STAYS) == v for t, c, v in values if (t, c) == ("residents", "external_id"))
    # The inbox no longer shows them, and an open one was told at once (naming no one);
    # the erasure is audited with counts only.
    assert inbox["items"] == []
    assert told == [(None, "default")]
    [erased] = audit
    assert (erased.actor, erased.object_type, erased.object_id) == (
        "resident",
        "resident",
        "erased",
    )
    counts = erased.after or {}
    assert counts["residents"] == counts["conversations"] == 1
    assert counts["case_follows"] == counts["area_subscriptions"] == counts["notes"] == 1
    assert counts["messages"] >= 2 * len(FORGOTTEN_SAYS)


async def test_the_export_holds_every_message_and_subscription_and_nothing_of_others(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        await register_case(bot.database)
        mine = ["hello", "subscribe to Kallio notices", f"follow {CASE}", "subscribe to Vallila"]
        others = ["hej", "prenumerera på meddelanden för Berghäll", "tack"]
        for turn in range(max(len(mine), len(others))):
            if turn < len(mine):
                telegram.push_message(FORGOTTEN, mine[turn], language_code="en")
            if turn < len(others):
                telegram.push_message(STAYS, others[turn], language_code="sv")
            await telegram.wait_for_sent(min(turn + 1, len(mine)), chat_id=FORGOTTEN)
            await telegram.wait_for_sent(min(turn + 1, len(others)), chat_id=STAYS)
        await say_and_wait(telegram, FORGOTTEN, "/mydata", language_code="en")
        [document] = await telegram.wait_for_documents(1, chat_id=FORGOTTEN)
        sent_to_them = [message.text for message in telegram.sent(FORGOTTEN)]
        sent_to_others = [message.text for message in telegram.sent(STAYS)]

    exported = json.loads(document.file.data)
    assert document.caption == say("my_data_caption", "en")
    assert exported["resident"]["id"] == str(FORGOTTEN)
    assert exported["resident"]["language"] == "en"
    [conversation] = exported["conversations"]
    assert conversation["chat_id"] == FORGOTTEN
    messages = conversation["messages"]
    assert [m["text"] for m in messages if m["direction"] == "in"] == [*mine, "/mydata"]
    assert [m["text"] for m in messages if m["direction"] == "out"] == sent_to_them
    assert all(m["at"] for m in messages)
    areas = [subscription["area"] for subscription in conversation["area_subscriptions"]]
    assert len(areas) == 2 and all(area.startswith("district:") for area in areas)
    assert [follow["diary_number"] for follow in conversation["case_follows"]] == [CASE]
    text = document.file.data.decode()
    assert str(STAYS) not in text
    assert not [said for said in [*others, *sent_to_others] if said in text]


PRIVACY_TRANSCRIPTS = {
    "fi": ("mitä tietoja minusta tallennetaan", "Tallennan viestisi", "12 kuukautta"),
    "sv": ("vilka uppgifter sparas om mig", "Jag sparar dina meddelanden", "12 månader"),
    "en": ("what data do you store about me", "I store your messages", "12 months"),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_bot_tells_what_it_stores_and_where_the_notice_is(
    database_url: str, telegram: FakeTelegram, language: str
) -> None:
    asked, begins, period = PRIVACY_TRANSCRIPTS[language]
    chat = {"fi": 7101, "sv": 7102, "en": 7103}[language]
    async with running_bot(bot_settings(database_url, telegram)):
        told = await say_and_wait(telegram, chat, asked, language_code=language)
        helped = await say_and_wait(telegram, chat, "/start", language_code=language)
        by_command = await say_and_wait(telegram, chat, "/privacy", language_code=language)
        asked_first = await say_and_wait(telegram, chat, "/forget", language_code=language)
        cancelled = await press_and_wait(telegram, chat, forget_payload("no"))
        still_here = await say_and_wait(telegram, chat, "/privacy", language_code=language)
    notice = CITY_PRIVACY_PAGES[language]
    assert told.text.startswith(begins) and period in told.text
    assert told.text.endswith(notice) and "/mydata" in told.text and "/forget" in told.text
    assert by_command.text == told.text
    assert notice in helped.text and "/privacy" in helped.text
    assert asked_first.text == say("forget_question", language)
    assert cancelled.text == say("forget_cancelled", language)
    assert still_here.text == told.text  # nothing was deleted


async def test_the_notice_address_and_the_period_are_settings(
    database_url: str, telegram: FakeTelegram
) -> None:
    notice = "https://example.org/talkkari/tietosuoja"
    settings = bot_settings(database_url, telegram, privacy_notice_url=notice, retention_months=6)
    async with running_bot(settings):
        told = await say_and_wait(telegram, 7104, "/privacy", language_code="en")
        helped = await say_and_wait(telegram, 7104, "/help", language_code="en")
    assert "6 months" in told.text and told.text.endswith(notice)
    assert helped.text.endswith(notice)


async def test_the_privacy_commands_are_in_the_menu(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        await telegram.wait_for_calls("setMyCommands", 3)
    commands = [command["command"] for command in telegram.commands(language_code="sv")]
    assert {"privacy", "mydata", "forget"} <= set(commands)


async def test_the_farewell_to_a_blocked_chat_is_dropped_too(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        await say_and_wait(telegram, FORGOTTEN, "hei vaan")
        await say_and_wait(telegram, FORGOTTEN, "/forget")
        telegram.block(FORGOTTEN)
        telegram.push_callback_query(FORGOTTEN, forget_payload("yes"))
        await eventually(partial(farewell_gone, bot.database), "the farewell stayed")
        values = await every_value(bot.database)
    assert holding(values, [str(FORGOTTEN), "hei vaan"]) == []


def test_the_notice_addresses_are_the_citys_own() -> None:
    [topic] = [
        topic
        for topic in city_topics()
        if topic["id"] == "information_requests_and_data_protection"
    ]
    urls = topic["urls"]
    expected = {"fi": urls["fi"], "sv": urls["sv"] or urls["fi"], "en": urls["en"]}
    assert dict(CITY_PRIVACY_PAGES) == expected


async def test_a_forgotten_text_is_in_no_file_of_the_sqlite_database(
    sqlite_template: Any, tmp_path: Any, telegram: FakeTelegram
) -> None:
    """SQLite keeps deleted rows in freed pages and old page images in the write-ahead log
    until a checkpoint: erasure must reach the files, not only the tables."""
    secret = "minun salainen osoitteeni on Kuusikkotie 77 b 3"
    database_url = sqlite_template.fresh_url(tmp_path)
    async with running_bot(bot_settings(database_url, telegram)):
        await say_and_wait(telegram, FORGOTTEN, secret)
        await say_and_wait(telegram, FORGOTTEN, "/forget")
        await press_and_wait(telegram, FORGOTTEN, forget_payload("yes"))
        files = {path.name: path.read_bytes() for path in tmp_path.glob("talkkari.db*")}
    assert "talkkari.db" in files
    for name, data in files.items():
        assert secret.encode() not in data, f"{name} still holds the erased text"


async def test_forged_or_typed_button_data_erases_nothing(
    database_url: str, telegram: FakeTelegram
) -> None:
    """Button data is what a client sends: only a button the bot offered this chat, pressed
    by the chat's own person, acts."""
    someone_else = 990_011_223
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        await say_and_wait(telegram, FORGOTTEN, "hei vaan")
        # Typed, the data of the yes button is only the command: the question is asked.
        typed = await say_and_wait(telegram, FORGOTTEN, '/forget{"confirm": "yes"}')
        # Pressed on a message that never offered it (the question was asked, but by typing
        # the command this is a press the bot can check): another person in the chat.
        forged_by_other = await press_and_wait(
            telegram, FORGOTTEN, forget_payload("yes"), user_id=someone_else
        )
        # A button never offered to this chat.
        never_offered = await press_and_wait(telegram, STAYS, forget_payload("yes"))
        values = await every_value(bot.database)
    assert typed.text == say("forget_question", "fi")
    assert forged_by_other.text == say("button_stale", "fi")
    assert never_offered.text == say("button_stale", "fi")
    assert holding(values, [str(FORGOTTEN), "hei vaan"]) != []
