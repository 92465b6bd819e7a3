"""Officials' sessions over HTTP against the running process, on SQLite and PostgreSQL: a
refresh token works once and a second use ends the session, logout, a password change ends the
official's other sessions, the idle time and the lifetime, deactivation and a new secret key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from talkkari.runtime import Runtime
from tests.support.admin import PASSWORD, AdminClient, ShiftedClock, make_official
from tests.support.running import bot_settings, running_bot

NEW_PASSWORD = "uusi-ja-pitkä-salasana-42"


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def bot(database_url: str, clock: ShiftedClock) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, None), clock=clock) as runtime:
        yield runtime


async def log_in(client: AdminClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Log in; the client now sends the access token. The token answer."""
    response = await client.token_response(email, password)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    client.use_token(tokens["access_token"])
    return tokens


async def refresh(client: AdminClient, refresh_token: str) -> httpx.Response:
    return await client.post("/auth/refresh", {"refresh_token": refresh_token})


def assert_refused(response: httpx.Response, status: int = 401) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def test_a_refresh_gives_a_new_pair_and_each_refresh_token_works_once(
    bot: Runtime, clock: ShiftedClock
) -> None:
    await make_official(bot.database, email="aino@hel.fi", role="official")
    async with AdminClient.of(bot) as client:
        first = await log_in(client, "aino@hel.fi")
        clock.advance(timedelta(minutes=14))
        second = (await refresh(client, first["refresh_token"])).json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        assert second["expires_in"] == 15 * 60
        clock.advance(timedelta(minutes=10))  # the first access token is past its time
        assert_refused(await client.get("/me"))
        client.use_token(second["access_token"])
        assert (await client.get_ok("/me"))["email"] == "aino@hel.fi"
        third = await refresh(client, second["refresh_token"])
        assert third.status_code == 200, third.text
        assert_refused(await refresh(client, "not-a-token-we-made"))


async def test_a_refresh_token_used_twice_ends_the_whole_session(bot: Runtime) -> None:
    await make_official(bot.database, email="aino@hel.fi", role="official")
    async with AdminClient.of(bot) as official, AdminClient.of(bot) as thief:
        stolen = await log_in(official, "aino@hel.fi")
        # The thief refreshes with a copied token first; the official does so next.
        thiefs = await refresh(thief, stolen["refresh_token"])
        assert thiefs.status_code == 200, thiefs.text
        thief.use_token(thiefs.json()["access_token"])
        await thief.get_ok("/me")
        second_use = await refresh(official, stolen["refresh_token"])
        body = assert_refused(second_use)
        assert body["code"] == "refresh_invalid"
        # The session has ended for both: its access tokens and its newest refresh token.
        assert_refused(await thief.get("/me"))
        assert_refused(await official.get("/me"))
        assert_refused(await refresh(thief, thiefs.json()["refresh_token"]))
        # A new login is a new session.
        await log_in(official, "aino@hel.fi")
        await official.get_ok("/me")
        entries = await admin_audit(bot, action="official.session_end")
    assert [entry["after"]["reason"] for entry in entries] == ["refresh_reused"]


async def test_logging_out_ends_the_session_at_once_and_no_other(bot: Runtime) -> None:
    await make_official(bot.database, email="aino@hel.fi", role="official")
    async with AdminClient.of(bot) as laptop, AdminClient.of(bot) as phone:
        on_laptop = await log_in(laptop, "aino@hel.fi")
        await log_in(phone, "aino@hel.fi")
        response = await laptop.post("/auth/logout")
        assert response.status_code == 204, response.text
        assert_refused(await laptop.get("/me"))
        assert_refused(await refresh(laptop, on_laptop["refresh_token"]))
        assert_refused(await laptop.post("/auth/logout"))
        await phone.get_ok("/me")


async def test_a_password_change_ends_the_officials_other_sessions(bot: Runtime) -> None:
    aino = await make_official(bot.database, email="aino@hel.fi", role="official")
    await make_official(bot.database, email="eero@hel.fi", role="official")
    async with (
        AdminClient.of(bot) as here,
        AdminClient.of(bot) as elsewhere,
        AdminClient.of(bot) as colleague,
    ):
        await log_in(here, "aino@hel.fi")
        other = await log_in(elsewhere, "aino@hel.fi")
        await log_in(colleague, "eero@hel.fi")
        changed = await here.post(
            "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert changed.status_code == 204, changed.text
        await here.get_ok("/me")  # the session that changed it goes on
        assert_refused(await elsewhere.get("/me"))
        assert_refused(await refresh(elsewhere, other["refresh_token"]))
        await colleague.get_ok("/me")  # another official's sessions are theirs
        assert_refused(await here.token_response("aino@hel.fi", PASSWORD))
        await log_in(elsewhere, "aino@hel.fi", NEW_PASSWORD)
        entries = await admin_audit(bot, action="official.password_change")
    [entry] = entries
    assert entry["actor"] == "aino@hel.fi"
    assert entry["object_id"] == str(aino.id)
    assert entry["after"] == {"password": "changed", "other_sessions_ended": 1}


async def test_a_password_change_needs_the_current_password_and_a_strong_new_one(
    bot: Runtime,
) -> None:
    await make_official(bot.database, email="aino.virtanen@hel.fi", role="official")
    async with AdminClient.of(bot) as client:
        await log_in(client, "aino.virtanen@hel.fi")
        refusals = {
            "password_current_wrong": ("väärä-salasana-123", NEW_PASSWORD),
            "password_unchanged": (PASSWORD, PASSWORD),
            "password_monotonous": (PASSWORD, "abcabcabcabcabc"),
            "password_like_email": (PASSWORD, "Aino.Virtanen-2025!"),
        }
        for code, (current, new) in refusals.items():
            response = await client.post(
                "/me/password", {"current_password": current, "new_password": new}
            )
            body = assert_refused(response, 422)
            assert body["code"] == code
            assert body["errors"][0]["loc"][1] in ("current_password", "new_password")
        short = await client.post(
            "/me/password", {"current_password": PASSWORD, "new_password": "lyhyt"}
        )
        assert_refused(short, 422)
        # Wrong current passwords count as failed logins: guessing it gets locked out too.
        for _ in range(4):
            await client.post(
                "/me/password", {"current_password": "arvaus-arvaus", "new_password": NEW_PASSWORD}
            )
        locked = await client.post(
            "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert_refused(locked, 429)
        await client.get_ok("/me")  # the session itself goes on


async def test_a_session_ends_after_the_idle_time_and_at_the_end_of_its_lifetime(
    bot: Runtime, clock: ShiftedClock
) -> None:
    await make_official(bot.database, email="aino@hel.fi", role="official")
    async with AdminClient.of(bot) as client:
        idle = await log_in(client, "aino@hel.fi")
        clock.advance(timedelta(hours=8))
        assert_refused(await refresh(client, idle["refresh_token"]))

        working = await log_in(client, "aino@hel.fi")
        token = working["refresh_token"]
        for _ in range(46):  # a refresh every 15 minutes for eleven and a half hours
            clock.advance(timedelta(minutes=15))
            response = await refresh(client, token)
            assert response.status_code == 200, response.text
            token = response.json()["refresh_token"]
        clock.advance(timedelta(minutes=20))
        last = (await refresh(client, token)).json()
        assert 9 * 60 < last["expires_in"] <= 10 * 60  # no further than the session's lifetime
        client.use_token(last["access_token"])
        await client.get_ok("/me")
        clock.advance(timedelta(minutes=10))  # twelve hours after the login
        assert_refused(await client.get("/me"))
        assert_refused(await refresh(client, last["refresh_token"]))


async def test_a_deactivated_official_cannot_refresh(bot: Runtime) -> None:
    await make_official(bot.database, email="boss@hel.fi", role="admin")
    leaver = await make_official(bot.database, email="leaver@hel.fi", role="official")
    async with AdminClient.of(bot) as boss, AdminClient.of(bot) as their:
        tokens = await log_in(their, "leaver@hel.fi")
        await log_in(boss, "boss@hel.fi")
        assert (await boss.delete(f"/officials/{leaver.id}")).status_code == 200
        assert_refused(await refresh(their, tokens["refresh_token"]))
        assert_refused(await their.get("/me"))


async def test_a_new_secret_key_ends_every_token_at_once(
    database_url: str, clock: ShiftedClock
) -> None:
    async with running_bot(bot_settings(database_url, None), clock=clock) as before:
        await make_official(before.database, email="aino@hel.fi", role="official")
        async with AdminClient.of(before) as client:
            tokens = await log_in(client, "aino@hel.fi")
            await client.get_ok("/me")
    async with (
        running_bot(bot_settings(database_url, None), clock=clock) as after,
        AdminClient.of(after) as client,
    ):
        client.use_token(tokens["access_token"])
        assert_refused(await client.get("/me"))
        assert_refused(await refresh(client, tokens["refresh_token"]))
        await log_in(client, "aino@hel.fi")
        await client.get_ok("/me")


async def admin_audit(bot: Runtime, *, action: str) -> list[dict[str, Any]]:
    """The audit log's entries of ``action``, as an administrator reads them (once a test)."""
    await make_official(bot.database, email="auditor@hel.fi", role="admin")
    async with AdminClient.of(bot) as admin:
        await log_in(admin, "auditor@hel.fi")
        entries = await admin.audit(object_type="official")
    return [entry for entry in entries if entry["action"] == action]
