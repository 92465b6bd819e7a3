"""The notice dispatcher: turns a notice that falls due into one outbox row per recipient.

Every two seconds while notices wait (at once when one is scheduled) it claims the ones whose
``publish_at`` has come (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so replicas take
different notices and an admin's edit or cancel waits for, or is waited for by, the claim).
For each notice, in one transaction, it moves the notice to ``sending`` and inserts a delivery
per chat — every active conversation subscribed to one of the notice's areas or an area
related to it (a district and its postal codes), once, in the resident's language, and every
active group or channel linked to one of the areas, in the group's language. The outbox's
unique index on (notice, channel, chat) makes the insert idempotent. The sender then delivers
the rows like any other, paced, urgent ones first.

Then the dispatcher sweeps: pending deliveries of notices past ``expires_at`` are cancelled, a
scheduled notice that expired before it was sent is cancelled, and a ``sending`` notice with
nothing left pending is ``sent``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import DEFAULT_LANGUAGE, LANGUAGES
from knowledge.notices import AreaLookup, NamedArea, render_notice
from routing.audit import SYSTEM, audit
from store import (
    AreaChannel,
    AreaSubscription,
    Clock,
    Conversation,
    Database,
    Notice,
    NoticeArea,
    OutboxMessage,
    Resident,
    insert_new,
    known_language,
)
from store.notify import OUTBOX, notify, wait_for_bell
from store.outbox import MAX_TEXT_LENGTH, split_text

__all__ = ["NOTICE_PRIORITY", "URGENT_PRIORITY", "NoticeDispatcher", "Recipient"]

log = logging.getLogger(__name__)

NOTICE_PRIORITY = -5
"""Notices give way to answers residents are waiting for (priority 0)…"""
URGENT_PRIORITY = 10
"""…except an urgent one, which goes before everything."""

_INSERT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat a notice goes to, and the language it is read in."""

    channel: str
    chat_id: int
    language: str
    conversation_id: int | None = None
    """The resident's conversation; ``None`` for a group or channel."""


class NoticeDispatcher:
    """Queues the deliveries of due notices; see the module docstring for the contract."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        registry: AreaLookup,
        on_queued: Callable[[], None] | None = None,
        interval: float = 2.0,
        idle_interval: float = 30.0,
    ) -> None:
        """``on_queued`` is called after deliveries were committed (the outbox doorbell)."""
        self._db = database
        self._clock = clock
        self._registry = registry
        self._on_queued = on_queued
        self._interval = interval
        self._idle_interval = idle_interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A notice was scheduled: look now rather than at the next round."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch due notices until ``stop``: about every ``interval`` seconds while a notice
        is scheduled or being sent, every ``idle_interval`` when none is, and at once when
        woken (a notice was scheduled). A round with nothing due is one small query."""
        while not stop.is_set():
            self._wake.clear()
            pause = self._interval
            try:
                due, pending = await self._look()
                if due:
                    await self.dispatch_due()
                elif not pending:
                    pause = self._idle_interval
            except Exception:  # the database is away: nothing is lost, the notice stays due
                log.exception("notice dispatcher: a round failed; trying again shortly")
            await wait_for_bell(stop, self._wake, seconds=pause)

    async def _look(self) -> tuple[bool, bool]:
        """Whether a notice is due now (due, expired unsent, or being sent: to be swept), and
        whether any is scheduled or being sent at all."""
        now = self._clock.now()
        due = or_(
            Notice.state == "sending",
            and_(
                Notice.state == "scheduled",
                or_(Notice.publish_at <= now, Notice.expires_at <= now),
            ),
        )
        pending = Notice.state.in_(("scheduled", "sending"))
        async with self._db.sessions() as session:
            looked = await session.execute(select(exists().where(due), exists().where(pending)))
            is_due, is_pending = looked.one()
        return bool(is_due), bool(is_pending)

    async def dispatch_due(self) -> int:
        """Queue every due notice's deliveries and sweep; returns how many rows were queued."""
        queued = 0
        while (count := await self._dispatch_next()) is not None:
            queued += count
            if count and self._on_queued is not None:
                self._on_queued()  # the sender starts on this notice while the next is queued
        await self._sweep()
        return queued

    async def _dispatch_next(self) -> int | None:
        """Move the next due notice to ``sending`` with its deliveries; ``None`` if none is due."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            query = (
                select(Notice)
                .where(
                    Notice.state == "scheduled",
                    Notice.publish_at <= now,
                    (Notice.expires_at.is_(None)) | (Notice.expires_at > now),
                )
                .order_by(Notice.urgent.desc(), Notice.publish_at, Notice.id)
                .limit(1)
            )
            if not self._db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            notice = await session.scalar(query)
            if notice is None:
                return None
            keys = sorted(
                await session.scalars(
                    select(NoticeArea.area).where(NoticeArea.notice_id == notice.id)
                )
            )
            recipients = await self.recipients(session, keys)
            rows = self._rows(notice, keys, recipients, now)
            statement = insert_new(
                OutboxMessage,
                session.get_bind().dialect.name,
                index_elements=[
                    OutboxMessage.notice_id,
                    OutboxMessage.channel,
                    OutboxMessage.chat_id,
                ],
                index_where=OutboxMessage.notice_id.is_not(None),
            ).execution_options(render_nulls=True)
            for start in range(0, len(rows), _INSERT_CHUNK):
                await session.execute(statement, rows[start : start + _INSERT_CHUNK])
            await notify(session, OUTBOX)  # the replica that sends hears of them
            notice.state = "sending"
            notice.sending_at = now
        log.info("notice %s: %d deliveries queued", notice.id, len(rows))
        return len(rows)

    async def recipients(self, session: AsyncSession, keys: Iterable[str]) -> list[Recipient]:
        """Who a notice for the areas ``keys`` reaches: each chat once, residents first."""
        keys = sorted(set(keys))
        reached = set(keys)
        for key in keys:
            reached |= self._registry.related(key)
        found: dict[tuple[str, int], Recipient] = {}
        residents = await session.execute(
            select(
                Conversation.id,
                Conversation.channel,
                Conversation.chat_id,
                Resident.language,
                Resident.platform_language,
            )
            .join(AreaSubscription, AreaSubscription.conversation_id == Conversation.id)
            .join(Resident, Resident.id == Conversation.resident_id, isouter=True)
            .where(AreaSubscription.area.in_(sorted(reached)), Conversation.active.is_(True))
            .distinct()
            .order_by(Conversation.id)
        )
        for conversation_id, channel, chat_id, chosen, platform in residents:
            found.setdefault(
                (channel, chat_id),
                Recipient(
                    channel,
                    chat_id,
                    known_language(chosen, platform) or DEFAULT_LANGUAGE,
                    conversation_id,
                ),
            )
        groups = await session.execute(
            select(AreaChannel.channel, AreaChannel.chat_id, AreaChannel.language)
            .where(AreaChannel.area.in_(keys), AreaChannel.active.is_(True))
            .order_by(AreaChannel.id)
        )
        for channel, chat_id, language in groups:
            found.setdefault(
                (channel, chat_id),
                Recipient(
                    channel, chat_id, language if language in LANGUAGES else DEFAULT_LANGUAGE
                ),
            )
        return list(found.values())

    def _rows(
        self, notice: Notice, keys: list[str], recipients: list[Recipient], now: datetime
    ) -> list[dict[str, Any]]:
        areas: list[NamedArea] = [
            area for area in (self._registry.get(key) for key in keys) if area is not None
        ]
        texts = {"fi": notice.text_fi, "sv": notice.text_sv, "en": notice.text_en}
        rendered: dict[str, str | None] = {}
        rows = []
        for recipient in recipients:
            language = recipient.language
            if language not in rendered:
                rendered[language] = _one_message(
                    notice.id, render_notice(texts, areas, language, urgent=notice.urgent)
                )
            text = rendered[language]
            if text is None:
                continue
            rows.append(
                {
                    "channel": recipient.channel,
                    "chat_id": recipient.chat_id,
                    "conversation_id": recipient.conversation_id,
                    "message_id": None,
                    "text": text,
                    "buttons": None,
                    "priority": URGENT_PRIORITY if notice.urgent else NOTICE_PRIORITY,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "notice_id": notice.id,
                }
            )
        return rows

    async def _sweep(self) -> None:
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.notice_id.in_(
                        select(Notice.id).where(Notice.state == "sending", Notice.expires_at <= now)
                    ),
                )
                .values(status="cancelled", leased_until=None, last_error="expired")
            )
            expired = list(
                await session.scalars(
                    update(Notice)
                    .where(Notice.state == "scheduled", Notice.expires_at <= now)
                    .values(state="cancelled", cancelled_at=now, version=Notice.version + 1)
                    .returning(Notice.id)
                )
            )
            for notice_id in expired:
                log.warning("notice %s expired before it was sent; cancelled", notice_id)
                await audit(
                    session,
                    SYSTEM,
                    "notice.expire",
                    object_type="notice",
                    object_id=notice_id,
                    after={"state": "cancelled"},
                    at=now,
                )
            await session.execute(
                update(Notice)
                .where(
                    Notice.state == "sending",
                    ~exists().where(
                        OutboxMessage.notice_id == Notice.id, OutboxMessage.status == "pending"
                    ),
                )
                .values(state="sent")
            )


def _one_message(notice_id: int, text: str | None) -> str | None:
    # One row per notice and chat (a unique index): the admin API refuses longer notices, so
    # this only guards against a registry whose area names grew since the notice was checked.
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        log.error("notice %s is longer than one message; sending its first part", notice_id)
        return split_text(text)[0]
    return text
