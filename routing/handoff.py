"""The handoff state machine: who has a resident's conversation.

::

    bot ──hand_off──► waiting ──claim──► human ──release──► bot
     ▲                 │  ▲               │  │
     │                 │  └──transfer─────┘  └──resolve──► closed ──hand_off──► waiting
     └──return_to_bot──┴──────────────────┘     (also from waiting)

``escalate_overdue`` moves a ``waiting`` conversation past its promise to its team's fallback
team, once per handoff. ``transfer`` goes to a team (``waiting``) or to an official
(``human``).

Every function works in the caller's transaction: it writes the change, its audit entry and
its inbox event together, and the caller commits (and rings the inbox bell). ``now`` is an
aware UTC datetime from the caller's clock. Invariants kept here: a ``waiting`` conversation
has no assignee and a ``human`` one has one; ``version`` goes up with every change of state,
team or assignee. Officials' actions change a row only with a statement whose ``WHERE`` states
what the action expects of it (or its ``version``), so of two officials acting at once, one
wins and the other gets :class:`~routing.errors.Conflict` — on SQLite and PostgreSQL alike.

Who may act on which team's conversations is the caller's to check; this module checks only
what the conversation's state demands (only the assignee replies to or releases a conversation;
only the assignee or an admin transfers or resolves one that an official has).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final, NoReturn

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from routing.audit import SYSTEM, Actor, audit
from routing.errors import Conflict, InvalidState, InvalidTarget, NotFound
from routing.events import publish
from store import Conversation, Membership, Message, Note, Official, Resident, Team
from store.outbox import enqueue, outbox_rows

__all__ = [
    "LANGUAGES",
    "RESIDENT",
    "TEXTS",
    "WITH_PEOPLE",
    "DueFor",
    "add_note",
    "claim",
    "escalate_overdue",
    "hand_off",
    "note_resident_message",
    "release",
    "reply",
    "resident_text",
    "resolve",
    "return_to_bot",
    "signature",
    "transfer",
]

LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"
WITH_PEOPLE: Final = ("waiting", "human")
"""The states in which the bot stays quiet and officials' inboxes hear the resident."""

RESIDENT: Final = Actor(None, "resident")
"""The audit actor when the resident moves the conversation (``/botti``)."""

TEXTS: Final[Mapping[str, Mapping[str, str]]] = {
    "joined": {
        "fi": "{official}, on nyt mukana keskustelussa ja voi lukea sen. Hän vastaa sinulle tässä.",
        "sv": "{official}, är nu med i samtalet och kan läsa det. Hen svarar dig här.",
        "en": "{official}, has joined the conversation and can read it. They answer you here.",
    },
    "released": {
        "fi": "Keskustelu on palannut bottiin. Voit kysyä minulta lisää tai pyytää ihmistä "
        "uudelleen.",
        "sv": "Samtalet är tillbaka hos boten. Du kan fråga mig mer eller be om en människa igen.",
        "en": "The conversation is back with the bot. You can ask me more or ask for a person "
        "again.",
    },
    "resolved": {
        "fi": "Asiasi on merkitty hoidetuksi. Jos haluat jatkaa, kirjoita minulle milloin tahansa.",
        "sv": "Ditt ärende har markerats som klart. Om du vill fortsätta kan du skriva till mig "
        "när som helst.",
        "en": "Your matter has been marked as resolved. If you want to continue, write to me "
        "at any time.",
    },
    "transferred": {
        "fi": "Viestisi on siirretty käsiteltäväksi: {team}. Vastaus tulee tänne.",
        "sv": "Ditt meddelande har förts vidare för handläggning: {team}. Svaret kommer hit.",
        "en": "Your message has been passed on to {team}. The answer will come here.",
    },
}
"""What the state machine itself tells a resident, by key and language."""

DueFor = Callable[[Team, datetime], datetime | None]
"""By when ``team`` promises an answer to a conversation that reaches it at a given time."""


def resident_text(key: str, language: str, **values: str) -> str:
    """The resident-facing text ``key`` in ``language`` (Finnish if we do not speak it)."""
    texts = TEXTS[key]
    return texts.get(language, texts[DEFAULT_LANGUAGE]).format(**values)


def signature(official: Official, language: str) -> str:
    """The line an official's reply ends with: ``— name, title`` in the resident's language."""
    title = {"sv": official.title_sv, "en": official.title_en}.get(language) or official.title_fi
    return f"— {official.name}, {title}"


# The residents' side: called by the bot with the conversation it has loaded in ``session``.


async def hand_off(
    session: AsyncSession,
    conversation: Conversation,
    *,
    team_id: int,
    reason: str,
    area: str | None,
    due_at: datetime | None,
    now: datetime,
) -> bool:
    """Queue a ``bot`` (or ``closed``) conversation for ``team_id``, promising an answer by
    ``due_at``; the SLA clock starts and the team's inbox hears ``waiting``.

    ``conversation`` must belong to ``session``; it is refreshed with the new values. Returns
    False, changing nothing, when people have the conversation already.
    """
    if conversation.state in WITH_PEOPLE:
        return False
    before = conversation.state
    changed = await _change(
        session,
        conversation.id,
        Conversation.state.in_(("bot", "closed")),
        now=now,
        state="waiting",
        team_id=team_id,
        assignee_id=None,
        handoff_reason=reason,
        area=area,
        waiting_since=now,
        due_at=due_at,
        acknowledged_at=None,
        escalated_at=None,
        resolved_at=None,
    )
    if changed is None:
        return False
    await publish(session, "waiting", conversation_id=changed.id, team_id=team_id, at=now)
    await audit(
        session,
        SYSTEM,
        "conversation.hand_off",
        object_type="conversation",
        object_id=changed.id,
        before={"state": before},
        after={
            "state": "waiting",
            "team_id": team_id,
            "reason": reason,
            "area": area,
            "due_at": due_at,
        },
        at=now,
    )
    return True


async def note_resident_message(
    session: AsyncSession, conversation: Conversation, now: datetime
) -> bool:
    """The resident wrote: remember when, and tell the inbox if people have the conversation.

    Returns True when people have it (the bot should stay quiet).
    """
    conversation.last_resident_message_at = now
    if conversation.state not in WITH_PEOPLE:
        return False
    await publish(
        session,
        "message",
        conversation_id=conversation.id,
        team_id=conversation.team_id,
        official_id=conversation.assignee_id,
        at=now,
    )
    return True


async def return_to_bot(session: AsyncSession, conversation: Conversation, now: datetime) -> bool:
    """The resident asked for the bot back (``/botti``): ``waiting``/``human`` → ``bot``.

    Returns False, changing nothing, when the bot has the conversation already.
    """
    if conversation.state not in WITH_PEOPLE:
        return False
    holder = conversation.assignee_id
    before = {"state": conversation.state, "assignee_id": holder}
    changed = await _change(
        session,
        conversation.id,
        Conversation.state.in_(WITH_PEOPLE),
        now=now,
        state="bot",
        assignee_id=None,
    )
    if changed is None:
        return False
    await publish(
        session,
        "released",
        conversation_id=changed.id,
        team_id=changed.team_id,
        official_id=holder,
        at=now,
    )
    await audit(
        session,
        RESIDENT,
        "conversation.return_to_bot",
        object_type="conversation",
        object_id=changed.id,
        before=before,
        after={"state": "bot", "assignee_id": None},
        at=now,
    )
    return True


# The officials' side: called by the admin API with a conversation id.


async def claim(
    session: AsyncSession, conversation_id: int, official: Official, now: datetime
) -> Conversation:
    """``official`` takes a ``waiting`` conversation: it becomes ``human`` with them as assignee,
    and the resident is told who (name and public title) joined and can read the thread.

    Claiming one's own conversation again changes nothing. Raises :class:`Conflict` when
    another official has it (of two claims at the same moment, exactly one wins),
    :class:`NotFound`, or :class:`InvalidState` when nobody is asked to answer it.
    """
    changed = await _change(
        session,
        conversation_id,
        Conversation.state == "waiting",
        now=now,
        state="human",
        assignee_id=official.id,
    )
    if changed is None:
        current = await _current(session, conversation_id)
        if current.state == "human" and current.assignee_id == official.id:
            return current
        _refuse(current)
    await _tell_joined(session, changed, official, now=now)
    await _publish_and_audit(
        session,
        changed,
        official,
        event="claimed",
        action="conversation.claim",
        before={"state": "waiting", "assignee_id": None},
        after={"state": "human", "assignee_id": official.id},
        now=now,
    )
    return changed


async def reply(
    session: AsyncSession, conversation_id: int, official: Official, text: str, now: datetime
) -> Message:
    """The assignee answers the resident: the text goes to the outbox signed
    ``— name, title`` (the title in the resident's language when the official has one).

    The stored message holds the text as written. Sets ``replied_at``; the conversation stays
    ``human`` (replied is not resolved). Raises :class:`Conflict` when another official has
    it, :class:`InvalidState` when it is not ``human`` (claim first), :class:`InvalidTarget`
    for an empty text, :class:`NotFound`.
    """
    text = _nonempty(text, conversation_id)
    changed = await _change(
        session,
        conversation_id,
        Conversation.state == "human",
        Conversation.assignee_id == official.id,
        now=now,
        bump=False,
        replied_at=now,
    )
    if changed is None:
        _refuse(await _current(session, conversation_id))
    language = await _language(session, changed)
    message = await _say(
        session,
        changed,
        text=text,
        sent=f"{text}\n{signature(official, language)}",
        language=language,
        official=official,
        now=now,
    )
    await _publish_and_audit(
        session,
        changed,
        official,
        event="replied",
        action="conversation.reply",
        after={"message_id": message.id, "length": len(text)},
        now=now,
    )
    return message


async def add_note(
    session: AsyncSession, conversation_id: int, official: Official, text: str, now: datetime
) -> Note:
    """An internal note for the team, in any state; never sent to the resident.

    Raises :class:`NotFound` or :class:`InvalidTarget` (an empty text).
    """
    text = _nonempty(text, conversation_id)
    conversation = await _current(session, conversation_id)
    note = Note(conversation_id=conversation.id, official_id=official.id, text=text, created_at=now)
    session.add(note)
    await session.flush()
    await audit(
        session,
        _actor(official),
        "conversation.note",
        object_type="conversation",
        object_id=conversation.id,
        after={"note_id": note.id},
        at=now,
    )
    return note


async def transfer(
    session: AsyncSession,
    conversation_id: int,
    official: Official,
    *,
    team_id: int | None = None,
    to_official_id: int | None = None,
    due_at: datetime | None,
    now: datetime,
) -> Conversation:
    """Pass a ``waiting`` or ``human`` conversation on.

    To a team only: it waits in ``team_id``'s inbox (assignee cleared) with the new promise
    ``due_at`` and may escalate again; the resident is told which team has it (also when it
    goes back to the queue of the same team: the person has left). To an official
    (``to_official_id``, with or without ``team_id``): it is ``human`` with them (the resident
    is told who joined), who must be active and a member of the conversation's team or of
    ``team_id``. Both teams' inboxes hear ``transferred``.

    Raises :class:`InvalidTarget` (no target, an unknown or inactive team, an inactive or
    non-member official), :class:`InvalidState` (not with people), :class:`Conflict` (another
    official has it and ``official`` is no admin, or it changed meanwhile), :class:`NotFound`.
    """
    if team_id is None and to_official_id is None:
        raise InvalidTarget("transfer_target_missing", conversation_id=conversation_id)
    current = await _current(session, conversation_id)
    if current.state not in WITH_PEOPLE:
        _refuse(current)
    _require_holder_or_admin(current, official)
    target_team = await _target_team(session, team_id, conversation_id)
    target = await _target_official(session, to_official_id, {current.team_id, team_id})
    old_team_id = current.team_id
    before: dict[str, Any] = {
        "state": current.state,
        "team_id": old_team_id,
        "assignee_id": current.assignee_id,
    }
    new_team_id = team_id if team_id is not None else current.team_id
    values: dict[str, Any]
    if target is not None:
        values = {"state": "human", "team_id": new_team_id, "assignee_id": target.id}
    else:
        values = {
            "state": "waiting",
            "team_id": new_team_id,
            "assignee_id": None,
            "due_at": due_at,
            "escalated_at": None,
            "waiting_since": current.waiting_since if current.state == "waiting" else now,
        }
    changed = await _change(
        session, conversation_id, Conversation.version == current.version, now=now, **values
    )
    if changed is None:
        raise Conflict("conversation_changed", conversation_id=conversation_id)
    for informed in dict.fromkeys((new_team_id, old_team_id)):
        await publish(
            session,
            "transferred",
            conversation_id=changed.id,
            team_id=informed,
            official_id=changed.assignee_id,
            at=now,
        )
    # ``current`` is ``changed`` now (one row, refreshed): what it was is in ``before``.
    if target is not None:
        if target.id != before["assignee_id"]:
            await _tell_joined(session, changed, target, now=now)
    elif target_team is not None and (target_team.id != old_team_id or before["state"] == "human"):
        # Another team, or back to the team's queue: either way the person has left.
        language = await _language(session, changed)
        name = {"sv": target_team.name_sv, "en": target_team.name_en}.get(language)
        text = resident_text("transferred", language, team=name or target_team.name_fi)
        await _say(session, changed, text=text, sent=text, language=language, now=now)
    after: dict[str, Any] = {
        "state": changed.state,
        "team_id": changed.team_id,
        "assignee_id": changed.assignee_id,
    }
    await audit(
        session,
        _actor(official),
        "conversation.transfer",
        object_type="conversation",
        object_id=changed.id,
        before=before,
        after=after | ({} if target else {"due_at": due_at}),
        at=now,
    )
    return changed


async def release(
    session: AsyncSession, conversation_id: int, official: Official, now: datetime
) -> Conversation:
    """The assignee hands a ``human`` conversation back to the bot; the resident is told.

    Raises :class:`Conflict` (another official has it), :class:`InvalidState` (not ``human``),
    :class:`NotFound`.
    """
    changed = await _change(
        session,
        conversation_id,
        Conversation.state == "human",
        Conversation.assignee_id == official.id,
        now=now,
        state="bot",
        assignee_id=None,
    )
    if changed is None:
        _refuse(await _current(session, conversation_id))
    await _tell(session, changed, "released", now=now)
    await _publish_and_audit(
        session,
        changed,
        official,
        event="released",
        action="conversation.release",
        before={"state": "human", "assignee_id": official.id},
        after={"state": "bot", "assignee_id": None},
        now=now,
    )
    return changed


async def resolve(
    session: AsyncSession, conversation_id: int, official: Official, now: datetime
) -> Conversation:
    """Close a ``waiting`` or ``human`` conversation as resolved; the resident is told, and the
    bot answers their next message. The assignee stays on record.

    Raises :class:`Conflict` (another official has it and ``official`` is no admin),
    :class:`InvalidState` (not with people), :class:`NotFound`.
    """
    held = Conversation.state == "human"
    if official.role != "admin":
        held = and_(held, Conversation.assignee_id == official.id)
    changed = await _change(
        session,
        conversation_id,
        or_(Conversation.state == "waiting", held),
        now=now,
        state="closed",
        resolved_at=now,
    )
    if changed is None:
        current = await _current(session, conversation_id)
        _require_holder_or_admin(current, official)
        _refuse(current)
    # Only a human conversation has an assignee, and resolving keeps it: so it tells the state.
    before = "human" if changed.assignee_id is not None else "waiting"
    await _tell(session, changed, "resolved", now=now)
    await _publish_and_audit(
        session,
        changed,
        official,
        event="resolved",
        action="conversation.resolve",
        before={"state": before},
        after={"state": "closed", "resolved_at": now},
        now=now,
    )
    return changed


async def escalate_overdue(
    session: AsyncSession, now: datetime, *, due_for: DueFor, limit: int = 200
) -> int:
    """Escalate up to ``limit`` ``waiting`` conversations whose promise (``due_at``) is past
    and that have not escalated in this handoff: each moves to its team's active fallback team
    with a new promise ``due_for(fallback, now)``, or without a fallback stays where it is;
    either way ``escalated_at`` marks it, so it escalates once. The teams' inboxes hear
    ``escalated``. Returns how many escalated.

    On PostgreSQL the rows are locked with ``SKIP LOCKED``, so replicas share the work and
    none escalates a conversation twice.
    """
    query = (
        select(Conversation)
        .where(
            Conversation.state == "waiting",
            Conversation.escalated_at.is_(None),
            Conversation.due_at < now,
        )
        .order_by(Conversation.due_at, Conversation.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    overdue = (await session.scalars(query)).all()
    fallbacks = await _fallbacks(session, {c.team_id for c in overdue if c.team_id is not None})
    escalated = 0
    for conversation in overdue:
        old_team_id = conversation.team_id
        before = {"team_id": old_team_id, "due_at": conversation.due_at}
        fallback = fallbacks.get(conversation.team_id) if conversation.team_id else None
        values: dict[str, Any] = {"escalated_at": now}
        if fallback is not None:
            values |= {"team_id": fallback.id, "due_at": due_for(fallback, now)}
        changed = await _change(
            session,
            conversation.id,
            Conversation.state == "waiting",
            Conversation.escalated_at.is_(None),
            now=now,
            **values,
        )
        if changed is None:
            continue
        escalated += 1
        for informed in dict.fromkeys((changed.team_id, old_team_id)):
            await publish(
                session, "escalated", conversation_id=changed.id, team_id=informed, at=now
            )
        await audit(
            session,
            SYSTEM,
            "conversation.escalate",
            object_type="conversation",
            object_id=changed.id,
            before=before,
            after={"team_id": changed.team_id, "due_at": changed.due_at, "escalated_at": now},
            at=now,
        )
    return escalated


async def _change(
    session: AsyncSession,
    conversation_id: int,
    *expected: ColumnElement[bool],
    now: datetime,
    bump: bool = True,
    **values: Any,
) -> Conversation | None:
    """Set ``values`` on the conversation if it is as ``expected``, in one statement; the
    row (refreshed in ``session``) or None when it is not."""
    if bump:
        values["version"] = Conversation.version + 1
    statement = (
        update(Conversation)
        .where(Conversation.id == conversation_id, *expected)
        .values(updated_at=now, **values)
        .returning(Conversation)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.scalars(statement)).one_or_none()


async def _current(session: AsyncSession, conversation_id: int) -> Conversation:
    query = (
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .execution_options(populate_existing=True)
    )
    conversation = (await session.scalars(query)).one_or_none()
    if conversation is None:
        raise NotFound("conversation_not_found", conversation_id=conversation_id)
    return conversation


def _refuse(conversation: Conversation) -> NoReturn:
    """Why an official's action did not apply to ``conversation`` as it is now (the state
    says it; the official knows what they tried)."""
    if conversation.state == "human":
        raise Conflict(
            "conversation_held",
            conversation_id=conversation.id,
            holder_id=conversation.assignee_id,
        )
    code = _STATE_REFUSALS.get(conversation.state)
    raise InvalidState(
        code or "conversation_state",
        conversation_id=conversation.id,
        state=conversation.state,
        params=None if code else {"state": conversation.state},
    )


_STATE_REFUSALS: Final = {
    "bot": "conversation_with_bot",
    "waiting": "conversation_waiting",
    "closed": "conversation_closed",
}


def _require_holder_or_admin(conversation: Conversation, official: Official) -> None:
    if (
        conversation.state == "human"
        and conversation.assignee_id != official.id
        and official.role != "admin"
    ):
        raise Conflict(
            "conversation_held_by_other",
            conversation_id=conversation.id,
            holder_id=conversation.assignee_id,
        )


async def _target_team(
    session: AsyncSession, team_id: int | None, conversation_id: int
) -> Team | None:
    if team_id is None:
        return None
    team = await session.get(Team, team_id)
    if team is None or not team.active:
        raise InvalidTarget("team_not_active", conversation_id=conversation_id)
    return team


async def _target_official(
    session: AsyncSession, official_id: int | None, teams: set[int | None]
) -> Official | None:
    if official_id is None:
        return None
    official = await session.get(Official, official_id)
    if official is None or not official.active:
        raise InvalidTarget("official_not_active")
    member = await session.scalar(
        select(Membership.team_id)
        .where(
            Membership.official_id == official.id,
            Membership.team_id.in_([team for team in teams if team is not None]),
        )
        .limit(1)
    )
    if member is None:
        raise InvalidTarget("official_not_member")
    return official


async def _fallbacks(session: AsyncSession, team_ids: set[int]) -> dict[int, Team]:
    """Each team's active fallback team, for the teams that have one."""
    if not team_ids:
        return {}
    teams = {t.id: t for t in await session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    wanted = {t.fallback_team_id for t in teams.values() if t.fallback_team_id is not None}
    if not wanted:
        return {}
    found = await session.scalars(select(Team).where(Team.id.in_(wanted), Team.active))
    fallback_teams = {t.id: t for t in found}
    return {
        team.id: fallback_teams[team.fallback_team_id]
        for team in teams.values()
        if team.fallback_team_id in fallback_teams and team.fallback_team_id != team.id
    }


async def _language(session: AsyncSession, conversation: Conversation) -> str:
    """The resident's language, else their app's if it is one of ours, else Finnish."""
    resident = (
        await session.get(Resident, conversation.resident_id) if conversation.resident_id else None
    )
    return (resident.known_language if resident else None) or DEFAULT_LANGUAGE


async def _say(
    session: AsyncSession,
    conversation: Conversation,
    *,
    text: str,
    sent: str,
    language: str,
    official: Official | None = None,
    now: datetime,
) -> Message:
    """Store an outgoing message (``text``) and queue ``sent`` for the resident."""
    message = Message(
        conversation_id=conversation.id,
        direction="out",
        author="official" if official else "bot",
        official_id=official.id if official else None,
        text=text,
        language=language,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    rows = outbox_rows(
        channel=conversation.channel,
        chat_id=conversation.chat_id,
        text=sent,
        now=now,
        conversation_id=conversation.id,
        message_id=message.id,
    )
    await enqueue(session, rows)
    return message


async def _tell(
    session: AsyncSession, conversation: Conversation, key: str, *, now: datetime
) -> None:
    """Send the resident the state machine's text ``key`` in their language."""
    language = await _language(session, conversation)
    text = resident_text(key, language)
    await _say(session, conversation, text=text, sent=text, language=language, now=now)


async def _tell_joined(
    session: AsyncSession, conversation: Conversation, official: Official, *, now: datetime
) -> None:
    """Tell the resident that ``official`` (name and public title, as replies are signed) now
    has the conversation and can read it."""
    language = await _language(session, conversation)
    who = signature(official, language).removeprefix("— ")
    text = resident_text("joined", language, official=who)
    await _say(session, conversation, text=text, sent=text, language=language, now=now)


async def _publish_and_audit(
    session: AsyncSession,
    conversation: Conversation,
    official: Official,
    *,
    event: str,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any],
    now: datetime,
) -> None:
    """``official`` did ``action`` to ``conversation``: its team's inbox hears ``event``, and
    the audit log records ``action``."""
    await publish(
        session,
        event,
        conversation_id=conversation.id,
        team_id=conversation.team_id,
        official_id=official.id,
        at=now,
    )
    await audit(
        session,
        _actor(official),
        action,
        object_type="conversation",
        object_id=conversation.id,
        before=before,
        after=after,
        at=now,
    )


def _nonempty(text: str, conversation_id: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidTarget("text_empty", conversation_id=conversation_id)
    return text


def _actor(official: Official) -> Actor:
    return Actor(official.id, official.email)
