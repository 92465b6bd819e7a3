"""The local case registry: cases the city registers itself, answered before Ahjo.

Everything here is public (a resident reads it). Every role reads; admins write. A diary number
is accepted loosely (``hel-2025-1216``) and stored normalised (``HEL 2025-001216``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from admin_api.changes import record_change
from admin_api.deps import (
    AdminOfficial,
    ContextDep,
    CurrentOfficial,
    Input,
    Line,
    ReadSessionDep,
    SessionDep,
)
from admin_api.errors import Invalid, NotFound, problem_responses
from admin_api.pagination import Page, PageDep, fetch_page
from admin_api.texts import Text
from knowledge.cases import normalise_diary_number
from store import LocalCase

__all__ = ["CaseIn", "CaseOut", "router"]

router = APIRouter(prefix="/cases", tags=["cases"], responses=problem_responses(400, 401, 422))

Status = Literal["Vireillä", "Ratkaistu", "Päätetty", "Arkistoitu"]
"""``knowledge.cases.STATUSES``, spelled out for the schema."""
DiaryNumber = Annotated[
    str,
    Path(
        min_length=1,
        max_length=40,
        pattern=r"^\s*[Hh][Ee][Ll][\s-]*(19|20)[0-9]{2}[\s-]+[0-9]{1,6}\s*$",
        description="A Helsinki diary number, e.g. `HEL 2025-001216` (also `hel-2025-1216`).",
    ),
]
CaseText = Annotated[str, Field(max_length=4000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class CaseIn(Input):
    title: Annotated[CaseText, Field(min_length=1)]
    title_sv: CaseText | None = None
    title_en: CaseText | None = None
    status: Status
    team: Annotated[Line, Field(max_length=64)] | None = None
    """The responsible team, as residents are told."""
    note: CaseText | None = None
    note_sv: CaseText | None = None
    note_en: CaseText | None = None


class CaseOut(BaseModel):
    diary_number: str
    title: str
    title_sv: str | None
    title_en: str | None
    status: str
    team: str | None
    note: str | None
    note_sv: str | None
    note_en: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: LocalCase) -> CaseOut:
        return cls.model_validate(case, from_attributes=True)


@router.get("", response_model=Page[CaseOut])
async def list_cases(
    official: CurrentOfficial,
    session: ReadSessionDep,
    page: PageDep,
    status: Annotated[Status | None, Query()] = None,
) -> Page[CaseOut]:
    """Registered cases by diary number."""
    query = select(LocalCase)
    if status is not None:
        query = query.where(LocalCase.status == status)
    rows, next_cursor = await fetch_page(
        session,
        query,
        page,
        order=(LocalCase.diary_number,),
        key=lambda case: (case.diary_number,),
        descending=False,
    )
    return Page[CaseOut](items=[CaseOut.of(row) for row in rows], next_cursor=next_cursor)


@router.get("/{diary_number}", response_model=CaseOut, responses=problem_responses(404))
async def get_case(
    diary_number: DiaryNumber, official: CurrentOfficial, session: ReadSessionDep
) -> CaseOut:
    case = await session.get(LocalCase, _normalised(diary_number))
    if case is None:
        raise NotFound(Text("case_not_found"))
    return CaseOut.of(case)


@router.put(
    "/{diary_number}",
    response_model=CaseOut,
    responses={
        201: {"model": CaseOut, "description": "Registered"},
        **problem_responses(403),
    },
)
async def register_case(
    diary_number: DiaryNumber,
    body: CaseIn,
    admin: AdminOfficial,
    session: SessionDep,
    context: ContextDep,
    response: Response,
) -> CaseOut:
    """Register the case, or replace what the registry says of it (200 then, 201 if new)."""
    number = _normalised(diary_number)
    now = context.clock.now()
    case = await session.get(LocalCase, number, with_for_update=True)
    before = CaseOut.of(case) if case is not None else None
    if case is None:
        case = LocalCase(diary_number=number, created_at=now, updated_at=now, **body.model_dump())
        session.add(case)
        response.status_code = status.HTTP_201_CREATED
    elif any(getattr(case, name) != value for name, value in body.model_dump().items()):
        for name, value in body.model_dump().items():
            setattr(case, name, value)
        case.updated_at = now  # followers of the case hear of the change
    else:
        return CaseOut.of(case)
    await session.flush()
    after = CaseOut.of(case)
    await record_change(
        session,
        context,
        admin,
        "case.register" if before is None else "case.update",
        object_id=number,
        before=before,
        after=after,
        at=now,
    )
    return after


@router.delete(
    "/{diary_number}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def remove_case(
    diary_number: DiaryNumber, admin: AdminOfficial, session: SessionDep, context: ContextDep
) -> None:
    number = _normalised(diary_number)
    case = await session.get(LocalCase, number)
    if case is None:
        raise NotFound(Text("case_not_found"))
    before = CaseOut.of(case)
    await session.delete(case)
    await record_change(session, context, admin, "case.remove", object_id=number, before=before)


def _normalised(diary_number: str) -> str:
    try:
        return normalise_diary_number(diary_number)
    except ValueError:
        raise Invalid(Text("diary_number_invalid"), loc=("path", "diary_number")) from None
