"""Ahjo's case format: the JSON of ``GET {base}/cases/{id}`` turned into our
:class:`~knowledge.cases.Case` (or :class:`~knowledge.cases.NotPublic`, or
:class:`~knowledge.cases.NotFound` for an empty ``{"cases": []}``)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any, Final

from knowledge.cases import Case, NotFound, NotPublic, Phase, Record

__all__ = ["PUBLIC", "case_from_ahjo"]

PUBLIC: Final = "Julkinen"

_log = logging.getLogger("knowledge.ahjo")
_LABEL = re.compile(r"^HEL\s*(\d{4})-(\d{6})(?:\s+Lausunto\s+\d+)?$", re.IGNORECASE)

_Answer = Case | NotFound | NotPublic


def case_from_ahjo(payload: object, *, diary_number: str, fetched_at: datetime) -> _Answer:
    """Our answer from the JSON of ``GET /cases/{id}``, bare or wrapped as ``{"cases": [...]}``.

    Not public (``PublicityClass`` given and not ``Julkinen``, or any ``SecurityReasons``) →
    :class:`NotPublic` and nothing else. Records that are themselves not public are left out.
    The diary number is the one asked for (a ``… Lausunto n`` label belongs to it).
    Raises ValueError when ``payload`` is not a case.
    """
    case = payload
    if isinstance(payload, dict) and isinstance(payload.get("cases"), list):
        if not payload["cases"]:
            return NotFound(diary_number)
        case = payload["cases"][0]
    if not isinstance(case, dict) or not {"CaseID", "CaseIDLabel"} & case.keys():
        raise ValueError("the body is not a case")
    if not _public(case):
        return NotPublic(diary_number)
    label = _LABEL.match(" ".join(str(case.get("CaseIDLabel", "")).split()))
    if label is None or f"HEL {label[1]}-{label[2]}" != diary_number:
        _log.debug("Ahjo labels %s as %r", diary_number, case.get("CaseIDLabel"))
    handlings = [h for h in _dicts(case.get("Handlings")) if _sequence(h) is not None]
    handlings.sort(key=lambda handling: _sequence(handling) or 0)
    phase = None
    if handlings:
        latest = handlings[-1]
        phase = Phase(
            sequence=_sequence(latest) or 0,
            status=_text(latest.get("Status")),
            sector=_text(latest.get("Sector")) or None,
            sector_id=_text(latest.get("SectorID")) or None,
        )
    with_sector = [h for h in handlings if _text(h.get("Sector"))]
    responsible = with_sector[-1] if with_sector else {}
    return Case(
        diary_number=diary_number,
        title=_text(case.get("Title")),
        status=_text(case.get("Status")),
        phase=phase,
        sector_id=_text(responsible.get("SectorID")) or None,
        sector=_text(responsible.get("Sector")) or None,
        records=tuple(
            _record(record)
            for record in _dicts(case.get("Records"))
            if _public(record) and _text(record.get("NativeId"))
        ),
        source="ahjo",
        fetched_at=fetched_at,
    )


def _public(item: dict[str, Any]) -> bool:
    publicity = item.get("PublicityClass")
    return (publicity is None or publicity == PUBLIC) and not item.get("SecurityReasons")


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _sequence(handling: dict[str, Any]) -> int | None:
    number = handling.get("WorkSequenceNumber")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _record(record: dict[str, Any]) -> Record:
    url = _text(record.get("FileURI"))
    return Record(
        id=_text(record.get("NativeId")),
        kind=_text(record.get("Type")),
        title=_text(record.get("Title")),
        issued=_day(record.get("Issued")),
        url=url if url.startswith(("https://", "http://")) else None,
    )


def _day(value: object) -> date | None:
    """``2025-04-07T03:00:00.000`` → 2025-04-07: the day Ahjo gives, whatever the hour."""
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None
