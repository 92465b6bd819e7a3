"""The resident's rights over their data: what is stored (``/privacy``), a copy of it
(``/mydata``), and being forgotten (``/forget``, confirmed with a button)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.smalltalk import Events
from bot.privacy import EraseResident, PrivacyNotice, SendExport
from bot.texts import DEFAULT_LANGUAGE, say

__all__ = ["CONFIRM", "ActionForget", "ActionMyData", "ActionPrivacyInfo", "forget_payload"]

CONFIRM = "confirm"
"""The entity a ``/forget`` button carries: ``yes`` or ``no``."""


def forget_payload(answer: str) -> str:
    """A ``/forget`` button's data (well within Telegram's 64 bytes)."""
    return "/forget" + json.dumps({CONFIRM: answer})


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or DEFAULT_LANGUAGE)


class ActionPrivacyInfo(Action):  # type: ignore[misc]
    """What is stored, for how long, who reads it, and how to get or delete it."""

    def __init__(self, notice: PrivacyNotice | None = None) -> None:
        self._notice = notice or PrivacyNotice()

    def name(self) -> str:
        return "action_privacy_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        text = say(
            "privacy_info",
            language,
            months=self._notice.retention_months,
            notice=self._notice.address(language),
        )
        dispatcher.utter_message(text=text)
        return []


class ActionMyData(Action):  # type: ignore[misc]
    """Sends the resident a JSON file of everything stored about them."""

    def name(self) -> str:
        return "action_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        dispatcher.utter_message(text=say("my_data_coming", language))
        return [SendExport(language)]


class ActionForget(Action):  # type: ignore[misc]
    """Asks first; erases on "yes". The goodbye comes from the erasure itself (see
    :class:`bot.privacy.PrivacyBook`), as nothing of the conversation may remain to hold it."""

    def name(self) -> str:
        return "action_forget"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        answer = next(
            (
                str(entity.get("value"))
                for entity in tracker.latest_message.get("entities", [])
                if entity.get("entity") == CONFIRM
            ),
            None,
        )
        if answer == "yes":
            return [EraseResident(language)]
        if answer == "no":
            dispatcher.utter_message(text=say("forget_cancelled", language))
            return []
        dispatcher.utter_message(
            text=say("forget_question", language),
            buttons=[
                {"title": say("forget_yes", language), "payload": forget_payload("yes")},
                {"title": say("forget_cancel", language), "payload": forget_payload("no")},
            ],
        )
        return []
