"""Logging in to the admin API over HTTP, on SQLite and PostgreSQL: tokens, ``/me``, the same
answer (in the same time) for unknown and wrong, throttling, expiry and deactivation.
Sessions (refresh, logout, password change) are in ``test_admin_sessions``."""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from admin_api.context import AUDIENCE, ISSUER, AdminContext, issue_token
from admin_api.keys import derived_key
from store import Official
from talkkari.runtime import Runtime
from tests.support.admin import (
    PASSWORD,
    AdminClient,
    ShiftedClock,
    make_official,
    make_team,
    official_by_email,
)
from tests.support.running import bot_settings, new_secret_key, running_bot

SECRET = new_secret_key()


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def bot(database_url: str, clock: ShiftedClock) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, None, secret_key=SECRET), clock=clock) as rt:
        yield rt


@pytest.fixture
async def client(bot: Runtime) -> AsyncIterator[AdminClient]:
    async with AdminClient.of(bot) as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


async def test_a_login_gives_a_short_lived_token_and_me_tells_who_it_is(
    bot: Runtime, client: AdminClient
) -> None:
    streets = await make_team(bot.database, "streets")
    official = await make_official(
        bot.database, email="Liisa.Virtanen@hel.fi", role="official", teams=[streets]
    )
    response = await client.token_response("  LIISA.virtanen@hel.fi ")
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 15 * 60
    assert token["refresh_token"]
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(official.id)
    assert claims["role"] == "official"
    assert (claims["iss"], claims["aud"]) == (ISSUER, AUDIENCE)
    assert isinstance(claims["sid"], int)
    assert claims["exp"] - claims["iat"] == 15 * 60
    kid = jwt.get_unverified_header(token["access_token"])["kid"]
    assert kid and kid not in SECRET

    client.use_token(token["access_token"])
    me = await client.get_ok("/me")
    assert me["id"] == official.id
    assert me["email"] == "liisa.virtanen@hel.fi"
    assert me["role"] == "official"
    assert me["teams"] == [streets.id]
    assert me["last_login_at"] is not None
    assert "password_hash" not in me and "password" not in me


async def test_unknown_wrong_and_inactive_get_the_same_answer_in_the_same_time(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="known@hel.fi", role="official")
    await make_official(bot.database, email="gone@hel.fi", role="official", active=False)
    await client.login("known@hel.fi")  # the first verification of the process is done

    answers = {
        "unknown": await client.token_response("nobody@hel.fi", "whatever-password"),
        "wrong": await client.token_response("known@hel.fi", "not-the-password"),
        "inactive": await client.token_response("gone@hel.fi", PASSWORD),
    }
    for response in answers.values():
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    bodies = {kind: response.json() for kind, response in answers.items()}
    assert bodies["unknown"] == bodies["wrong"] == bodies["inactive"]

    timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
    for attempt in range(4):  # with the one above, 5 wrong ones: the account locks after
        for kind, email in (("unknown", f"nobody{attempt}@hel.fi"), ("wrong", "known@hel.fi")):
            started = time.perf_counter()
            response = await client.token_response(email, "not-the-password")
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 401
    ratio = statistics.median(timings["unknown"]) / statistics.median(timings["wrong"])
    assert 0.5 <= ratio <= 2, timings


async def test_five_failures_lock_the_account_for_a_while(
    bot: Runtime, client: AdminClient, clock: ShiftedClock
) -> None:
    await make_official(bot.database, email="target@hel.fi", role="official")
    await make_official(bot.database, email="colleague@hel.fi", role="official")
    for _ in range(5):
        assert (
            await client.token_response("target@hel.fi", "guess-guess-guess")
        ).status_code == 401

    locked = await client.token_response("target@hel.fi", PASSWORD)  # even the right password
    assert_problem(locked, 429)
    assert 14 * 60 < int(locked.headers["retry-after"]) <= 15 * 60
    # An unknown address is locked the same way: nothing tells the two apart.
    for _ in range(5):
        await client.token_response("nobody@hel.fi", "guess-guess-guess")
    assert (await client.token_response("nobody@hel.fi", "x")).status_code == 429

    await client.login("colleague@hel.fi")  # another account from the same address still can
    clock.advance(timedelta(minutes=15, seconds=1))
    await client.login("target@hel.fi")


async def test_a_successful_login_clears_the_accounts_failures(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="forgetful@hel.fi", role="official")
    for _ in range(4):
        await client.token_response("forgetful@hel.fi", "guess-guess-guess")
    await client.login("forgetful@hel.fi")
    for _ in range(4):
        assert (
            await client.token_response("forgetful@hel.fi", "typo-typo-typo")
        ).status_code == 401
    await client.login("forgetful@hel.fi")


async def test_many_failures_from_one_address_lock_the_address(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="target@hel.fi", role="official")
    await make_official(bot.database, email="bystander@hel.fi", role="official")
    statuses = [
        (await client.token_response("target@hel.fi", "guess-guess-guess")).status_code
        for _ in range(20)
    ]
    assert statuses == [401] * 5 + [429] * 15  # attempts on a locked account count too
    assert_problem(await client.token_response("bystander@hel.fi", PASSWORD), 429)


async def test_an_expired_token_is_refused(
    bot: Runtime, client: AdminClient, clock: ShiftedClock
) -> None:
    await make_official(bot.database, email="a@hel.fi", role="admin")
    await client.login("a@hel.fi")
    clock.advance(timedelta(minutes=14))
    await client.get_ok("/me")
    clock.advance(timedelta(minutes=1))
    response = await client.get("/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_forged_malformed_and_missing_tokens_are_refused(
    bot: Runtime, client: AdminClient, clock: ShiftedClock
) -> None:
    official = await make_official(bot.database, email="a@hel.fi", role="admin")
    genuine = await client.login("a@hel.fi")
    session_id = jwt.decode(genuine, options={"verify_signature": False})["sid"]
    other_key = AdminContext(database=bot.database, clock=clock, secret_key=new_secret_key())
    forged, _ = issue_token(other_key, official_id=official.id, role="admin", session_id=session_id)
    ours = AdminContext(database=bot.database, clock=clock, secret_key=SECRET)
    # Signed with our key, but naming a session that was never started.
    sessionless, _ = issue_token(ours, official_id=official.id, role="admin", session_id=10**9)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    key = derived_key(SECRET, "admin-api access token")  # as the API derives it
    other_audience = jwt.encode({**claims, "aud": "someone-else"}, key, algorithm="HS256",
                                headers=jwt.get_unverified_header(genuine))  # fmt: skip
    no_kid = jwt.encode(claims, key, algorithm="HS256")
    unsigned = jwt.encode({"sub": str(official.id), "role": "admin"}, "", algorithm="none")
    for token in (forged, sessionless, other_audience, no_kid, unsigned, "not.a.token",
                  genuine + "x", None):  # fmt: skip
        client.use_token(token)
        response = await client.get("/me")
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    client.use_token(genuine)
    assert (await client.get_ok("/me"))["id"] == official.id


async def test_a_deactivated_officials_token_stops_working(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="boss@hel.fi", role="admin")
    leaver = await make_official(bot.database, email="leaver@hel.fi", role="official")
    async with AdminClient.of(bot) as their:
        await their.login("leaver@hel.fi")
        await their.get_ok("/me")
        await client.login("boss@hel.fi")
        deactivated = await client.http.delete(f"/officials/{leaver.id}")
        assert deactivated.status_code == 200, deactivated.text
        assert deactivated.json()["active"] is False
        assert_problem(await their.get("/me"), 401)
        assert_problem(await their.token_response("leaver@hel.fi"), 401)


async def test_a_role_change_applies_to_tokens_already_given(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="boss@hel.fi", role="admin")
    demoted = await make_official(bot.database, email="second@hel.fi", role="admin")
    async with AdminClient.of(bot) as their:
        await their.login("second@hel.fi")
        await their.get_ok("/audit")
        await client.login("boss@hel.fi")
        await client.patch_ok(f"/officials/{demoted.id}", {"role": "comms"})
        assert_problem(await their.get("/audit"), 403)


async def test_a_hash_with_old_parameters_is_rehashed_at_login(
    bot: Runtime, client: AdminClient
) -> None:
    official = await make_official(bot.database, email="old@hel.fi", role="official")
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    async with bot.database.transaction() as session:
        row = await session.get(Official, official.id)
        assert row is not None
        row.password_hash = cheap.hash(PASSWORD)
    await client.login("old@hel.fi")
    async with bot.database.sessions() as session:
        rehashed = await session.scalar(
            select(Official.password_hash).where(Official.id == official.id)
        )
    assert rehashed is not None
    assert not PasswordHasher().check_needs_rehash(rehashed)
    assert PasswordHasher().verify(rehashed, PASSWORD)
    await client.login("old@hel.fi")


async def test_logins_are_audited_and_a_login_form_is_validated(
    bot: Runtime, client: AdminClient
) -> None:
    await make_official(bot.database, email="a@hel.fi", role="admin")
    missing = await client.http.post("/auth/token", data={"username": "a@hel.fi"})
    body = assert_problem(missing, 422)
    assert any(error["loc"] == ["body", "password"] for error in body["errors"])
    await client.login("a@hel.fi")
    official = await official_by_email(bot.database, "a@hel.fi")
    assert official is not None
    entries = await client.audit(object_type="official", object_id=str(official.id))
    assert [entry["action"] for entry in entries] == ["official.login"]
    assert entries[0]["actor"] == "a@hel.fi"
