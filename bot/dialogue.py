"""The dialogue: from one stored inbound update to the answer in the outbox.

Intent → action: the policy names the rasa-sdk ``Action`` for each intent; the action runs in
process with a ``Tracker`` built from the conversation and a ``CollectingDispatcher``. The
messages it collects become outbox rows; the events it returns (``SlotSet``) update the
conversation. All of it happens in the caller's transaction, so an update is answered
completely or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.utils import call_potential_coroutine
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

import intents
from bot.handoff import WITH_PEOPLE, WithPeople
from bot.inbound import Inbound
from bot.metrics import BotMetrics
from bot.ports import Button
from bot.privacy import PRIVACY_INTENTS
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, say
from store import Clock, Conversation, Message, Resident, insert_new
from store.outbox import enqueue, offered_buttons, outbox_rows

__all__ = ["Dialogue", "DialogueEdge", "GroupCommands", "Outcome", "Preparer"]

log = logging.getLogger(__name__)


class Understand(Protocol):
    def __call__(self, text: str, *, prior_language: str | None = None) -> intents.Parse: ...


class DialogueEdge(Protocol):
    """Carries out in the store what actions decide (their effect values of ``kinds``), and
    reads the ``slot`` that actions declaring it in their ``reads`` find filled."""

    @property
    def kinds(self) -> tuple[type, ...]:
        """The effect values this edge carries out."""
        ...

    @property
    def slot(self) -> str | None:
        """The slot this edge fills for actions that read it, or None."""
        ...

    async def read(self, session: AsyncSession, conversation_id: int) -> Any: ...

    async def carry_out(
        self, session: AsyncSession, decided: Sequence[tuple[int, object]], *, now: datetime
    ) -> None: ...


class GroupCommands(Protocol):
    """The few messages the bot answers in groups and channels (everything else there is
    ignored: those chats are for notices)."""

    async def respond(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime
    ) -> str | None:
        """The reply in the group, having done what was asked; None when not for the bot."""
        ...


class Preparer(Protocol):
    """Does the slow part of a turn (asking another system) before the turn's transaction."""

    def might_want(self, text: str) -> bool:
        """A cheap first look: False means :meth:`wanted` would want nothing for ``text``."""
        ...

    def wanted(self, understood: intents.Parse, language: str) -> list[Hashable]:
        """What answering ``understood`` will ask for that is not at hand yet."""
        ...

    async def prepare(self, wanted: Sequence[Hashable]) -> None: ...


FALLBACK_ACTION = "action_not_understood"
ACTION_TIMEOUT = 8.0
"""Seconds an action may take; lookups in other systems are bounded well below this."""
SURE_OF_ANOTHER_INTENT = 0.9
"""From this confidence, an intent whose action acts on entities is not an answer to a question
another action asked."""
PENDING_INTENT = "pending_intent"
"""The intent an action asked a question for; a message that is little more than the entity
asked for is taken as the answer."""


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
        edges: Sequence[DialogueEdge] = (),
        preparers: Sequence[Preparer] = (),
        people: WithPeople | None = None,
        groups: GroupCommands | None = None,
        action_timeout: float = ACTION_TIMEOUT,
    ) -> None:
        self._actions = {action.name(): action for action in actions}
        missing = set(policy.values()) - self._actions.keys()
        if missing:
            raise ValueError(f"the policy names actions that do not exist: {sorted(missing)}")
        self._policy = dict(policy)
        self._understand = understand
        self._clock = clock
        self._metrics = metrics
        self._edges = {edge.slot: edge for edge in edges if edge.slot}
        self._people = people
        self._groups = groups
        self._action_timeout = action_timeout
        self._edge_of = {kind: edge for edge in edges for kind in edge.kinds}
        self._preparers = list(preparers)

    def to_prepare(self, inbounds: Sequence[Inbound]) -> list[tuple[Preparer, list[Hashable]]]:
        """What answering ``inbounds`` would wait for; cheap when nothing is wanted."""
        wanted: list[tuple[Preparer, list[Hashable]]] = []
        if not self._preparers:
            return wanted
        for inbound in inbounds:
            if not inbound.text or inbound.kind not in ("text", "callback"):
                continue
            if not any(preparer.might_want(inbound.text) for preparer in self._preparers):
                continue
            understood = self._understand(inbound.text)
            language = understood.language if understood.language in LANGUAGES else None
            for preparer in self._preparers:
                keys = preparer.wanted(understood, language or DEFAULT_LANGUAGE)
                if keys:
                    wanted.append((preparer, keys))
        return wanted

    async def prepare(self, wanted: Sequence[tuple[Preparer, list[Hashable]]]) -> None:
        """Do what :meth:`to_prepare` found, outside any transaction."""
        for preparer, keys in wanted:
            await preparer.prepare(keys)

    async def respond(self, session: AsyncSession, inbound: Inbound) -> Outcome:
        """Decide and enqueue the answer to ``inbound``, within ``session``'s transaction."""
        [outcome] = await self.respond_all(session, [inbound])
        return outcome

    async def respond_all(
        self, session: AsyncSession, inbounds: Sequence[Inbound]
    ) -> list[Outcome]:
        """Answer several updates (of different chats) in one transaction.

        The residents and conversations of the whole batch are looked up together and
        everything is written in one flush: per update, the database work is a few rows.
        """
        parties = await self._parties(session, inbounds)
        writes = _Writes()
        outcomes = []
        for inbound in inbounds:
            party = parties.get((inbound.channel, inbound.chat_id))
            if party is None:
                outcomes.append(await self._in_group(session, writes, inbound))
                continue
            started = time.perf_counter()
            resident, conversation = party
            if inbound.kind == "callback" and not await _offered(session, inbound):
                language = _reply_language(None, resident)
                outcome = self._reply(
                    writes, conversation, [{"text": say("button_stale", language)}], language
                )
            elif inbound.kind in ("text", "callback") and inbound.text:
                text = inbound.text if inbound.kind == "callback" else typed(inbound.text)
                outcome = await self._converse(session, writes, text, resident, conversation)
            elif inbound.kind in ("text", "media"):
                language = _reply_language(None, resident)
                outcome = self._reply(
                    writes, conversation, [{"text": say("only_text", language)}], language
                )
            else:
                outcome = Outcome("ignored")
            conversation.updated_at = self._clock.now()
            self._metrics.handling_seconds.observe(time.perf_counter() - started)
            outcomes.append(outcome)
        await writes.execute(session, self._edge_of, now=self._clock.now())
        return outcomes

    async def apologise(self, session: AsyncSession, inbound: Inbound) -> None:
        """Tell the resident something went wrong on our side (their message is kept)."""
        party = (await self._parties(session, [inbound])).get((inbound.channel, inbound.chat_id))
        if party is None:
            return
        resident, conversation = party
        writes = _Writes()
        if inbound.text:
            writes.message(conversation, "in", "resident", inbound.text, None, None, self._clock)
        language = _reply_language(None, resident)
        texts = [say("something_went_wrong", language)]
        if self._people is not None:
            promise = await self._people.after_failure(
                session, conversation, language, self._clock.now()
            )
            texts += [promise] if promise else []
        self._reply(writes, conversation, [{"text": text} for text in texts], language)
        await writes.execute(session, self._edge_of, now=self._clock.now())

    async def tell_flooding(self, session: AsyncSession, inbound: Inbound) -> None:
        """Tell the resident, once per flood, that their messages are answered at a pace."""
        party = (await self._parties(session, [inbound])).get((inbound.channel, inbound.chat_id))
        if party is None:
            return
        resident, conversation = party
        language = _reply_language(None, resident)
        writes = _Writes()
        self._reply(writes, conversation, [{"text": say("flooding", language)}], language)
        await writes.execute(session, self._edge_of, now=self._clock.now())

    def _asks_itself(self, intent: str) -> bool:
        """Whether the action for ``intent`` acts on what the store holds for the chat (the
        actions that take diary numbers and areas read such slots)."""
        action = self._actions.get(self._policy.get(intent, FALLBACK_ACTION))
        return bool(getattr(action, "reads", ()))

    async def _in_group(self, session: AsyncSession, writes: _Writes, inbound: Inbound) -> Outcome:
        """Groups and channels are for notices: only a command for the bot is answered."""
        if self._groups is None or inbound.chat_id is None:
            return Outcome("ignored")
        now = self._clock.now()
        reply = await self._groups.respond(session, inbound, now=now)
        if reply is None:
            return Outcome("ignored")
        writes.outbox(
            outbox_rows(channel=inbound.channel, chat_id=inbound.chat_id, text=reply, now=now)
        )
        return Outcome("answered", 1)

    async def _parties(
        self, session: AsyncSession, inbounds: Sequence[Inbound]
    ) -> dict[tuple[str, int | None], tuple[Resident, Conversation]]:
        """The resident and conversation of each private chat in ``inbounds``, made if new.

        New ones are inserted in bulk (``ON CONFLICT DO NOTHING``) and then everything is read
        back: a few statements for the whole batch, however many are new.
        """
        private = [i for i in inbounds if i.chat_id is not None and i.chat_kind == "private"]
        if not private:
            return {}
        now = self._clock.now()
        dialect = session.get_bind().dialect.name
        residents: dict[tuple[str, str], Resident] = {}
        conversations: dict[tuple[str, int | None], Conversation] = {}
        for channel in sorted({inbound.channel for inbound in private}):
            mine = [inbound for inbound in private if inbound.channel == channel]
            people = sorted({_external_id(i) for i in mine})
            await session.execute(
                insert_new(Resident, dialect),
                [
                    {
                        "channel": channel,
                        "external_id": person,
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for person in people
                ],
            )
            for known in await session.scalars(
                select(Resident).where(
                    Resident.channel == channel, Resident.external_id.in_(people)
                )
            ):
                residents[(channel, known.external_id)] = known
            chats = {i.chat_id: i for i in mine}
            await session.execute(
                insert_new(Conversation, dialect),
                [
                    {
                        "channel": channel,
                        "chat_id": chat_id,
                        "chat_kind": inbound.chat_kind,
                        "resident_id": residents[(channel, _external_id(inbound))].id,
                        "state": "bot",
                        "slots": {},
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for chat_id, inbound in sorted(chats.items())
                ],
            )
            for ongoing in await session.scalars(
                select(Conversation).where(
                    Conversation.channel == channel, Conversation.chat_id.in_(list(chats))
                )
            ):
                conversations[(channel, ongoing.chat_id)] = ongoing
        parties: dict[tuple[str, int | None], tuple[Resident, Conversation]] = {}
        for inbound in private:
            resident = residents[(inbound.channel, _external_id(inbound))]
            resident.last_seen_at = now
            if inbound.language_code:
                resident.platform_language = inbound.language_code[:16]
            chat = (inbound.channel, inbound.chat_id)
            conversation = conversations[chat]
            if not conversation.active:
                # The resident wrote again, so they unblocked the bot.
                conversation.active = True
                conversation.blocked_at = None
            parties[chat] = (resident, conversation)
        return parties

    async def _converse(
        self,
        session: AsyncSession,
        writes: _Writes,
        text: str,
        resident: Resident,
        conversation: Conversation,
    ) -> Outcome:
        understood = self._understand(text, prior_language=resident.known_language)
        language = _reply_language(understood.language, resident)
        if understood.language in LANGUAGES:
            resident.language = understood.language
        writes.message(
            conversation,
            "in",
            "resident",
            text,
            understood.intent.name,
            understood.language,
            self._clock,
        )
        if (
            conversation.state in WITH_PEOPLE
            and self._people is not None
            and understood.intent.name not in PRIVACY_INTENTS  # rights over data come first
        ):
            texts = await self._people.respond(
                session, conversation, understood.intent.name, language, self._clock.now()
            )
            return self._reply(writes, conversation, [{"text": t} for t in texts], language)
        latest = understood.as_rasa_json()
        intent = understood.intent.name
        pending = conversation.slots.get(PENDING_INTENT)
        if pending in self._policy and _answers_a_question(understood, self._asks_itself):
            intent = str(pending)
            latest["intent"] = {"name": intent, "confidence": 1.0}
        action = self._actions[self._policy.get(intent, FALLBACK_ACTION)]
        slots = {**conversation.slots, PENDING_INTENT: None, "language": language}
        for name in getattr(action, "reads", ()):
            slots[name] = await self._edges[name].read(session, conversation.id)
        tracker = Tracker(
            sender_id=str(conversation.id),
            slots=slots,
            latest_message=latest,
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name=conversation.latest_action,
        )
        dispatcher = CollectingDispatcher()
        # An action that hangs is a failing bot: the intake apologises and hands over to people.
        async with asyncio.timeout(self._action_timeout):
            events = await call_potential_coroutine(action.run(dispatcher, tracker, {}))
        self._apply(events or [], resident, conversation, writes)
        conversation.latest_action = action.name()
        return self._reply(writes, conversation, dispatcher.messages, language)

    def _apply(
        self,
        events: list[Any],
        resident: Resident,
        conversation: Conversation,
        writes: _Writes,
    ) -> None:
        slots = dict(conversation.slots)
        slots.pop(PENDING_INTENT, None)  # a question is asked once; the action asks again
        for event in events:
            if not isinstance(event, dict):
                if type(event) not in self._edge_of:
                    raise TypeError(f"no edge carries out {type(event).__name__}")
                writes.effect(conversation.id, event)
            elif event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
                if event["name"] == "language" and event.get("value") in LANGUAGES:
                    resident.language = event["value"]
            else:
                log.debug("event %s is not used by this dialogue", event.get("event"))
        slots.pop("language", None)  # the resident's language lives on the resident
        for name in self._edges:
            slots.pop(name, None)  # read from the store each turn, never kept
        conversation.slots = {name: value for name, value in slots.items() if value is not None}

    def _reply(
        self,
        writes: _Writes,
        conversation: Conversation,
        messages: list[dict[str, Any]],
        language: str,
    ) -> Outcome:
        replies = 0
        for collected in messages:
            text = collected.get("text")
            if not text:
                continue
            writes.message(conversation, "out", "bot", text, None, language, self._clock)
            if conversation.active:
                writes.outbox(
                    outbox_rows(
                        channel=conversation.channel,
                        chat_id=conversation.chat_id,
                        text=text,
                        now=self._clock.now(),
                        conversation_id=conversation.id,
                        buttons=_buttons(collected.get("buttons")),
                    )
                )
            replies += 1
        return Outcome("answered", replies)


class _Writes:
    """What a batch of updates writes, collected and written together (two executemany
    statements) at its end."""

    def __init__(self) -> None:
        self._messages: list[dict[str, Any]] = []
        self._outbox: list[dict[str, Any]] = []
        self._effects: list[tuple[int, object]] = []

    def message(
        self,
        conversation: Conversation,
        direction: str,
        author: str,
        text: str,
        intent: str | None,
        language: str | None,
        clock: Clock,
    ) -> None:
        self._messages.append(
            {
                "conversation_id": conversation.id,
                "direction": direction,
                "author": author,
                "text": text,
                "intent": intent,
                "language": language,
                "created_at": clock.now(),
            }
        )

    def outbox(self, rows: list[dict[str, Any]]) -> None:
        self._outbox += rows

    def effect(self, conversation_id: int, effect: object) -> None:
        self._effects.append((conversation_id, effect))

    async def execute(
        self, session: AsyncSession, edge_of: Mapping[type, DialogueEdge], *, now: datetime
    ) -> None:
        await session.flush()  # residents' and conversations' changes first
        if self._messages:
            # render_nulls: one executemany (else rows are split where their None keys differ)
            await session.execute(
                insert(Message).execution_options(render_nulls=True), self._messages
            )
        await enqueue(session, self._outbox)
        by_edge: dict[int, tuple[DialogueEdge, list[tuple[int, object]]]] = {}
        for conversation_id, effect in self._effects:
            edge = edge_of[type(effect)]
            by_edge.setdefault(id(edge), (edge, []))[1].append((conversation_id, effect))
        for edge, decided in by_edge.values():
            await edge.carry_out(session, decided, now=now)


def _answers_a_question(understood: intents.Parse, asks_itself: Callable[[str], bool]) -> bool:
    """Whether a message is little more than an entity (a number, an area): an answer.

    A button or command is taken at its word, and so is a confident intent that acts on the
    entity itself ("stop Kallio's notices" after "which area?" is not the area asked for).
    """
    answers = [entity for entity in understood.entities if entity.entity != "language"]
    if not answers or understood.text.lstrip().startswith("/"):
        return False
    rest = understood.text
    for entity in sorted(answers, key=lambda e: e.start, reverse=True):
        rest = rest[: entity.start] + rest[entity.end :]
    words = rest.split()
    if understood.intent.name == intents.FALLBACK_INTENT or not words:
        return True
    sure = understood.intent.confidence >= SURE_OF_ANOTHER_INTENT
    return len(words) <= 2 and not (sure and asks_itself(understood.intent.name))


_TYPED_PAYLOAD = re.compile(r"^(\s*/\w+)\s*[{\[]")


def typed(text: str) -> str:
    """A typed text as a resident's words: a command may be typed (``/forget``), the data a
    button carries may not (``/forget{"confirm": "yes"}`` is the command alone), or typing
    could do what only pressing an offered button may."""
    command = _TYPED_PAYLOAD.match(text)
    return command[1] if command else text


async def _offered(session: AsyncSession, inbound: Inbound) -> bool:
    """Whether a pressed button's data is what the bot offered this chat."""
    if not inbound.text or inbound.chat_id is None:
        return False
    offered = await offered_buttons(session, channel=inbound.channel, chat_id=inbound.chat_id)
    return inbound.text in offered


def _external_id(inbound: Inbound) -> str:
    return inbound.user_id or str(inbound.chat_id)


def _reply_language(detected: str | None, resident: Resident) -> str:
    """This message's language if it shows one, else the resident's, else their app's, else fi."""
    if detected in LANGUAGES:
        return detected
    return resident.known_language or DEFAULT_LANGUAGE


def _buttons(collected: object) -> list[list[Button]] | None:
    """rasa-sdk buttons (``[{"title", "payload"}]``) as one button per row."""
    if not isinstance(collected, list) or not collected:
        return None
    return [[(str(button["title"]), str(button["payload"]))] for button in collected]
