"""The actions for tests that build the dialogue by hand: cases from the local registry only (no
decision system), routing from the database's teams (none unless the test adds them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rasa_sdk import Action

from bot.actions import default_actions
from bot.areas import StoredNotices
from knowledge.areas import area_registry
from knowledge.lookup import Cases
from knowledge.registry import CaseRegistry
from routing import Router
from store import Database, SystemClock

HELSINKI = ZoneInfo("Europe/Helsinki")


def registry_only(database: Database) -> Cases:
    return Cases(CaseRegistry(database), None, clock=SystemClock())


def actions_for(database: Database) -> list[Action]:
    return default_actions(
        registry_only(database),
        router=Router(database, timezone=HELSINKI),
        clock=SystemClock(),
        timezone=HELSINKI,
        notices=StoredNotices(database, area_registry(), clock=SystemClock()),
    )
