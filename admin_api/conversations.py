"""The officials' inbox: residents' conversations, and taking them over.

Officials see and act on their own teams' conversations, admins on all, comms staff on none
(403). A conversation out of the caller's scope answers 404 exactly as one that does not exist.
The actions call the handoff state machine (:mod:`routing.handoff`), which checks what the
conversation's state demands — only the assignee replies or releases, a claim needs a waiting
conversation — and writes the audit entry and the inbox event; its refusals answer as problems
(409, 422) through :data:`admin_api.errors.FOREIGN_ERRORS`. After each change commits, the
inbox bell rings so that this process's event streams read at once.

A reply goes to the outbox, signed ``— name, title``; the sender delivers it within a second.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api import texts
from admin_api.context import AdminContext
from admin_api.deps import (
    MAX_ID,
    ContextDep,
    IdField,
    Input,
    ObjectId,
    Paragraph,
    ReadSessionDep,
    SessionDep,
    after_commit,
    conversation_scope,
    require_role,
)
from admin_api.errors import NotFound, problem_responses
from admin_api.pagination import Page, PageDep, fetch_page
from routing import TeamInfo, handoff, make_promise
from store import Conversation, Message, Note, Official, Resident, Team, known_language

__all__ = [
    "MAX_THREAD",
    "ConversationDetail",
    "ConversationOut",
    "InboxOfficial",
    "MessageOut",
    "NoteOut",
    "TextIn",
    "TransferIn",
    "router",
]

router = APIRouter(
    prefix="/conversations",
    tags=["inbox"],
    responses=problem_responses(400, 401, 403, 422),
)

MAX_THREAD = 500
"""The newest messages (and notes) a conversation's page shows; older ones are left out."""

NO_SUCH = texts.Text("conversation_not_found")
"""The code :mod:`routing.handoff` refuses with too: a conversation out of the caller's scope
and one that does not exist answer alike."""

InboxOfficial = Annotated[Official, Depends(require_role("admin", "official"))]
"""Comms staff have no inbox (403)."""

State = Literal["bot", "waiting", "human", "closed"]
Language = Literal["fi", "sv", "en"]
_LANGUAGES: dict[str, Language] = {"fi": "fi", "sv": "sv", "en": "en"}
_STATES: dict[str, State] = {
    "bot": "bot",
    "waiting": "waiting",
    "human": "human",
    "closed": "closed",
}


class ConversationOut(BaseModel):
    id: int
    channel: str
    state: State
    team_id: int | None
    assignee_id: int | None
    area: str | None
    handoff_reason: str | None
    waiting_since: datetime | None
    due_at: datetime | None
    """The service promise: by when an official answers."""
    escalated_at: datetime | None
    replied_at: datetime | None
    resolved_at: datetime | None
    last_resident_message_at: datetime | None
    updated_at: datetime
    resident_language: Language
    """The language replies are signed in (the resident's, else their app's, else Finnish)."""
    overdue: bool
    """Waiting past its promise."""

    @classmethod
    def of(
        cls, conversation: Conversation, *, language: Language, now: datetime
    ) -> ConversationOut:
        due = conversation.due_at
        return cls(
            id=conversation.id,
            channel=conversation.channel,
            state=_STATES[conversation.state],
            team_id=conversation.team_id,
            assignee_id=conversation.assignee_id,
            area=conversation.area,
            handoff_reason=conversation.handoff_reason,
            waiting_since=conversation.waiting_since,
            due_at=due,
            escalated_at=conversation.escalated_at,
            replied_at=conversation.replied_at,
            resolved_at=conversation.resolved_at,
            last_resident_message_at=conversation.last_resident_message_at,
            updated_at=conversation.updated_at,
            resident_language=language,
            overdue=conversation.state == "waiting" and due is not None and due < now,
        )


class MessageOut(BaseModel):
    id: int
    direction: Literal["in", "out"]
    author: Literal["resident", "bot", "official"]
    text: str | None
    """``null`` once the resident's data has been erased."""
    official_name: str | None
    """Who wrote an ``official`` message."""
    created_at: datetime

    @classmethod
    def of(cls, message: Message, official_name: str | None) -> MessageOut:
        return cls.model_validate(
            {
                "id": message.id,
                "direction": message.direction,
                "author": message.author,
                "text": message.text,
                "official_name": official_name,
                "created_at": message.created_at,
            }
        )


class NoteOut(BaseModel):
    id: int
    official_name: str | None
    text: str
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    """Oldest first; at most the newest :data:`MAX_THREAD`."""
    messages_truncated: bool
    notes: list[NoteOut]
    """Internal, never sent to the resident; oldest first, at most the newest 500."""
    notes_truncated: bool


Text = Annotated[Paragraph, Field(min_length=1)]


class TextIn(Input):
    text: Text


class TransferIn(Input):
    """To a team (it waits in that team's inbox with the team's promise), to an official
    (they have it at once; a member of the conversation's team or of ``team_id``), or both."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["team_id"], "properties": {"team_id": {"type": "integer"}}},
                {"required": ["official_id"], "properties": {"official_id": {"type": "integer"}}},
            ]
        }
    )

    team_id: IdField | None = None
    official_id: IdField | None = None

    @model_validator(mode="after")
    def _has_a_target(self) -> TransferIn:
        if self.team_id is None and self.official_id is None:
            raise ValueError("name a team_id, an official_id or both")
        return self


@router.get("", response_model=Page[ConversationOut])
async def list_conversations(
    official: InboxOfficial,
    session: ReadSessionDep,
    context: ContextDep,
    page: PageDep,
    state: Annotated[
        list[State] | None, Query(description="Any of these states (repeat the parameter).")
    ] = None,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    assignee: Annotated[
        Literal["me"] | None, Query(description="`me`: the caller's own conversations.")
    ] = None,
    area: Annotated[
        str | None,
        Query(
            max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$", description="District or postal code."
        ),
    ] = None,
) -> Page[ConversationOut]:
    """The caller's teams' conversations (an admin's: all), most recently changed first."""
    scope = await conversation_scope(session, official)
    query = select(Conversation).where(scope.where(Conversation.team_id))
    if state:
        query = query.where(Conversation.state.in_(sorted(set(state))))
    if team_id is not None:
        query = query.where(Conversation.team_id == team_id)
    if assignee_id is not None:
        query = query.where(Conversation.assignee_id == assignee_id)
    if assignee == "me":
        query = query.where(Conversation.assignee_id == official.id)
    if area is not None:
        query = query.where(Conversation.area == area)
    rows, next_cursor = await fetch_page(
        session,
        query,
        page,
        order=(Conversation.updated_at, Conversation.id),
        key=lambda row: (row.updated_at, row.id),
    )
    languages = await _languages(session, rows)
    now = context.clock.now()
    return Page[ConversationOut](
        items=[ConversationOut.of(row, language=languages[row.id], now=now) for row in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/{conversation_id}", response_model=ConversationDetail, responses=problem_responses(404)
)
async def get_conversation(
    conversation_id: ObjectId,
    official: InboxOfficial,
    session: ReadSessionDep,
    context: ContextDep,
) -> ConversationDetail:
    """The conversation with its messages and the team's notes."""
    conversation = await _visible(session, official, conversation_id)
    messages = list(
        await session.execute(
            select(Message, Official.name)
            .outerjoin(Official, Official.id == Message.official_id)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id.desc())
            .limit(MAX_THREAD + 1)
        )
    )
    notes = list(
        await session.execute(
            select(Note, Official.name)
            .outerjoin(Official, Official.id == Note.official_id)
            .where(Note.conversation_id == conversation.id)
            .order_by(Note.id.desc())
            .limit(MAX_THREAD + 1)
        )
    )
    summary = await _out(session, conversation, context)
    return ConversationDetail(
        **summary.model_dump(),
        messages=[MessageOut.of(message, name) for message, name in messages[MAX_THREAD - 1 :: -1]],
        messages_truncated=len(messages) > MAX_THREAD,
        notes=[
            NoteOut(id=note.id, official_name=name, text=note.text, created_at=note.created_at)
            for note, name in notes[MAX_THREAD - 1 :: -1]
        ],
        notes_truncated=len(notes) > MAX_THREAD,
    )


_ACTION_PROBLEMS = problem_responses(404, 409)


@router.post("/{conversation_id}/claim", response_model=ConversationOut, responses=_ACTION_PROBLEMS)
async def claim_conversation(
    conversation_id: ObjectId, official: InboxOfficial, session: SessionDep, context: ContextDep
) -> ConversationOut:
    """Take a waiting conversation: the bot stays quiet and the caller answers. 409 when
    another official has it; claiming one's own again changes nothing."""
    await _visible(session, official, conversation_id, for_update=True)
    claimed = await handoff.claim(session, conversation_id, official, context.clock.now())
    _ring_bell(session, context)
    return await _out(session, claimed, context)


@router.post(
    "/{conversation_id}/messages",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    responses=_ACTION_PROBLEMS,
)
async def reply_to_resident(
    conversation_id: ObjectId,
    body: TextIn,
    official: InboxOfficial,
    session: SessionDep,
    context: ContextDep,
) -> MessageOut:
    """Answer the resident (the assignee only): the text reaches them signed
    ``— name, title``. Replying does not resolve the conversation."""
    await _visible(session, official, conversation_id, for_update=True)
    message = await handoff.reply(
        session, conversation_id, official, body.text, context.clock.now()
    )
    _ring_bell(session, context)
    return MessageOut.of(message, official.name)


@router.post(
    "/{conversation_id}/notes",
    response_model=NoteOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404),
)
async def add_note(
    conversation_id: ObjectId,
    body: TextIn,
    official: InboxOfficial,
    session: SessionDep,
    context: ContextDep,
) -> NoteOut:
    """An internal note for the team, in any state; never sent to the resident."""
    await _visible(session, official, conversation_id)
    note = await handoff.add_note(
        session, conversation_id, official, body.text, context.clock.now()
    )
    return NoteOut(
        id=note.id, official_name=official.name, text=note.text, created_at=note.created_at
    )


@router.post(
    "/{conversation_id}/transfer", response_model=ConversationOut, responses=_ACTION_PROBLEMS
)
async def transfer_conversation(
    conversation_id: ObjectId,
    body: TransferIn,
    official: InboxOfficial,
    session: SessionDep,
    context: ContextDep,
) -> ConversationOut:
    """Pass a waiting or claimed conversation on to a team or an official. Only the assignee
    or an admin transfers a claimed one."""
    await _visible(session, official, conversation_id, for_update=True)
    now = context.clock.now()
    due_at = None
    if body.team_id is not None and body.official_id is None:
        due_at = await _promised(session, body.team_id, context, now)
    moved = await handoff.transfer(
        session,
        conversation_id,
        official,
        team_id=body.team_id,
        to_official_id=body.official_id,
        due_at=due_at,
        now=now,
    )
    _ring_bell(session, context)
    return await _out(session, moved, context)


@router.post(
    "/{conversation_id}/release", response_model=ConversationOut, responses=_ACTION_PROBLEMS
)
async def release_conversation(
    conversation_id: ObjectId, official: InboxOfficial, session: SessionDep, context: ContextDep
) -> ConversationOut:
    """Give the conversation back to the bot (the assignee only); the resident is told."""
    await _visible(session, official, conversation_id, for_update=True)
    released = await handoff.release(session, conversation_id, official, context.clock.now())
    _ring_bell(session, context)
    return await _out(session, released, context)


@router.post(
    "/{conversation_id}/resolve", response_model=ConversationOut, responses=_ACTION_PROBLEMS
)
async def resolve_conversation(
    conversation_id: ObjectId, official: InboxOfficial, session: SessionDep, context: ContextDep
) -> ConversationOut:
    """Close the matter (the assignee, or anyone in scope while it waits, or an admin); the
    resident is told and the bot answers their next message."""
    await _visible(session, official, conversation_id, for_update=True)
    resolved = await handoff.resolve(session, conversation_id, official, context.clock.now())
    _ring_bell(session, context)
    return await _out(session, resolved, context)


async def _visible(
    session: AsyncSession, official: Official, conversation_id: int, *, for_update: bool = False
) -> Conversation:
    """The conversation if the caller may see it; 404 alike when it does not exist.

    ``for_update`` locks the row (PostgreSQL) until the change commits, so that it cannot move
    out of the caller's teams between this check and the change.
    """
    scope = await conversation_scope(session, official)
    conversation = await session.get(Conversation, conversation_id, with_for_update=for_update)
    if conversation is None or not scope.allows(conversation.team_id):
        raise NotFound(NO_SUCH)
    return conversation


async def _promised(
    session: AsyncSession, team_id: int, context: AdminContext, now: datetime
) -> datetime | None:
    """By when ``team_id`` promises an answer to a conversation passed to it now; ``None``
    when it cannot (no such active team: the transfer refuses it anyway)."""
    team = await session.get(Team, team_id)
    if team is None or not team.active:
        return None
    try:
        info = TeamInfo.from_row(team, timezone=context.timezone)
    except ValueError:
        return None
    return make_promise(info, now).due_at


def _ring_bell(session: AsyncSession, context: AdminContext) -> None:
    bell = context.bell
    if bell is None:
        return

    async def ring() -> None:
        bell.ring()

    after_commit(session, ring)


async def _out(
    session: AsyncSession, conversation: Conversation, context: AdminContext
) -> ConversationOut:
    languages = await _languages(session, [conversation])
    return ConversationOut.of(
        conversation, language=languages[conversation.id], now=context.clock.now()
    )


async def _languages(
    session: AsyncSession, conversations: list[Conversation]
) -> dict[int, Language]:
    """Each conversation's reply language, as :func:`routing.handoff.reply` signs in."""
    resident_ids = {c.resident_id for c in conversations if c.resident_id is not None}
    known: dict[int, tuple[str | None, str | None]] = {}
    if resident_ids:
        rows = await session.execute(
            select(Resident.id, Resident.language, Resident.platform_language).where(
                Resident.id.in_(sorted(resident_ids))
            )
        )
        known = {row.id: (row.language, row.platform_language) for row in rows}
    return {c.id: _language(*known.get(c.resident_id or 0, (None, None))) for c in conversations}


def _language(chosen: str | None, platform: str | None) -> Language:
    return _LANGUAGES[known_language(chosen, platform) or "fi"]
