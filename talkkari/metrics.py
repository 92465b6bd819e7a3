"""Operations metrics beside the bot's (:class:`bot.metrics.BotMetrics`), in the registry the
process owns: the teams' queues, escalations, Ahjo's requests and the outbox's age.

Counters and histograms are fed as things happen (:meth:`OperationsMetrics.request_done` is the
Ahjo client's :class:`~knowledge.ahjo.AhjoObserver`, :meth:`escalated` the SLA watch's
callback); the gauges of what waits are read when ``/metrics`` is scraped
(:meth:`OperationsMetrics.scrape`), one grouped query for the teams and one for the outbox.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.ahjo import REQUEST_OUTCOMES
from routing.waiting import waiting_by_team
from store.outbox import outbox_backlog

__all__ = ["OperationsMetrics"]

AHJO_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Seconds; one attempt may take 1.5 s and a lookup 3 s by default."""


class OperationsMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.escalations = Counter(
            "talkkari_escalations",
            "Waiting conversations escalated past their promise by the SLA watch.",
            registry=registry,
        )
        self.ahjo_requests = Histogram(
            "talkkari_ahjo_request_seconds",
            "HTTP requests to Ahjo (retries included) by outcome, and how long each took.",
            ["outcome"],
            buckets=AHJO_BUCKETS,
            registry=registry,
        )
        for outcome in REQUEST_OUTCOMES:
            self.ahjo_requests.labels(outcome)
        self.waiting = Gauge(
            "talkkari_conversations_waiting",
            "Conversations waiting for an official, by team key.",
            ["team"],
            registry=registry,
        )
        self.overdue = Gauge(
            "talkkari_conversations_overdue",
            "Waiting conversations past their promise, by team key.",
            ["team"],
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "talkkari_outbox_pending", "Outbox rows waiting to be delivered.", registry=registry
        )
        self.outbox_oldest = Gauge(
            "talkkari_outbox_oldest_pending_age_seconds",
            "How long the oldest pending outbox row has waited (0 when none waits).",
            registry=registry,
        )

    def request_done(self, outcome: str, seconds: float) -> None:
        """An Ahjo request ended (:class:`~knowledge.ahjo.AhjoObserver`)."""
        self.ahjo_requests.labels(outcome).observe(seconds)

    def escalated(self, count: int) -> None:
        self.escalations.inc(count)

    async def scrape(self, session: AsyncSession, now: datetime) -> None:
        """Read the gauges of what waits now. Teams gone since the last scrape disappear."""
        queues = await waiting_by_team(session, now)
        self.waiting.clear()
        self.overdue.clear()
        for queue in queues:
            self.waiting.labels(queue.team).set(queue.waiting)
            self.overdue.labels(queue.team).set(queue.overdue)
        backlog = await outbox_backlog(session)
        self.outbox_pending.set(backlog.pending)
        age = (now - backlog.oldest).total_seconds() if backlog.oldest is not None else 0.0
        self.outbox_oldest.set(max(0.0, age))
