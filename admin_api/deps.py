"""Dependencies every route shares: the context, sessions, the caller and what they may see.

- :data:`ContextDep` — the :class:`~admin_api.context.AdminContext` (503 when there is none).
- :data:`SessionDep` — a session in a write transaction that commits when the route function
  returns, *before* the response is sent (so a client that got 2xx reads its write back from
  any replica). On SQLite the process's transactions take turns: never open
  ``database.transaction()`` yourself inside a route that has one. :func:`after_commit`
  schedules work for after the commit (ringing a bell, refreshing a cache).
- :data:`ReadSessionDep` — a plain session for routes that only read (no write turn taken).
  A streaming response (server-sent events) takes neither: it would hold the session for
  the stream's life; open ``context.database.sessions()`` for each read instead.
- :data:`CurrentOfficial` — the caller, checked on every request: a valid bearer token of an
  official who still exists and is active, in a session still open (401 otherwise; so a
  logout, a password change or a deactivation applies at once). The role comes from the
  database, not from the token, so a change of role applies at once. :data:`CurrentCaller`
  is the official with the id of their session.
- :func:`require_role` — ``Depends(require_role("admin"))``: 403 for other roles.
  :data:`AdminOfficial` is the common case.
- :func:`team_ids_of` and :func:`conversation_scope` — what an official may see: officials see
  their own teams' conversations, comms staff none, admins all. Objects out of scope answer
  404, never 403, so that their existence does not leak.
- ``ObjectId``, ``IdField``, ``Line``, ``Paragraph`` — constrained ids and texts that every
  database and JSON client accepts (ids up to 2**53 - 1; no NUL or control characters), for
  paths, queries and bodies;
  :class:`Input` and :class:`Patch`, the bases of request bodies.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext, read_token
from admin_api.errors import Forbidden, Unauthorized, Unavailable
from admin_api.texts import Text
from routing.audit import Actor
from store import Membership, Official, OfficialSession

__all__ = [
    "API_PREFIX",
    "MAX_ID",
    "NOT_SENT",
    "AdminOfficial",
    "Caller",
    "ContextDep",
    "ConversationScope",
    "CurrentCaller",
    "CurrentOfficial",
    "IdField",
    "Input",
    "Line",
    "ObjectId",
    "Paragraph",
    "Patch",
    "ReadSessionDep",
    "SessionDep",
    "actor_of",
    "after_commit",
    "conversation_scope",
    "require_role",
    "routing_changed",
    "team_ids_of",
]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
MAX_ID = 2**53 - 1
"""Ids beyond are refused: every JSON client keeps integers up to this exactly."""

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a path: ``/teams/{team_id}``."""
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a body or query."""
Line = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
"""One line of text: a name, a title."""
Paragraph = Annotated[str, Field(max_length=4000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
"""Text that may span lines: a note, a reply."""

_bearer = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/token", auto_error=False)


def get_context(request: Request) -> AdminContext:
    context: AdminContext | None = getattr(request.app.state, "admin_context", None)
    if context is None:
        raise Unavailable(Text("admin_api_unavailable"))
    return context


ContextDep = Annotated[AdminContext, Depends(get_context)]

_AFTER_COMMIT = "admin_api.after_commit"


async def _transaction(context: ContextDep) -> AsyncIterator[AsyncSession]:
    async with context.database.transaction() as session:
        yield session
    for callback in session.info.get(_AFTER_COMMIT, ()):
        try:
            await callback()
        except Exception:  # the change is committed: the caller hears of success
            log.exception("after a commit: %r failed", callback)


async def _read_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    async with context.database.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_transaction, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Await ``callback`` once ``session`` (a :data:`SessionDep`) has committed; not at all if
    it rolls back. A failing callback is logged: the change stands."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def routing_changed(session: AsyncSession, context: AdminContext) -> None:
    """Tell the router (``context.on_routing_changed``) once this change to teams or routing
    rules has committed."""
    if context.on_routing_changed is not None:
        after_commit(session, context.on_routing_changed)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls, in which of their sessions."""

    official: Official
    session_id: int


async def _current_caller(
    context: ContextDep, token: Annotated[str | None, Depends(_bearer)]
) -> Caller:
    if token is None:
        raise Unauthorized()
    claims = read_token(context, token)
    if claims is None:
        raise Unauthorized(Text("token_invalid"))
    async with context.database.sessions() as session:
        row = (
            await session.execute(
                select(Official, OfficialSession)
                .join(OfficialSession, OfficialSession.official_id == Official.id)
                .where(Official.id == claims.official_id, OfficialSession.id == claims.session_id)
            )
        ).one_or_none()
    if row is None:
        raise Unauthorized(Text("token_invalid"))
    official, login = row
    if not official.active or not context.session_policy.allows(login, context.clock.now()):
        raise Unauthorized(Text("token_invalid"))
    return Caller(official, login.id)


CurrentCaller = Annotated[Caller, Depends(_current_caller)]


async def _current_official(caller: CurrentCaller) -> Official:
    return caller.official


CurrentOfficial = Annotated[Official, Depends(_current_official)]


def require_role(*roles: str) -> Callable[..., Awaitable[Official]]:
    """A dependency giving the caller if their role is one of ``roles``, else 403."""

    async def check(official: CurrentOfficial) -> Official:
        if official.role not in roles:
            raise Forbidden(Text("role_forbidden"))
        return official

    return check


AdminOfficial = Annotated[Official, Depends(require_role("admin"))]


def actor_of(official: Official) -> Actor:
    """The audit log's name for what ``official`` does."""
    return Actor(official.id, official.email)


async def team_ids_of(session: AsyncSession, official: Official | int) -> frozenset[int]:
    """The teams ``official`` is a member of (whatever the role)."""
    official_id = official if isinstance(official, int) else official.id
    rows = await session.scalars(
        select(Membership.team_id).where(Membership.official_id == official_id)
    )
    return frozenset(rows)


@dataclass(frozen=True, slots=True)
class ConversationScope:
    """The teams whose conversations an official may see and act on."""

    everything: bool
    team_ids: frozenset[int]

    def allows(self, team_id: int | None) -> bool:
        """Whether a conversation of ``team_id`` is visible (unrouted ones: admins only)."""
        return self.everything or (team_id is not None and team_id in self.team_ids)

    def where(self, team_column: ColumnElement[Any] | Any) -> ColumnElement[bool]:
        """A filter for a query's conversations: ``select(...).where(scope.where(col))``."""
        if self.everything:
            return true()
        if not self.team_ids:
            return false()
        return team_column.in_(sorted(self.team_ids))


async def conversation_scope(session: AsyncSession, official: Official) -> ConversationScope:
    """Admins see every conversation, officials their teams', comms staff none."""
    if official.role == "admin":
        return ConversationScope(everything=True, team_ids=frozenset())
    if official.role == "official":
        return ConversationScope(everything=False, team_ids=await team_ids_of(session, official))
    return ConversationScope(everything=False, team_ids=frozenset())


class Input(BaseModel):
    """A request body: strict types (no ``0`` for ``false``, no ``1.0`` for ``1``) and no
    fields the schema does not name."""

    model_config = ConfigDict(strict=True, extra="forbid")


NOT_SENT: Any = None
"""The default of a :class:`Patch` field that may not be cleared (see there)."""


class Patch(Input):
    """A PATCH body: only the fields sent change (:meth:`changes`). Declare a field that may be
    cleared as ``X | None = None``, and one that may not as ``X = NOT_SENT``: its schema then
    offers no ``null`` and an explicit ``null`` is refused like any wrong type."""

    def changes(self) -> dict[str, Any]:
        """The fields sent, with their values."""
        return {name: getattr(self, name) for name in self.model_fields_set}
