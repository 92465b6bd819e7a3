"""Logs never hold what residents or officials write: a whole conversation, a handoff with an
official's reply and note, and a data export, with every logger captured from INFO up."""

from __future__ import annotations

import logging

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.support.admin import AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot

RESIDENT_SAYS = [
    "moikka vaan kaikille",
    "mitä sä osaat tehdä?",
    "tilaa Kallion tiedotteet kiitos",
    "missä vaiheessa on HEL 2025-001216",
    "haluan puhua ihmisen kanssa heti",
]
WHILE_WITH_PEOPLE = "katuvalo Porvoonkadulla vilkkuu öisin"
OFFICIAL_WRITES = ["Korjausryhmä käy paikalla torstaina.", "Asukas soitti myös eilen."]


async def test_no_text_reaches_the_logs_at_info_level(
    database_url: str, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    chat = 9401
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        team = await make_team(bot.database, "default", name_fi="Kaupunkineuvonta")
        await make_official(bot.database, email="aino@hel.fi", role="official", teams=[team])
        await bot.router.refresh()
        for turn, text in enumerate(RESIDENT_SAYS, start=1):
            telegram.push_message(chat, text)
            await telegram.wait_for_sent(turn, chat_id=chat)
        telegram.push_message(chat, WHILE_WITH_PEOPLE)
        async with AdminClient.of(bot) as official:
            await official.login("aino@hel.fi")
            [waiting] = (await official.get_ok("/conversations", state="waiting"))["items"]
            path = f"/conversations/{waiting['id']}"
            await official.post_ok(f"{path}/claim")
            reply, note = OFFICIAL_WRITES
            await official.post_ok(f"{path}/messages", {"text": reply})
            await official.post_ok(f"{path}/notes", {"text": note})
        telegram.push_message(chat, "/mydata")
        await telegram.wait_for_documents(1, chat_id=chat)
    logged = [
        (record.name, record.getMessage() + (record.exc_text or ""))
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]
    assert logged, "nothing was captured: the test would prove nothing"
    written = [*RESIDENT_SAYS, WHILE_WITH_PEOPLE, *OFFICIAL_WRITES]
    assert [(name, line) for name, line in logged if any(t in line for t in written)] == []
