"""The residents' side's Prometheus metrics, registered in the registry the process owns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["NOTICE_OUTCOMES", "BotMetrics"]

NOTICE_OUTCOMES = ("sent", "failed", "blocked", "retry")
"""Outcomes of an area notice's delivery to one chat: delivered, given up (rejected, or failing
past its retries), the chat blocked the bot or is gone, or to be tried again later."""


@dataclass(frozen=True)
class BotMetrics:
    updates_received: Counter
    updates_handled: Counter
    outbox_delivered: Counter
    handling_seconds: Histogram
    notice_deliveries: Counter
    rate_limited: Counter
    retry_after_seconds: Histogram
    sender_active: Gauge

    def notice_delivery(self, notice_id: int | None, outcome: str) -> None:
        """Count one delivery attempt of an area notice (nothing for other rows)."""
        if notice_id is not None:
            self.notice_deliveries.labels(outcome).inc()

    def told_to_wait(self, channel: str, retry_after: float) -> None:
        """The channel refused a send for its rate limit (Telegram's 429) for ``retry_after``
        seconds."""
        self.rate_limited.labels(channel).inc()
        self.retry_after_seconds.labels(channel).observe(retry_after)

    @classmethod
    def create(cls, registry: CollectorRegistry) -> BotMetrics:
        return cls(
            updates_received=Counter(
                "talkkari_updates_received",
                "Inbound updates stored, by channel and whether they were new.",
                ["channel", "new"],
                registry=registry,
            ),
            updates_handled=Counter(
                "talkkari_updates_handled",
                "Inbound updates the dialogue handled, by outcome.",
                ["channel", "outcome"],
                registry=registry,
            ),
            outbox_delivered=Counter(
                "talkkari_outbox_deliveries",
                "Delivery attempts from the outbox, by channel and result.",
                ["channel", "result"],
                registry=registry,
            ),
            handling_seconds=Histogram(
                "talkkari_dialogue_seconds",
                "Time to understand one update and decide the answer.",
                registry=registry,
                buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            ),
            notice_deliveries=_labelled(
                Counter(
                    "talkkari_notice_deliveries",
                    "Area notices' delivery attempts to one chat, by outcome.",
                    ["outcome"],
                    registry=registry,
                ),
                NOTICE_OUTCOMES,
            ),
            rate_limited=_labelled(
                Counter(
                    "talkkari_rate_limited",
                    "Sends the channel refused for its rate limit (Telegram: 429).",
                    ["channel"],
                    registry=registry,
                ),
                ("telegram",),
            ),
            retry_after_seconds=_labelled(
                Histogram(
                    "talkkari_rate_limit_retry_after_seconds",
                    "The pause the channel asked for with each rate-limit refusal (retry_after).",
                    ["channel"],
                    registry=registry,
                    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300),
                ),
                ("telegram",),
            ),
            sender_active=Gauge(
                "talkkari_sender_active",
                "1 while this process is the one that sends (holds the sending role), else 0.",
                registry=registry,
            ),
        )


_Metric = TypeVar("_Metric", Counter, Histogram)


def _labelled(metric: _Metric, values: tuple[str, ...]) -> _Metric:
    """``metric`` with a zero series for each label value, so that it shows before it counts."""
    for value in values:
        metric.labels(value)
    return metric
