"""Per-chat queues: the oldest open row of each chat, for tables that queue work per chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, Subquery, any_, cast, exists, func, select
from sqlalchemy.dialects.postgresql import distinct_on

__all__ = ["chat_heads", "one_of"]


def chat_heads(
    model: Any, is_open: Callable[[Any], ColumnElement[bool]], *, dialect: str
) -> Subquery:
    """The oldest open row of each chat of ``model``, with all its columns, as a subquery.

    ``model`` has ``id``, ``channel`` and ``chat_id`` columns; ``is_open(columns)`` says which
    rows still wait (it may also narrow the chats, e.g. to some channels). Callers filter,
    order and limit the heads further and then lock the rows they take by ``id``.

    The two forms give the same rows; each database gets one it runs in about linear time
    however many rows wait and whatever its statistics say: SQLite walks the chat index for a
    correlated ``NOT EXISTS``; PostgreSQL sorts the open rows once for ``DISTINCT ON``, where
    a semi-join or anti-join can be planned as a nested loop that is quadratic in the open rows
    (seconds for a burst of a few thousand).
    """
    table = model.__table__
    columns = table.c
    if dialect == "sqlite":
        earlier = table.alias("earlier")
        return (
            select(table)
            .where(
                is_open(columns),
                ~exists()
                .where(
                    earlier.c.channel == columns.channel,
                    earlier.c.chat_id == columns.chat_id,
                    is_open(earlier.c),
                    earlier.c.id < columns.id,
                )
                .correlate(table),
            )
            .subquery("heads")
        )
    return (
        select(table)
        .where(is_open(columns))
        .ext(distinct_on(columns.channel, columns.chat_id))
        .order_by(columns.channel, columns.chat_id, columns.id)
        .subquery("heads")
    )


def one_of(column: Any, ids: Select[Any], *, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the (few) values ``ids`` selects, computed once up front.

    On PostgreSQL as ``= ANY(array)``: an ``IN (subquery)`` may be planned as a semi-join that
    runs the subquery's rows against every open row, which is quadratic again.
    """
    if dialect == "sqlite":
        return column.in_(ids.scalar_subquery())  # type: ignore[no-any-return]
    chosen = ids.subquery("chosen")
    listed = select(func.array_agg(chosen.c[0])).scalar_subquery()
    # The cast makes the subquery one array value (``ANY (SELECT …)`` would compare each row).
    return column == any_(cast(listed, ARRAY(column.type)))  # type: ignore[no-any-return]
