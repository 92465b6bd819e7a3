"""Flood limits: the `TelegramLimits` configuration and the sliding windows enforcing it."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TelegramLimits:
    """Flood limits enforced on sendMessage/editMessageText when given to `FakeTelegram`.

    Each limit is a sliding window: at most ``floor(rate)`` sends in any window of the named
    length (a rate below 1 means one send per ``1/rate`` of the window). ``math.inf`` disables
    a limit. Private chats have positive ids, groups and channels negative ones.
    """

    overall_per_second: float = 30
    private_per_second: float = 1
    group_per_minute: float = 20

    def __post_init__(self) -> None:
        for name in ("overall_per_second", "private_per_second", "group_per_minute"):
            if not getattr(self, name) > 0:
                raise ValueError(f"TelegramLimits.{name} must be positive")


@dataclass(slots=True)
class _Window:
    """Sliding window admitting at most `capacity` events in any `span` seconds."""

    capacity: int
    span: float
    events: deque[float] = field(default_factory=deque)

    @classmethod
    def for_rate(cls, rate: float, window: float) -> _Window | None:
        if math.isinf(rate):
            return None
        capacity = max(1, math.floor(rate))
        return cls(capacity, window * capacity / rate)

    def wait_time(self, now: float) -> float:
        """Seconds until one more event is admitted (0 when it is admitted now)."""
        events = self.events
        while events and events[0] <= now - self.span:
            events.popleft()
        if len(events) < self.capacity:
            return 0.0
        return events[0] + self.span - now
