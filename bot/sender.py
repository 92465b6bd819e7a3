"""The sender: delivers the outbox, in order per chat, paced, and losing nothing.

Rows are claimed with a lease, a batch at a time in one statement, and queued here until a
send is free; a sender that dies mid-send leaves them to be retried once the lease runs out.
The one duplicate a crash can cause is a message Telegram accepted just before the process
died, before we could record it: Telegram has no idempotency key.

Telegram's limits are the bot's, not a process's: with replicas on PostgreSQL only the process
that holds the sending role (:class:`bot.ports.SendingRole`, an advisory lock) sends, so its
pacing — the overall rate, each chat's spacing, a 429's pause — is everyone's. The others stand
by and try for the role every ``standby_seconds``; the lock frees when its holder's connection
closes, also on a kill -9. Whoever takes the role knows that nobody else sends, so it frees
every lease at once (a dead holder's claimed rows go out now, not when their leases run out)
and waits ``handover_pause`` first (the previous holder may have just written to a chat).
Claims still use ``FOR UPDATE SKIP LOCKED``: should two ever send, they never share a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from bot.errors import (
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    MessageRejected,
    RateLimited,
)
from bot.metrics import BotMetrics
from bot.pacing import Pacer
from bot.ports import Button, SendingRole, Transport
from bot.privacy import EXPORT_FILENAME, export_file, send_file
from store import AreaChannel, AreaSubscription, Clock, Conversation, Database, OutboxMessage
from store.queues import chat_heads, one_of

__all__ = ["Sender", "SenderPolicy"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SenderPolicy:
    rate: float = 25.0
    """Messages per second overall."""
    lease_seconds: float = 60.0
    max_in_flight: int = 8
    """Sends under way at once: Telegram allows ~30/s, so a few in flight cover its latency."""
    unrecorded_limit: int = 8
    """Sent messages whose outcome is not yet written to the outbox: no new send starts while
    this many wait for the next batched write."""
    claim_batch: int = 64
    """Rows claimed in one statement and queued for a free send. Their leases run while they
    wait, so this stays far below what the sender sends in a lease."""
    max_attempts: int = 12
    first_backoff: float = 1.0
    max_backoff: float = 300.0
    idle_poll_seconds: float = 1.0
    """How long an idle sender waits before looking at the outbox unasked (the doorbell and,
    on PostgreSQL, ``NOTIFY`` wake it for new rows; its own retries it wakes up for)."""
    standby_seconds: float = 2.0
    """How often a standby tries for the sending role."""
    handover_pause: float = 0.0
    """How long a new holder of the sending role waits before its first send: the longest
    spacing between two messages to a chat."""

    @property
    def crash_window(self) -> int:
        """At most this many messages can have reached Telegram without the outbox knowing.
        Telegram has no idempotency key, so a kill -9 can repeat at most these after a restart."""
        return self.max_in_flight + self.unrecorded_limit

    def backoff(self, attempts: int) -> float:
        """Exponential with full jitter: a whole city's retries do not arrive together."""
        ceiling = min(self.max_backoff, self.first_backoff * 2 ** (attempts - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    channel: str
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] | None
    attempts: int
    lease_ends: float
    """When (``time.monotonic()``) this sender's lease on the row runs out."""
    notice_id: int | None = None
    """An area notice's delivery, which may be cancelled while it waits here."""
    kind: str = "text"
    """:attr:`store.models.OutboxMessage.kind`: ``export`` rows are built when sent,
    ``farewell`` rows deleted once sent."""
    conversation_id: int | None = None


class Sender:
    """Delivers outbox rows of the channels it has a transport for."""

    def __init__(
        self,
        database: Database,
        transports: Mapping[str, Transport],
        *,
        clock: Clock,
        metrics: BotMetrics,
        policy: SenderPolicy | None = None,
        doorbell: asyncio.Event | None = None,
        role: SendingRole | None = None,
    ) -> None:
        """``doorbell`` is set by whoever adds to the outbox, to wake the sender at once.
        With a ``role`` (replicas on PostgreSQL) :meth:`run` sends only while it holds it."""
        self._db = database
        self._transports = dict(transports)
        self._clock = clock
        self._metrics = metrics
        self._policy = policy or SenderPolicy()
        self._pacer = Pacer(self._policy.rate)
        self._wake = doorbell or asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._queue: deque[_Claimed] = deque()
        """Claimed rows waiting for a free send, in claim order."""
        self._sent_one = asyncio.Event()
        self._claim_statement: Update | None = None
        self._delivered: list[dict[str, object]] = []
        self._retries: list[dict[str, object]] = []
        self._recording: asyncio.Task[None] | None = None
        self._writing = 0
        """Delivered rows in the outcome write under way."""
        self._role = role
        self._next_due: float | None = None
        """When (``time.monotonic()``) the earliest retry this sender knows of is due."""

    def wake(self) -> None:
        """Tell the sender there is something new in the outbox."""
        self._wake.set()

    async def release_abandoned_leases(self) -> None:
        """Make rows of this sender's channels leased by a dead process claimable now: only
        when no other process sends them (SQLite; the holder of the sending role)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.leased_until.is_not(None),
                    OutboxMessage.channel.in_(self._transports),
                )
                .values(leased_until=None)
            )
            # Retries a previous sender set for later: wake up for them, not at the next poll.
            later = await session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.channel.in_(self._transports),
                    OutboxMessage.next_attempt_at > now,
                )
            )
        if later is not None:
            self._due_in((later - now).total_seconds())

    def _due_in(self, seconds: float) -> None:
        due = time.monotonic() + max(0.0, seconds)
        self._next_due = due if self._next_due is None else min(self._next_due, due)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; then finish the sends in flight and return.

        With a role: stand by until this process holds it, send while it does, and hand it
        over on ``stop`` once what was sent is recorded."""
        if self._role is None:
            self._metrics.sender_active.set(1)
            try:
                await self._send_until(stop, release=self._db.is_sqlite)
            finally:
                self._metrics.sender_active.set(0)
            return
        while not stop.is_set():
            try:
                holding = await self._role.try_take()
            except Exception as exc:  # the database is away: stand by and try again
                log.warning("the sender cannot reach the database for its role: %s", exc)
                holding = False
            if not holding:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._policy.standby_seconds)
                continue
            log.info("this process holds the sending role: it sends for every replica")
            self._metrics.sender_active.set(1)
            lost = asyncio.create_task(self._role.until_lost(), name="sending role")
            ending = asyncio.Event()
            watch = asyncio.create_task(_set_when_first(ending, stop, lost))
            try:
                self._pacer.pause(self._policy.handover_pause)
                await self._send_until(ending, release=True)
            finally:
                self._metrics.sender_active.set(0)
                watch.cancel()
                lost.cancel()
                await asyncio.gather(watch, lost, return_exceptions=True)
                # Only now, with every send recorded: the next holder frees all leases.
                await asyncio.shield(self._role.give_up())
            if not stop.is_set():
                log.warning("this process lost the sending role; standing by")

    async def _send_until(self, stop: asyncio.Event, *, release: bool) -> None:
        """The sending loop: claim, send, record, until ``stop``; then wind up."""
        released = not release
        claim = True  # something may be due: at the start, on the doorbell, after a quiet poll
        try:
            while not stop.is_set():
                if self._wake.is_set():
                    self._wake.clear()
                    claim = True
                self._sent_one.clear()
                try:
                    if not released:
                        await self.release_abandoned_leases()
                        released = True
                    if self._next_due is not None and self._next_due <= time.monotonic():
                        self._next_due, claim = None, True  # a retry is due
                    if self._pacer.paused_for() > 0:
                        # During a 429 pause the queued rows' leases would run out waiting.
                        claim = await self._unclaim_queued() or claim
                    elif claim and self._room():
                        room = self._room()
                        claimed = await self._claim(room)
                        self._queue.extend(claimed)
                        claim = len(claimed) == room  # a full batch: more may be waiting
                except Exception:  # the database is away: nothing is lost, try again soon
                    log.exception("the sender could not reach the outbox; retrying in 1 s")
                    await asyncio.sleep(1.0)
                    claim = True
                    continue
                self._start_sends()
                if claim and self._room():
                    await asyncio.sleep(0)
                    continue
                claim = await self._idle(stop) or claim
        finally:
            try:
                if self._in_flight:
                    await asyncio.gather(*self._in_flight, return_exceptions=True)
            finally:
                # Even when cancelled at the end of the grace period: what was sent is recorded.
                await asyncio.shield(self._wind_up())

    def _room(self) -> int:
        """How many rows to claim now: none while the queue still feeds every free send."""
        if not self._transports or self._pacer.paused_for() > 0:
            return 0
        if len(self._queue) >= self._policy.max_in_flight:
            return 0
        batch = max(self._policy.claim_batch, self._policy.max_in_flight)
        return max(0, batch - len(self._queue) - len(self._in_flight))

    def _start_sends(self) -> None:
        while (
            self._queue
            and len(self._in_flight) < self._policy.max_in_flight
            and len(self._delivered) + self._writing < self._policy.unrecorded_limit
            and self._pacer.paused_for() <= 0
        ):
            task = asyncio.create_task(self._deliver(self._queue.popleft()))
            self._in_flight.add(task)
            task.add_done_callback(self._sent_or_logged)

    def _sent_or_logged(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._sent_one.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("a delivery failed unexpectedly", exc_info=task.exception())

    async def _unclaim_queued(self) -> bool:
        """Give back the leases of queued rows (not sent, so nothing is lost); True if any."""
        if not self._queue:
            return False
        ids = [row.id for row in self._queue]
        self._queue.clear()
        async with self._db.transaction() as session:
            await session.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.id.in_(ids), _OUTBOX.c.status == "pending")
                .values(leased_until=None)
            )
        return True

    async def _wind_up(self) -> None:
        await self._record_outcomes()
        try:
            await self._unclaim_queued()
        except Exception:  # their leases run out by themselves
            log.exception("giving back %d claimed rows failed", len(self._queue))

    async def deliver_pending(self) -> int:
        """Deliver everything due now and wait for it; returns how many rows were tried."""
        tried = 0
        while claimed := await self._claim(self._policy.max_in_flight):
            await asyncio.gather(*(self._deliver(row) for row in claimed))
            await self._record_outcomes()
            tried += len(claimed)
        return tried

    async def _idle(self, stop: asyncio.Event) -> bool:
        """Wait for the doorbell, a finished send or ``stop``; True when the wait timed out."""
        waits = [
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(self._sent_one.wait()),
            asyncio.ensure_future(stop.wait()),
        ]
        try:
            done, _ = await asyncio.wait(
                waits, timeout=self._idle_timeout(), return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waits:
                waiter.cancel()
        self._pacer.forget_idle_chats()
        return not done

    def _idle_timeout(self) -> float:
        """The poll, or sooner: when a 429's pause ends or a known retry is due."""
        timeout = self._policy.idle_poll_seconds
        paused = self._pacer.paused_for()
        if paused > 0:
            timeout = min(timeout, paused)
        if self._next_due is not None:
            timeout = min(timeout, max(0.0, self._next_due - time.monotonic()))
        return timeout

    def _claim_query(self) -> Update:
        """Lease the due rows at the head of their chat's queue, most urgent first, and return
        them: one statement (built once)."""
        now = bindparam("now", type_=_OUTBOX.c.next_attempt_at.type)

        def due(columns: Any) -> ColumnElement[bool]:
            return and_(
                columns.next_attempt_at <= now,
                or_(columns.leased_until.is_(None), columns.leased_until < now),
            )

        dialect = self._db.engine.dialect.name
        heads = chat_heads(OutboxMessage, self._is_open, dialect=dialect)
        limit = bindparam("limit", type_=Integer)
        if self._db.is_sqlite:
            chosen = _OUTBOX.c.id.in_(
                select(heads.c.id)
                .where(due(heads.c))
                .order_by(heads.c.priority.desc(), heads.c.id)
                .limit(limit)
                .scalar_subquery()
            )
        else:
            # Lock what is taken, checking again that it waits: replicas never share a row.
            # The limit comes after SKIP LOCKED, so that a replica takes the next rows rather
            # than none while another holds the first ones.
            locked = (
                select(_OUTBOX.c.id)
                .where(
                    one_of(_OUTBOX.c.id, select(heads.c.id).where(due(heads.c)), dialect=dialect),
                    self._is_open(_OUTBOX.c),
                    due(_OUTBOX.c),
                )
                .order_by(_OUTBOX.c.priority.desc(), _OUTBOX.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            chosen = _OUTBOX.c.id.in_(locked.scalar_subquery())
        return (
            update(_OUTBOX)
            .where(chosen)
            .values(leased_until=bindparam("leased_until", type_=_OUTBOX.c.leased_until.type))
            .returning(
                _OUTBOX.c.id,
                _OUTBOX.c.channel,
                _OUTBOX.c.chat_id,
                _OUTBOX.c.text,
                _OUTBOX.c.buttons,
                _OUTBOX.c.attempts,
                _OUTBOX.c.priority,
                _OUTBOX.c.notice_id,
                _OUTBOX.c.kind,
                _OUTBOX.c.conversation_id,
            )
        )

    def _is_open(self, columns: Any) -> ColumnElement[bool]:
        return and_(columns.status == "pending", columns.channel.in_(self._transports))

    async def _claim(self, limit: int) -> list[_Claimed]:
        now = self._clock.now()
        if self._claim_statement is None:
            self._claim_statement = self._claim_query()
        parameters = {
            "now": now,
            "limit": limit,
            "leased_until": now + timedelta(seconds=self._policy.lease_seconds),
        }
        # A margin under the lease: never send a row another claim may already have.
        lease_ends = time.monotonic() + 0.8 * self._policy.lease_seconds
        async with self._db.transaction() as session:
            claimed = (await session.execute(self._claim_statement, parameters)).all()
        rows = sorted(claimed, key=lambda row: (-row.priority, row.id))  # RETURNING has no order
        return [
            _Claimed(
                id=row.id,
                channel=row.channel,
                chat_id=row.chat_id,
                text=row.text,
                buttons=_buttons(row.buttons),
                attempts=row.attempts,
                lease_ends=lease_ends,
                notice_id=row.notice_id,
                kind=row.kind,
                conversation_id=row.conversation_id,
            )
            for row in rows
        ]

    async def _deliver(self, row: _Claimed) -> None:
        transport = self._transports[row.channel]
        await self._pacer.wait_turn((row.channel, row.chat_id), transport.spacing(row.chat_id))
        if time.monotonic() > row.lease_ends:
            return  # waited past the lease: another claim has the row now, this one lets go
        if row.notice_id is not None and not await self._still_pending(row):
            return  # the notice was cancelled (or expired) while the row waited for its turn
        export = None
        if row.kind == "export":
            # Built now, not when queued: the outbox never holds a copy of the resident's data.
            export = await export_file(self._db, row.conversation_id, now=self._clock.now())
            if export is None:
                await self._finish(row, status="cancelled")
                return
        try:
            if export is not None:
                channel_message_id = await send_file(
                    transport,
                    row.chat_id,
                    filename=EXPORT_FILENAME,
                    content=export,
                    caption=row.text,
                )
            else:
                channel_message_id = await transport.send(
                    row.chat_id, row.text, buttons=row.buttons
                )
        except RateLimited as exc:
            log.warning("%s asks to wait %.0f s; pausing all sending", row.channel, exc.retry_after)
            self._metrics.told_to_wait(row.channel, exc.retry_after)
            self._pacer.pause(exc.retry_after)
            await self._retry(row, after=exc.retry_after, error=str(exc), count_attempt=False)
        except ChatUnreachable as exc:
            await self._chat_unreachable(row, str(exc))
        except ChatMoved as exc:
            await self._move_chat(row, exc.new_chat_id)
        except MessageRejected as exc:
            log.error("outbox %s rejected by %s: %s", row.id, row.channel, exc)
            await self._finish(row, status="failed", error=str(exc))
        except DeliveryFailed as exc:
            attempts = row.attempts + 1
            if attempts >= self._policy.max_attempts:
                log.error("outbox %s failed %d times, giving up: %s", row.id, attempts, exc)
                await self._finish(row, status="failed", error=str(exc))
            else:
                await self._retry(row, after=self._policy.backoff(attempts), error=str(exc))
        except Exception:
            log.exception("outbox %s: unexpected error while sending", row.id)
            await self._retry(row, after=self._policy.backoff(row.attempts + 1), error="internal")
        else:
            if row.kind == "farewell":
                await self._forget(row)
                self._metrics.outbox_delivered.labels(row.channel, "sent").inc()
                return
            self._delivered.append(
                {
                    "row_id": row.id,
                    "sent_at": self._clock.now(),
                    "channel_message_id": channel_message_id,
                    "attempts": row.attempts + 1,
                }
            )
            self._metrics.outbox_delivered.labels(row.channel, "sent").inc()
            self._metrics.notice_delivery(row.notice_id, "sent")
            self._record_soon()

    async def _finish(
        self,
        row: _Claimed,
        *,
        status: str,
        error: str | None = None,
        channel_message_id: int | None = None,
    ) -> None:
        if row.kind == "farewell":
            await self._forget(row)
            self._metrics.outbox_delivered.labels(row.channel, status).inc()
            return
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status=status,
                    leased_until=None,
                    sent_at=now if status == "sent" else None,
                    channel_message_id=channel_message_id,
                    last_error=_short(error),
                    attempts=OutboxMessage.attempts + 1,
                )
            )
        self._metrics.outbox_delivered.labels(row.channel, status).inc()
        self._metrics.notice_delivery(row.notice_id, status)
        self._wake.set()  # the chat's next row may be due now

    async def _retry(
        self, row: _Claimed, *, after: float, error: str, count_attempt: bool = True
    ) -> None:
        self._retries.append(
            {
                "row_id": row.id,
                "next_attempt_at": self._clock.now() + timedelta(seconds=after),
                "last_error": _short(error),
                "attempts": row.attempts + (1 if count_attempt else 0),
            }
        )
        self._metrics.outbox_delivered.labels(row.channel, "retry").inc()
        self._metrics.notice_delivery(row.notice_id, "retry")
        self._due_in(after)
        self._record_soon()

    def _record_soon(self) -> None:
        """Write delivery outcomes in batches: one statement for many rows, moments later."""
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record_outcomes(delay=0.005))

    async def _record_outcomes(self, *, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        while self._delivered or self._retries:
            delivered, self._delivered = self._delivered, []
            retries, self._retries = self._retries, []
            self._writing = len(delivered)
            try:
                async with self._db.transaction() as session:
                    for statement, batch in ((_DELIVERED, delivered), (_RETRY, retries)):
                        if batch:
                            await session.execute(statement, batch)
            except Exception:
                log.exception("recording %d delivery outcomes failed; retrying", len(delivered))
                self._delivered[:0], self._retries[:0] = delivered, retries
                await asyncio.sleep(1.0)
                continue
            finally:
                self._writing = 0
            if delivered:
                self._wake.set()  # the next rows of those chats are due now

    async def _still_pending(self, row: _Claimed) -> bool:
        async with self._db.sessions() as session:
            status = await session.scalar(
                select(OutboxMessage.status).where(OutboxMessage.id == row.id)
            )
        return status == "pending"

    async def _forget(self, row: _Claimed) -> None:
        """A farewell to an erased resident is deleted, sent or not: it must not keep their
        chat id."""
        async with self._db.transaction() as session:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
        self._wake.set()

    async def _chat_unreachable(self, row: _Claimed, error: str) -> None:
        """The chat blocked the bot (or is gone): stop talking to it, drop what was queued."""
        if row.kind == "farewell":
            await self._forget(row)
            return
        log.info("outbox %s: the %s chat is unreachable; marking it inactive", row.id, row.channel)
        await self._change_chat(
            row,
            conversation={"active": False, "blocked_at": self._clock.now()},
            queued={"status": "failed", "leased_until": None, "last_error": _short(error)},
            unreachable=True,
        )
        self._metrics.outbox_delivered.labels(row.channel, "unreachable").inc()
        self._metrics.notice_delivery(row.notice_id, "blocked")

    async def _change_chat(
        self,
        row: _Claimed,
        *,
        conversation: dict[str, Any],
        queued: dict[str, Any],
        unreachable: bool = False,
    ) -> None:
        """Change the conversation with ``row``'s chat and the texts still queued for it; an
        ``unreachable`` chat also loses its area subscriptions and area links."""
        async with self._db.transaction() as session:
            chat = and_(AreaChannel.channel == row.channel, AreaChannel.chat_id == row.chat_id)
            if unreachable:
                await session.execute(
                    delete(AreaSubscription).where(
                        AreaSubscription.conversation_id.in_(
                            select(Conversation.id).where(
                                Conversation.channel == row.channel,
                                Conversation.chat_id == row.chat_id,
                            )
                        )
                    )
                )
                await session.execute(update(AreaChannel).where(chat).values(active=False))
            elif "chat_id" in conversation:  # a group became a supergroup: its links move too
                await session.execute(
                    update(AreaChannel).where(chat).values(chat_id=conversation["chat_id"])
                )
            await session.execute(
                update(Conversation)
                .where(Conversation.channel == row.channel, Conversation.chat_id == row.chat_id)
                .values(**conversation)
            )
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.channel == row.channel,
                    OutboxMessage.chat_id == row.chat_id,
                    OutboxMessage.status == "pending",
                )
                .values(**queued)
            )

    async def _move_chat(self, row: _Claimed, new_chat_id: int) -> None:
        await self._change_chat(
            row,
            conversation={"chat_id": new_chat_id},
            queued={"chat_id": new_chat_id, "leased_until": None},
        )
        self._wake.set()


_OUTBOX = cast(Table, OutboxMessage.__table__)
_DELIVERED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status="sent",
        leased_until=None,
        sent_at=bindparam("sent_at"),
        channel_message_id=bindparam("channel_message_id"),
        attempts=bindparam("attempts"),
    )
)
_RETRY = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        leased_until=None,
        next_attempt_at=bindparam("next_attempt_at"),
        last_error=bindparam("last_error"),
        attempts=bindparam("attempts"),
    )
)


async def _set_when_first(
    event: asyncio.Event, stop: asyncio.Event, lost: asyncio.Task[None]
) -> None:
    """Set ``event`` once ``stop`` is set or ``lost`` ends."""
    waiting = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({waiting, lost}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    event.set()


def _buttons(stored: dict[str, object] | None) -> tuple[tuple[Button, ...], ...] | None:
    if not stored:
        return None
    rows = stored.get("rows")
    assert isinstance(rows, list)
    return tuple(tuple((str(label), str(data)) for label, data in row) for row in rows)


def _short(error: str | None) -> str | None:
    return None if error is None else error[:200]
