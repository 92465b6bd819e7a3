"""Keeping the conversation going: thanks, goodbye and changing language."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.smalltalk import Events, SayAction
from bot.texts import LANGUAGES, say

__all__ = [
    "ActionChangeLanguage",
    "ActionGoodbye",
    "ActionThanks",
]

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


class ActionThanks(SayAction):
    action_name = "action_thanks"
    text_key = "thanks"


class ActionGoodbye(SayAction):
    action_name = "action_goodbye"
    text_key = "goodbye"


class ActionChangeLanguage(Action):  # type: ignore[misc]
    """Switches to the language asked for; without one, asks which, with a button each."""

    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        current = tracker.get_slot("language")
        asked = [
            entity["value"]
            for entity in tracker.latest_message.get("entities", [])
            if entity.get("entity") == "language" and entity.get("value") in LANGUAGES
        ]
        wanted = next((code for code in asked if code != current), asked[0] if asked else None)
        if wanted is None:
            dispatcher.utter_message(
                text=say("which_language", current),
                buttons=[
                    {
                        "title": LANGUAGE_NAMES[code],
                        "payload": f'/change_language{{"language": "{code}"}}',
                    }
                    for code in LANGUAGES
                ],
            )
            return []
        dispatcher.utter_message(text=say("language_changed", wanted))
        return [SlotSet("language", wanted)]
