"""The local case registry: cases the city registers itself, answered before Ahjo.

A team registers a case that has a diary number but is not in the decision system yet, or one
it wants to speak of in its own words. Registry cases are public by being registered: whatever
is written here, a resident may read. They are imported from CSV (``talkkari cases import``);
the admin API edits them one at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from knowledge.cases import STATUSES, Case, Lookup, NotFound, normalise_diary_number
from store import Clock, Database, LocalCase, insert_new

__all__ = ["CSV_COLUMNS", "CaseRegistry", "RegistryImport", "import_cases", "read_cases_csv"]

CSV_COLUMNS = (
    "diary_number",
    "title",
    "title_sv",
    "title_en",
    "status",
    "team",
    "note",
    "note_sv",
    "note_en",
)
"""The columns of a registry CSV; ``diary_number``, ``title`` and ``status`` are required."""

_REQUIRED = ("diary_number", "title", "status")


class CaseRegistry:
    """:class:`~knowledge.cases.CaseSource` over the ``local_cases`` table.

    Reads in a session of its own (no write transaction), so it may be asked while another
    session of the process is writing.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def lookup(self, diary_number: str, *, language: str = "fi") -> Lookup:
        async with self._database.sessions() as session:
            row = await session.get(LocalCase, diary_number)
        if row is None:
            return NotFound(diary_number)
        return registry_case(row, language=language)

    async def lookup_many(
        self, diary_numbers: Sequence[str], *, language: str = "fi"
    ) -> dict[str, Case]:
        """The registered ones among ``diary_numbers``, in one query."""
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(LocalCase).where(LocalCase.diary_number.in_(list(diary_numbers)))
            )
            return {row.diary_number: registry_case(row, language=language) for row in rows}


def registry_case(row: LocalCase, *, language: str) -> Case:
    titles = {"fi": row.title, "sv": row.title_sv, "en": row.title_en}
    notes = {"fi": row.note, "sv": row.note_sv, "en": row.note_en}
    return Case(
        diary_number=row.diary_number,
        title=titles.get(language) or row.title,
        status=row.status,
        phase=None,
        sector_id=None,
        sector=None,
        records=(),
        source="registry",
        fetched_at=row.updated_at,
        note=notes.get(language) or row.note,
        team=row.team,
        # The registry's own change time stands in for phases and records when watching it.
        revision=row.updated_at.isoformat(),
    )


@dataclass(frozen=True, slots=True)
class RegistryImport:
    """What an import did: rows added, rows updated, and the lines it refused, with why."""

    added: int
    updated: int
    refused: tuple[str, ...]


def read_cases_csv(path: Path) -> tuple[list[dict[str, str | None]], list[str]]:
    """The rows of a registry CSV, validated, and one line per row refused (with its line)."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [column for column in _REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            return [], [f"{path.name}: the columns {', '.join(missing)} are missing"]
        rows: list[dict[str, str | None]] = []
        refused: list[str] = []
        for line, raw in enumerate(reader, start=2):
            problem, row = _validated(raw)
            if problem:
                refused.append(f"{path.name}:{line}: {problem}")
            else:
                rows.append(row)
        return rows, refused


def _validated(raw: Mapping[str, str | None]) -> tuple[str | None, dict[str, str | None]]:
    row = {column: (raw.get(column) or "").strip() or None for column in CSV_COLUMNS}
    try:
        row["diary_number"] = normalise_diary_number(row["diary_number"] or "")
    except ValueError:
        return f"{raw.get('diary_number')!r} is not a diary number like HEL 2025-001216", row
    if not row["title"]:
        return "the title is empty", row
    if row["status"] not in STATUSES:
        return f"the status {row['status']!r} is not one of {', '.join(STATUSES)}", row
    return None, row


async def import_cases(
    database: Database, rows: Iterable[Mapping[str, str | None]], *, clock: Clock
) -> RegistryImport:
    """Add the rows' cases to the registry, replacing those with the same diary number."""
    now = clock.now()
    rows = list(rows)
    added = updated = 0
    async with database.transaction() as session:
        dialect = session.get_bind().dialect.name
        known = set(
            await session.scalars(
                select(LocalCase.diary_number).where(
                    LocalCase.diary_number.in_([row["diary_number"] for row in rows])
                )
            )
        )
        for row in rows:
            values = {**row, "updated_at": now}
            if row["diary_number"] in known:
                existing = await session.get(LocalCase, row["diary_number"])
                assert existing is not None
                changed = any(getattr(existing, key) != value for key, value in row.items())
                if changed:
                    for key, value in values.items():
                        setattr(existing, key, value)
                    updated += 1
            else:
                await session.execute(
                    insert_new(LocalCase, dialect), [{**values, "created_at": now}]
                )
                known.add(str(row["diary_number"]))
                added += 1
    return RegistryImport(added=added, updated=updated, refused=())
