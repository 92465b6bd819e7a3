"""The small talk of a conversation: greeting, what the bot can do, not understanding."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy import PrivacyNotice
from bot.texts import say

__all__ = [
    "ActionBackWithBot",
    "ActionGreet",
    "ActionHelp",
    "ActionNotUnderstood",
    "Events",
    "SayAction",
]

Events = list[Any]
"""rasa-sdk events (``SlotSet`` …) and our own effect values (frozen dataclasses such as
:class:`bot.cases.FollowCase`) that the dialogue carries out in its transaction."""


class SayAction(Action):  # type: ignore[misc]
    """Says one text from the catalogue in the conversation's language."""

    action_name = ""
    text_key = ""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        dispatcher.utter_message(text=say(self.text_key, tracker.get_slot("language")))
        return []


class ActionGreet(SayAction):
    action_name = "action_greet"
    text_key = "greet"


class ActionHelp(SayAction):
    """What the bot can do, what happens to a message, and where the privacy notice is."""

    action_name = "action_help"
    text_key = "help"

    def __init__(self, notice: PrivacyNotice | None = None) -> None:
        self._notice = notice or PrivacyNotice()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = tracker.get_slot("language")
        notice = self._notice.address(language)
        dispatcher.utter_message(text=say(self.text_key, language, notice=notice))
        return []


class ActionNotUnderstood(SayAction):
    """Below the confidence threshold: say so honestly, never guess."""

    action_name = "action_not_understood"
    text_key = "not_understood"


class ActionBackWithBot(SayAction):
    """``/botti`` while the bot has the conversation anyway: say it is here."""

    action_name = "action_back_with_bot"
    text_key = "back_with_bot"
