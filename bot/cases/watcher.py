"""The case watcher: looks at followed cases now and then and tells followers when one moves.

Only followed cases are watched (``watched_cases``), each on its own jittered interval, a few
at a time. A case has moved when its fingerprint (status, phase, records) differs from what a
follower was last told. Telling is exactly once per change and follower, across restarts and
replicas: the followers' fingerprints are moved to the new one by an ``UPDATE … RETURNING``
in the same transaction that puts the notices in the outbox, so whoever updates a row is the
one who tells, and a crash before the commit leaves everything to tell again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.telling import case_snapshot, describe_change
from bot.texts import DEFAULT_LANGUAGE, say
from knowledge.cases import Case, Lookup
from store import CaseFollow, Clock, Conversation, Database, Resident, WatchedCase, known_language
from store.outbox import enqueue, outbox_rows

__all__ = ["CaseWatcher", "FreshLookup", "WatchPolicy", "WatchRound"]

log = logging.getLogger(__name__)

NOTICE_PRIORITY = -1
"""Notices of moved cases give way to answers to residents who are waiting for them."""


class FreshLookup(Protocol):
    async def fresh_many(
        self, diary_numbers: Sequence[str], *, language: str = "fi", concurrency: int = 8
    ) -> list[Lookup]:
        """The cases as their sources have them now, not as remembered for a resident."""
        ...


@dataclass(frozen=True, slots=True)
class WatchRound:
    """What one look at the due cases came to."""

    checked: int = 0
    changed: int = 0
    told: int = 0
    unanswered: int = 0


@dataclass(frozen=True, slots=True)
class WatchPolicy:
    interval: timedelta = timedelta(minutes=15)
    """How often a followed case is looked at, ±25 % so that cases spread out."""
    concurrency: int = 8
    """Lookups at once."""
    batch: int = 200
    """Cases claimed per round."""
    lease: timedelta = timedelta(minutes=2)
    """How long a claimed case is this watcher's before another may look at it."""


class CaseWatcher:
    def __init__(
        self,
        database: Database,
        cases: FreshLookup,
        *,
        clock: Clock,
        policy: WatchPolicy | None = None,
        on_notice: Callable[[], None] | None = None,
    ) -> None:
        self._database = database
        self._cases = cases
        self._clock = clock
        self._policy = policy or WatchPolicy()
        self._on_notice = on_notice

    async def run(self, stop: asyncio.Event) -> None:
        """Look at due cases until ``stop``; a failing round is logged and retried later."""
        while not stop.is_set():
            try:
                done = await self.check_due()
            except Exception:
                log.exception("case watcher: a round failed; trying again shortly")
                done = WatchRound()
            if done.checked >= self._policy.batch:
                continue  # more are due
            # Cases are looked at every quarter of an hour or so: half a minute late is nothing,
            # and an idle process stays quiet.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=random.uniform(20.0, 30.0))

    async def check_due(self) -> WatchRound:
        """Look at the cases due now (at most one batch) and tell followers of changes."""
        numbers = await self._claim()
        if not numbers:
            return WatchRound()
        found = await self._cases.fresh_many(
            numbers, language=DEFAULT_LANGUAGE, concurrency=self._policy.concurrency
        )
        changed = told = unanswered = 0
        async with self._database.transaction() as session:
            # The batch's rows in two reads; most cases have not moved and need nothing more.
            watched = {
                row.diary_number: row
                for row in await session.scalars(
                    select(WatchedCase).where(WatchedCase.diary_number.in_(numbers))
                )
            }
            seen: dict[str, set[str | None]] = {}
            for number, fingerprint in await session.execute(
                select(CaseFollow.diary_number, CaseFollow.fingerprint).where(
                    CaseFollow.diary_number.in_(numbers)
                )
            ):
                seen.setdefault(number, set()).add(fingerprint)
            for number, lookup in zip(numbers, found, strict=True):
                if number not in watched:
                    continue
                if isinstance(lookup, Case) and not lookup.stale:
                    moved, notices = await self._compare(
                        session, watched[number], seen.get(number, set()), lookup
                    )
                    changed += moved
                    told += notices
                else:
                    unanswered += 1  # not answered, stale, or not (or no longer) public
                    self._schedule(watched[number], self._clock.now(), failed=True)
        if told and self._on_notice is not None:
            self._on_notice()
        return WatchRound(checked=len(numbers), changed=changed, told=told, unanswered=unanswered)

    async def _claim(self) -> list[str]:
        now = self._clock.now()
        async with self._database.transaction() as session:
            query = (
                select(WatchedCase.diary_number)
                .where(
                    WatchedCase.next_check_at <= now,
                    or_(WatchedCase.leased_until.is_(None), WatchedCase.leased_until < now),
                )
                .order_by(WatchedCase.next_check_at)
                .limit(self._policy.batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            numbers = list(await session.scalars(query))
            if numbers:
                await session.execute(
                    update(WatchedCase)
                    .where(WatchedCase.diary_number.in_(numbers))
                    .values(leased_until=now + self._policy.lease)
                )
        return numbers

    async def _compare(
        self,
        session: AsyncSession,
        watched: WatchedCase,
        seen: set[str | None],
        case: Case,
    ) -> tuple[int, int]:
        """Bring the case's followers (who have seen ``seen``) up to ``case``; returns
        (changed?, notices queued)."""
        number = watched.diary_number
        now = self._clock.now()
        if not seen:
            await session.delete(watched)  # nobody follows it any more
            return 0, 0
        fingerprint = case.fingerprint
        if seen == {fingerprint} and watched.fingerprint == fingerprint:
            watched.checked_at = now
            self._schedule(watched, now, failed=False)
            return 0, 0
        before = watched.snapshot
        # Followers who began while the source did not answer learn the case silently.
        await session.execute(
            update(CaseFollow)
            .where(CaseFollow.diary_number == number, CaseFollow.fingerprint.is_(None))
            .values(fingerprint=fingerprint)
        )
        moved_for = list(
            await session.scalars(
                update(CaseFollow)
                .where(CaseFollow.diary_number == number, CaseFollow.fingerprint != fingerprint)
                .values(fingerprint=fingerprint)
                .returning(CaseFollow.conversation_id)
            )
        )
        changed = watched.fingerprint is not None and watched.fingerprint != fingerprint
        watched.fingerprint = fingerprint
        watched.snapshot = case_snapshot(case)
        watched.checked_at = now
        if changed or moved_for:
            watched.changed_at = now
        self._schedule(watched, now, failed=False)
        told = await self._tell(session, moved_for, before, case, now) if moved_for else 0
        return int(changed or bool(moved_for)), told

    async def _tell(
        self,
        session: AsyncSession,
        conversation_ids: Sequence[int],
        before: dict[str, Any] | None,
        case: Case,
        now: datetime,
    ) -> int:
        rows = await session.execute(
            select(
                Conversation.id,
                Conversation.channel,
                Conversation.chat_id,
                Resident.language,
                Resident.platform_language,
            )
            .join(Resident, Resident.id == Conversation.resident_id, isouter=True)
            .where(Conversation.id.in_(conversation_ids), Conversation.active.is_(True))
        )
        texts: dict[str, str] = {}
        outbox: list[dict[str, Any]] = []
        for conversation_id, channel, chat_id, chosen, platform in rows:
            language = known_language(chosen, platform) or DEFAULT_LANGUAGE
            if language not in texts:
                texts[language] = describe_change(before, case, language)
            outbox += outbox_rows(
                channel=channel,
                chat_id=chat_id,
                text=texts[language],
                now=now,
                conversation_id=conversation_id,
                priority=NOTICE_PRIORITY,
                buttons=[
                    [
                        (
                            say("button_unfollow", language, number=case.diary_number),
                            f'/case_unfollow{{"diary_number": "{case.diary_number}"}}',
                        )
                    ]
                ],
            )
        await enqueue(session, outbox)
        return len({row["conversation_id"] for row in outbox})

    def _schedule(self, watched: WatchedCase, now: datetime, *, failed: bool) -> None:
        interval = self._policy.interval
        if failed:
            watched.failures += 1
            # Sooner than usual at first (the outage may be short), never more often than 1/min.
            interval = max(timedelta(minutes=1), interval / 4 * min(watched.failures, 4))
        else:
            watched.failures = 0
        watched.next_check_at = now + interval * random.uniform(0.75, 1.25)
        watched.leased_until = None
