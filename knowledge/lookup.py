"""One way to look a case up: the local registry first, then the decision system.

:meth:`Cases.prefetch` looks numbers up ahead of time and remembers the answers for a few
seconds, so that the dialogue can do the waiting *before* it opens its database transaction
and the action that answers finds everything at hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from knowledge.cases import CaseSource, Lookup, Unavailable
from knowledge.registry import CaseRegistry
from store import Clock

__all__ = ["Cases"]

REMEMBER = timedelta(seconds=30)
"""How long a prefetched answer waits for the action that asked for it."""


class Cases:
    """:class:`~knowledge.cases.CaseSource` answering from ``registry``, else ``decisions``.

    Without a decision system (no ``TALKKARI_AHJO_URL``), only registered cases are known and
    any other number is :class:`~knowledge.cases.Unavailable`, not ``transient``: no later
    attempt can find it here.
    """

    def __init__(
        self, registry: CaseRegistry, decisions: CaseSource | None, *, clock: Clock
    ) -> None:
        self._registry = registry
        self._decisions = decisions
        self._clock = clock
        self._prefetched: dict[tuple[str, str], tuple[datetime, Lookup]] = {}

    async def lookup(self, diary_number: str, *, language: str = "fi") -> Lookup:
        remembered = self._prefetched.pop((diary_number, language), None)
        if remembered is not None and self._clock.now() - remembered[0] < REMEMBER:
            return remembered[1]
        return await self.fresh(diary_number, language=language)

    def remembers(self, diary_number: str, *, language: str = "fi") -> bool:
        """Whether :meth:`lookup` would answer this from a prefetch."""
        remembered = self._prefetched.get((diary_number, language))
        return remembered is not None and self._clock.now() - remembered[0] < REMEMBER

    async def fresh(self, diary_number: str, *, language: str = "fi") -> Lookup:
        """Ask the sources now, not from what was prefetched."""
        [found] = await self.fresh_many([diary_number], language=language)
        return found

    async def fresh_many(
        self, diary_numbers: Sequence[str], *, language: str = "fi", concurrency: int = 8
    ) -> list[Lookup]:
        """:meth:`fresh` for many numbers: the registry in one query, the rest from the decision
        system ``concurrency`` at a time."""
        registered = await self._registry.lookup_many(diary_numbers, language=language)
        limit = asyncio.Semaphore(concurrency)

        async def decided(number: str) -> Lookup:
            if number in registered:
                return registered[number]
            if self._decisions is None:
                # Not "no such case": only the decision system could say that.
                return Unavailable(number, "no decision system is configured", transient=False)
            async with limit:
                return await self._decisions.lookup(number, language=language)

        return list(await asyncio.gather(*(decided(number) for number in diary_numbers)))

    async def prefetch(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Look up each ``(diary_number, language)`` now; :meth:`lookup` answers from it soon."""
        wanted = sorted(set(wanted))
        if not wanted:
            return
        answers = await asyncio.gather(
            *(self.fresh(number, language=language) for number, language in wanted)
        )
        now = self._clock.now()
        self._forget_older_than(now - REMEMBER)
        for key, answer in zip(wanted, answers, strict=True):
            self._prefetched[key] = (now, answer)

    def _forget_older_than(self, moment: datetime) -> None:
        for key in [key for key, (when, _) in self._prefetched.items() if when < moment]:
            del self._prefetched[key]
