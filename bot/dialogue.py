"""The dialogue: from one stored inbound update to the answer in the outbox.

Intent → action: the policy names the rasa-sdk ``Action`` for each intent; the action runs in
process with a ``Tracker`` built from the conversation and a ``CollectingDispatcher``. The
messages it collects become outbox rows; the events it returns (``SlotSet``) update the
conversation. All of it happens in the caller's transaction, so an update is answered
completely or not at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import intents
from bot.inbound import Inbound
from bot.metrics import BotMetrics
from bot.outbox import enqueue_text
from bot.ports import Button
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, say
from store import Clock, Conversation, Message, Resident

__all__ = ["Dialogue", "Outcome"]

log = logging.getLogger(__name__)


class Understand(Protocol):
    def __call__(self, text: str, *, prior_language: str | None = None) -> intents.Parse: ...


FALLBACK_ACTION = "action_not_understood"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one update came to: ``answered`` or ``ignored``, and how many texts."""

    name: str
    replies: int = 0


class Dialogue:
    def __init__(
        self,
        *,
        actions: Iterable[Action],
        clock: Clock,
        metrics: BotMetrics,
        understand: Understand,
        policy: Mapping[str, str],
    ) -> None:
        self._actions = {action.name(): action for action in actions}
        missing = set(policy.values()) - self._actions.keys()
        if missing:
            raise ValueError(f"the policy names actions that do not exist: {sorted(missing)}")
        self._policy = dict(policy)
        self._understand = understand
        self._clock = clock
        self._metrics = metrics

    async def respond(self, session: AsyncSession, inbound: Inbound) -> Outcome:
        """Decide and enqueue the answer to ``inbound``, within ``session``'s transaction."""
        if inbound.chat_id is None or inbound.chat_kind != "private":
            return Outcome("ignored")  # groups and channels are for notices, not conversation
        started = time.perf_counter()
        now = self._clock.now()
        resident = await self._resident(session, inbound)
        conversation = await self._conversation(session, inbound, resident)
        if inbound.kind in ("text", "callback") and inbound.text:
            outcome = await self._converse(session, inbound.text, resident, conversation)
        elif inbound.kind in ("text", "media"):
            language = _reply_language(None, resident)
            outcome = await self._reply(
                session, conversation, [{"text": say("only_text", language)}], language
            )
        else:
            outcome = Outcome("ignored")
        conversation.updated_at = now
        self._metrics.handling_seconds.observe(time.perf_counter() - started)
        return outcome

    async def apologise(self, session: AsyncSession, inbound: Inbound) -> None:
        """Tell the resident something went wrong on our side (their message is kept)."""
        if inbound.chat_id is None or inbound.chat_kind != "private":
            return
        resident = await self._resident(session, inbound)
        conversation = await self._conversation(session, inbound, resident)
        if inbound.text:
            session.add(_incoming(conversation, inbound.text, None, None, self._clock))
        language = _reply_language(None, resident)
        await self._reply(
            session, conversation, [{"text": say("something_went_wrong", language)}], language
        )

    async def _converse(
        self, session: AsyncSession, text: str, resident: Resident, conversation: Conversation
    ) -> Outcome:
        understood = self._understand(text, prior_language=_known_language(resident))
        language = _reply_language(understood.language, resident)
        if understood.language in LANGUAGES:
            resident.language = understood.language
        session.add(
            _incoming(conversation, text, understood.intent.name, understood.language, self._clock)
        )
        action = self._actions[self._policy.get(understood.intent.name, FALLBACK_ACTION)]
        tracker = Tracker(
            sender_id=str(conversation.id),
            slots={**conversation.slots, "language": language},
            latest_message=understood.as_rasa_json(),
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name=conversation.latest_action,
        )
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, {})
        self._apply(events or [], resident, conversation)
        conversation.latest_action = action.name()
        return await self._reply(session, conversation, dispatcher.messages, language)

    def _apply(
        self, events: list[dict[str, Any]], resident: Resident, conversation: Conversation
    ) -> None:
        slots = dict(conversation.slots)
        for event in events:
            if event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
                if event["name"] == "language" and event.get("value") in LANGUAGES:
                    resident.language = event["value"]
            else:
                log.debug("event %s is not used by this dialogue", event.get("event"))
        slots.pop("language", None)  # the resident's language lives on the resident
        conversation.slots = slots

    async def _reply(
        self,
        session: AsyncSession,
        conversation: Conversation,
        messages: list[dict[str, Any]],
        language: str,
    ) -> Outcome:
        now = self._clock.now()
        replies = 0
        for collected in messages:
            text = collected.get("text")
            if not text:
                continue
            message = Message(
                conversation_id=conversation.id,
                direction="out",
                author="bot",
                text=text,
                language=language,
                created_at=now,
            )
            session.add(message)
            await session.flush()
            if conversation.active:
                await enqueue_text(
                    session,
                    channel=conversation.channel,
                    chat_id=conversation.chat_id,
                    text=text,
                    now=now,
                    conversation_id=conversation.id,
                    message_id=message.id,
                    buttons=_buttons(collected.get("buttons")),
                )
            replies += 1
        return Outcome("answered", replies)

    async def _resident(self, session: AsyncSession, inbound: Inbound) -> Resident:
        external_id = inbound.user_id or str(inbound.chat_id)
        resident = await session.scalar(
            select(Resident).where(
                Resident.channel == inbound.channel, Resident.external_id == external_id
            )
        )
        now = self._clock.now()
        if resident is None:
            resident = Resident(channel=inbound.channel, external_id=external_id, created_at=now)
            session.add(resident)
        resident.last_seen_at = now
        if inbound.language_code:
            resident.platform_language = inbound.language_code[:16]
        await session.flush()
        return resident

    async def _conversation(
        self, session: AsyncSession, inbound: Inbound, resident: Resident
    ) -> Conversation:
        assert inbound.chat_id is not None
        conversation = await session.scalar(
            select(Conversation).where(
                Conversation.channel == inbound.channel, Conversation.chat_id == inbound.chat_id
            )
        )
        if conversation is None:
            conversation = Conversation(
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                chat_kind=inbound.chat_kind,
                resident_id=resident.id,
                slots={},
                created_at=self._clock.now(),
            )
            session.add(conversation)
            await session.flush()
        elif not conversation.active:
            # The resident wrote again, so they unblocked the bot.
            conversation.active = True
            conversation.blocked_at = None
        return conversation


def _known_language(resident: Resident) -> str | None:
    """The resident's stored language, else their app's if it is one of ours."""
    if resident.language in LANGUAGES:
        return resident.language
    platform = (resident.platform_language or "")[:2].lower()
    return platform if platform in LANGUAGES else None


def _reply_language(detected: str | None, resident: Resident) -> str:
    """This message's language if it shows one, else the resident's, else their app's, else fi."""
    if detected in LANGUAGES:
        return detected
    return _known_language(resident) or DEFAULT_LANGUAGE


def _incoming(
    conversation: Conversation,
    text: str,
    intent: str | None,
    language: str | None,
    clock: Clock,
) -> Message:
    return Message(
        conversation_id=conversation.id,
        direction="in",
        author="resident",
        text=text,
        intent=intent,
        language=language,
        created_at=clock.now(),
    )


def _buttons(collected: object) -> list[list[Button]] | None:
    """rasa-sdk buttons (``[{"title", "payload"}]``) as one button per row."""
    if not isinstance(collected, list) or not collected:
        return None
    return [[(str(button["title"]), str(button["payload"]))] for button in collected]
