"""Per-chat queues: the oldest open row of each chat, for tables that queue work per chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import aliased

__all__ = ["head_of_chat"]


def head_of_chat(
    model: Any, is_open: Callable[[Any], ColumnElement[bool]], *, dialect: str
) -> ColumnElement[bool]:
    """True for a row of ``model`` that is the oldest open row of its chat.

    ``model`` has ``id``, ``channel`` and ``chat_id`` columns; ``is_open(table)`` says which
    rows still wait. The two forms give the same rows; each database gets the one it plans
    well: SQLite walks the chat index for a correlated ``NOT EXISTS``, while PostgreSQL plans
    that quadratically on a fresh table and does better with a grouped minimum.
    """
    if dialect == "sqlite":
        earlier = aliased(model)
        return ~(
            exists()
            .where(
                earlier.channel == model.channel,
                earlier.chat_id == model.chat_id,
                is_open(earlier),
                earlier.id < model.id,
            )
            .correlate(model)
        )
    heads = select(func.min(model.id)).where(is_open(model)).group_by(model.channel, model.chat_id)
    result: ColumnElement[bool] = model.id.in_(heads)
    return result
