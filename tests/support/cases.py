"""Cases for tests that build the dialogue by hand: the local registry, no decision system."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from knowledge.lookup import Cases
from knowledge.registry import CaseRegistry
from store import Database, SystemClock

HELSINKI = ZoneInfo("Europe/Helsinki")


def registry_only(database: Database) -> Cases:
    return Cases(CaseRegistry(database), None, clock=SystemClock())
