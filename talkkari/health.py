"""``/healthz``: each part of the process as ``ok``, ``off`` (not configured) or ``failing``
with the reason.

The answer is 503 only when the database does not answer: without it nothing works, while a
process without Telegram, Ahjo or teams still does the rest and must not be restarted for it.
Everything but the database is read from the state the workers keep (the Telegram channel's,
the Ahjo client's, the router's snapshot of the teams); the database is asked one aggregate
query, which also measures the outbox. The JSON (documented in README.md)::

    {"status": "ok" | "degraded" | "unavailable",
     "components": {"database": {"status": "ok"},
                    "telegram": {"status": "off", "reason": "…"},
                    "ahjo": {"status": "failing", "reason": "…"},
                    "handoff": {"status": "ok", "teams": 3},
                    "outbox": {"status": "ok", "pending": 0, "oldest_pending_seconds": 0}}}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from bot.channels.telegram import TelegramChannel
from knowledge.ahjo import AhjoClient
from routing import Router
from store import Clock, Database
from store.outbox import Backlog, outbox_backlog

__all__ = ["COMPONENTS", "OUTBOX_STUCK_AFTER", "Component", "Health"]

log = logging.getLogger(__name__)

COMPONENTS = ("database", "telegram", "ahjo", "handoff", "outbox")
"""Every answer names each of these, in this order."""
OUTBOX_STUCK_AFTER = timedelta(hours=1)
"""A pending outbox row this old is stuck: at 25 messages a second an hour sends 90,000, and
a failing message's retries end well within it."""

Status = Literal["ok", "off", "failing"]


@dataclass(frozen=True, slots=True)
class Component:
    status: Status
    reason: str | None = None
    details: Mapping[str, int | str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        reason = {"reason": self.reason} if self.reason else {}
        return {"status": self.status, **reason, **self.details}


class Health:
    """Tells how each part of the process is; parts not given are reported ``off``."""

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        telegram: TelegramChannel | None = None,
        ahjo: AhjoClient | None = None,
        router: Router | None = None,
        outbox_stuck_after: timedelta = OUTBOX_STUCK_AFTER,
    ) -> None:
        self._database = database
        self._clock = clock
        self._telegram = telegram
        self._ahjo = ahjo
        self._router = router
        self._stuck_after = outbox_stuck_after

    async def check(self) -> tuple[int, dict[str, object]]:
        """The HTTP status and the JSON body of ``/healthz``."""
        try:
            async with self._database.sessions() as session:
                backlog: Backlog | None = await outbox_backlog(session)
        except Exception:
            log.exception("health check: the database does not answer")
            backlog = None
        components = {
            "database": Component("ok")
            if backlog is not None
            else Component("failing", "the database does not answer"),
            "telegram": self.telegram(),
            "ahjo": self.ahjo(),
            "handoff": self.handoff(),
            "outbox": self.outbox(backlog),
        }
        if backlog is None:
            status, code = "unavailable", 503
        elif any(part.status == "failing" for part in components.values()):
            status, code = "degraded", 200
        else:
            status, code = "ok", 200
        return code, {
            "status": status,
            "components": {name: part.as_json() for name, part in components.items()},
        }

    def telegram(self) -> Component:
        channel = self._telegram
        if channel is None:
            return Component("off", "no TALKKARI_TELEGRAM_TOKEN")
        mode = {"mode": "webhook" if channel.is_webhook else "polling"}
        problem = channel.problem
        if problem is not None:
            return Component("failing", problem, mode)
        return Component("ok", details=mode)

    def ahjo(self) -> Component:
        client = self._ahjo
        if client is None:
            return Component("off", "no TALKKARI_AHJO_URL: only the local registry answers cases")
        breaker = client.breaker_state
        failures = client.failures_in_a_row
        last = client.last_failure or "unknown"
        if breaker != "closed":
            reason = f"the breaker is {breaker}: failed lookups in a row: {failures} (last: {last})"
            return Component("failing", reason)
        if failures:
            return Component("failing", f"failed lookups in a row: {failures} (last: {last})")
        return Component("ok")

    def handoff(self) -> Component:
        teams = len(self._router.teams) if self._router is not None else 0
        if not teams:
            return Component(
                "off",
                "no active team: residents who ask for a person are given the city's contact "
                "details",
            )
        return Component("ok", details={"teams": teams})

    def outbox(self, backlog: Backlog | None) -> Component:
        if backlog is None:
            return Component("failing", "the database does not answer")
        waited = (
            max(0, int((self._clock.now() - backlog.oldest).total_seconds()))
            if backlog.oldest is not None
            else 0
        )
        details = {"pending": backlog.pending, "oldest_pending_seconds": waited}
        if waited >= self._stuck_after.total_seconds():
            minutes = waited // 60
            return Component("failing", f"the oldest message has waited {minutes} min", details)
        return Component("ok", details=details)
