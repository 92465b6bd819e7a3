"""Office hours: when a team answers, in the city's time zone, closed on Finnish public holidays.

A team's ``office_hours`` JSON maps ISO weekday numbers (``"1"`` Monday … ``"7"`` Sunday) to
lists of ``["08:00", "16:00"]`` spans of local wall-clock time. A span lies within one day; its
end may be ``"24:00"``. Night work past midnight is two spans, ``"22:00"–"24:00"`` on one day
and ``"00:00"–"06:00"`` on the next, which count as one stretch of open time.

Closed days are the public holidays of ``holidays.country_holidays("FI")``. That calendar
includes Midsummer Eve (Juhannusaatto, the Friday between 19 and 25 June) and Christmas Eve
(Jouluaatto, 24 December), on which Finnish offices are closed, so no extra rule is needed;
the test suite checks that it still does.

Working time is counted in real elapsed time, so a span on the night the clocks change is an
hour shorter in March and an hour longer in October. A wall-clock time that does not exist
(03:00–04:00 on the last Sunday of March) is read as the instant the clocks jump to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = ["HELSINKI", "DayHours", "OfficeHours", "Span"]

HELSINKI = ZoneInfo("Europe/Helsinki")

_MINUTES_A_DAY = 24 * 60
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
# How far ahead to look for an open day: past any run of holidays, however the week falls.
_SEARCH_DAYS = 400


@dataclass(frozen=True, slots=True)
class Span:
    """Open from ``start`` to ``end``, in minutes after local midnight (``end`` up to 1440)."""

    start: int
    end: int

    @property
    def start_text(self) -> str:
        return _clock_text(self.start)

    @property
    def end_text(self) -> str:
        return _clock_text(self.end)


@dataclass(frozen=True, slots=True)
class DayHours:
    """The same spans on the ISO weekdays ``first`` … ``last`` (1 Monday … 7 Sunday)."""

    first: int
    last: int
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """A team's weekly hours in ``timezone``; Finnish public holidays are closed.

    Every method takes and returns timezone-aware datetimes (results in UTC) and raises
    ``ValueError`` for a naive one. A team without any span is never open: then
    :meth:`next_opening` and :meth:`add_working_minutes` return ``None``, meaning that no
    promise of a time is possible.
    """

    week: tuple[tuple[Span, ...], ...]
    """Seven entries, Monday first: that day's spans, sorted and not overlapping."""
    timezone: tzinfo = HELSINKI

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("office hours need seven days, Monday first")

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, timezone: tzinfo = HELSINKI) -> OfficeHours:
        """Read and check a team's ``office_hours``; a clear ``ValueError`` for bad input."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ValueError("office hours must be an object of weekday numbers '1'…'7'")
        week: list[tuple[Span, ...]] = [() for _ in range(7)]
        for key, spans in data.items():
            if not isinstance(key, str) or key not in {str(n) for n in range(1, 8)}:
                raise ValueError(
                    f"office hours: {key!r} is not a weekday number '1' (Monday) … '7' (Sunday)"
                )
            week[int(key) - 1] = _read_day(key, spans)
        return cls(tuple(week), timezone)

    @property
    def is_empty(self) -> bool:
        """True when the team is never open."""
        return not any(self.week)

    def to_json(self) -> dict[str, list[list[str]]]:
        """The normalised JSON form (days without spans left out)."""
        return {
            str(number): [[span.start_text, span.end_text] for span in spans]
            for number, spans in enumerate(self.week, start=1)
            if spans
        }

    def is_open(self, moment: datetime) -> bool:
        _require_aware(moment)
        local_day = moment.astimezone(self.timezone).date()
        return any(
            start <= moment < end
            for day in (local_day - timedelta(days=1), local_day)
            for start, end in self._intervals(day)
        )

    def next_opening(self, moment: datetime) -> datetime | None:
        """The first open instant at or after ``moment`` (``moment`` itself when open now)."""
        _require_aware(moment)
        for start, end in self._intervals_from(moment):
            if end > moment:
                return max(start, moment).astimezone(UTC)
        return None

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime | None:
        """The instant when ``minutes`` of open time have passed since ``start``.

        Only open time counts; from a ``start`` outside hours the count begins at the next
        opening. An amount that ends exactly at closing time gives the closing time.
        """
        _require_aware(start)
        if minutes < 0:
            raise ValueError("working minutes cannot be negative")
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._intervals_from(start):
            if closes <= start:
                continue
            opens = max(opens, start)
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(UTC)
            remaining -= closes - opens
        return None

    def describe(self) -> tuple[DayHours, ...]:
        """The week as runs of consecutive days with the same spans, e.g. Monday–Friday
        08:00–16:00; closed days are left out."""
        groups: list[DayHours] = []
        for number, spans in enumerate(self.week, start=1):
            if not spans:
                continue
            if groups and groups[-1].last == number - 1 and groups[-1].spans == spans:
                groups[-1] = DayHours(groups[-1].first, number, spans)
            else:
                groups.append(DayHours(number, number, spans))
        return tuple(groups)

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from the day before ``moment``'s local day onwards, in order; ends
        when no day with open time has been seen for a long while (or never can be)."""
        if self.is_empty:
            return
        day = moment.astimezone(self.timezone).date() - timedelta(days=1)
        idle = 0
        while idle < _SEARCH_DAYS:
            intervals = self._intervals(day)
            idle = 0 if intervals else idle + 1
            yield from intervals
            day += timedelta(days=1)

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """``day``'s open intervals as UTC instants (none on a holiday)."""
        if _is_holiday(day):
            return []
        intervals = []
        for span in self.week[day.weekday()]:
            start = self._instant(day, span.start)
            end = self._instant(day, span.end)
            if start < end:  # a span inside the missing hour of a spring night is empty
                intervals.append((start, end))
        return intervals

    def _instant(self, day: date, minute: int) -> datetime:
        if minute == _MINUTES_A_DAY:
            day, minute = day + timedelta(days=1), 0
        wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.timezone)
        return wall.astimezone(UTC)


def _read_day(key: str, spans: Any) -> tuple[Span, ...]:
    if not isinstance(spans, list | tuple):
        raise ValueError(f"office hours for day {key}: expected a list of [start, end] spans")
    read: list[Span] = []
    for pair in spans:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(text, str) for text in pair)
        ):
            raise ValueError(
                f'office hours for day {key}: {pair!r} is not a span like ["08:00", "16:00"]'
            )
        start, end = _read_time(key, pair[0]), _read_time(key, pair[1])
        if start == _MINUTES_A_DAY:
            raise ValueError(f"office hours for day {key}: a span cannot start at 24:00")
        if end <= start:
            raise ValueError(
                f"office hours for day {key}: {pair[0]}–{pair[1]} does not end after it starts;"
                " a span past midnight is written as two, up to 24:00 and from 00:00"
            )
        read.append(Span(start, end))
    read.sort(key=lambda span: span.start)
    merged: list[Span] = []
    for span in read:
        if merged and span.start < merged[-1].end:
            raise ValueError(
                f"office hours for day {key}: {merged[-1].start_text}–{merged[-1].end_text}"
                f" and {span.start_text}–{span.end_text} overlap"
            )
        if merged and span.start == merged[-1].end:  # back to back: one span
            merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


def _read_time(key: str, text: str) -> int:
    match = _TIME.fullmatch(text.strip())
    hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59) and (hours, minutes) != (24, 0):
        raise ValueError(f"office hours for day {key}: {text!r} is not a time from 00:00 to 24:00")
    return hours * 60 + minutes


def _clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")


def _is_holiday(day: date) -> bool:
    return day in _finnish_holidays(day.year)


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year).keys())
