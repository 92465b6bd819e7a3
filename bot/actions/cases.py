"""Cases by diary number: where a case stands, following it, and what one follows.

Without a number, an action asks for one and keeps its intent in the ``pending_intent`` slot:
the next message that is little more than a number is taken as the answer. The numbers last
told about are kept in ``last_cases``, so "follow it" after a status answer needs no number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any, ClassVar, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.smalltalk import Events
from bot.cases.follows import FOLLOWED_CASES, FollowCase, UnfollowCase
from bot.cases.telling import case_snapshot, describe_lookup
from bot.texts import say
from knowledge.cases import Case, Lookup, NotFound, NotPublic, Unavailable

__all__ = [
    "MAX_CASES_PER_MESSAGE",
    "MAX_FOLLOWS",
    "ActionCaseFollow",
    "ActionCaseStatus",
    "ActionCaseUnfollow",
    "ActionCasesFollowed",
    "CaseLookup",
    "looks_like_a_diary_number",
]

MAX_CASES_PER_MESSAGE = 5
MAX_FOLLOWS = 50
PENDING_INTENT = "pending_intent"
LAST_CASES = "last_cases"
LAST_CASE_SECTOR = "last_case_sector"
"""The responsible sector of the case last told about: a question after it goes to its team."""

# Something typed as a diary number that the understanding did not accept as one: "HEL" with
# digits, or a year-number pair (2025-1216, 2025/001216, HEL 25-1216, HEL 2025-0012160).
_ATTEMPT = re.compile(r"\bhel\W{0,3}\d|\b(?:19|20)\d{2}\s?[-/–]\s?\d{3,}", re.IGNORECASE)


class CaseLookup(Protocol):
    async def lookup(self, diary_number: str, *, language: str = "fi") -> Lookup: ...


def looks_like_a_diary_number(text: str) -> bool:
    return _ATTEMPT.search(text) is not None


def _numbers(tracker: Tracker) -> list[str]:
    """The diary numbers of the latest message, in the order written, each once."""
    found = [
        str(entity["value"])
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == "diary_number"
    ]
    return list(dict.fromkeys(found))


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "fi")


class _CaseAction(Action):  # type: ignore[misc]
    action_name: ClassVar[str] = ""
    reads: ClassVar[tuple[str, ...]] = ()
    """Slots the dialogue fills from the store before the action runs."""

    def __init__(self, cases: CaseLookup, *, timezone: tzinfo) -> None:
        self._cases = cases
        self._timezone = timezone

    def name(self) -> str:
        return self.action_name

    def _ask(self, dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> Events:
        """No number given: say how it looks if one was attempted, else ask for it."""
        language = _language(tracker)
        if looks_like_a_diary_number(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(text=say("case_malformed", language))
        else:
            dispatcher.utter_message(text=say(key, language))
        return [SlotSet(PENDING_INTENT, tracker.latest_message["intent"]["name"])]


class ActionCaseStatus(_CaseAction):
    """Where each case of the message stands (at most five), short, with its link."""

    action_name = "action_case_status"
    reads = (FOLLOWED_CASES,)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        numbers = _numbers(tracker)
        if not numbers:
            return self._ask(dispatcher, tracker, "case_ask_number")
        language = _language(tracker)
        if len(numbers) > MAX_CASES_PER_MESSAGE:
            dispatcher.utter_message(
                text=say("case_too_many", language, limit=MAX_CASES_PER_MESSAGE)
            )
            numbers = numbers[:MAX_CASES_PER_MESSAGE]
        answers = [await self._cases.lookup(number, language=language) for number in numbers]
        shown = [answer.diary_number for answer in answers if isinstance(answer, Case)]
        following = tracker.get_slot(FOLLOWED_CASES) or []
        for answer in answers:
            buttons = None
            if len(shown) == 1 and answer.diary_number == shown[0]:
                buttons = [
                    _button("button_unfollow", "case_unfollow", shown[0], language)
                    if shown[0] in following
                    else _button("button_follow", "case_follow", shown[0], language)
                ]
            dispatcher.utter_message(
                text=describe_lookup(answer, language, timezone=self._timezone), buttons=buttons
            )
        sectors = {answer.sector_id for answer in answers if isinstance(answer, Case)}
        return [
            SlotSet(PENDING_INTENT, None),
            SlotSet(LAST_CASES, shown or None),
            SlotSet(LAST_CASE_SECTOR, sectors.pop() if len(sectors) == 1 else None),
        ]


class ActionCaseFollow(_CaseAction):
    """Follow the cases named (or the ones just told about); without any, list and ask."""

    action_name = "action_case_follow"
    reads = (FOLLOWED_CASES,)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        numbers = _numbers(tracker) or list(tracker.get_slot(LAST_CASES) or [])
        if not numbers:
            return self._ask(dispatcher, tracker, "follow_ask_number")
        following = list(tracker.get_slot(FOLLOWED_CASES) or [])
        events: Events = [SlotSet(PENDING_INTENT, None)]
        for number in numbers[:MAX_CASES_PER_MESSAGE]:
            if number in following:
                dispatcher.utter_message(text=say("follow_already", language, number=number))
                continue
            if len(following) >= MAX_FOLLOWS:
                dispatcher.utter_message(text=say("follow_limit", language, limit=MAX_FOLLOWS))
                break
            found = await self._cases.lookup(number, language=language)
            if isinstance(found, NotFound):
                dispatcher.utter_message(text=say("follow_not_found", language, number=number))
            elif isinstance(found, NotPublic):
                dispatcher.utter_message(text=say("follow_not_public", language, number=number))
            elif isinstance(found, Unavailable) and not found.transient:
                # Nothing here could ever tell how it moves: say where the city's search is.
                dispatcher.utter_message(text=say("case_not_searchable", language, number=number))
            elif isinstance(found, Case) and not found.stale:
                events.append(FollowCase(number, found.fingerprint, case_snapshot(found)))
                following.append(number)
                dispatcher.utter_message(text=say("follow_started", language, number=number))
            else:  # the source does not answer: follow now, the watcher learns the case later
                events.append(FollowCase(number))
                following.append(number)
                dispatcher.utter_message(
                    text=say("follow_started_unchecked", language, number=number)
                )
        return events


class ActionCaseUnfollow(_CaseAction):
    """Stop following the cases named; without any, offer a button for each followed case."""

    action_name = "action_case_unfollow"
    reads = (FOLLOWED_CASES,)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        following = list(tracker.get_slot(FOLLOWED_CASES) or [])
        numbers = _numbers(tracker) or [
            number for number in tracker.get_slot(LAST_CASES) or [] if number in following
        ]
        if not numbers:
            if not following:
                dispatcher.utter_message(text=say("following_none", language))
                return []
            if looks_like_a_diary_number(tracker.latest_message.get("text") or ""):
                dispatcher.utter_message(text=say("case_malformed", language))
            dispatcher.utter_message(
                text=say("unfollow_which", language),
                buttons=[
                    _button("button_unfollow", "case_unfollow", n, language) for n in following
                ],
            )
            return [SlotSet(PENDING_INTENT, "case_unfollow")]
        events: Events = [SlotSet(PENDING_INTENT, None)]
        for number in numbers:
            if number in following:
                events.append(UnfollowCase(number))
                dispatcher.utter_message(text=say("unfollow_done", language, number=number))
            else:
                dispatcher.utter_message(
                    text=say("unfollow_not_following", language, number=number)
                )
        return events


class ActionCasesFollowed(_CaseAction):
    """The cases this chat follows, each a button that tells where it stands."""

    action_name = "action_cases_followed"
    reads = (FOLLOWED_CASES,)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        following = list(tracker.get_slot(FOLLOWED_CASES) or [])
        if not following:
            dispatcher.utter_message(text=say("following_none", language))
            return []
        dispatcher.utter_message(
            text=say("following_list", language, cases="\n".join(following)),
            buttons=[
                {"title": number, "payload": _payload("case_status", number)}
                for number in following
            ],
        )
        return []


def _payload(intent: str, number: str) -> str:
    return f'/{intent}{{"diary_number": "{number}"}}'


def _button(text_key: str, intent: str, number: str, language: str) -> dict[str, str]:
    return {"title": say(text_key, language, number=number), "payload": _payload(intent, number)}


def case_actions(cases: CaseLookup, *, timezone: tzinfo) -> Sequence[Action]:
    return [
        action(cases, timezone=timezone)
        for action in (ActionCaseStatus, ActionCaseFollow, ActionCaseUnfollow, ActionCasesFollowed)
    ]
