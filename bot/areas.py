"""Area subscriptions: what the area actions decide, carried out in the store; and the notices
current in an area, as the ``notices_list`` action reads them.

Actions return :class:`SubscribeArea` / :class:`UnsubscribeArea` values; the dialogue hands
them to :class:`AreaBook` in its transaction, and gives actions the chat's subscribed area keys
in the ``subscribed_areas`` slot when they ask for it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.areas import AreaRegistry
from knowledge.notices import render_notice
from store import AreaSubscription, Clock, Database, Notice, NoticeArea, insert_new

__all__ = [
    "CURRENT_STATES",
    "SUBSCRIBED_AREAS",
    "AreaBook",
    "StoredNotices",
    "SubscribeArea",
    "UnsubscribeArea",
]

SUBSCRIBED_AREAS = "subscribed_areas"
"""The slot in which an area action finds the keys of the areas its chat subscribed to."""
CURRENT_STATES = ("sending", "sent")
"""A notice in these states is out; before its ``publish_at`` or after expiry it is not shown."""


@dataclass(frozen=True, slots=True)
class SubscribeArea:
    """Send this chat the notices of the area ``key`` (a :mod:`knowledge.areas` key)."""

    key: str


@dataclass(frozen=True, slots=True)
class UnsubscribeArea:
    key: str


class AreaBook:
    """The store's side of area subscriptions: the ``area_subscriptions`` table."""

    kinds: tuple[type, ...] = (SubscribeArea, UnsubscribeArea)
    slot: str = SUBSCRIBED_AREAS

    async def read(self, session: AsyncSession, conversation_id: int) -> list[str]:
        """The area keys the conversation subscribed to, oldest first."""
        return list(
            await session.scalars(
                select(AreaSubscription.area)
                .where(AreaSubscription.conversation_id == conversation_id)
                .order_by(AreaSubscription.id)
            )
        )

    async def carry_out(
        self, session: AsyncSession, decided: Sequence[tuple[int, object]], *, now: datetime
    ) -> None:
        """Carry out ``(conversation id, SubscribeArea | UnsubscribeArea)`` pairs, in order."""
        dialect = session.get_bind().dialect.name
        for conversation_id, effect in decided:
            if isinstance(effect, SubscribeArea):
                await session.execute(
                    insert_new(AreaSubscription, dialect),
                    [{"conversation_id": conversation_id, "area": effect.key, "created_at": now}],
                )
            elif isinstance(effect, UnsubscribeArea):
                await session.execute(
                    delete(AreaSubscription).where(
                        AreaSubscription.conversation_id == conversation_id,
                        AreaSubscription.area == effect.key,
                    )
                )


class StoredNotices:
    """The notices out now for some areas, read from the store as a resident gets them.

    A notice counts for an area when it targets the area or an area related to it (the same
    relation that decides whom a notice reaches).
    """

    def __init__(self, database: Database, areas: AreaRegistry, *, clock: Clock) -> None:
        self._database = database
        self._areas = areas
        self._clock = clock

    async def current(self, keys: Collection[str], language: str, *, limit: int) -> list[str]:
        """At most ``limit`` notices, newest first, each as a resident of ``language`` gets it."""
        reached = sorted({key for own in keys for key in self._areas.related(own) | {own}})
        if not reached:
            return []
        now = self._clock.now()
        async with self._database.sessions() as session:
            notices = list(
                await session.scalars(
                    select(Notice)
                    .where(
                        Notice.state.in_(CURRENT_STATES),
                        Notice.publish_at <= now,
                        or_(Notice.expires_at.is_(None), Notice.expires_at > now),
                        Notice.id.in_(
                            select(NoticeArea.notice_id).where(NoticeArea.area.in_(reached))
                        ),
                    )
                    .order_by(Notice.publish_at.desc(), Notice.id.desc())
                    .limit(limit)
                )
            )
            targets: dict[int, list[str]] = {}
            if notices:
                for notice_id, key in await session.execute(
                    select(NoticeArea.notice_id, NoticeArea.area)
                    .where(NoticeArea.notice_id.in_([notice.id for notice in notices]))
                    .order_by(NoticeArea.area)
                ):
                    targets.setdefault(notice_id, []).append(key)
        told = []
        for notice in notices:
            areas = [found for key in targets.get(notice.id, []) if (found := self._areas.get(key))]
            text = render_notice(
                {"fi": notice.text_fi, "sv": notice.text_sv, "en": notice.text_en},
                areas,
                language,
                urgent=notice.urgent,
            )
            if text:
                told.append(text)
        return told
