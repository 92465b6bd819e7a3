"""Inbox events: what officials' inboxes hear at once (``GET /api/v1/events``).

Events are rows (``inbox_events``), written in the transaction of the change they tell of, so
an inbox on any replica reads them in order and resumes after a reconnect. ``InboxBell`` wakes
this process's listeners as soon as a change commits; on PostgreSQL every replica's bell rings
too (``NOTIFY``, see :mod:`store.notify`).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from store import InboxEvent
from store.notify import INBOX, notify

__all__ = ["EVENT_KINDS", "InboxBell", "publish"]

EVENT_KINDS = (
    "waiting",
    "message",
    "claimed",
    "replied",
    "released",
    "resolved",
    "escalated",
    "transferred",
    "erased",
)
"""``erased``: a resident had themselves forgotten; the event names no conversation (it is gone),
only the team whose inbox showed it, which reloads."""


async def publish(
    session: AsyncSession,
    kind: str,
    *,
    conversation_id: int | None,
    team_id: int | None,
    official_id: int | None = None,
    at: datetime,
) -> None:
    """Add an event to ``session``'s transaction; ring the bell after it commits."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown inbox event {kind!r}")
    session.add(
        InboxEvent(
            kind=kind,
            conversation_id=conversation_id,
            team_id=team_id,
            official_id=official_id,
            at=at,
        )
    )
    await notify(session, INBOX)


class InboxBell:
    """Wakes everyone waiting for new events in this process."""

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()
        self._rung = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait is the point
        rung = self._rung
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rung.wait(), timeout)
