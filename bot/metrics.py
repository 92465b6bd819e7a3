"""The residents' side's Prometheus metrics, registered in the registry the process owns."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["BotMetrics"]


@dataclass(frozen=True)
class BotMetrics:
    updates_received: Counter
    updates_handled: Counter
    outbox_delivered: Counter
    handling_seconds: Histogram
    sender_active: Gauge

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
            sender_active=Gauge(
                "talkkari_sender_active",
                "1 while this process is the one that sends (holds the sending role), else 0.",
                registry=registry,
            ),
        )
