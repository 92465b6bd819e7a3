"""Failure injection: scripted errors (`fail`), blocked chats, held requests (`hang`) and
whole-server outages, plus where requests meet them."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Final

from tests.fakes.telegram.records import JSONDict, _Failure
from tests.fakes.telegram.requests import _Response
from tests.fakes.telegram.state import _State

# Methods that deliver something to a chat: refused for blocked chats.
_CHAT_SENDS: Final = frozenset({"sendMessage", "editMessageText", "sendChatAction"})


class _FailureInjection(_State):
    """`FakeTelegram`'s failure injection."""

    def fail(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to chat_id, if given) answer this error.

        Such calls deliver nothing. Rules apply in the order they were added.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        rule = _Failure(method, status, description, retry_after, migrate_to_chat_id, chat_id)
        with self._lock:
            self._failures.append((rule, times))

    def block(self, chat_id: int) -> None:
        """Later sendMessage/editMessageText/sendChatAction to chat_id answer 403 blocked."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def hang(self, method: str) -> None:
        """Hold requests of `method` unanswered until `release(method)` or `stop()`."""
        with self._lock:
            self._hung.add(method)

    def release(self, method: str) -> None:
        """Stop holding `method`; held requests are then processed normally."""
        with self._lock:
            self._hung.discard(method)
        self._call_on_loop(functools.partial(self._release_on_loop, method))

    def _release_on_loop(self, method: str) -> None:
        event = self._hang_events.pop(method, None)
        if event is not None:
            event.set()

    def hanging_count(self, method: str) -> int:
        """How many requests of `method` are held right now."""
        with self._lock:
            return self._hanging.get(method, 0)

    def fail_server(self, status: int = 502, description: str = "Bad Gateway") -> None:
        """Simulate an outage: every request answers `status` until `heal()`."""
        with self._lock:
            self._outage = (status, description)

    def heal(self) -> None:
        with self._lock:
            self._outage = None

    # ------------------------------------------------------------------ applying them

    async def _hold(self, method: str, epoch: int) -> None:
        """Wait until `method` is released (and not hung again meanwhile), stop or reset."""
        try:
            while True:
                event = self._hang_events.get(method)
                if event is None:
                    event = self._hang_events[method] = asyncio.Event()
                await event.wait()
                with self._lock:
                    held = method in self._hung and epoch == self._epoch
                if not held or self._stopping:
                    return
        finally:
            with self._lock:
                if epoch == self._epoch:
                    self._hanging[method] -= 1

    def _take_failure(self, method: str, params: JSONDict) -> None:
        """Apply `fail` rules and `block` (lock held); raises the error answer if one applies."""
        chat_id: Any = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        for index, (rule, remaining) in enumerate(self._failures):
            if rule.method == method and rule.chat_id in (None, chat_id):
                if remaining > 1:
                    self._failures[index] = (rule, remaining - 1)
                else:
                    del self._failures[index]
                extra: JSONDict = {}
                if rule.retry_after is not None:
                    extra["retry_after"] = rule.retry_after
                if rule.migrate_to_chat_id is not None:
                    extra["migrate_to_chat_id"] = rule.migrate_to_chat_id
                raise _Response(rule.status, rule.description, extra)
        if method in _CHAT_SENDS and chat_id in self._blocked:
            raise _Response(403, "Forbidden: bot was blocked by the user")
