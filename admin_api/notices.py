"""Area notices: communications staff write, schedule, preview, follow and cancel them.

``draft → scheduled → sending → sent``, or ``cancelled`` from any state before ``sent``.
A notice is edited while it is a draft or scheduled; scheduling needs every required
language's text (the city's ``notice_languages``), at least one area and ``publish_at``.
Cancelling a notice that is sending cancels its undelivered deliveries in the same
transaction: what has not gone out stays undelivered. Comms staff and admins only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, Strict
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.changes import record_change
from admin_api.context import AdminContext
from admin_api.deps import (
    NOT_SENT,
    ContextDep,
    Input,
    ObjectId,
    Patch,
    ReadSessionDep,
    SessionDep,
    require_role,
)
from admin_api.errors import Conflict, Invalid, NotFound, Unavailable, problem_responses
from admin_api.pagination import Page, PageDep, fetch_page
from admin_api.texts import Text
from knowledge.notices import LANGUAGES, AreaLookup, NamedArea, render_notice
from store import Notice, NoticeArea, Official, OutboxMessage
from store.notify import NOTICES, notify
from store.outbox import MAX_TEXT_LENGTH

__all__ = [
    "AreaName",
    "DeliveryCounts",
    "NoticeIn",
    "NoticeOut",
    "NoticePatch",
    "NoticePreview",
    "NoticeTexts",
    "Writer",
    "area_lookup",
    "area_name",
    "check_area",
    "router",
]

router = APIRouter(
    prefix="/notices", tags=["notices"], responses=problem_responses(400, 401, 403, 422)
)

Writer = Annotated[Official, Depends(require_role("comms", "admin"))]
"""Comms staff and admins: the roles that write and read notices."""

Language = Literal["fi", "sv", "en"]
State = Literal["draft", "scheduled", "sending", "sent", "cancelled"]
NoticeText = Annotated[
    str,
    Field(min_length=1, max_length=3500, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"),
]
AreaKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[^\s\x00-\x1f\x7f]+$",
        examples=["district:helsinki:kaupunginosa:11", "postal:00530"],
    ),
]


def _text_only(value: object) -> object:
    if not isinstance(value, str | datetime):
        raise ValueError("an ISO 8601 date and time with an offset is required")
    return value


Instant = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_text_only),
    Field(
        description="An instant with its offset; clients send Europe/Helsinki time, e.g. "
        "`2026-03-02T09:00:00+02:00`.",
        examples=["2026-03-02T09:00:00+02:00"],
    ),
]


class NoticeTexts(Input):
    fi: NoticeText | None = None
    sv: NoticeText | None = None
    en: NoticeText | None = None


class NoticeIn(Input):
    texts: NoticeTexts = Field(default_factory=NoticeTexts)
    areas: Annotated[list[AreaKey], Field(max_length=50)] = Field(default_factory=list)
    """Area keys of the registry; unknown ones are refused."""
    publish_at: Instant | None = None
    expires_at: Instant | None = None
    """After this, whatever is still undelivered stays so."""
    urgent: bool = False
    """Goes before everything else in the outbox."""


class NoticePatch(Patch):
    texts: NoticeTexts = NOT_SENT
    """The languages named change (``null`` removes one); the others stay."""
    areas: Annotated[list[AreaKey], Field(max_length=50)] = NOT_SENT
    publish_at: Instant | None = None
    expires_at: Instant | None = None
    urgent: bool = NOT_SENT


class AreaName(BaseModel):
    key: str
    name_fi: str | None
    name_sv: str | None
    name_en: str | None


class NoticeTextsOut(BaseModel):
    fi: str | None
    sv: str | None
    en: str | None


class NoticeOut(BaseModel):
    id: int
    state: State
    texts: NoticeTextsOut
    areas: list[AreaName]
    publish_at: datetime | None
    expires_at: datetime | None
    urgent: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    sending_at: datetime | None
    cancelled_at: datetime | None
    version: int


class NoticePreview(BaseModel):
    """Exactly what a reader of each language receives (``null``: the notice has no text)."""

    fi: str | None
    sv: str | None
    en: str | None


class RecipientCounts(BaseModel):
    resident: int
    group: int


class DeliveryCounts(BaseModel):
    notice_id: int
    state: State
    total: int
    queued: int
    """Not yet delivered (waiting, being sent or retried)."""
    sent: int
    failed: int
    failed_by_reason: dict[str, int]
    cancelled: int
    """Cancelled or expired before they went out."""
    recipients: RecipientCounts
    """Deliveries by kind of chat: residents' chats, and area groups and channels."""


def area_lookup(context: AdminContext) -> AreaLookup:
    if context.areas is None:
        raise Unavailable(Text("areas_unavailable"))
    return context.areas


@router.post(
    "", response_model=NoticeOut, status_code=status.HTTP_201_CREATED, responses=problem_responses()
)
async def write_notice(
    body: NoticeIn, writer: Writer, session: SessionDep, context: ContextDep
) -> NoticeOut:
    """Write a draft."""
    areas = area_lookup(context)
    _known_areas(areas, body.areas)
    _times_fit(body.publish_at, body.expires_at)
    now = context.clock.now()
    notice = Notice(
        state="draft",
        text_fi=body.texts.fi,
        text_sv=body.texts.sv,
        text_en=body.texts.en,
        publish_at=body.publish_at,
        expires_at=body.expires_at,
        urgent=body.urgent,
        created_by=writer.id,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    await session.flush()
    session.add_all(NoticeArea(notice_id=notice.id, area=key) for key in dict.fromkeys(body.areas))
    await session.flush()
    after = await _out(session, areas, notice)
    await record_change(session, context, writer, "notice.create", object_id=notice.id, after=after)
    return after


@router.get("", response_model=Page[NoticeOut])
async def list_notices(
    writer: Writer,
    session: ReadSessionDep,
    context: ContextDep,
    page: PageDep,
    state: Annotated[State | None, Query()] = None,
) -> Page[NoticeOut]:
    """Notices, newest first."""
    areas = area_lookup(context)
    query = select(Notice)
    if state is not None:
        query = query.where(Notice.state == state)
    rows, next_cursor = await fetch_page(
        session, query, page, order=(Notice.id,), key=lambda notice: (notice.id,)
    )
    keys = await _keys_of(session, [row.id for row in rows])
    return Page[NoticeOut](
        items=[_notice_out(areas, row, keys.get(row.id, [])) for row in rows],
        next_cursor=next_cursor,
    )


@router.get("/{notice_id}", response_model=NoticeOut, responses=problem_responses(404))
async def get_notice(
    notice_id: ObjectId, writer: Writer, session: ReadSessionDep, context: ContextDep
) -> NoticeOut:
    return await _out(session, area_lookup(context), await _notice(session, notice_id))


@router.patch("/{notice_id}", response_model=NoticeOut, responses=problem_responses(404, 409))
async def edit_notice(
    notice_id: ObjectId,
    body: NoticePatch,
    writer: Writer,
    session: SessionDep,
    context: ContextDep,
) -> NoticeOut:
    """Edit a draft or a scheduled notice (a scheduled one must still be ready to send)."""
    areas = area_lookup(context)
    notice = await _notice(session, notice_id, for_update=True)
    _editable(notice)
    before = await _out(session, areas, notice)
    changes = body.changes()
    texts = changes.pop("texts", None)
    if texts is not None:
        for language in body.texts.model_fields_set:
            setattr(notice, f"text_{language}", getattr(body.texts, language))
    if "areas" in changes:
        keys = list(dict.fromkeys(changes.pop("areas")))
        _known_areas(areas, keys)
        await session.execute(delete(NoticeArea).where(NoticeArea.notice_id == notice.id))
        session.add_all(NoticeArea(notice_id=notice.id, area=key) for key in keys)
    for name, value in changes.items():
        setattr(notice, name, value)
    _times_fit(notice.publish_at, notice.expires_at)
    await session.flush()
    if notice.state == "scheduled":
        await _ready(session, context, areas, notice)
    after = await _out(session, areas, notice)
    if after.model_dump(exclude={"updated_at", "version"}) == before.model_dump(
        exclude={"updated_at", "version"}
    ):
        return before
    notice.updated_at = context.clock.now()
    notice.version += 1
    await session.flush()
    after = await _out(session, areas, notice)
    await record_change(
        session, context, writer, "notice.update", object_id=notice.id, before=before, after=after
    )
    return after


@router.post(
    "/{notice_id}/schedule", response_model=NoticeOut, responses=problem_responses(404, 409)
)
async def schedule_notice(
    notice_id: ObjectId, writer: Writer, session: SessionDep, context: ContextDep
) -> NoticeOut:
    """Schedule a draft: it is sent at ``publish_at`` (at once if that has passed)."""
    areas = area_lookup(context)
    notice = await _notice(session, notice_id, for_update=True)
    if notice.state != "draft":
        raise Conflict(_state_refusal(notice))
    before = await _out(session, areas, notice)
    await _ready(session, context, areas, notice)
    notice.state = "scheduled"
    notice.updated_at = context.clock.now()
    notice.version += 1
    await session.flush()
    await notify(session, NOTICES)  # a notice due now goes out now, not at the next round
    after = await _out(session, areas, notice)
    await record_change(
        session, context, writer, "notice.schedule", object_id=notice.id, before=before, after=after
    )
    return after


@router.post("/{notice_id}/cancel", response_model=NoticeOut, responses=problem_responses(404, 409))
async def cancel_notice(
    notice_id: ObjectId, writer: Writer, session: SessionDep, context: ContextDep
) -> NoticeOut:
    """Cancel a notice before or while it is sent: what has not gone out never will."""
    areas = area_lookup(context)
    notice = await _notice(session, notice_id, for_update=True)
    if notice.state not in ("draft", "scheduled", "sending"):
        raise Conflict(_state_refusal(notice))
    before = await _out(session, areas, notice)
    now = context.clock.now()
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.notice_id == notice.id, OutboxMessage.status == "pending")
        .values(status="cancelled", leased_until=None, last_error="cancelled")
    )
    notice.state = "cancelled"
    notice.cancelled_at = now
    notice.updated_at = now
    notice.version += 1
    await session.flush()
    after = await _out(session, areas, notice)
    await record_change(
        session, context, writer, "notice.cancel", object_id=notice.id, before=before, after=after
    )
    return after


@router.get("/{notice_id}/preview", response_model=NoticePreview, responses=problem_responses(404))
async def preview_notice(
    notice_id: ObjectId, writer: Writer, session: ReadSessionDep, context: ContextDep
) -> NoticePreview:
    """What a resident (or group) reading each language gets, exactly as it will be sent."""
    areas = area_lookup(context)
    notice = await _notice(session, notice_id)
    rendered = _rendered(areas, notice, (await _keys_of(session, [notice.id])).get(notice.id, []))
    return NoticePreview(**rendered)


@router.get(
    "/{notice_id}/deliveries", response_model=DeliveryCounts, responses=problem_responses(404)
)
async def notice_deliveries(
    notice_id: ObjectId, writer: Writer, session: ReadSessionDep
) -> DeliveryCounts:
    """How the notice's deliveries stand: by outcome, failures by reason, by kind of chat."""
    notice = await _notice(session, notice_id)
    kind = case((OutboxMessage.conversation_id.is_(None), "group"), else_="resident")
    rows = await session.execute(
        select(OutboxMessage.status, OutboxMessage.last_error, kind, func.count())
        .where(OutboxMessage.notice_id == notice.id)
        .group_by(OutboxMessage.status, OutboxMessage.last_error, kind)
    )
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    kinds = {"resident": 0, "group": 0}
    for row_status, error, row_kind, count in rows:
        by_status[row_status] = by_status.get(row_status, 0) + count
        kinds[row_kind] += count
        if row_status == "failed":
            reason = error or "unknown"
            reasons[reason] = reasons.get(reason, 0) + count
    return DeliveryCounts(
        notice_id=notice.id,
        state=notice.state,  # type: ignore[arg-type]
        total=sum(by_status.values()),
        queued=by_status.get("pending", 0),
        sent=by_status.get("sent", 0),
        failed=by_status.get("failed", 0),
        failed_by_reason=reasons,
        cancelled=by_status.get("cancelled", 0),
        recipients=RecipientCounts(**kinds),
    )


async def _notice(session: AsyncSession, notice_id: int, *, for_update: bool = False) -> Notice:
    notice = await session.get(Notice, notice_id, with_for_update=for_update)
    if notice is None:
        raise NotFound(Text("notice_not_found"))
    return notice


def _editable(notice: Notice) -> None:
    if notice.state not in ("draft", "scheduled"):
        raise Conflict(_state_refusal(notice))


_STATE_REFUSALS: Final[Mapping[str, Text]] = {
    "scheduled": Text("notice_scheduled"),
    "sending": Text("notice_sending"),
    "sent": Text("notice_sent"),
    "cancelled": Text("notice_cancelled"),
}


def _state_refusal(notice: Notice) -> Text:
    """Why ``notice`` refuses a change: its state says it (the official knows what they
    tried)."""
    return _STATE_REFUSALS.get(notice.state) or Text("notice_state", state=notice.state)


def check_area(areas: AreaLookup, key: str, *, loc: tuple[str | int, ...]) -> None:
    """422 naming ``key`` when the registry does not know it."""
    if areas.get(key) is None:
        raise Invalid(Text("area_unknown", area=key), loc=loc)


def _known_areas(areas: AreaLookup, keys: list[str]) -> None:
    for index, key in enumerate(keys):
        check_area(areas, key, loc=("body", "areas", index))


def _times_fit(publish_at: datetime | None, expires_at: datetime | None) -> None:
    if publish_at is not None and expires_at is not None and expires_at <= publish_at:
        raise Invalid(Text("notice_ends_before_start"), loc=("body", "expires_at"))


async def _ready(
    session: AsyncSession, context: AdminContext, areas: AreaLookup, notice: Notice
) -> None:
    """Refuse (422) a notice that cannot be sent as it is."""
    missing = [
        language
        for language in context.notice_languages
        if not (getattr(notice, f"text_{language}", None) or "").strip()
    ]
    if missing:
        raise Invalid(
            Text("notice_text_missing", languages=", ".join(missing)),
            loc=("body", "texts", missing[0]),
        )
    keys = (await _keys_of(session, [notice.id])).get(notice.id, [])
    if not keys:
        raise Invalid(Text("notice_areas_missing"), loc=("body", "areas"))
    if notice.publish_at is None:
        raise Invalid(Text("notice_publish_at_missing"), loc=("body", "publish_at"))
    if notice.expires_at is not None and notice.expires_at <= context.clock.now():
        raise Invalid(Text("notice_expired"), loc=("body", "expires_at"))
    for language, text in _rendered(areas, notice, keys).items():
        if text is not None and len(text) > MAX_TEXT_LENGTH:
            raise Invalid(
                Text("notice_too_long", language=language, limit=MAX_TEXT_LENGTH),
                loc=("body", "texts", language),
            )


async def _keys_of(session: AsyncSession, notice_ids: list[int]) -> dict[int, list[str]]:
    keys: dict[int, list[str]] = {}
    if notice_ids:
        for notice_id, key in await session.execute(
            select(NoticeArea.notice_id, NoticeArea.area)
            .where(NoticeArea.notice_id.in_(notice_ids))
            .order_by(NoticeArea.area)
        ):
            keys.setdefault(notice_id, []).append(key)
    return keys


def _rendered(areas: AreaLookup, notice: Notice, keys: list[str]) -> dict[str, str | None]:
    """The dispatcher's rendering (:func:`knowledge.notices.render_notice`), per language."""
    named: list[NamedArea] = [area for area in map(areas.get, keys) if area is not None]
    texts: Mapping[str, str | None] = {
        "fi": notice.text_fi,
        "sv": notice.text_sv,
        "en": notice.text_en,
    }
    return {
        language: render_notice(texts, named, language, urgent=notice.urgent)
        for language in LANGUAGES
    }


async def _out(session: AsyncSession, areas: AreaLookup, notice: Notice) -> NoticeOut:
    return _notice_out(areas, notice, (await _keys_of(session, [notice.id])).get(notice.id, []))


def _notice_out(areas: AreaLookup, notice: Notice, keys: list[str]) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        state=notice.state,  # type: ignore[arg-type]
        texts=NoticeTextsOut(fi=notice.text_fi, sv=notice.text_sv, en=notice.text_en),
        areas=[area_name(areas, key) for key in keys],
        publish_at=notice.publish_at,
        expires_at=notice.expires_at,
        urgent=notice.urgent,
        created_by=notice.created_by,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        sending_at=notice.sending_at,
        cancelled_at=notice.cancelled_at,
        version=notice.version,
    )


def area_name(areas: AreaLookup, key: str) -> AreaName:
    area = areas.get(key)
    names: dict[str, Any] = {
        f"name_{language}": area.name(language) if area else None for language in LANGUAGES
    }
    return AreaName(key=key, **names)
