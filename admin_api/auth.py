"""Logging in: ``POST /auth/token`` (OAuth2 password form), ``GET /me`` and
``POST /me/password``.

A login tells nothing about which accounts exist: an unknown e-mail address, a wrong password
and an inactive account get the same 401, in the same time (one argon2 verification each, see
:class:`~admin_api.context.Passwords`), and leave the same trace (failure counters, keyed by
the address typed, whether an account has it or not).

Failed logins are counted per account and per client address in ``login_failures`` rows, so
every replica sees the same counts (:class:`~admin_api.context.LoginPolicy`); a locked key
answers 429 with ``Retry-After`` without checking the password. The client address is the
peer's as the server sees it; behind a proxy, run uvicorn with ``--forwarded-allow-ips`` so
that it is the resident's, not the proxy's. A successful login clears its account's failures
(not its address's), sets ``last_login_at``, rehashes a password hashed with old parameters
and starts a session (:mod:`admin_api.sessions`).

An official changes their own password with the current one; a wrong current password counts
as a failed login of the account (so a stolen access token cannot guess it either), and the
change ends every other session of theirs.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import Field, SecretStr
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext
from admin_api.deps import (
    ContextDep,
    CurrentCaller,
    CurrentOfficial,
    Input,
    ReadSessionDep,
    actor_of,
    team_ids_of,
)
from admin_api.errors import Invalid, TooManyAttempts, Unauthorized, problem_responses
from admin_api.officials import OfficialOut, Password, official_out
from admin_api.sessions import TokenOut, end_sessions, start_session
from admin_api.texts import Text
from routing.audit import audit
from store import LoginFailure, Official, insert_new

__all__ = ["PasswordChange", "TokenOut", "router"]

router = APIRouter(tags=["auth"])

WRONG = Text("login_wrong")
MIN_DISTINCT_CHARACTERS = 6


class PasswordChange(Input):
    current_password: Annotated[SecretStr, Field(min_length=1, max_length=1024, strict=False)]
    new_password: Password
    """At least 12 characters, six of them different; not the current one, and not containing
    the name part of the official's e-mail address."""


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses=problem_responses(400, 401, 422, 429),
)
async def log_in(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    context: ContextDep,
) -> TokenOut:
    """Exchange an official's e-mail address (``username``) and password for a short access
    token (a bearer token) and a refresh token: the start of a session."""
    email = form.username.strip().lower()
    # No account has an address the databases would refuse (NUL) or that is over-long; such
    # a name is still throttled, under a digest.
    plausible = len(email) <= 254 and "\x00" not in email
    keys = (
        ("account", f"account:{email if plausible else _digest(email)}"),
        ("address", f"address:{request.client.host if request.client else 'unknown'}"),
    )
    now = context.clock.now()
    async with context.database.sessions() as session:
        locked_until = await _locked_until(session, [key for _, key in keys], now)
        official = (
            await session.scalar(select(Official).where(Official.email == email))
            if plausible
            else None
        )
    if locked_until is not None:
        await _count_failures(context, keys[1:], now)
        raise TooManyAttempts(
            Text("login_throttled"),
            retry_after=math.ceil((locked_until - now).total_seconds()),
        )
    password_hash = official.password_hash if official is not None else None
    if not await context.passwords.verify(password_hash, form.password) or (
        official is None or not official.active
    ):
        await _count_failures(context, keys, now)
        raise Unauthorized(WRONG)
    rehashed = (
        await context.passwords.hash(form.password)
        if context.passwords.needs_rehash(official.password_hash)
        else None
    )
    async with context.database.transaction() as session:
        await session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0][1]))
        logged_in = await session.get(Official, official.id)
        if logged_in is None:  # deleted in the meantime
            raise Unauthorized(WRONG)
        logged_in.last_login_at = now
        if rehashed is not None:
            logged_in.password_hash = rehashed
        await audit(
            session,
            actor_of(logged_in),
            "official.login",
            object_type="official",
            object_id=logged_in.id,
            at=now,
        )
        return await start_session(session, context, logged_in, at=now)


@router.get("/me", response_model=OfficialOut, responses=problem_responses(401))
async def who_am_i(official: CurrentOfficial, session: ReadSessionDep) -> OfficialOut:
    """The caller: profile, role and teams."""
    return official_out(official, await team_ids_of(session, official))


@router.post(
    "/me/password",
    status_code=204,
    responses=problem_responses(400, 401, 422, 429),
)
async def change_password(
    body: PasswordChange, caller: CurrentCaller, context: ContextDep
) -> Response:
    """Change the caller's password: the current one is required. Every other session of the
    caller ends; this one goes on."""
    official = caller.official
    now = context.clock.now()
    # The account's failures only: the caller is known, and colleagues behind the same
    # address must not be locked out by one official's typing.
    keys = (("account", f"account:{official.email}"),)
    async with context.database.sessions() as session:
        locked_until = await _locked_until(session, [key for _, key in keys], now)
    if locked_until is not None:
        raise TooManyAttempts(
            Text("login_throttled"),
            retry_after=math.ceil((locked_until - now).total_seconds()),
        )
    current = body.current_password.get_secret_value()
    new = body.new_password.get_secret_value()
    if not await context.passwords.verify(official.password_hash, current):
        await _count_failures(context, keys, now)
        raise Invalid(Text("password_current_wrong"), loc=("body", "current_password"))
    problem = _weakness(new, current=current, email=official.email)
    if problem is not None:
        raise Invalid(problem, loc=("body", "new_password"))
    new_hash = await context.passwords.hash(new)
    async with context.database.transaction() as session:
        changed = await session.get(Official, official.id, with_for_update=True)
        # Changed meanwhile (another session, an admin): the current password was not current.
        if changed is None or changed.password_hash != official.password_hash:
            raise Invalid(Text("password_current_wrong"), loc=("body", "current_password"))
        changed.password_hash = new_hash
        ended = await end_sessions(
            session, official.id, reason="password_changed", at=now, keep=caller.session_id
        )
        await audit(
            session,
            actor_of(official),
            "official.password_change",
            object_type="official",
            object_id=official.id,
            after={"password": "changed", "other_sessions_ended": ended},
            at=now,
        )
    return Response(status_code=204)


def _weakness(password: str, *, current: str, email: str) -> Text | None:
    """Why a new password will not do (its length the body's schema has checked)."""
    if password == current:
        return Text("password_unchanged")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        return Text("password_monotonous", count=MIN_DISTINCT_CHARACTERS)
    name = email.partition("@")[0].lower()
    if len(name) >= 3 and name in password.lower():
        return Text("password_like_email")
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def _locked_until(session: AsyncSession, keys: list[str], now: datetime) -> datetime | None:
    locks = await session.scalars(
        select(LoginFailure.locked_until).where(
            LoginFailure.key.in_(keys), LoginFailure.locked_until > now
        )
    )
    return max((lock for lock in locks if lock is not None), default=None)


async def _count_failures(
    context: AdminContext, keys: tuple[tuple[str, str], ...], now: datetime
) -> None:
    """One more failure for each key; a key at its limit is locked (and counts afresh after)."""
    policy = context.login_policy
    limits = {"account": policy.account_failures, "address": policy.address_failures}
    async with context.database.transaction() as session:
        # Forget keys whose window passed and that are not locked: the table stays small.
        await session.execute(
            delete(LoginFailure).where(
                LoginFailure.window_started_at <= now - policy.window,
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= now),
            )
        )
        dialect = session.get_bind().dialect.name
        for kind, key in keys:
            await session.execute(
                insert_new(LoginFailure, dialect, index_elements=["key"]).values(
                    key=key, failures=0, window_started_at=now
                )
            )
            row = await session.get(LoginFailure, key, with_for_update=True, populate_existing=True)
            assert row is not None
            if row.window_started_at + policy.window <= now:
                row.failures, row.window_started_at = 0, now
            row.failures += 1
            if row.failures >= limits[kind]:
                row.failures, row.window_started_at = 0, now
                row.locked_until = now + policy.lockout
