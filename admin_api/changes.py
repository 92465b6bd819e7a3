"""An admin's write to the registry, teams or routing rules, recorded in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext
from admin_api.deps import actor_of, routing_changed
from routing.audit import audit
from store import Official

__all__ = ["record_change"]


async def record_change(
    session: AsyncSession,
    context: AdminContext,
    admin: Official,
    action: str,
    *,
    object_id: object,
    before: BaseModel | Mapping[str, Any] | None = None,
    after: BaseModel | None = None,
    at: datetime | None = None,
    changes_routing: bool = False,
) -> None:
    """Audit ``admin``'s ``action`` (``team.update``: the object type comes first) on the
    object, its states before and after as JSON, at ``at`` (else the context's clock now).

    With ``changes_routing`` the router hears of the change once it commits
    (:func:`~admin_api.deps.routing_changed`).
    """
    await audit(
        session,
        actor_of(admin),
        action,
        object_type=action.partition(".")[0],
        object_id=object_id,
        before=before.model_dump(mode="json") if isinstance(before, BaseModel) else before,
        after=after.model_dump(mode="json") if after is not None else None,
        at=at or context.clock.now(),
    )
    if changes_routing:
        routing_changed(session, context)
