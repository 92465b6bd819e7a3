"""The audit log: every change an official (or the service by itself) makes, in the change's
own transaction. Nothing in the API edits or deletes an entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from store import AuditEntry

__all__ = ["SYSTEM", "Actor", "audit"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: an official (id and e-mail address at the time) or the service itself."""

    official_id: int | None
    name: str


SYSTEM = Actor(None, "system")


async def audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: datetime,
) -> None:
    """Record ``action`` (``conversation.claim``, ``team.update``…) on an object."""
    session.add(
        AuditEntry(
            at=at,
            official_id=actor.official_id,
            actor=actor.name,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_plain(before),
            after=_plain(after),
        )
    )


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe values: datetimes as ISO text."""
    if values is None:
        return None
    return {key: v.isoformat() if isinstance(v, datetime) else v for key, v in values.items()}
