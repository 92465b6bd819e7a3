"""Looking cases up before the turn's transaction opens (see :class:`bot.dialogue.Preparer`)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

import intents
from knowledge.lookup import Cases

__all__ = ["CASE_INTENTS", "CasePrefetch"]

CASE_INTENTS = frozenset({"case_status", "case_follow", "case_unfollow", "nlu_fallback"})
"""Intents whose answer may look a case up (a bare number may answer a question)."""


_MAYBE_A_NUMBER = re.compile(r"hel\W{0,3}(?:19|20)\d\d", re.IGNORECASE)


class CasePrefetch:
    def __init__(self, cases: Cases) -> None:
        self._cases = cases

    def might_want(self, text: str) -> bool:
        return _MAYBE_A_NUMBER.search(text) is not None

    def wanted(self, understood: intents.Parse, language: str) -> list[Hashable]:
        if understood.intent.name not in CASE_INTENTS:
            return []
        numbers = dict.fromkeys(understood.entity_values("diary_number"))
        return [
            (number, language)
            for number in numbers
            if not self._cases.remembers(number, language=language)
        ]

    async def prepare(self, wanted: Sequence[Hashable]) -> None:
        await self._cases.prefetch(key for key in wanted if isinstance(key, tuple))
