"""Areas: subscribing to an area's notices, stopping them, listing them, and what is announced.

An area is named by the understanding's ``area`` (a Finnish name) or ``postal_code`` entity,
or by an ``area_key`` from one of our buttons. A name that fits several areas gets a button
for each; without a name an action asks and keeps its intent in ``pending_intent``, so a next
message that is little more than a name is the answer.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.smalltalk import Events
from bot.areas import SUBSCRIBED_AREAS, SubscribeArea, UnsubscribeArea
from bot.texts import say
from knowledge.areas import Area, AreaRegistry

__all__ = [
    "MAX_AREAS",
    "MAX_NOTICES",
    "ActionAreaSubscribe",
    "ActionAreaUnsubscribe",
    "ActionAreasSubscribed",
    "ActionNoticesList",
    "CurrentNotices",
    "area_actions",
    "area_payload",
]

MAX_AREAS = 20
MAX_NOTICES = 5
MAX_BUTTONS = 8
PENDING_INTENT = "pending_intent"
CALLBACK_DATA_LIMIT = 64
"""Bytes Telegram allows in a button's callback data."""
BUTTON_COMMANDS = {
    "area_subscribe": "subscribe",
    "area_unsubscribe": "unsubscribe",
    "notices_list": "notices",
}
"""The commands (``intents.model.COMMANDS``) that buttons send for these intents: the intent's
own name with a long area key ("district:tampere:tilastoalue:101101") would pass Telegram's
64 bytes of button data."""


class CurrentNotices(Protocol):
    """The notices out now (see :class:`bot.areas.StoredNotices`)."""

    async def current(self, keys: Collection[str], language: str, *, limit: int) -> list[str]:
        """At most ``limit`` notices for the areas ``keys`` (and the areas related to them),
        newest first, each as a reader of ``language`` gets it."""
        ...


def area_payload(intent: str, key: str) -> str:
    """A button's payload: Rasa's trigger of ``intent`` with the ``area_key`` entity."""
    entities = json.dumps({"area_key": key}, separators=(",", ":"), ensure_ascii=False)
    payload = f"/{BUTTON_COMMANDS.get(intent, intent)}{entities}"
    if len(payload.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"a button payload longer than Telegram allows: {payload}")
    return payload


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "fi")


class _AreaAction(Action):  # type: ignore[misc]
    action_name: ClassVar[str] = ""
    reads: ClassVar[tuple[str, ...]] = (SUBSCRIBED_AREAS,)
    """Slots the dialogue fills from the store before the action runs."""

    def __init__(self, areas: AreaRegistry) -> None:
        self._areas = areas

    def name(self) -> str:
        return self.action_name

    def _named(self, tracker: Tracker) -> tuple[str | None, list[Area]]:
        """What the latest message named as an area, and the areas it may mean."""
        entities = {
            str(entity.get("entity")): str(entity.get("value"))
            for entity in reversed(tracker.latest_message.get("entities", []))
        }
        key = entities.get("area_key")
        if key is not None:
            area = self._areas.get(key)
            return key, [area] if area else []
        for entity in ("postal_code", "area"):
            if entity in entities:
                return entities[entity], self._areas.find(entities[entity])
        return None, []

    def _label(self, area: Area, language: str, *, with_city: bool) -> str:
        name = area.name(language)
        if area.kind == "postal" and area.postal_codes[0] not in name:
            name = f"{area.postal_codes[0]} {name}"
        return f"{name} ({self._areas.city_name(area.city, language)})" if with_city else name

    def _name(self, key: str, language: str) -> str:
        area = self._areas.get(key)
        return self._label(area, language, with_city=False) if area else key

    def _stop_buttons(self, keys: Sequence[str], language: str) -> list[dict[str, str]]:
        """A button to stop each of the areas ``keys``."""
        return [
            {
                "title": say("button_area_unsubscribe", language, area=self._name(key, language)),
                "payload": area_payload("area_unsubscribe", key),
            }
            for key in keys[:MAX_AREAS]
        ]

    def _offer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        candidates: Sequence[Area],
    ) -> Events:
        """Several areas fit: a button for each (with its city)."""
        language = _language(tracker)
        intent = str(tracker.latest_message["intent"]["name"])
        dispatcher.utter_message(
            text=say("area_which", language),
            buttons=[
                {
                    "title": self._label(area, language, with_city=True),
                    "payload": area_payload(intent, area.key),
                }
                for area in candidates[:MAX_BUTTONS]
            ],
        )
        return [SlotSet(PENDING_INTENT, intent)]

    def _unknown(self, dispatcher: CollectingDispatcher, tracker: Tracker, words: str) -> Events:
        dispatcher.utter_message(text=say("area_unknown", _language(tracker), words=words))
        return [SlotSet(PENDING_INTENT, str(tracker.latest_message["intent"]["name"]))]


class ActionAreaSubscribe(_AreaAction):
    """Subscribe to the area named; ask which when several fit, or for one when none is named."""

    action_name = "action_area_subscribe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        words, candidates = self._named(tracker)
        if words is None:
            dispatcher.utter_message(text=say("area_ask", language))
            return [SlotSet(PENDING_INTENT, "area_subscribe")]
        if not candidates:
            return self._unknown(dispatcher, tracker, words)
        if len(candidates) > 1:
            return self._offer(dispatcher, tracker, candidates)
        area = candidates[0]
        name = self._name(area.key, language)
        subscribed = list(tracker.get_slot(SUBSCRIBED_AREAS) or [])
        if area.key in subscribed:
            dispatcher.utter_message(text=say("area_already", language, area=name))
            return [SlotSet(PENDING_INTENT, None)]
        if len(subscribed) >= MAX_AREAS:
            dispatcher.utter_message(text=say("area_limit", language, limit=MAX_AREAS))
            return [SlotSet(PENDING_INTENT, None)]
        dispatcher.utter_message(text=say("area_subscribed", language, area=name))
        return [SlotSet(PENDING_INTENT, None), SubscribeArea(area.key)]


class ActionAreaUnsubscribe(_AreaAction):
    """Stop the area named; without one, a button for each subscribed area."""

    action_name = "action_area_unsubscribe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        subscribed = list(tracker.get_slot(SUBSCRIBED_AREAS) or [])
        words, candidates = self._named(tracker)
        if words is None:
            if not subscribed:
                dispatcher.utter_message(text=say("areas_none", language))
                return []
            dispatcher.utter_message(
                text=say("area_unsubscribe_which", language),
                buttons=self._stop_buttons(subscribed, language),
            )
            return [SlotSet(PENDING_INTENT, "area_unsubscribe")]
        if not candidates:
            return self._unknown(dispatcher, tracker, words)
        stopping = [area.key for area in candidates if area.key in subscribed]
        if not stopping:
            if len(candidates) > 1:
                return self._offer(dispatcher, tracker, candidates)
            name = self._name(candidates[0].key, language)
            dispatcher.utter_message(text=say("area_not_subscribed", language, area=name))
            return [SlotSet(PENDING_INTENT, None)]
        events: Events = [SlotSet(PENDING_INTENT, None)]
        for key in stopping:
            events.append(UnsubscribeArea(key))
            name = self._name(key, language)
            dispatcher.utter_message(text=say("area_unsubscribed", language, area=name))
        return events


class ActionAreasSubscribed(_AreaAction):
    """The areas this chat subscribed to, each with a button to stop it."""

    action_name = "action_areas_subscribed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        subscribed = list(tracker.get_slot(SUBSCRIBED_AREAS) or [])
        if not subscribed:
            dispatcher.utter_message(text=say("areas_none", language))
            return []
        names = "\n".join(f"• {self._name(key, language)}" for key in subscribed)
        dispatcher.utter_message(
            text=say("areas_list", language, areas=names),
            buttons=self._stop_buttons(subscribed, language),
        )
        return []


class ActionNoticesList(_AreaAction):
    """The notices out now for the area named, else for the chat's subscribed areas."""

    action_name = "action_notices_list"

    def __init__(self, areas: AreaRegistry, notices: CurrentNotices) -> None:
        super().__init__(areas)
        self._notices = notices

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        words, candidates = self._named(tracker)
        if words is not None:
            if not candidates:
                return self._unknown(dispatcher, tracker, words)
            if len(candidates) > 1:
                return self._offer(dispatcher, tracker, candidates)
            keys = [candidates[0].key]
        else:
            keys = list(tracker.get_slot(SUBSCRIBED_AREAS) or [])
            if not keys:
                dispatcher.utter_message(text=say("notices_ask", language))
                return [SlotSet(PENDING_INTENT, "notices_list")]
        names = ", ".join(self._name(key, language) for key in keys)
        notices = await self._notices.current(keys, language, limit=MAX_NOTICES)
        if not notices:
            dispatcher.utter_message(text=say("notices_none", language, areas=names))
            return [SlotSet(PENDING_INTENT, None)]
        dispatcher.utter_message(text=say("notices_intro", language, areas=names))
        for notice in notices:
            dispatcher.utter_message(text=notice)
        return [SlotSet(PENDING_INTENT, None)]


def area_actions(areas: AreaRegistry, notices: CurrentNotices) -> list[Action]:
    return [
        ActionAreaSubscribe(areas),
        ActionAreaUnsubscribe(areas),
        ActionAreasSubscribed(areas),
        ActionNoticesList(areas, notices),
    ]
