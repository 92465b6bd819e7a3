"""Intake: every inbound update is stored first, then handled by the dialogue.

:meth:`Intake.record` stores an update once (unique per channel and update id) and only then
may the channel acknowledge it to the platform. :meth:`Intake.run` handles stored updates in
order, each in one transaction with the answer it produces, so a crash at any point leaves the
update either unhandled (handled again after restart) or handled with its answer in the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.dialogue import Dialogue
from bot.flooding import FloodLimit, paced_times, starts_an_episode
from bot.inbound import Inbound
from bot.metrics import BotMetrics
from store import Clock, Database, InboundUpdate, insert_new
from store.notify import INBOUND, notify, wait_for_bell
from store.queues import chat_heads, one_of

__all__ = ["Intake"]

log = logging.getLogger(__name__)

KEEP_HANDLED = timedelta(days=7)
"""Telegram keeps an unconfirmed update for 24 hours; a week of ids is plenty to spot repeats."""
PRUNE_INTERVAL_SECONDS = 3600.0


class Intake:
    """Stores and handles the updates of ``channels`` (the ones this process serves)."""

    def __init__(
        self,
        database: Database,
        dialogue: Dialogue,
        *,
        channels: Iterable[str],
        clock: Clock,
        metrics: BotMetrics,
        on_answer: Callable[[], None] = lambda: None,
        idle_poll_seconds: float = 1.0,
        flood: FloodLimit | None = None,
    ) -> None:
        self._db = database
        self._dialogue = dialogue
        self._channels = frozenset(channels)
        self._clock = clock
        self._metrics = metrics
        self._on_answer = on_answer
        self._idle_poll_seconds = idle_poll_seconds
        self._flood = flood or FloodLimit()
        self._paced_until = 0.0  # the loop's time until which updates it stored are paced
        self._wake = asyncio.Event()
        dialect = database.engine.dialect.name
        heads = chat_heads(InboundUpdate, self._is_open, dialect=dialect)
        # A chat's updates one at a time and in order, also across replicas: only the oldest
        # open update of each chat is taken. The limit comes after the lock's SKIP LOCKED, so
        # a replica takes the next heads rather than none while another holds the first ones.
        oldest = select(heads.c.id)
        # A chat that floods waits for its oldest update's not-before time (bot.flooding);
        # checked on the heads taken, so that finding them stays as it was.
        due = InboundUpdate.not_before.is_(None) | (InboundUpdate.not_before <= bindparam("now"))
        self._pending = self._pending_among(
            and_(one_of(InboundUpdate.id, oldest, dialect=dialect), due)
        )
        self._pending = self._pending.limit(bindparam("limit", type_=Integer))

    def _is_open(self, columns: Any) -> ColumnElement[bool]:
        return and_(columns.handled_at.is_(None), columns.channel.in_(self._channels))

    def _pending_among(
        self, chosen: ColumnElement[bool]
    ) -> Select[int, str, int, dict[str, Any] | None, datetime | None, datetime]:
        """The ``chosen`` updates still unhandled, locked on PostgreSQL, oldest first."""
        query = (
            select(
                InboundUpdate.id,
                InboundUpdate.channel,
                InboundUpdate.update_id,
                InboundUpdate.payload,
                InboundUpdate.not_before,
                InboundUpdate.received_at,
            )
            .where(chosen, InboundUpdate.handled_at.is_(None))
            .order_by(InboundUpdate.id)
        )
        if not self._db.is_sqlite:
            query = query.with_for_update(skip_locked=True, of=InboundUpdate)
        return query

    def wake(self) -> None:
        """Tell the intake there are new stored updates (another replica's, say)."""
        self._wake.set()

    async def record(self, inbound: Inbound) -> bool:
        """Store ``inbound`` unless it is stored already; True when it was new.

        Returns only once the update is committed: the caller may then acknowledge it.
        """
        return await self.record_many([inbound]) == 1

    async def record_many(self, inbounds: Sequence[Inbound]) -> int:
        """Store a channel's batch of updates in one statement; returns how many were new.

        Returns only once they are committed: the caller may then acknowledge them all.
        """
        if not inbounds:
            return 0
        now = self._clock.now()
        statement = insert_new(
            InboundUpdate,
            self._db.engine.dialect.name,
            index_elements=["channel", "update_id"],
        )
        paced: list[datetime | None] = []
        if self._db.is_sqlite:  # read before the one writer's turn, which everything waits for
            async with self._db.sessions() as session:
                paced = await paced_times(session, inbounds, limit=self._flood, now=now)
        async with self._db.transaction() as session:
            paced = paced or await paced_times(session, inbounds, limit=self._flood, now=now)
            values = [
                {
                    "channel": inbound.channel,
                    "update_id": inbound.update_id,
                    "chat_id": inbound.chat_id,
                    "payload": inbound.to_payload(),
                    "received_at": now,
                }
                | ({"not_before": not_before} if any(paced) else {})  # usually no flood
                for inbound, not_before in zip(inbounds, paced, strict=True)
            ]
            result = await session.execute(statement.values(values))
            if getattr(result, "rowcount", 0):
                await notify(session, INBOUND)  # the intake of whichever replica is free
        if last := max(filter(None, paced), default=None):
            loop = asyncio.get_running_loop()
            self._paced_until = max(self._paced_until, loop.time() + (last - now).total_seconds())
        new = int(getattr(result, "rowcount", 0) or 0)
        channel = inbounds[0].channel
        self._metrics.updates_received.labels(channel, "true").inc(new)
        self._metrics.updates_received.labels(channel, "false").inc(len(inbounds) - new)
        if new:
            self._wake.set()
        return new

    async def run(self, stop: asyncio.Event) -> None:
        """Handle stored updates until ``stop`` is set."""
        next_prune = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._wake.clear()
            if loop.time() >= next_prune:
                next_prune = loop.time() + PRUNE_INTERVAL_SECONDS
                try:
                    await self.prune_handled()
                except Exception:
                    log.exception("pruning handled updates failed")
            try:
                handled = await self.handle_pending()
            except Exception:
                log.exception("handling stored updates failed; retrying shortly")
                handled = 0
            if handled:
                continue
            await wait_for_bell(stop, self._wake, seconds=self._idle_seconds(loop))

    def _idle_seconds(self, loop: asyncio.AbstractEventLoop) -> float:
        """The idle poll, or a flood's pace while updates this process stored are paced."""
        if loop.time() < self._paced_until:
            return min(self._idle_poll_seconds, self._flood.pace)
        return self._idle_poll_seconds

    async def prune_handled(self, keep: timedelta = KEEP_HANDLED) -> int:
        """Forget handled updates older than ``keep``: no platform re-delivers that late."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(InboundUpdate).where(InboundUpdate.handled_at < self._clock.now() - keep)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def handle_pending(self, limit: int = 100) -> int:
        """Handle up to ``limit`` stored updates, the oldest of each chat, in one transaction.

        If the batch fails as a whole, its updates are handled one by one, so one update that
        breaks the dialogue only ever costs itself.
        """
        row_ids: list[int] = []
        prepared = False
        try:
            while True:
                try:
                    async with self._db.transaction() as session:
                        claim = {"limit": limit, "now": self._clock.now()}
                        rows = (await session.execute(self._pending, claim)).all()
                        row_ids = [row.id for row in rows]
                        if not rows:
                            return 0
                        inbounds = [
                            Inbound.from_payload(row.channel, row.update_id, row.payload or {})
                            for row in rows
                        ]
                        wanted = [] if prepared else self._dialogue.to_prepare(inbounds)
                        if wanted:
                            raise _Prepare(wanted)  # nothing written yet: roll back, wait, retry
                        await self._tell_flooding(session, rows, inbounds)
                        outcomes = await self._dialogue.respond_all(session, inbounds)
                        by_outcome: dict[str, list[int]] = {}
                        for row_id, outcome in zip(row_ids, outcomes, strict=True):
                            by_outcome.setdefault(outcome.name, []).append(row_id)
                        for name, ids in by_outcome.items():
                            await self._mark_handled(session, ids, name)
                    break
                except _Prepare as asked:
                    # Waiting for another system (Ahjo) inside the transaction would hold up
                    # every other chat's answer (and, on SQLite, every writer): wait here.
                    await self._dialogue.prepare(asked.wanted)
                    prepared = True
        except Exception:
            if not row_ids:
                raise
            log.warning("a batch of %d updates failed; handling them one by one", len(row_ids))
            return sum([await self._handle(row_id) for row_id in row_ids])
        for inbound, outcome in zip(inbounds, outcomes, strict=True):
            self._metrics.updates_handled.labels(inbound.channel, outcome.name).inc()
        if any(outcome.replies for outcome in outcomes):
            self._on_answer()
        return len(rows)

    async def _handle(self, row_id: int) -> bool:
        query = self._pending_among(InboundUpdate.id.in_(self._head_with_id(row_id)))
        inbound: Inbound | None = None
        try:
            async with self._db.transaction() as session:
                row = (await session.execute(query)).first()
                if row is None:
                    return False  # another replica has it, or it is done
                inbound = Inbound.from_payload(row.channel, row.update_id, row.payload or {})
                await self._tell_flooding(session, [row], [inbound])
                outcome = await self._dialogue.respond(session, inbound)
                await self._mark_handled(session, [row_id], outcome.name)
        except (OperationalError, InterfaceError):
            raise  # the database, not the update: it is handled when the database is back
        except Exception:
            log.exception("update %s could not be handled; apologising to the resident", row_id)
            await self._give_up(row_id, inbound)
            self._metrics.updates_handled.labels(
                inbound.channel if inbound else "unknown", "failed"
            ).inc()
            self._on_answer()
            return True
        self._metrics.updates_handled.labels(inbound.channel, outcome.name).inc()
        if outcome.replies:
            self._on_answer()
        return True

    async def _tell_flooding(
        self, session: AsyncSession, rows: Sequence[Any], inbounds: Sequence[Inbound]
    ) -> None:
        """The notice before the answer to the first paced update of a flood episode."""
        for row, inbound in zip(rows, inbounds, strict=True):
            if row.not_before is not None and await starts_an_episode(
                session, inbound, row_id=row.id, received_at=row.received_at
            ):
                await self._dialogue.tell_flooding(session, inbound)

    def _head_with_id(self, row_id: int) -> Any:
        """``row_id`` if it is the oldest open update of its chat (an empty set if not)."""
        earlier = aliased(InboundUpdate)
        row = aliased(InboundUpdate)
        return (
            select(row.id)
            .where(
                row.id == row_id,
                ~exists().where(
                    earlier.channel == row.channel,
                    earlier.chat_id == row.chat_id,
                    self._is_open(earlier),
                    earlier.id < row.id,
                ),
            )
            .scalar_subquery()
        )

    async def _give_up(self, row_id: int, inbound: Inbound | None) -> None:
        """Mark the update failed and tell the resident; their text is kept for officials.

        If even the apology fails, the update is still marked failed, so that one update that
        cannot be handled never holds up the ones behind it.
        """
        try:
            async with self._db.transaction() as session:
                # Only if it was not handled after all (a commit can fail after it succeeded).
                if await self._mark_failed(session, row_id) and inbound is not None:
                    await self._dialogue.apologise(session, inbound)
        except Exception:
            log.exception("update %s: the apology failed too", row_id)
            async with self._db.transaction() as session:
                await self._mark_failed(session, row_id)

    async def _mark_failed(self, session: AsyncSession, row_id: int) -> bool:
        return await self._mark_handled(session, [row_id], "failed") == 1

    async def _mark_handled(self, session: AsyncSession, ids: list[int], outcome: str) -> int:
        """Handled: the payload goes (its text lives on as a message), the id stays.

        Returns how many of ``ids`` were still unhandled."""
        result = await session.execute(
            update(InboundUpdate)
            .where(InboundUpdate.id.in_(ids), InboundUpdate.handled_at.is_(None))
            .values(handled_at=self._clock.now(), payload=None, outcome=outcome)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class _Prepare(Exception):
    """A batch needs something looked up first (see :meth:`Dialogue.to_prepare`)."""

    def __init__(self, wanted: list[Any]) -> None:
        super().__init__("prepare first")
        self.wanted = wanted
