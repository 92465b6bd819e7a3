"""``GET /events``: the inbox as server-sent events, so officials hear at once that something
is waiting, was claimed, answered, released, resolved, escalated or transferred.

Each event is an ``inbox_events`` row (written with the change it tells of) sent as::

    id: 42
    event: waiting
    data: {"conversation_id": 7, "team_id": 3, "official_id": null, "at": "…"}

Officials hear their teams' events, admins all, comms staff none (403). A stream starts after
the newest event, or after ``Last-Event-ID`` when a client reconnects (browsers send it by
themselves), so nothing is missed across a reconnect — on whichever replica.

How it reads: the table, in id order, in a short session per read (no session is held while
waiting), after this process's :class:`~routing.events.InboxBell` rings — for every commit that
wrote events, in this process or (through PostgreSQL's ``NOTIFY``) another replica — or
every :data:`BELL_POLL_SECONDS` in case a ring was missed; every :data:`POLL_SECONDS`
without a bell. On PostgreSQL ids
are taken when a transaction writes and become visible when it commits, which need not be in
id order: an id skipped over is looked for again for :data:`LATE_SECONDS`, and such a late
event is sent without an ``id:`` line, so a reconnect still resumes after the newest one.
FastAPI sends a keep-alive comment after 15 s of quiet. The stream ends when the client goes,
when the caller is deactivated or loses the inbox role, and after :data:`MAX_STREAM_SECONDS`
(the client reconnects with ``Last-Event-ID`` and shows its token again; and an open stream
keeps the server from finishing a graceful shutdown).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext
from admin_api.conversations import InboxOfficial
from admin_api.deps import MAX_ID, ContextDep, ConversationScope, conversation_scope
from admin_api.errors import PROBLEM_JSON
from store import InboxEvent, Official

__all__ = [
    "BELL_POLL_SECONDS",
    "LATE_SECONDS",
    "MAX_STREAM_SECONDS",
    "POLL_SECONDS",
    "EventCursor",
    "InboxEventData",
    "router",
]

router = APIRouter(tags=["inbox"])

POLL_SECONDS = 0.25
"""The longest wait between two reads of the table without a bell."""
BELL_POLL_SECONDS = 5.0
"""The longest wait between two reads of the table when the bell does not ring."""
LATE_SECONDS = 10.0
"""How long an id skipped over is waited for (a transaction that took it may still commit)."""
MAX_STREAM_SECONDS = 300.0
"""How long one stream lasts before the client is made to reconnect."""
SCOPE_SECONDS = 30.0
"""How often the caller's role and teams are read again."""
BATCH = 200
RETRY_MILLISECONDS = 2000
"""How soon a browser reconnects after losing the stream."""
_MAX_LATE = 1000


class InboxEventData(BaseModel):
    """An event's ``data``."""

    conversation_id: int | None
    team_id: int | None
    official_id: int | None
    """The official the event concerns (who claimed, replied, released…), if any."""
    at: datetime


@dataclass
class EventCursor:
    """Reads events after ``last`` in id order, and ids it skipped over again for a while.

    :meth:`read` returns each event once: ``(event, late)``, ``late`` when it arrived after
    a higher id had been read. ``behind`` tells that the last read was a full batch.
    """

    last: int
    late_seconds: float = LATE_SECONDS
    behind: bool = False
    _skipped: dict[int, float] = field(default_factory=dict)
    """Skipped id → until when (monotonic) it is looked for."""

    async def read(self, session: AsyncSession) -> list[tuple[InboxEvent, bool]]:
        now = time.monotonic()
        self._skipped = {id_: until for id_, until in self._skipped.items() if until > now}
        wanted = InboxEvent.id > self.last
        if self._skipped:
            wanted = or_(wanted, InboxEvent.id.in_(sorted(self._skipped)))
        rows = list(
            await session.scalars(
                select(InboxEvent).where(wanted).order_by(InboxEvent.id).limit(BATCH)
            )
        )
        self.behind = len(rows) == BATCH
        found: list[tuple[InboxEvent, bool]] = []
        for event in rows:
            if self._skipped.pop(event.id, None) is not None:
                found.append((event, True))
                continue
            if event.id <= self.last:
                continue
            for skipped in range(max(self.last + 1, event.id - _MAX_LATE), event.id):
                if len(self._skipped) < _MAX_LATE:
                    self._skipped[skipped] = now + self.late_seconds
            self.last = event.id
            found.append((event, False))
        return found


async def _start_after(
    context: ContextDep,
    last_event_id: Annotated[
        int | None,
        Header(
            ge=0,
            le=MAX_ID,
            description="Resume after this event (sent by browsers when they reconnect).",
        ),
    ] = None,
) -> int:
    """Where the stream starts, fixed before the response does."""
    if last_event_id is not None:
        return last_event_id
    async with context.database.sessions() as session:
        newest = await session.scalar(select(func.max(InboxEvent.id)))
    return int(newest or 0)


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Like :func:`~admin_api.errors.problem_responses`, for a route whose own media type is
    not JSON (FastAPI would document its problems as ``text/event-stream``)."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {
                PROBLEM_JSON: {
                    "schema": {
                        "$ref": "#/components/schemas/"
                        + ("ValidationProblem" if status == 422 else "Problem")
                    }
                }
            },
        }
        for status in statuses
    }


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Inbox events as they happen (`text/event-stream`).",
            "content": {"text/event-stream": {}},
        },
        **_problems(401, 403, 422),
    },
)
async def stream_inbox_events(
    request: Request,
    official: InboxOfficial,
    context: ContextDep,
    start_after: Annotated[int, Depends(_start_after)],
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events for the caller's inbox; see the module documentation."""
    cursor = EventCursor(last=start_after)
    scope: ConversationScope | None = None
    scope_read_at = 0.0
    yield ServerSentEvent(comment="inbox", retry=RETRY_MILLISECONDS)
    ends_at = time.monotonic() + MAX_STREAM_SECONDS
    while time.monotonic() < ends_at and not await request.is_disconnected():
        async with context.database.sessions() as session:
            if time.monotonic() - scope_read_at >= SCOPE_SECONDS:
                scope = await _scope_of(session, official.id)
                scope_read_at = time.monotonic()
            found = await cursor.read(session)
        if scope is None:
            return
        for event, late in found:
            if scope.allows(event.team_id):
                yield _sse(event, late=late)
        if not cursor.behind:
            await _wait(context)


async def _scope_of(session: AsyncSession, official_id: int) -> ConversationScope | None:
    """The caller's scope as it is now; ``None`` when they may no longer listen."""
    official = await session.get(Official, official_id, populate_existing=True)
    if official is None or not official.active or official.role not in ("admin", "official"):
        return None
    return await conversation_scope(session, official)


def _sse(event: InboxEvent, *, late: bool) -> ServerSentEvent:
    data = InboxEventData(
        conversation_id=event.conversation_id,
        team_id=event.team_id,
        official_id=event.official_id,
        at=event.at,
    )
    return ServerSentEvent(data=data, event=event.kind, id=None if late else str(event.id))


async def _wait(context: AdminContext) -> None:
    if context.bell is not None:
        await context.bell.wait(BELL_POLL_SECONDS)
    else:
        await asyncio.sleep(POLL_SECONDS)
