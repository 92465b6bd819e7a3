"""Retention: residents' words are kept for a set period after a conversation ends, then purged.

A conversation is over when people do not have it (not ``waiting`` or ``human``) and nothing
has happened in it for the whole period. Its messages older than the period lose their text;
the rows stay (direction, author, intent, language, time), so statistics still count them.
Delivered outbox rows older than the period lose their text too (they are copies of what was
said), and stored updates their payload (handled ones lost it when handled). Officials'
internal notes are not touched.

:class:`RetentionJob` runs the purge in the one process at an interval; ``talkkari privacy
purge`` runs it once.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.clock import Clock
from store.database import Database
from store.models import Conversation, InboundUpdate, Message, OutboxMessage

__all__ = ["DEFAULT_RETENTION_MONTHS", "Purged", "RetentionJob", "months_before", "purge_expired"]

log = logging.getLogger(__name__)

DEFAULT_RETENTION_MONTHS = 12
WITH_PEOPLE = ("waiting", "human")


@dataclass(frozen=True, slots=True)
class Purged:
    """How many texts one purge removed."""

    messages: int = 0
    outbox_rows: int = 0
    updates: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` moved back ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def purge_expired(session: AsyncSession, *, before: datetime, now: datetime) -> Purged:
    """Purge, in the caller's transaction, the texts older than ``before`` (see the module).

    A stored update still unhandled after the whole period is given up (``expired``) as it
    loses its payload: its channel has long stopped serving it."""
    Database.erase_files_after_commit(session)
    over = select(Conversation.id).where(
        Conversation.state.not_in(WITH_PEOPLE), Conversation.updated_at < before
    )
    messages = await session.execute(
        update(Message)
        .where(
            Message.text.is_not(None),
            Message.created_at < before,
            Message.conversation_id.in_(over.scalar_subquery()),
        )
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    outbox = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status != "pending",
            OutboxMessage.created_at < before,
            OutboxMessage.text != "",
        )
        .values(text="", buttons=None)
        .execution_options(synchronize_session=False)
    )
    updates = await session.execute(
        update(InboundUpdate)
        .where(InboundUpdate.handled_at.is_(None), InboundUpdate.received_at < before)
        .values(payload=None, handled_at=now, outcome="expired")
        .execution_options(synchronize_session=False)
    )
    return Purged(messages=_count(messages), outbox_rows=_count(outbox), updates=_count(updates))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class RetentionJob:
    """Purges what is past ``months`` every ``interval`` seconds until stopped; a failing purge
    is logged and tried again at the next interval. Replicas may each run one: the purge is a
    few idempotent ``UPDATE`` statements."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        months: int = DEFAULT_RETENTION_MONTHS,
        interval: float = 3600.0,
    ) -> None:
        self._database = database
        self._clock = clock
        self._months = months
        self._interval = interval

    async def purge_once(self) -> Purged:
        now = self._clock.now()
        before = months_before(now, self._months)
        async with self._database.transaction() as session:
            purged = await purge_expired(session, before=before, now=now)
        if any(purged.counts().values()):
            log.info("retention: purged texts older than %s: %s", before.date(), purged.counts())
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.purge_once()
            except Exception:
                log.exception("retention: the purge failed; trying again in %.0f s", self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval)
