"""Logging in: ``POST /auth/token`` (OAuth2 password form) and ``GET /me``.

A login tells nothing about which accounts exist: an unknown e-mail address, a wrong password
and an inactive account get the same 401, in the same time (one argon2 verification each, see
:class:`~admin_api.context.Passwords`), and leave the same trace (failure counters, keyed by
the address typed, whether an account has it or not).

Failed logins are counted per account and per client address in ``login_failures`` rows, so
every replica sees the same counts (:class:`~admin_api.context.LoginPolicy`); a locked key
answers 429 with ``Retry-After`` without checking the password. The client address is the
peer's as the server sees it; behind a proxy, run uvicorn with ``--forwarded-allow-ips`` so
that it is the resident's, not the proxy's. A successful login clears its account's failures
(not its address's), sets ``last_login_at`` and rehashes a password hashed with old parameters.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext, issue_token
from admin_api.deps import ContextDep, CurrentOfficial, ReadSessionDep, actor_of, team_ids_of
from admin_api.errors import TooManyAttempts, Unauthorized, problem_responses
from admin_api.officials import OfficialOut, official_out
from admin_api.texts import Text
from routing.audit import audit
from store import LoginFailure, Official, insert_new

__all__ = ["TokenOut", "router"]

router = APIRouter(tags=["auth"])

WRONG = Text("login_wrong")


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    """Seconds the token is valid; log in again after that."""


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
    """Exchange an official's e-mail address (``username``) and password for a bearer token."""
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
    token, lifetime = issue_token(context, official_id=official.id, role=official.role)
    return TokenOut(access_token=token, expires_in=lifetime)


@router.get("/me", response_model=OfficialOut, responses=problem_responses(401))
async def who_am_i(official: CurrentOfficial, session: ReadSessionDep) -> OfficialOut:
    """The caller: profile, role and teams."""
    return official_out(official, await team_ids_of(session, official))


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
