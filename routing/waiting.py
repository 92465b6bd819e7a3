"""How many conversations wait for each team, and how many of them are past their promise.

Read for ``/metrics`` when it is scraped: one grouped query over the inbox index
(``team_id, state``), every active team listed, also those with nothing waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import Conversation, Team

__all__ = ["TeamQueue", "waiting_by_team"]


@dataclass(frozen=True, slots=True)
class TeamQueue:
    team: str
    """The team's key."""
    waiting: int
    """Conversations waiting for an official of the team."""
    overdue: int
    """Of those, the ones whose promise (``due_at``) is past."""


async def waiting_by_team(session: AsyncSession, now: datetime) -> list[TeamQueue]:
    """Every active team's queue at ``now``, by team key."""
    waiting = and_(Conversation.team_id == Team.id, Conversation.state == "waiting")
    rows = await session.execute(
        select(
            Team.key,
            func.count(Conversation.id),
            func.coalesce(func.sum(case((Conversation.due_at < now, 1), else_=0)), 0),
        )
        .select_from(Team)
        .outerjoin(Conversation, waiting)
        .where(Team.active)
        .group_by(Team.key)
        .order_by(Team.key)
    )
    return [TeamQueue(team=key, waiting=int(count), overdue=int(late)) for key, count, late in rows]
