"""``GET /audit``: who did what, when, before → after. Admins only; read-only by design (the
API has no route that edits or deletes an entry)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from admin_api.deps import MAX_ID, AdminOfficial, ReadSessionDep
from admin_api.errors import problem_responses
from admin_api.pagination import Page, PageDep, fetch_page
from store import AuditEntry

__all__ = ["AuditEntryOut", "router"]

router = APIRouter(tags=["audit"], responses=problem_responses(401, 403, 422))


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    official_id: int | None
    actor: str
    """The official's e-mail address at the time, ``system`` or ``cli``."""
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls.model_validate(entry, from_attributes=True)


@router.get("/audit", response_model=Page[AuditEntryOut])
async def list_audit_entries(
    admin: AdminOfficial,
    session: ReadSessionDep,
    page: PageDep,
    object_type: Annotated[
        str | None, Query(max_length=32, pattern=r"^[^\x00]*$", examples=["team"])
    ] = None,
    object_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    official_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Who did it.")] = None,
) -> Page[AuditEntryOut]:
    """Newest first."""
    query = select(AuditEntry)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if official_id is not None:
        query = query.where(AuditEntry.official_id == official_id)
    rows, next_cursor = await fetch_page(
        session, query, page, order=(AuditEntry.id,), key=lambda entry: (entry.id,)
    )
    return Page[AuditEntryOut](
        items=[AuditEntryOut.of(row) for row in rows], next_cursor=next_cursor
    )
