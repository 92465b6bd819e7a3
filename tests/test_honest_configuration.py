"""A fresh install without teams and without Ahjo says so: at start, in ``/healthz``, and to the
resident, who is told where the city's people and decisions are instead of "try again later"."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from bot.actions.knowledge import service_payload
from bot.handoff import CITY_CONTACT_PAGES
from bot.texts import LANGUAGES, TEXTS
from store import CaseFollow, Database, OutboxMessage, SystemClock
from store.outbox import outbox_rows
from talkkari.health import Health
from talkkari.http import build_http_app
from tests.fakes.ahjo import FakeAhjo
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import serving
from tests.support.city import city_topics
from tests.support.running import bot_settings, new_secret_key, running_bot

UNKNOWN_CASE = "HEL 2099-123456"
DECISION_SEARCH = {
    "fi": "https://paatokset.hel.fi/fi/asia",
    "sv": "https://paatokset.hel.fi/sv/arende",
    "en": "https://paatokset.hel.fi/en/case",
}

ASKS_FOR_A_PERSON = {
    "fi": "haluan puhua ihmisen kanssa",
    "sv": "jag vill prata med en människa",
    "en": "I want to talk to a person",
}
NOBODY_HERE = {
    "fi": "Täällä ei ole ketään, joka voisi ottaa keskustelun hoitaakseen",
    "sv": "Här finns ingen som kan ta över samtalet",
    "en": "There is no one here who can take this conversation over",
}
ASKS_FOR_A_CASE = {
    "fi": f"missä vaiheessa on {UNKNOWN_CASE}",
    "sv": f"vad är läget i ärendet {UNKNOWN_CASE}",
    "en": f"what is the status of {UNKNOWN_CASE}",
}
CANNOT_LOOK_UP = {
    "fi": f"Tämä palvelu ei voi hakea asiaa {UNKNOWN_CASE}",
    "sv": f"Den här tjänsten kan inte söka fram ärendet {UNKNOWN_CASE}",
    "en": f"This service cannot look up the case {UNKNOWN_CASE}",
}
NEVER = ("try again", "yritä", "försök igen", "myöhemmin", "senare", "later")


async def health_of(port: int) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{port}/healthz")


def warnings_about(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and words in record.getMessage()
    ]


async def offered_earlier(database: Database, chat: int, data: str) -> None:
    """A message with a button, delivered to ``chat`` before (a press is taken only for data
    the bot offered the chat)."""
    rows = outbox_rows(
        channel="telegram", chat_id=chat, text="…", now=datetime.now(UTC), buttons=[[("…", data)]]
    )
    async with database.transaction() as session:
        session.add_all(OutboxMessage(**{**row, "status": "sent"}) for row in rows)


async def test_a_fresh_install_says_what_is_not_configured_and_residents_are_told_honestly(
    database_url: str, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    chats = {"fi": 12001, "sv": 12002, "en": 12003}
    said: dict[str, list[str]] = {}
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        for language, chat in chats.items():
            telegram.push_message(chat, ASKS_FOR_A_PERSON[language], language_code=language)
            await telegram.wait_for_sent(1, chat_id=chat)
            telegram.push_message(chat, ASKS_FOR_A_CASE[language], language_code=language)
            await telegram.wait_for_sent(2, chat_id=chat)
            # The "pass it to the team" button of a service question the bot could not answer,
            # offered while the team still existed.
            await offered_earlier(bot.database, chat, service_payload("team", "1"))
            telegram.push_callback_query(chat, service_payload("team", "1"), language_code=language)
            replies = await telegram.wait_for_sent(3, chat_id=chat)
            said[language] = [reply.text for reply in replies]
        telegram.push_message(
            12004, "the street light is broken on my street in Kallio", language_code="en"
        )
        [report] = await telegram.wait_for_sent(1, chat_id=12004)
        telegram.push_message(12005, f"haluan seurata asiaa {UNKNOWN_CASE}")
        [follow] = await telegram.wait_for_sent(1, chat_id=12005)
        health = await health_of(bot.settings.port)
        async with bot.database.sessions() as session:
            follows = await session.scalar(select(func.count()).select_from(CaseFollow))

    for language, (person, case, button) in said.items():
        contact = CITY_CONTACT_PAGES[language]
        assert person.startswith(NOBODY_HERE[language]) and contact in person, person
        assert button == person
        assert case.startswith(CANNOT_LOOK_UP[language]), case
        assert DECISION_SEARCH[language] in case
        for text in (person, case):
            assert not any(never in text.lower() for never in NEVER), text
    assert report.text.startswith(NOBODY_HERE["en"]) and CITY_CONTACT_PAGES["en"] in report.text
    # Following it could never tell anything either: said so, and nothing is followed.
    assert follow.text.startswith(CANNOT_LOOK_UP["fi"]) and DECISION_SEARCH["fi"] in follow.text
    assert follows == 0

    assert len(warnings_about(caplog, "No team exists")) == 1
    assert len(warnings_about(caplog, "No TALKKARI_AHJO_URL")) == 1
    assert warnings_about(caplog, "TALKKARI_TELEGRAM_TOKEN") == []  # it is configured here

    assert health.status_code == 200
    components = health.json()["components"]
    assert list(components) == ["database", "telegram", "ahjo", "handoff", "outbox"]
    assert components["database"] == {"status": "ok"}
    assert components["telegram"] == {"status": "ok", "mode": "polling"}
    assert components["ahjo"]["status"] == "off"
    assert components["handoff"]["status"] == "off"
    assert "TALKKARI_AHJO_URL" in components["ahjo"]["reason"]
    assert "no active team" in components["handoff"]["reason"]
    assert health.json()["status"] == "ok"  # what is off by configuration is not a fault


async def test_a_configured_contact_and_phone_are_what_residents_are_given(
    database_url: str, telegram: FakeTelegram
) -> None:
    settings = bot_settings(
        database_url,
        telegram,
        city_contact_url="https://example.org/yhteystiedot",
        city_contact_phone="09 123 456",
    )
    async with running_bot(settings):
        telegram.push_message(12010, "I want to talk to a person", language_code="en")
        [reply] = await telegram.wait_for_sent(1, chat_id=12010)
    assert "https://example.org/yhteystiedot" in reply.text
    assert reply.text.endswith("Phone: 09 123 456")


def test_the_contact_and_decision_search_pages_are_the_citys_own() -> None:
    topics = {topic["id"]: topic for topic in city_topics()}
    assert dict(CITY_CONTACT_PAGES) == topics["contact_and_helsinki_info"]["urls"]
    search = topics["decisions_and_diary_numbers"]["urls"]
    for language in LANGUAGES:
        assert search[language] in TEXTS["case_not_searchable"][language]
    # The phone number the data gives is from 2020: not a current one to hand out.
    dated = [fact for fact in topics["contact_and_helsinki_info"]["facts"] if "as_of" in fact]
    assert all(fact["as_of"] < "2024" for fact in dated)


async def test_healthz_names_a_failing_part_and_why_and_stays_200(
    database_url: str, telegram: FakeTelegram
) -> None:
    with FakeAhjo() as ahjo:
        async with running_bot(bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)) as bot:
            before = await until(bot.settings.port, "telegram", "ok")
            ahjo.fail(500)
            telegram.push_message(12020, "missä vaiheessa on HEL 2025-001216")
            await telegram.wait_for_sent(1, chat_id=12020)
            ahjo_down = await health_of(bot.settings.port)
            telegram.fail_server()
            telegram_down = await until(bot.settings.port, "telegram", "failing")
            telegram.heal()
            ahjo.normal()
    assert before["status"] == "ok", before
    assert before["components"]["ahjo"] == {"status": "ok"}
    assert ahjo_down.status_code == 200
    assert ahjo_down.json()["status"] == "degraded"
    assert ahjo_down.json()["components"]["ahjo"] == {
        "status": "failing",
        "reason": "failed lookups in a row: 1 (last: Ahjo answered 500)",
    }
    failing = telegram_down["components"]["telegram"]
    assert failing["status"] == "failing"
    assert failing["reason"].startswith("getUpdates failed 2 times in a row")


async def until(port: int, component: str, status: str) -> dict[str, Any]:
    """``/healthz`` once ``component`` shows ``status`` (the workers get there by themselves)."""
    for _ in range(200):
        health = (await health_of(port)).json()
        if health["components"][component]["status"] == status:
            return dict(health)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{component} never showed as {status}")


async def test_healthz_answers_503_only_when_the_database_does_not_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL)  # the health check logs the database's failure
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/no/such/directory/talkkari.db")
    clock = SystemClock()
    registry = CollectorRegistry()
    app = build_http_app(
        database=database,
        registry=registry,
        telegram=None,
        telegram_mode="off",
        clock=clock,
        secret_key=new_secret_key(),
        health=Health(database=database, clock=clock),
    )
    try:
        async with serving(app) as base, httpx.AsyncClient() as client:
            health = await client.get(f"{base}/healthz")
    finally:
        await database.dispose()
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "unavailable"
    assert body["components"]["database"] == {
        "status": "failing",
        "reason": "the database does not answer",
    }
    assert body["components"]["telegram"]["status"] == "off"
    assert list(body["components"]) == ["database", "telegram", "ahjo", "handoff", "outbox"]
