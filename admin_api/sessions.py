"""Officials' sessions: ``POST /auth/refresh`` and ``POST /auth/logout``, and what the login and
a password change do to sessions.

A login (:mod:`admin_api.auth`) starts a session (:func:`start_session`) and answers a short
access token naming it and a refresh token. The refresh token is opaque and random, kept only
as a keyed digest (:func:`~admin_api.context.refresh_digest`), and works once: refreshing
answers a new pair and marks the old refresh token used. A used one presented again means
two parties hold copies, and one of them is not the official: the session ends at once, for
both. A session also ends when the official logs out, changes their password (the other
sessions), is deactivated, when it is not refreshed for the policy's idle time, and at the
end of its lifetime (:class:`~admin_api.context.SessionPolicy`).

Every request's session is read with its official (:mod:`admin_api.deps`), so an ended
session stops its access tokens at once, on every replica, for one indexed row read beside
the official's, which was read already. Rows of sessions no longer open are deleted at the
next login of anyone: the audit log, not this table, is the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import (
    AdminContext,
    SessionPolicy,
    issue_token,
    new_refresh_token,
    refresh_digest,
)
from admin_api.deps import ContextDep, CurrentCaller, Input, actor_of
from admin_api.errors import Unauthorized, problem_responses
from admin_api.texts import Text
from routing.audit import audit
from store import Official, OfficialSession, RefreshToken

__all__ = [
    "RefreshIn",
    "TokenOut",
    "end_sessions",
    "router",
    "start_session",
]

router = APIRouter(tags=["auth"])

REFRESH_REFUSED = Text("refresh_invalid")


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    """Seconds the access token is valid; refresh (``POST /auth/refresh``) before that."""
    refresh_token: str
    """Works once, for a new pair; the session ends when it is not refreshed for the idle
    time, and at the end of its lifetime."""


class RefreshIn(Input):
    refresh_token: str = Field(min_length=1, max_length=200)


def _not_open(now: datetime, policy: SessionPolicy) -> ColumnElement[bool]:
    return or_(
        OfficialSession.ended_at.is_not(None),
        OfficialSession.last_seen_at <= now - policy.idle,
        OfficialSession.started_at <= now - policy.lifetime,
    )


async def start_session(
    session: AsyncSession, context: AdminContext, official: Official, *, at: datetime
) -> TokenOut:
    """A new session for ``official`` (in ``session``'s transaction) and its first tokens."""
    await session.execute(delete(OfficialSession).where(_not_open(at, context.session_policy)))
    login = OfficialSession(official_id=official.id, started_at=at, last_seen_at=at)
    session.add(login)
    await session.flush()
    return await _tokens(session, context, official, login, at=at)


async def _tokens(
    session: AsyncSession,
    context: AdminContext,
    official: Official,
    login: OfficialSession,
    *,
    at: datetime,
) -> TokenOut:
    refresh = new_refresh_token()
    session.add(
        RefreshToken(digest=refresh_digest(context, refresh), session_id=login.id, issued_at=at)
    )
    ends_at = login.started_at + context.session_policy.lifetime
    access, lifetime = issue_token(
        context,
        official_id=official.id,
        role=official.role,
        session_id=login.id,
        ends_at=int(ends_at.timestamp()),
    )
    return TokenOut(access_token=access, expires_in=lifetime, refresh_token=refresh)


async def end_sessions(
    session: AsyncSession,
    official_id: int,
    *,
    reason: str,
    at: datetime,
    keep: int | None = None,
) -> int:
    """End the official's open sessions (but ``keep``); how many were open."""
    query = (
        update(OfficialSession)
        .where(OfficialSession.official_id == official_id, OfficialSession.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    if keep is not None:
        query = query.where(OfficialSession.id != keep)
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


@router.post(
    "/auth/refresh",
    response_model=TokenOut,
    responses=problem_responses(400, 401, 422),
)
async def refresh(body: RefreshIn, context: ContextDep) -> TokenOut:
    """Exchange a refresh token for a new access token and a new refresh token. Each refresh
    token works once: presenting a used one ends its session."""
    now = context.clock.now()
    digest = refresh_digest(context, body.refresh_token)
    reused = False
    async with context.database.transaction() as session:
        token = await session.get(RefreshToken, digest, with_for_update=True)
        if token is None:
            raise Unauthorized(REFRESH_REFUSED)
        login = await session.get(OfficialSession, token.session_id, with_for_update=True)
        official = await session.get(Official, login.official_id) if login else None
        if login is None or official is None:
            raise Unauthorized(REFRESH_REFUSED)
        if token.used_at is not None:
            reused = login.ended_at is None
            if reused:
                login.ended_at, login.end_reason = now, "refresh_reused"
                await audit(
                    session,
                    actor_of(official),
                    "official.session_end",
                    object_type="official",
                    object_id=official.id,
                    after={"session": login.id, "reason": "refresh_reused"},
                    at=now,
                )
        elif official.active and context.session_policy.allows(login, now):
            token.used_at = now
            login.last_seen_at = now
            return await _tokens(session, context, official, login, at=now)
    # Committed: a session ended for a reused token stays ended.
    raise Unauthorized(REFRESH_REFUSED)


@router.post("/auth/logout", status_code=204, responses=problem_responses(401))
async def log_out(caller: CurrentCaller, context: ContextDep) -> Response:
    """End the session of the access token: it and its refresh token stop working at once."""
    now = context.clock.now()
    async with context.database.transaction() as session:
        await session.execute(
            update(OfficialSession)
            .where(OfficialSession.id == caller.session_id, OfficialSession.ended_at.is_(None))
            .values(ended_at=now, end_reason="logout")
        )
        await audit(
            session,
            actor_of(caller.official),
            "official.logout",
            object_type="official",
            object_id=caller.official.id,
            at=now,
        )
    return Response(status_code=204)
