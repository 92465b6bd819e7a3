"""Cursor pagination: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": …}`` out.

A cursor is the sort key of the last item given, opaque to clients (URL-safe base64 of a JSON
list; datetimes travel as ISO text). A page is read with keyset pagination — ``WHERE (k1, k2)
< (:last1, :last2) ORDER BY k1 DESC, k2 DESC LIMIT n + 1`` — so page 1,000 costs what page 1
does and rows added meanwhile neither repeat nor vanish. The last key column must be unique
(an id). Use::

    @router.get("/things", response_model=Page[ThingOut])
    async def list_things(session: ReadSessionDep, page: PageDep) -> Page[ThingOut]:
        rows, next_cursor = await fetch_page(
            session, select(Thing), page, order=(Thing.updated_at, Thing.id),
            key=lambda row: (row.updated_at, row.id),
        )
        return Page(items=[ThingOut.of(row) for row in rows], next_cursor=next_cursor)

A cursor that this API did not give answers 422.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.errors import Invalid
from admin_api.texts import Text

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "PageDep",
    "PageParams",
    "decode_cursor",
    "encode_cursor",
    "fetch_page",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")
Key = tuple[int | str | datetime, ...]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    """Pass as ``cursor`` for the next page; ``null`` on the last page."""


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=1000, description="`next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(_page_params)]


def encode_cursor(key: Sequence[int | str | datetime]) -> str:
    plain = [{"at": value.isoformat()} if isinstance(value, datetime) else value for value in key]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, kinds: Sequence[type]) -> Key:
    """The key in ``cursor``, its values of ``kinds`` (``int``, ``str`` or ``datetime``)."""
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if not isinstance(plain, list) or len(plain) != len(kinds):
            raise ValueError("not a key of this listing")
        return tuple(_value(item, kind) for item, kind in zip(plain, kinds, strict=True))
    except (ValueError, UnicodeError, binascii.Error, TypeError, OverflowError):
        raise Invalid(Text("cursor_invalid"), loc=("query", "cursor")) from None


def _value(item: Any, kind: type) -> int | str | datetime:
    if kind is datetime and isinstance(item, dict) and isinstance(item.get("at"), str):
        value = datetime.fromisoformat(item["at"])
        if value.tzinfo is None:
            raise ValueError("a cursor's time has a zone")
        return value
    if kind is int and isinstance(item, int) and not isinstance(item, bool):
        if abs(item) >= 2**63:
            raise ValueError("out of range")
        return item
    if kind is str and isinstance(item, str):
        if "\x00" in item or _has_surrogate(item):
            raise ValueError("no key of ours holds this character")
        return item
    raise ValueError(f"not a {kind.__name__}")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


async def fetch_page(
    session: AsyncSession,
    statement: Select[T],
    page: PageParams,
    *,
    order: Sequence[ColumnElement[Any] | Any],
    key: Callable[[T], Sequence[int | str | datetime]],
    kinds: Sequence[type] | None = None,
    descending: bool = True,
) -> tuple[list[T], str | None]:
    """One page of ``statement``'s entities ordered by ``order`` (all one direction), and the
    cursor of the next page. ``key(row)`` gives a row's values of ``order``, which must not be
    NULL; ``kinds`` their types (``int``/``str``/``datetime``), by default the columns'."""
    if page.cursor is not None:
        expected = kinds or [_kind_of(column) for column in order]
        last = decode_cursor(page.cursor, expected)
        bound = tuple_(
            *(literal(value, column.type) for value, column in zip(last, order, strict=True))
        )
        columns = tuple_(*order)
        statement = statement.where(columns < bound if descending else columns > bound)
    statement = statement.order_by(
        *(column.desc() if descending else column.asc() for column in order)
    ).limit(page.limit + 1)
    rows = list(await session.scalars(statement))
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, encode_cursor(key(rows[-1]))


def _kind_of(column: Any) -> type:
    # A TypeDecorator (our UtcDateTime) reports ``object``; the type it wraps knows better.
    kind = getattr(column.type, "impl_instance", column.type)
    python_type: type = kind.python_type
    if issubclass(python_type, datetime):
        return datetime
    if issubclass(python_type, int):
        return int
    return str
