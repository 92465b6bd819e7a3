"""Webhook mode: Telegram POSTs updates to /telegram/webhook with the secret token."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select, text

from store import InboundUpdate
from talkkari.runtime import Runtime
from talkkari.settings import Settings
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot

SECRET = "kaupunki-webhook-secret"


def webhook_settings(database_url: str, telegram: FakeTelegram) -> Settings:
    return bot_settings(
        database_url,
        telegram,
        telegram_mode="webhook",
        webhook_url="https://talkkari.example.fi/telegram/webhook",
        webhook_secret=SECRET,
    )


def _url(runtime: Runtime) -> str:
    return f"http://127.0.0.1:{runtime.settings.port}/telegram/webhook"


async def _stored(runtime: Runtime) -> int:
    async with runtime.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundUpdate)) or 0)


async def test_the_webhook_is_registered_with_its_secret(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(webhook_settings(database_url, telegram)):
        await telegram.wait_for_calls("setWebhook", 1)
    assert telegram.webhook == "https://talkkari.example.fi/telegram/webhook"
    assert telegram.webhook_secret == SECRET


async def test_a_correct_request_is_stored_and_answered(
    database_url: str, telegram: FakeTelegram
) -> None:
    update = telegram.update_json(2001, "hej", language_code="sv")
    async with running_bot(webhook_settings(database_url, telegram)) as runtime:
        async with httpx.AsyncClient() as client:
            first = await client.post(
                _url(runtime), json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            again = await client.post(  # Telegram retries when it did not hear 200 in time
                _url(runtime), json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
        [reply] = await telegram.wait_for_sent(1, chat_id=2001)
        stored = await _stored(runtime)
    assert (first.status_code, again.status_code) == (200, 200)
    assert reply.text.startswith("Hej! Jag är Stadsvaktmästaren")
    assert stored == 1


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(
    database_url: str, telegram: FakeTelegram, headers: dict[str, str]
) -> None:
    update = telegram.update_json(2002, "moi")
    async with running_bot(webhook_settings(database_url, telegram)) as runtime:
        async with httpx.AsyncClient() as client:
            response = await client.post(_url(runtime), json=update, headers=headers)
        stored = await _stored(runtime)
    assert response.status_code == 403
    assert stored == 0
    assert telegram.sent(2002) == []


@pytest.mark.parametrize("body", [b"{not json", b'{"message": {"text": "no update id"}}', b"[]"])
async def test_a_request_that_is_not_an_update_gets_400(
    database_url: str, telegram: FakeTelegram, body: bytes
) -> None:
    async with running_bot(webhook_settings(database_url, telegram)) as runtime:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                _url(runtime),
                content=body,
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                    "Content-Type": "application/json",
                },
            )
        stored = await _stored(runtime)
    assert response.status_code == 400
    assert stored == 0


async def test_in_polling_mode_there_is_no_webhook_route(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with (
        running_bot(bot_settings(database_url, telegram)) as runtime,
        httpx.AsyncClient() as client,
    ):
        response = await client.post(
            _url(runtime),
            json=telegram.update_json(2003, "moi"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code in (404, 405)


async def test_when_storing_fails_the_webhook_answers_5xx_so_telegram_delivers_again(
    database_url: str, telegram: FakeTelegram
) -> None:
    update = telegram.update_json(2004, "hello", language_code="en")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        running_bot(webhook_settings(database_url, telegram)) as runtime,
        httpx.AsyncClient() as client,
    ):
        async with runtime.database.transaction() as session:
            await session.execute(text("ALTER TABLE inbound_updates RENAME TO inbound_away"))
        failed = await client.post(_url(runtime), json=update, headers=headers)
        async with runtime.database.transaction() as session:
            await session.execute(text("ALTER TABLE inbound_away RENAME TO inbound_updates"))
        retried = await client.post(_url(runtime), json=update, headers=headers)
        [reply] = await telegram.wait_for_sent(1, chat_id=2004)
    assert failed.status_code >= 500
    assert retried.status_code == 200
    assert reply.text.startswith("Hello!")


def _headers() -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


async def test_updates_no_telegram_sends_get_a_4xx_never_a_5xx(
    database_url: str, telegram: FakeTelegram
) -> None:
    """Telegram delivers again what was not answered 2xx: a 5xx for an update that can never
    be stored would bring it back for ever."""
    huge_update_id = telegram.update_json(2005, "moi") | {"update_id": 2**63}
    huge_chat = telegram.update_json(2006, "moi")
    huge_chat["message"]["chat"]["id"] = 2**70
    deep = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with (
        running_bot(webhook_settings(database_url, telegram)) as runtime,
        httpx.AsyncClient() as client,
    ):
        refused_id = await client.post(_url(runtime), json=huge_update_id, headers=_headers())
        too_deep = await client.post(_url(runtime), content=deep, headers=_headers())
        too_large = await client.post(
            _url(runtime), json=telegram.update_json(2007, "a" * 300_000), headers=_headers()
        )
        kept_as_unreadable = await client.post(_url(runtime), json=huge_chat, headers=_headers())
        stored = await _stored(runtime)
    assert (refused_id.status_code, too_deep.status_code) == (400, 400)
    assert too_large.status_code == 413
    # Its update id is fine: stored as an update we cannot read, so Telegram moves on.
    assert kept_as_unreadable.status_code == 200
    assert stored == 1
    assert telegram.sent(2006) == telegram.sent(2007) == []
