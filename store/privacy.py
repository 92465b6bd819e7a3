"""What the service keeps about one resident: the export of it, and its erasure.

Both are plain functions over the caller's session, so that the bot (``/mydata``,
``/forget``) and the admin side can use the same ones. A resident is found through one of
their conversations; "theirs" is every conversation of the resident row and every conversation
with the same chat.

What the export holds, and what it leaves out on purpose:

- the resident record (the channel's id, languages, first and last seen);
- each conversation with its state and handoff times, every message both ways with its time
  (officials' replies with the name and public title the resident saw), the cases followed
  and the areas subscribed;
- not the officials' internal notes: those are the city's working records about handling the
  matter. They are erased with the conversation; a resident who wants to see them asks the
  city through its data-protection page, as for any other record.

The erasure removes the resident row, their conversations, messages, follows, subscriptions,
notes and inbox events, and every outbox row of their chats (sent or not); it clears the chat
id and payload of their stored updates (the update ids stay, so a re-delivered update is still
recognised); and it blanks whatever an audit entry about their conversations says that matches
their id or one of their texts. What remains is counts: :class:`Erased`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.database import Database
from store.models import (
    AreaSubscription,
    AuditEntry,
    CaseFollow,
    Conversation,
    InboundUpdate,
    InboxEvent,
    Message,
    Note,
    Official,
    OutboxMessage,
    Resident,
)

__all__ = ["ERASED", "EXPORT_FORMAT", "Erased", "erase_resident", "export_resident"]

EXPORT_FORMAT = "kaupunkitalkkari-export/1"
_WITH_PEOPLE = ("waiting", "human")
"""Conversation states in which a team's inbox shows the conversation."""
ERASED = "[erased]"
"""What an audit entry says instead of a value that named an erased resident."""


@dataclass(frozen=True, slots=True)
class Erased:
    """How much of one resident's data was erased: counts only, nothing that identifies them."""

    residents: int = 0
    conversations: int = 0
    messages: int = 0
    case_follows: int = 0
    area_subscriptions: int = 0
    notes: int = 0
    outbox_rows: int = 0
    updates: int = 0
    audit_entries: int = 0
    inboxes: tuple[int, ...] = ()
    """The teams whose inbox held one of their conversations, to be told it is gone (team ids
    say nothing of the resident)."""

    def counts(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if name != "inboxes"}


@dataclass(frozen=True, slots=True)
class _Theirs:
    resident: Resident | None
    conversations: list[Conversation]

    @property
    def ids(self) -> list[int]:
        return [conversation.id for conversation in self.conversations]

    @property
    def chats(self) -> set[tuple[str, int]]:
        return {(c.channel, c.chat_id) for c in self.conversations}


async def _theirs(session: AsyncSession, conversation_id: int) -> _Theirs | None:
    """The resident of ``conversation_id`` and all their conversations; None if it is gone."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    resident = (
        await session.get(Resident, conversation.resident_id) if conversation.resident_id else None
    )
    same_chat = and_(
        Conversation.channel == conversation.channel, Conversation.chat_id == conversation.chat_id
    )
    mine = or_(same_chat, Conversation.resident_id == resident.id) if resident else same_chat
    found = await session.scalars(select(Conversation).where(mine).order_by(Conversation.id))
    return _Theirs(resident, list(found))


async def export_resident(
    session: AsyncSession, conversation_id: int, *, now: datetime
) -> dict[str, Any] | None:
    """Everything stored about the resident of ``conversation_id``, as JSON-ready values;
    None when the conversation no longer exists (erased meanwhile)."""
    theirs = await _theirs(session, conversation_id)
    if theirs is None:
        return None
    ids = theirs.ids
    messages = (
        await session.execute(
            select(Message, Official.name, Official.title_fi, Official.title_sv, Official.title_en)
            .outerjoin(Official, Official.id == Message.official_id)
            .where(Message.conversation_id.in_(ids))
            .order_by(Message.id)
        )
    ).all()
    follows = await session.scalars(
        select(CaseFollow).where(CaseFollow.conversation_id.in_(ids)).order_by(CaseFollow.id)
    )
    subscriptions = await session.scalars(
        select(AreaSubscription)
        .where(AreaSubscription.conversation_id.in_(ids))
        .order_by(AreaSubscription.id)
    )
    by_conversation: dict[int, dict[str, list[dict[str, Any]]]] = {
        id_: {"messages": [], "case_follows": [], "area_subscriptions": []} for id_ in ids
    }
    for message, name, title_fi, title_sv, title_en in messages:
        titles = {"fi": title_fi, "sv": title_sv, "en": title_en}
        by_conversation[message.conversation_id]["messages"].append(
            {
                "at": _time(message.created_at),
                "direction": message.direction,
                "author": message.author,
                "text": message.text,
                "language": message.language,
                "official": {
                    "name": name,
                    "title": titles.get(message.language or "fi") or title_fi,
                }
                if name is not None
                else None,
            }
        )
    for follow in follows:
        by_conversation[follow.conversation_id]["case_follows"].append(
            {"diary_number": follow.diary_number, "since": _time(follow.created_at)}
        )
    for subscription in subscriptions:
        by_conversation[subscription.conversation_id]["area_subscriptions"].append(
            {"area": subscription.area, "since": _time(subscription.created_at)}
        )
    resident = theirs.resident
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _time(now),
        "resident": {
            "channel": resident.channel,
            "id": resident.external_id,
            "language": resident.language,
            "app_language": resident.platform_language,
            "first_seen": _time(resident.created_at),
            "last_seen": _time(resident.last_seen_at),
        }
        if resident is not None
        else None,
        "conversations": [
            {
                "channel": c.channel,
                "chat_id": c.chat_id,
                "state": c.state,
                "started": _time(c.created_at),
                "last_activity": _time(c.updated_at),
                "handed_to_people": _time(c.waiting_since),
                "answer_promised_by": _time(c.due_at),
                "resolved": _time(c.resolved_at),
                **by_conversation[c.id],
            }
            for c in theirs.conversations
        ],
        "not_included": [
            "officials' internal notes on the conversations (the city's working records)",
        ],
    }


async def erase_resident(session: AsyncSession, conversation_id: int) -> Erased:
    """Erase the resident of ``conversation_id`` and all their data (see the module's
    docstring), in the caller's transaction; :class:`Erased` counts what went."""
    theirs = await _theirs(session, conversation_id)
    if theirs is None:
        return Erased()
    Database.erase_files_after_commit(session)
    ids = theirs.ids
    inboxes = sorted(
        {
            conversation.team_id
            for conversation in theirs.conversations
            if conversation.team_id is not None and conversation.state in _WITH_PEOPLE
        }
    )
    in_theirs = Message.conversation_id.in_(ids)
    texts = [text for text in await session.scalars(select(Message.text).where(in_theirs)) if text]
    texts += list(await session.scalars(select(Note.text).where(Note.conversation_id.in_(ids))))
    identifiers = [str(chat_id) for _, chat_id in theirs.chats]
    if theirs.resident is not None:
        identifiers.append(theirs.resident.external_id)
    audit_entries = await _scrub_audit(session, ids, theirs.resident, [*identifiers, *texts])
    counted = {
        "case_follows": await _delete(session, CaseFollow, CaseFollow.conversation_id.in_(ids)),
        "area_subscriptions": await _delete(
            session, AreaSubscription, AreaSubscription.conversation_id.in_(ids)
        ),
        "notes": await _delete(session, Note, Note.conversation_id.in_(ids)),
        "messages": await _delete(session, Message, in_theirs),
    }
    await _delete(session, InboxEvent, InboxEvent.conversation_id.in_(ids))
    outbox_rows = await _delete(
        session,
        OutboxMessage,
        or_(OutboxMessage.conversation_id.in_(ids), _of_chats(OutboxMessage, theirs.chats)),
    )
    updates = await _forget_updates(session, theirs.chats)
    conversations = await _delete(session, Conversation, Conversation.id.in_(ids))
    residents = 0
    if theirs.resident is not None:
        residents = await _delete(session, Resident, Resident.id == theirs.resident.id)
    return Erased(
        residents=residents,
        conversations=conversations,
        outbox_rows=outbox_rows,
        updates=updates,
        audit_entries=audit_entries,
        inboxes=tuple(inboxes),
        **counted,
    )


async def _delete(session: AsyncSession, model: Any, where: ColumnElement[bool]) -> int:
    result = await session.execute(
        delete(model).where(where).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _of_chats(model: Any, chats: Iterable[tuple[str, int]]) -> ColumnElement[bool]:
    matches = [and_(model.channel == channel, model.chat_id == chat) for channel, chat in chats]
    return or_(false(), *matches)


async def _forget_updates(session: AsyncSession, chats: set[tuple[str, int]]) -> int:
    """Stored updates of the chats lose their chat id, and handled ones their payload too.

    An update still waiting (the one being answered, or one the resident sent after) keeps its
    payload: it is handled as usual, and what it brings is new data.
    """
    of_chats = _of_chats(InboundUpdate, chats)
    handled = await session.execute(
        update(InboundUpdate)
        .where(of_chats, InboundUpdate.handled_at.is_not(None))
        .values(chat_id=None, payload=None)
        .execution_options(synchronize_session=False)
    )
    waiting = await session.execute(
        update(InboundUpdate)
        .where(of_chats)
        .values(chat_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(handled, "rowcount", 0) or 0) + int(getattr(waiting, "rowcount", 0) or 0)


async def _scrub_audit(
    session: AsyncSession,
    conversation_ids: Sequence[int],
    resident: Resident | None,
    secrets: Sequence[str],
) -> int:
    """Audit entries about the resident's conversations stay (what officials did is the
    city's record) but lose any value that names the resident or repeats their words."""
    about = [
        and_(
            AuditEntry.object_type == "conversation",
            AuditEntry.object_id.in_([str(i) for i in conversation_ids]),
        )
    ]
    if resident is not None:
        about.append(
            and_(AuditEntry.object_type == "resident", AuditEntry.object_id == str(resident.id))
        )
    entries = await session.scalars(select(AuditEntry).where(or_(*about)))
    wanted = [secret for secret in secrets if secret]
    changed = 0
    for entry in entries:
        before, after = _scrubbed(entry.before, wanted), _scrubbed(entry.after, wanted)
        if before != entry.before or after != entry.after:
            entry.before, entry.after = before, after
            changed += 1
    await session.flush()
    return changed


def _scrubbed(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, dict):
        return {key: _scrubbed(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, secrets) for item in value]
    if isinstance(value, str | int) and not isinstance(value, bool):
        shown = str(value)
        if any(secret in shown for secret in secrets):
            return ERASED
    return value


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
