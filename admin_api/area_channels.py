"""Area channels: Telegram groups and channels that carry an area's notices.

Comms staff create a one-time link code for an area (``POST /areas/link-codes``); the code is
shown in the answer and never again (only its hash is kept) and lasts 24 hours. A group admin
sends it to the bot in the group, which links the group (the bot's side). ``GET
/areas/channels`` lists what is linked. Comms staff and admins only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from admin_api.changes import record_change
from admin_api.deps import ContextDep, Input, ReadSessionDep, SessionDep
from admin_api.errors import problem_responses
from admin_api.notices import AreaKey, AreaName, Writer, area_lookup, area_name, check_area
from admin_api.pagination import Page, PageDep, fetch_page
from knowledge.link_codes import link_code_hash, new_link_code
from store import AreaChannel, ChannelLinkCode

__all__ = ["AreaChannelOut", "LinkCodeIn", "LinkCodeOut", "router"]

router = APIRouter(
    prefix="/areas", tags=["area channels"], responses=problem_responses(400, 401, 403, 422)
)

LINK_CODE_LIFETIME = timedelta(hours=24)


class LinkCodeIn(Input):
    area: AreaKey
    language: Literal["fi", "sv", "en"] = "fi"
    """The language the group reads notices in."""


class LinkCodeOut(BaseModel):
    code: str
    """Shown once: send it to the bot in the group (``/link CODE``) before ``expires_at``."""
    area: AreaName
    language: str
    expires_at: datetime


class LinkCodeRecord(BaseModel):
    """What the audit log keeps of a link code: not the code."""

    area: str
    language: str
    expires_at: datetime


class AreaChannelOut(BaseModel):
    id: int
    channel: str
    chat_id: int
    area: AreaName
    title: str | None
    language: str
    active: bool
    linked_at: datetime


@router.post(
    "/link-codes",
    response_model=LinkCodeOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(),
)
async def create_link_code(
    body: LinkCodeIn, writer: Writer, session: SessionDep, context: ContextDep
) -> LinkCodeOut:
    """A one-time code that links a Telegram group or channel to the area."""
    areas = area_lookup(context)
    check_area(areas, body.area, loc=("body", "area"))
    now = context.clock.now()
    code = new_link_code()
    expires_at = now + LINK_CODE_LIFETIME
    session.add(
        ChannelLinkCode(
            code_hash=link_code_hash(code),
            area=body.area,
            language=body.language,
            official_id=writer.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    record = LinkCodeRecord(area=body.area, language=body.language, expires_at=expires_at)
    await record_change(
        session, context, writer, "area.link_code", object_id=body.area, after=record
    )
    return LinkCodeOut(
        code=code,
        area=area_name(areas, body.area),
        language=body.language,
        expires_at=expires_at,
    )


@router.get("/channels", response_model=Page[AreaChannelOut])
async def list_area_channels(
    writer: Writer,
    session: ReadSessionDep,
    context: ContextDep,
    page: PageDep,
    area: Annotated[AreaKey | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[AreaChannelOut]:
    """Linked groups and channels, in the order they were linked."""
    areas = area_lookup(context)
    query = select(AreaChannel)
    if area is not None:
        query = query.where(AreaChannel.area == area)
    if active is not None:
        query = query.where(AreaChannel.active == active)
    rows, next_cursor = await fetch_page(
        session, query, page, order=(AreaChannel.id,), key=lambda row: (row.id,), descending=False
    )
    return Page[AreaChannelOut](
        items=[
            AreaChannelOut(
                id=row.id,
                channel=row.channel,
                chat_id=row.chat_id,
                area=area_name(areas, row.area),
                title=row.title,
                language=row.language,
                active=row.active,
                linked_at=row.linked_at,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )
