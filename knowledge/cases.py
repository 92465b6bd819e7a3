"""Cases as the bot knows them: our own value, whatever system it came from.

A lookup ends in one of four answers (:data:`Lookup`): the case, that no public case has the
number, that the case is not public (and nothing more about it), or that the source does not
answer right now. The Ahjo client (:mod:`knowledge.ahjo`) and the local registry
(:mod:`knowledge.registry`) both answer through :class:`CaseSource`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

__all__ = [
    "STATUSES",
    "Case",
    "CaseSource",
    "Lookup",
    "NotFound",
    "NotPublic",
    "Phase",
    "Record",
    "Unavailable",
    "case_id",
    "case_page_url",
    "normalise_diary_number",
]

PAGE_PATHS = {"fi": "fi/asia", "sv": "sv/arende", "en": "en/case"}
PUBLIC_PAGES = "https://paatokset.hel.fi"

STATUSES = ("Vireillä", "Ratkaistu", "Päätetty", "Arkistoitu")
"""Ahjo's case statuses, in Finnish as Ahjo gives them."""

_DIARY_NUMBER = re.compile(r"^HEL (\d{4})-(\d{6})$")
_LOOSE_DIARY_NUMBER = re.compile(r"^\s*HEL[\s\-]*((?:19|20)\d{2})[\s\-]+(\d{1,6})\s*$", re.I)


def normalise_diary_number(typed: str) -> str:
    """``hel-2025-1216`` → ``HEL 2025-001216``; raises ``ValueError`` for anything else."""
    match = _LOOSE_DIARY_NUMBER.match(typed)
    if match is None:
        raise ValueError(f"not a Helsinki diary number: {typed!r}")
    return f"HEL {match[1]}-{int(match[2]):06d}"


def case_id(diary_number: str) -> str:
    """Ahjo's id for a diary number: ``HEL 2025-001216`` → ``HEL-2025-001216``."""
    match = _DIARY_NUMBER.match(diary_number)
    if match is None:
        raise ValueError(f"not a normalised Helsinki diary number: {diary_number!r}")
    return f"HEL-{match[1]}-{match[2]}"


def case_page_url(diary_number: str, language: str) -> str:
    """The case's public page on paatokset.hel.fi in ``language`` (fi, sv or en)."""
    path = PAGE_PATHS.get(language, PAGE_PATHS["fi"])
    return f"{PUBLIC_PAGES}/{path}/{case_id(diary_number).lower()}"


@dataclass(frozen=True, slots=True)
class Phase:
    """Where the case is now: the handling with the highest work sequence number."""

    sequence: int
    status: str
    """As Ahjo names it, in Finnish (``Valmistelussa``, ``Päätöksenteossa``, ``Päättynyt``…)."""
    sector: str | None
    sector_id: str | None


@dataclass(frozen=True, slots=True)
class Record:
    """A decision or other public document of the case."""

    id: str
    kind: str
    """Ahjo's record type as it names it (``päätös``, ``esitys``, ``viranhaltijan päätös``…)."""
    title: str
    issued: date | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Case:
    """A public case, in the form the bot answers from."""

    diary_number: str
    """Normalised: ``HEL 2025-001216``."""
    title: str
    status: str
    """Ahjo's status in Finnish: ``Vireillä``, ``Ratkaistu``, ``Päätetty`` or ``Arkistoitu``."""
    phase: Phase | None
    sector_id: str | None
    sector: str | None
    records: tuple[Record, ...]
    source: str
    """``ahjo`` or ``registry``."""
    fetched_at: datetime
    """When the source said this; older than the lookup when served from the cache."""
    stale: bool = False
    """Served from the cache because the source did not answer."""
    note: str | None = None
    """A public note from the registry, as the responsible team wrote it."""
    team: str | None = None
    """The responsible team (registry cases)."""
    revision: str | None = None
    """A source's own mark of change where it has no phases or records (the registry)."""

    def page_url(self, language: str) -> str | None:
        if self.source != "ahjo":
            return None
        return case_page_url(self.diary_number, language)

    @property
    def fingerprint(self) -> str:
        """What a follower is told about when it changes (status, phase and records), as a
        digest: a case with many records would otherwise need a long column."""
        phase = f"{self.phase.sequence}:{self.phase.status}" if self.phase else "-"
        records = ",".join(sorted(record.id for record in self.records))
        state = f"{self.status}|{phase}|{records}|{self.revision or ''}"
        return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NotFound:
    """No public case has this number."""

    diary_number: str


@dataclass(frozen=True, slots=True)
class NotPublic:
    """The case exists but is not public: nothing more may be told."""

    diary_number: str


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The source does not answer now and there is no earlier answer to give; or, not
    ``transient``, there is no source to ask at all (no decision system is configured), so
    asking again later cannot help."""

    diary_number: str
    reason: str
    transient: bool = True


Lookup = Case | NotFound | NotPublic | Unavailable


class CaseSource(Protocol):
    async def lookup(self, diary_number: str, *, language: str = "fi") -> Lookup:
        """The case with this normalised diary number, in ``language`` where the source has it."""
        ...
