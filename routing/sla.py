"""The SLA timer: escalates conversations that wait past their promise.

Every replica may run one; on PostgreSQL they share the work (``SKIP LOCKED``) and each
conversation escalates once (see :func:`routing.handoff.escalate_overdue`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from routing.handoff import DueFor, escalate_overdue
from store import Clock, Database

__all__ = ["SlaWatch"]

log = logging.getLogger(__name__)

BATCH = 200
"""Conversations escalated per transaction; a full batch is followed at once by the next."""


class SlaWatch:
    """Looks for overdue waiting conversations every ``interval`` seconds.

    ``due_for(team, now)`` gives an escalated conversation's new promise at its fallback team;
    ``on_change()`` is called after a check that escalated something has committed (to ring
    the inbox bell), and ``on_escalated(count)`` with how many escalated (for metrics). A
    failing check is logged and tried again at the next interval.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        due_for: DueFor,
        interval: float = 30.0,
        on_change: Callable[[], None] | None = None,
        on_escalated: Callable[[int], None] | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._due_for = due_for
        self._interval = interval
        self._on_change = on_change
        self._on_escalated = on_escalated

    async def run(self, stop: asyncio.Event) -> None:
        """Check until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.check_once()
            except Exception:
                log.exception("SLA check failed; trying again in %s s", self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval)

    async def check_once(self) -> int:
        """Escalate everything overdue now; returns how many conversations escalated."""
        total = 0
        while True:
            async with self._database.transaction() as session:
                escalated = await escalate_overdue(
                    session, self._clock.now(), due_for=self._due_for, limit=BATCH
                )
            total += escalated
            if escalated and self._on_escalated is not None:
                self._on_escalated(escalated)  # committed: counted even if a later batch fails
            if escalated < BATCH:
                break
        if total and self._on_change is not None:
            self._on_change()
        return total
