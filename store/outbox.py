"""Putting texts in the outbox: the one way anything is said to anyone (by the bot, an
official or a notice).

A text longer than a channel message allows is split here, at paragraph, line, sentence or
word boundaries, into consecutive rows; the sender delivers a chat's rows in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import OutboxMessage
from store.notify import OUTBOX, notify

__all__ = [
    "MAX_TEXT_LENGTH",
    "Backlog",
    "Button",
    "enqueue",
    "enqueue_text",
    "offered_buttons",
    "outbox_backlog",
    "outbox_rows",
    "split_text",
]

Button = tuple[str, str]
"""A button: its label and the data sent back when it is pressed."""

MAX_TEXT_LENGTH = 4096
"""Telegram's limit for one message, in characters."""

_BOUNDARIES = (
    re.compile(r"\n\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s"),
    re.compile(r"\s"),
)


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, preferring natural boundaries.

    Joining the parts gives back the text except for the whitespace at the cuts.
    """
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut_position(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return [part for part in parts if part] or [text[:limit]]


def _cut_position(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for boundary in _BOUNDARIES:
        positions = [match.start() for match in boundary.finditer(window) if match.start() > 0]
        # A boundary in the last half keeps parts reasonably even; nearer the start, try the next.
        if positions and positions[-1] >= limit // 2:
            return positions[-1]
    return limit


def outbox_rows(
    *,
    channel: str,
    chat_id: int,
    text: str,
    now: datetime,
    conversation_id: int | None = None,
    message_id: int | None = None,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: int = 0,
    kind: str = "text",
) -> list[dict[str, Any]]:
    """The outbox rows for ``text``: one per part, buttons with the last part. ``kind`` is
    :attr:`store.models.OutboxMessage.kind`."""
    parts = split_text(text)
    return [
        {
            "channel": channel,
            "chat_id": chat_id,
            "conversation_id": conversation_id,
            "message_id": message_id,
            "text": part,
            "buttons": {"rows": [list(map(list, row)) for row in buttons]}
            if buttons and index == len(parts) - 1
            else None,
            "priority": priority,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "kind": kind,
        }
        for index, part in enumerate(parts)
    ]


async def enqueue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write outbox rows (from :func:`outbox_rows`) in ``session``'s transaction; the sender
    is woken when it commits."""
    if rows:
        # render_nulls: one executemany (else rows are split where their None keys differ)
        await session.execute(
            insert(OutboxMessage).execution_options(render_nulls=True), list(rows)
        )
        await notify(session, OUTBOX)  # the sender, on whichever replica, hears of them


async def enqueue_text(session: AsyncSession, **row: Any) -> None:
    """Add one text to the outbox (see :func:`outbox_rows` for the arguments)."""
    await enqueue(session, outbox_rows(**row))


@dataclass(frozen=True, slots=True)
class Backlog:
    """What waits in the outbox: how many rows, and since when the oldest."""

    pending: int
    oldest: datetime | None
    """``created_at`` of the oldest pending row; None when nothing waits."""


async def outbox_backlog(session: AsyncSession) -> Backlog:
    """The outbox's pending rows in one aggregate query (on the status index)."""
    pending, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == "pending"
            )
        )
    ).one()
    return Backlog(pending=int(pending or 0), oldest=oldest)


OFFERS_KEPT = 20
"""How many of a chat's latest messages with buttons still take a press."""


async def offered_buttons(session: AsyncSession, *, channel: str, chat_id: int) -> set[str]:
    """The data of the buttons offered in the chat's latest messages with buttons: what a
    press from that chat may carry. A press is the client's word, not ours; anything else
    (forged, from another chat, long gone) is not acted on."""
    rows = await session.scalars(
        select(OutboxMessage.buttons)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.buttons.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(OFFERS_KEPT)
    )
    return {str(data) for buttons in rows if buttons for row in buttons["rows"] for _, data in row}
