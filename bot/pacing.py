"""Pacing: how fast the sender may talk, overall and to each chat.

Telegram allows about 30 messages a second overall, one a second to a private chat and twenty a
minute to a group. :class:`Pacer` keeps an overall token bucket, a next-allowed time per chat,
and a pause that a 429 imposes on everything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["BURST_SECONDS", "Pacer"]

BURST_SECONDS = 0.1
"""How many seconds' worth of messages may go at once after a quiet moment."""


class Pacer:
    """Waits until one more message may go to a chat.

    ``rate`` is messages per second overall, with a burst of at most a tenth of a second's
    worth: Telegram counts any one-second window, and a full second's burst on top of the
    steady rate would put nearly twice the rate into one window.
    Each chat waits its transport's spacing after the previous message to it. :meth:`pause`
    holds everything back (a 429 tells us the whole bot is over its limit).
    """

    def __init__(self, rate: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate * BURST_SECONDS)
        self._tokens = self._capacity
        self._monotonic = monotonic
        self._updated = monotonic()
        self._paused_until = 0.0
        self._chat_ready_at: dict[tuple[str, int], float] = {}
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._monotonic())

    async def wait_turn(self, chat: tuple[str, int], spacing: float) -> None:
        """Return when a message may go to ``chat`` now; reserves that moment."""
        while True:
            now = self._monotonic()
            chat_wait = self._chat_ready_at.get(chat, 0.0) - now
            if chat_wait > 0:
                await asyncio.sleep(chat_wait)
                continue
            async with self._lock:
                now = self._monotonic()
                wait = self._paused_until - now
                if wait <= 0:
                    self._refill(now)
                    if self._tokens >= 1:
                        self._tokens -= 1
                        self._chat_ready_at[chat] = now + spacing
                        return
                    wait = (1 - self._tokens) / self._rate
            await asyncio.sleep(wait)

    def forget_idle_chats(self) -> None:
        """Drop chats whose spacing has passed, so memory stays bounded."""
        now = self._monotonic()
        self._chat_ready_at = {
            chat: ready for chat, ready in self._chat_ready_at.items() if ready > now
        }

    def _refill(self, now: float) -> None:
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
