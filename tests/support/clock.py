"""A clock for tests that run the whole process: the system's time, moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["ShiftedClock"]


class ShiftedClock:
    """The system's time, moved forward by hand (caches expire, cases fall due, tokens expire
    at once), or started at a chosen moment (``ShiftedClock.at(...)``) and running from there."""

    def __init__(self, shift: timedelta = timedelta()) -> None:
        self.shift = shift

    @classmethod
    def at(cls, moment: datetime) -> ShiftedClock:
        return cls(moment - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def advance(self, by: timedelta) -> None:
        self.shift += by
