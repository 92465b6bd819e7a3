"""The residents' side of the handoff: carrying out :class:`HandOff`, and keeping the bot
quiet while people have the thread.

While a conversation is ``waiting`` or ``human`` the bot does not answer. The resident's
messages reach the officials' inbox; the first one after the handoff gets one acknowledgement
with the service promise, the rest get silence. ``/botti`` (``/boten``, ``/bot``) takes the
resident back to the bot. When the bot itself fails, the conversation goes to people too: a
failing bot must never strand a resident.

When no team exists at all, nobody here can take a conversation over: the resident is told so
plainly, with the city's own contact details (:class:`CityContact`), never "try again later".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import say
from routing import Question, Router, handoff, make_promise, render_promise
from store import Conversation

__all__ = [
    "CITY_CONTACT_PAGES",
    "RETURN_TO_BOT",
    "CityContact",
    "HandOff",
    "HandoffEdge",
    "WithPeople",
]

RETURN_TO_BOT = "return_to_bot"
"""The intent of ``/botti``: reached by command only."""

WITH_PEOPLE = ("waiting", "human")

CITY_CONTACT_PAGES: Final[Mapping[str, str]] = {
    "fi": "https://www.hel.fi/fi/paatoksenteko/ota-yhteytta-helsingin-kaupunkiin",
    "sv": "https://www.hel.fi/sv/beslutsfattande/kontakta-helsingfors-stad",
    "en": "https://www.hel.fi/en/decision-making/contact-the-city-of-helsinki",
}
"""The City of Helsinki's contact pages, from the service reference data (topic
``contact_and_helsinki_info``). The data's phone number is from 2020, so no number is given by
default: the page has the current ones."""


@dataclass(frozen=True, slots=True)
class CityContact:
    """Where a resident reaches the city's people when nobody here can take the conversation.

    ``url`` (``TALKKARI_CITY_CONTACT_URL``) is one address for every language instead of the
    city's pages; ``phone`` (``TALKKARI_CITY_CONTACT_PHONE``) is added when given.
    """

    url: str | None = None
    phone: str | None = None

    def address(self, language: str | None) -> str:
        return self.url or CITY_CONTACT_PAGES.get(language or "fi") or CITY_CONTACT_PAGES["fi"]

    def nobody_here(self, language: str) -> str:
        """The honest answer when no team exists: nobody here, and where the city is."""
        text = say("handoff_nobody", language, url=self.address(language))
        if self.phone:
            text += " " + say("handoff_nobody_phone", language, phone=self.phone)
        return text


@dataclass(frozen=True, slots=True)
class HandOff:
    """Move the conversation to ``team_id``'s inbox, promising an answer by ``due_at``."""

    team_id: int
    reason: str
    area: str | None
    due_at: datetime | None


class HandoffEdge:
    """Carries out :class:`HandOff` in the dialogue's transaction. The action's reply (the
    service promise) is the acknowledgement, so the next message gets silence."""

    kinds: tuple[type, ...] = (HandOff,)
    slot: str | None = None

    async def read(self, session: AsyncSession, conversation_id: int) -> None:
        return None

    async def carry_out(
        self, session: AsyncSession, decided: Sequence[tuple[int, object]], *, now: datetime
    ) -> None:
        for conversation_id, effect in decided:
            assert isinstance(effect, HandOff)
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                continue
            await handoff.hand_off(
                session,
                conversation,
                team_id=effect.team_id,
                reason=effect.reason,
                area=effect.area,
                due_at=effect.due_at,
                now=now,
            )
            conversation.acknowledged_at = now


class WithPeople:
    """What the bot says (usually nothing) while people have the conversation."""

    def __init__(
        self, router: Router, *, timezone: tzinfo, contact: CityContact | None = None
    ) -> None:
        self._router = router
        self._timezone = timezone
        self._contact = contact or CityContact()

    async def respond(
        self,
        session: AsyncSession,
        conversation: Conversation,
        intent: str,
        language: str,
        now: datetime,
    ) -> list[str]:
        """The texts to say to a message that arrives while people have the conversation."""
        if intent == RETURN_TO_BOT:
            await handoff.return_to_bot(session, conversation, now)
            return [say("back_with_bot", language)]
        await handoff.note_resident_message(session, conversation, now)
        if conversation.acknowledged_at is not None:
            return []  # said once; the official reads everything in the inbox
        conversation.acknowledged_at = now
        if conversation.state == "human":
            return [say("with_an_official", language)]
        return [self.promise_text(conversation, language, now)]

    def promise_text(self, conversation: Conversation, language: str, now: datetime) -> str:
        team = self._router.team(conversation.team_id) if conversation.team_id else None
        if team is None:
            return say("with_people", language)
        promise = dataclasses.replace(make_promise(team, now), due_at=conversation.due_at)
        return render_promise(promise, language, self._timezone)

    async def after_failure(
        self, session: AsyncSession, conversation: Conversation, language: str, now: datetime
    ) -> str | None:
        """The bot failed on this conversation's message: give it to people, and say so (or,
        with no team at all, say where the city's people are)."""
        if conversation.state in WITH_PEOPLE:
            return None
        routed = self._router.route(Question(intent=None))
        if routed is None:
            return self._contact.nobody_here(language)
        team, _ = routed
        promise = make_promise(team, now)
        await handoff.hand_off(
            session,
            conversation,
            team_id=team.id,
            reason="bot_failed",
            area=None,
            due_at=promise.due_at,
            now=now,
        )
        conversation.acknowledged_at = now
        return render_promise(promise, language, self._timezone)
