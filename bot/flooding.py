"""Residents who flood: a chat that sends faster than a person types is answered at a pace.

A private chat that sends more than ``per_minute`` updates within a minute starts a flood
episode. From then on each of its updates is stored with a *not-before* time, one ``pace``
after the previous one's (or at once when the chat has paused that long), and the intake takes
a chat's oldest update only once that time has come. Nothing is dropped: every update is
stored and answered, in order, only spaced out. The episode lasts while the chat keeps sending
(and ten quiet minutes more), so a resident who floods in bursts is told once, not per burst.

The default pace is the spacing Telegram imposes on messages to one chat (about one a
second): the resident gets their answers no later than the sender could have delivered them
anyway, while one chat can never take more of the dialogue, the database or the outbox than
one update a second. A hundred messages are answered in under two minutes, as they would be
without pacing; only a script sending thousands waits long, and it waits as long for
Telegram.

Everything is decided from what is stored, so it holds however many replicas share the
intake: the schedule when an update is recorded (from the chat's updates of the last minutes),
the one notice when the episode's first paced update is handled (updates of a chat are handled
one at a time, so two replicas can never both tell it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, BigInteger, ColumnElement, any_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import Inbound
from store import InboundUpdate

__all__ = ["EPISODE_QUIET", "FloodLimit", "paced_times", "starts_an_episode"]

WINDOW = timedelta(minutes=1)
EPISODE_QUIET = timedelta(minutes=10)
"""An episode ends when the chat has sent nothing for this long after its last paced update."""


@dataclass(frozen=True, slots=True)
class FloodLimit:
    """More than ``per_minute`` updates a minute from one private chat are handled one per
    ``pace`` seconds."""

    per_minute: int = 20
    pace: float = 1.0


async def paced_times(
    session: AsyncSession, inbounds: Sequence[Inbound], *, limit: FloodLimit, now: datetime
) -> list[datetime | None]:
    """The not-before time of each of ``inbounds`` (one channel's batch, in the order
    received), None for those handled as soon as their turn comes. Call it in the transaction
    that stores them; it reads the chats' updates of the last minutes (one query)."""
    in_batch = Counter(i.chat_id for i in inbounds if _private(i) and i.chat_id is not None)
    if not in_batch:
        return [None] * len(inbounds)
    recent = func.sum(case((InboundUpdate.received_at > now - WINDOW, 1), else_=0))
    last_paced = func.max(InboundUpdate.not_before)
    # Only the chats this batch could take over the limit, or already paced: usually none.
    could_cross = limit.per_minute - max(in_batch.values())
    rows = await session.execute(
        select(InboundUpdate.chat_id, recent, last_paced)
        .where(
            InboundUpdate.channel == inbounds[0].channel,
            _one_of(InboundUpdate.chat_id, sorted(in_batch), session),
            InboundUpdate.received_at > now - EPISODE_QUIET,
        )
        .group_by(InboundUpdate.chat_id)
        .having(or_(recent >= could_cross, last_paced.is_not(None)))
    )
    found = rows.all()
    counts = {chat_id: int(count or 0) for chat_id, count, _ in found}
    paced_until = {chat_id: last for chat_id, _, last in found if last is not None}
    times: list[datetime | None] = []
    pace = timedelta(seconds=limit.pace)
    for inbound in inbounds:
        chat = inbound.chat_id
        if chat is None or not _private(inbound):
            times.append(None)
            continue
        counts[chat] = counts.get(chat, 0) + 1
        last = paced_until.get(chat)
        if last is None and counts[chat] <= limit.per_minute:
            times.append(None)
            continue
        due = now if last is None else max(now, last + pace)
        paced_until[chat] = due
        times.append(due)
    return times


async def starts_an_episode(
    session: AsyncSession, inbound: Inbound, *, row_id: int, received_at: datetime
) -> bool:
    """Whether the paced update ``row_id`` is its chat's first of a flood episode: the one
    that brings the notice. Only asked for paced updates, so it costs nothing otherwise."""
    before = (
        await session.execute(
            select(InboundUpdate.not_before, InboundUpdate.received_at)
            .where(
                InboundUpdate.channel == inbound.channel,
                InboundUpdate.chat_id == inbound.chat_id,
                InboundUpdate.received_at <= received_at,
                InboundUpdate.id < row_id,
            )
            .order_by(InboundUpdate.received_at.desc(), InboundUpdate.id.desc())
            .limit(1)
        )
    ).first()
    if before is None or before.not_before is None:
        return True
    return bool(before.received_at < received_at - EPISODE_QUIET)


def _one_of(column: Any, values: list[int], session: AsyncSession) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``= ANY(array)``: one statement however many
    values, so asyncpg prepares it once rather than once for each length of the list."""
    if session.get_bind().dialect.name == "sqlite":
        return column.in_(values)  # type: ignore[no-any-return]
    return column == any_(literal(values, ARRAY(BigInteger)))  # type: ignore[no-any-return]


def _private(inbound: Inbound) -> bool:
    """Groups are not paced: their chatter is not for the bot, and a busy group is no flood."""
    return inbound.chat_kind == "private"
