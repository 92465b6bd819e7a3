"""Telling a resident about a case: its state in a few lines, and what changed since last time.

Everything here is pure: a lookup and a language in, a text out.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from bot.texts import TEXTS, say
from bot.texts.cases import PHASE_KEYS, RECORD_KEYS, STATUS_KEYS
from knowledge.cases import Case, Lookup, NotFound, NotPublic, Record, Unavailable

__all__ = ["case_snapshot", "describe_change", "describe_lookup", "format_date"]

DECISION_KINDS = ("päätös", "viranhaltijan päätös", "luottamushenkilön päätös")
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def describe_lookup(lookup: Lookup, language: str, *, timezone: tzinfo) -> str:
    """What the resident is told of one looked-up number."""
    if isinstance(lookup, NotFound):
        return say("case_not_found", language, number=lookup.diary_number)
    if isinstance(lookup, NotPublic):
        return say("case_not_public", language, number=lookup.diary_number)
    if isinstance(lookup, Unavailable):
        if not lookup.transient:  # nothing to ask: "try again later" could never help
            return say("case_not_searchable", language, number=lookup.diary_number)
        return say("case_unavailable", language, number=lookup.diary_number)
    return describe_case(lookup, language, timezone=timezone)


def describe_case(case: Case, language: str, *, timezone: tzinfo) -> str:
    title = case.title.strip() or say("case_untitled", language)
    lines = [
        say("case_heading", language, number=case.diary_number, title=title),
        say("case_status_line", language, status=status_word(case.status, language)),
    ]
    if case.phase is not None:
        phase = phase_word(case.phase.status, language)
        sector = sector_name(case.phase.sector_id, case.phase.sector, language)
        if sector:
            lines.append(say("case_phase_line", language, phase=phase, sector=sector))
        else:
            lines.append(say("case_phase_line_no_sector", language, phase=phase))
    record = latest_record(case.records)
    if record is not None and record.url:
        lines.append(_record_line("case_latest_record", record, language))
    if case.note:
        lines.append(say("case_note", language, note=case.note))
    url = case.page_url(language)
    if url:
        lines.append(say("case_link", language, url=url))
    if case.stale:
        lines.append(
            say("case_stale", language, time=format_time(case.fetched_at, language, timezone))
        )
    return "\n".join(lines)


def case_snapshot(case: Case) -> dict[str, Any]:
    """What the watcher keeps of a case, to tell followers later what changed."""
    return {
        "status": case.status,
        "phase": case.phase.sequence if case.phase else None,
        "records": sorted(record.id for record in case.records),
        "revision": case.revision,
    }


def describe_change(before: dict[str, Any] | None, case: Case, language: str) -> str:
    """The notice a follower gets when ``case`` no longer looks as ``before`` did."""
    title = case.title.strip() or say("case_untitled", language)
    lines = [say("case_moved", language, number=case.diary_number, title=title)]
    before = before or {}
    if before.get("status") != case.status:
        lines.append(say("moved_status", language, status=status_word(case.status, language)))
    if case.phase is not None and before.get("phase") != case.phase.sequence:
        phase = phase_word(case.phase.status, language)
        sector = sector_name(case.phase.sector_id, case.phase.sector, language)
        lines.append(say("moved_phase", language, phase=f"{phase} – {sector}" if sector else phase))
    seen = set(before.get("records") or ())
    new = [record for record in case.records if record.id not in seen and record.url]
    for record in sorted(new, key=_record_order, reverse=True)[:3]:
        lines.append(_record_line("moved_record", record, language))
    if len(lines) == 1:
        lines.append(say("moved_details", language))
    if case.note:
        lines.append(say("case_note", language, note=case.note))
    url = case.page_url(language)
    if url:
        lines.append(say("case_link", language, url=url))
    return "\n".join(lines)


def _record_line(key: str, record: Record, language: str) -> str:
    return say(
        key,
        language,
        kind=record_word(record.kind, language),
        date=format_date(record.issued, language),
        url=record.url,
    )


def latest_record(records: tuple[Record, ...]) -> Record | None:
    """The newest decision, else the newest dated document."""
    decisions = [record for record in records if record.kind in DECISION_KINDS and record.issued]
    dated = decisions or [record for record in records if record.issued]
    return max(dated, key=_record_order) if dated else None


def _record_order(record: Record) -> tuple[date, bool]:
    return (record.issued or date.min, record.kind in DECISION_KINDS)


def status_word(status: str, language: str) -> str:
    key = STATUS_KEYS.get(status)
    return say(key, language) if key else status


def phase_word(status: str, language: str) -> str:
    key = PHASE_KEYS.get(status)
    return say(key, language) if key else status.lower()


def record_word(kind: str, language: str) -> str:
    key = RECORD_KEYS.get(kind)
    return say(key, language) if key else kind


def sector_name(sector_id: str | None, sector: str | None, language: str) -> str | None:
    """Ahjo's Finnish sector name, in the resident's language where we know it."""
    key = f"sector_{sector_id}"
    if language != "fi" and key in TEXTS:
        return say(key, language)
    return sector


def format_date(day: date | None, language: str) -> str:
    if day is None:
        return say("undated", language)
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def format_time(moment: datetime, language: str, timezone: tzinfo) -> str:
    local = moment.astimezone(timezone)
    day = format_date(local.date(), language)
    if language == "en":
        return f"{day} at {local:%H:%M}"
    return f"{day} {'klo' if language == 'fi' else 'kl.'} {local:%H.%M}"
