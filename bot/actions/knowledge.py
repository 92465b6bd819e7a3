"""Service questions: the city's own article answers, or an honest "I don't know" that offers
the team that owns the topic.

A confident hit (:mod:`knowledge.retrieval`) is answered with the article's title and text in
the resident's language and its source link, saying when the page is in another language.
Otherwise the bot says it does not know — it never passes a guess off as the city's word — and
offers buttons: to read the plausible articles, and to pass the question to the owner team of
the best one (the default routing when there is none). Pressing that hands the conversation
over like ``ask_official`` does and tells who answers and by when.

Buttons send ``/service_question{"article": "<code>"}`` and ``/service_question{"team":
"<id>"}``: an article's short code and a team's id, because ids and keys of any length would
not fit Telegram's 64 bytes of button data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.smalltalk import Events
from bot.handoff import CityContact, HandOff
from bot.texts import say
from knowledge.articles import Article
from knowledge.retrieval import PLAUSIBLE_SCORE, Hit, LiveKnowledge, article_code
from routing import Question, Router, TeamInfo, make_promise, render_promise
from store import Clock

__all__ = [
    "HANDOFF_REASON",
    "ActionNotUnderstoodOrArticle",
    "ActionServiceQuestion",
    "article_text",
    "knowledge_actions",
    "service_payload",
]

INTENT: Final = "service_question"
HANDOFF_REASON: Final = "service_question"
CALLBACK_DATA_LIMIT: Final = 64
"""Bytes Telegram allows in a button's callback data."""
MAX_CANDIDATES: Final = 3


def service_payload(entity: str, value: str) -> str:
    """A button's payload: Rasa's trigger of ``service_question`` with one entity."""
    entities = json.dumps({entity: value}, separators=(",", ":"), ensure_ascii=False)
    payload = f"/{INTENT}{entities}"
    if len(payload.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"a button payload longer than Telegram allows: {payload}")
    return payload


def article_text(article: Article, language: str) -> str:
    """The answer: title, text and the source link (saying so when the page is in another
    language)."""
    parts = [article.title(language), article.body(language)]
    source = article.source_for(language)
    if source is not None:
        url, page_language = source
        if page_language == language:
            parts.append(say("kb_source", language, url=url))
        else:
            in_language = say(f"kb_in_{page_language}", language)
            parts.append(
                say("kb_source_other_language", language, url=url, page_language=in_language)
            )
    return "\n\n".join(parts)


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "fi")


def _entities(tracker: Tracker) -> dict[str, str]:
    return {
        str(entity.get("entity")): str(entity.get("value"))
        for entity in tracker.latest_message.get("entities", [])
    }


class ActionServiceQuestion(Action):  # type: ignore[misc]
    """Answer a general question from the articles, or decline honestly and offer a person."""

    def __init__(
        self,
        knowledge: LiveKnowledge,
        router: Router,
        *,
        clock: Clock,
        timezone: tzinfo,
        contact: CityContact | None = None,
    ) -> None:
        self._knowledge = knowledge
        self._router = router
        self._clock = clock
        self._timezone = timezone
        self._contact = contact or CityContact()

    def name(self) -> str:
        return "action_service_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        entities = _entities(tracker)
        if "article" in entities:
            article = self._knowledge.current.by_code(entities["article"])
            text = article_text(article, language) if article else say("kb_article_gone", language)
            dispatcher.utter_message(text=text)
            return []
        if "team" in entities:
            return self._pass_on(dispatcher, entities["team"], language)
        text = str(tracker.latest_message.get("text") or "")
        hits = self._knowledge.current.search(text, language, limit=MAX_CANDIDATES)
        if hits and hits[0].confident:
            dispatcher.utter_message(text=article_text(hits[0].article, language))
            return []
        self._decline(dispatcher, hits, language)
        return []

    def _decline(
        self, dispatcher: CollectingDispatcher, hits: Sequence[Hit], language: str
    ) -> None:
        """Say "I don't know", with buttons for the plausible articles and the owner team."""
        plausible = [hit.article for hit in hits if hit.score >= PLAUSIBLE_SCORE]
        owner = self._router.team_by_key(plausible[0].owner_team) if plausible else None
        team = owner or self._routed()
        texts = [say("kb_dont_know", language)]
        buttons = []
        readable = []
        for article in plausible:
            try:
                payload = service_payload("article", article_code(article.id))
            except ValueError:
                continue
            title = say("kb_button_read", language, title=article.title(language))
            buttons.append({"title": title, "payload": payload})
            readable.append(article)
        if readable:
            texts.append(say("kb_maybe", language))
        if team is None:  # no team is set up: never pretend someone will answer
            texts.append(self._contact.nobody_here(language))
        else:
            name = team.name(language)
            texts.append(say("kb_offer", language, team=name))
            buttons.append(
                {
                    "title": say("kb_button_pass", language, team=name),
                    "payload": service_payload("team", str(team.id)),
                }
            )
        dispatcher.utter_message(text="\n\n".join(texts), buttons=buttons or None)

    def _pass_on(self, dispatcher: CollectingDispatcher, team_id: str, language: str) -> Events:
        team = self._router.team(int(team_id)) if team_id.isdigit() else None
        team = team or self._routed()
        if team is None:
            dispatcher.utter_message(text=self._contact.nobody_here(language))
            return []
        promise = make_promise(team, self._clock.now())
        dispatcher.utter_message(text=render_promise(promise, language, self._timezone))
        return [HandOff(team_id=team.id, reason=HANDOFF_REASON, area=None, due_at=promise.due_at)]

    def _routed(self) -> TeamInfo | None:
        routed = self._router.route(Question(intent=INTENT))
        return routed[0] if routed else None


class ActionNotUnderstoodOrArticle(Action):  # type: ignore[misc]
    """Below the understanding's confidence: a confident article answer beats "I did not
    understand"; anything less is that honest reply, as before."""

    def __init__(self, knowledge: LiveKnowledge) -> None:
        self._knowledge = knowledge

    def name(self) -> str:
        return "action_not_understood_or_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        language = _language(tracker)
        text = str(tracker.latest_message.get("text") or "")
        hits = self._knowledge.current.search(text, language, limit=1)
        if hits and hits[0].confident:
            dispatcher.utter_message(text=article_text(hits[0].article, language))
        else:
            dispatcher.utter_message(text=say("not_understood", language))
        return []


def knowledge_actions(
    knowledge: LiveKnowledge,
    *,
    router: Router,
    clock: Clock,
    timezone: tzinfo,
    contact: CityContact | None = None,
) -> list[Action]:
    return [
        ActionServiceQuestion(knowledge, router, clock=clock, timezone=timezone, contact=contact),
        ActionNotUnderstoodOrArticle(knowledge),
    ]
