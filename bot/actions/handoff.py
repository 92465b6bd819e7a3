"""Passing a conversation to a person: the resident asks for one, or reports a problem that a
team must handle. The action tells who handles it and by when (the service promise, computed
from the team's office hours and Finnish holidays) and returns :class:`HandOff`; the dialogue
moves the conversation to the team's inbox in the same transaction."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.cases import LAST_CASE_SECTOR
from bot.actions.smalltalk import Events
from bot.handoff import CityContact, HandOff
from routing import Question, Router, make_promise, render_promise
from store import Clock

__all__ = ["ActionAskOfficial", "ActionReportIssue"]


class _HandOffAction(Action):  # type: ignore[misc]
    action_name: ClassVar[str] = ""
    reason: ClassVar[str] = ""

    def __init__(
        self,
        router: Router,
        *,
        clock: Clock,
        timezone: tzinfo,
        contact: CityContact | None = None,
    ) -> None:
        self._router = router
        self._clock = clock
        self._timezone = timezone
        self._contact = contact or CityContact()

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = str(tracker.get_slot("language") or "fi")
        question = _question(tracker)
        routed = self._router.route(question)
        if routed is None:  # no team is set up: never pretend someone will answer
            dispatcher.utter_message(text=self._contact.nobody_here(language))
            return []
        team, _ = routed
        now = self._clock.now()
        promise = make_promise(team, now)
        dispatcher.utter_message(text=render_promise(promise, language, self._timezone))
        return [
            HandOff(
                team_id=team.id,
                reason=self.reason,
                area=question.area or question.postal_code,
                due_at=promise.due_at,
            )
        ]


class ActionAskOfficial(_HandOffAction):
    """The resident wants a person, or to know who is responsible."""

    action_name = "action_ask_official"
    reason = "asked"


class ActionReportIssue(_HandOffAction):
    """A concrete problem (a pothole, a broken light): the team that fixes it gets it."""

    action_name = "action_report_issue"
    reason = "report"


def _question(tracker: Tracker) -> Question:
    entities = tracker.latest_message.get("entities", [])

    def first(kind: str) -> str | None:
        return next((str(e["value"]) for e in entities if e.get("entity") == kind), None)

    return Question(
        intent=tracker.latest_message["intent"]["name"],
        area=first("area"),
        postal_code=first("postal_code"),
        sector_id=tracker.get_slot(LAST_CASE_SECTOR),
        category=None,
    )
