"""Reading what the fake recorded: calls, sent and edited messages, webhook and commands,
and waiting for them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.fakes.telegram.methods import _commands_key
from tests.fakes.telegram.records import Call, JSONDict, SentDocument, SentMessage
from tests.fakes.telegram.state import _State


class _Recording(_State):
    """`FakeTelegram`'s records."""

    @property
    def calls(self) -> list[Call]:
        """Every request with the right token, in arrival order (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages accepted by sendMessage, optionally only to chat_id."""
        with self._lock:
            return self._sent_to(chat_id)

    def _sent_to(self, chat_id: int | None) -> list[SentMessage]:
        return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    def _sent_count(self, chat_id: int | None) -> int:
        return len(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    @property
    def rejected_429(self) -> int:
        """How many sends the flood `limits` refused (injected `fail` 429s not included)."""
        with self._lock:
            return self._rejected_429

    def documents(self, chat_id: int | None = None) -> list[SentDocument]:
        """Files accepted by sendDocument, optionally only to chat_id."""
        with self._lock:
            return [d for d in self._documents if chat_id is None or d.chat_id == chat_id]

    async def wait_for_documents(
        self,
        count: int,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
    ) -> list[SentDocument]:
        """Wait until at least `count` files were sent (to chat_id); returns all of them."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.documents(chat_id)
            if len(got) >= count:
                return got
            if time.monotonic() >= deadline:
                where = "" if chat_id is None else f" to chat {chat_id}"
                raise AssertionError(
                    f"expected {count} document(s){where} within {timeout}s, got {len(got)}"
                )
            await asyncio.sleep(0.005)

    def edited(self, chat_id: int | None = None) -> list[SentMessage]:
        """Edits applied by editMessageText, optionally only in chat_id."""
        with self._lock:
            return [e for e in self._edited if chat_id is None or e.chat_id == chat_id]

    @property
    def webhook(self) -> str | None:
        with self._lock:
            return self._webhook

    @property
    def webhook_secret(self) -> str | None:
        with self._lock:
            return self._webhook_secret

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[Any]:
        """Commands last set by setMyCommands for that scope and language."""
        with self._lock:
            key = _commands_key({"scope": scope, "language_code": language_code})
            return list(self._commands.get(key, []))

    def reset_records(self) -> None:
        """Forget calls, sent and edited messages, served counts and rejected_429."""
        with self._lock:
            self._reset_records()

    def _sent_report(self, count: int, chat_id: int | None, timeout: float) -> str:
        """Lock held."""
        where = "" if chat_id is None else f" to chat {chat_id}"
        got = self._sent_to(chat_id)
        lines = [f"expected {count} sent message(s){where} within {timeout}s, got {len(got)}:"]
        lines += [f"  chat {m.chat_id} #{m.message_id}: {m.text[:100]!r}" for m in got[-20:]]
        recent = [f"{c.method}(chat_id={c.params.get('chat_id')!r})" for c in self._calls[-10:]]
        lines.append(f"last calls: {', '.join(recent) or 'none'}")
        return "\n".join(lines)

    def wait_for_sent_sync(
        self, count: int, *, chat_id: int | None = None, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Block until at least `count` messages were sent (to chat_id); returns all of them.

        Raises AssertionError listing what was sent on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self._sent_count(chat_id) >= count:
                    return self._sent_to(chat_id)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._sent_report(count, chat_id, timeout))
                self._changed.wait(remaining)

    async def wait_for_sent(
        self,
        count: int,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
    ) -> list[SentMessage]:
        """Async `wait_for_sent_sync`: polls without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._sent_count(chat_id) >= count:
                    return self._sent_to(chat_id)
                if time.monotonic() >= deadline:
                    raise AssertionError(self._sent_report(count, chat_id, timeout))
            await asyncio.sleep(0.005)

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
    ) -> list[Call]:
        """Wait until `method` was called at least `count` times; returns those calls."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.calls_of(method)
            if len(got) >= count:
                return got
            if time.monotonic() >= deadline:
                seen = ", ".join(call.method for call in self.calls[-20:]) or "none"
                raise AssertionError(
                    f"expected {count} call(s) of {method} within {timeout}s, got {len(got)}; "
                    f"last calls: {seen}"
                )
            await asyncio.sleep(0.005)
