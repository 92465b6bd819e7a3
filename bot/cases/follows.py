"""Following cases: what the follow actions decide, and carrying it out in the store.

Actions return :class:`FollowCase` / :class:`UnfollowCase` values; the dialogue hands them to
:class:`FollowBook` in its transaction, and gives actions the chat's followed numbers in the
``followed_cases`` slot when they ask for it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import CaseFollow, WatchedCase, insert_new

__all__ = ["FOLLOWED_CASES", "FollowBook", "FollowCase", "UnfollowCase"]

FOLLOWED_CASES = "followed_cases"
"""The slot in which a follow action finds the diary numbers its chat follows."""


@dataclass(frozen=True, slots=True)
class FollowCase:
    """Tell this chat when the case moves; ``fingerprint`` and ``snapshot`` are the case as the
    resident saw it now (None when it could not be looked up)."""

    diary_number: str
    fingerprint: str | None = None
    snapshot: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class UnfollowCase:
    diary_number: str


class FollowBook:
    """The store's side of following: the ``case_follows`` and ``watched_cases`` tables.

    A new case is first looked at by the watcher a jittered ``check_interval`` after it was
    first followed, so cases followed together are not checked together.
    """

    kinds: tuple[type, ...] = (FollowCase, UnfollowCase)
    slot: str = FOLLOWED_CASES

    def __init__(self, *, check_interval: timedelta) -> None:
        self._check_interval = check_interval

    async def read(self, session: AsyncSession, conversation_id: int) -> list[str]:
        """The diary numbers the conversation follows, oldest first."""
        return list(
            await session.scalars(
                select(CaseFollow.diary_number)
                .where(CaseFollow.conversation_id == conversation_id)
                .order_by(CaseFollow.id)
            )
        )

    async def carry_out(
        self, session: AsyncSession, decided: Sequence[tuple[int, object]], *, now: datetime
    ) -> None:
        """Carry out ``(conversation id, FollowCase | UnfollowCase)`` pairs, in order."""
        dialect = session.get_bind().dialect.name
        for conversation_id, effect in decided:
            if isinstance(effect, FollowCase):
                await self._follow(session, dialect, conversation_id, effect, now)
            elif isinstance(effect, UnfollowCase):
                await session.execute(
                    delete(CaseFollow).where(
                        CaseFollow.conversation_id == conversation_id,
                        CaseFollow.diary_number == effect.diary_number,
                    )
                )

    async def _follow(
        self,
        session: AsyncSession,
        dialect: str,
        conversation_id: int,
        effect: FollowCase,
        now: datetime,
    ) -> None:
        await session.execute(
            insert_new(CaseFollow, dialect),
            [
                {
                    "conversation_id": conversation_id,
                    "diary_number": effect.diary_number,
                    "fingerprint": effect.fingerprint,
                    "created_at": now,
                }
            ],
        )
        first_check = now + self._check_interval * random.uniform(0.5, 1.0)
        await session.execute(
            insert_new(WatchedCase, dialect),
            [
                {
                    "diary_number": effect.diary_number,
                    "fingerprint": effect.fingerprint,
                    "snapshot": effect.snapshot,
                    "next_check_at": first_check,
                    "checked_at": now if effect.fingerprint else None,
                    "failures": 0,
                }
            ],
        )
