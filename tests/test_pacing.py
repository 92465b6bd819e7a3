"""The sender's pacing: after a quiet moment no one-second window gets much more than the rate
(Telegram counts any one-second window), and the rate itself is kept."""

from __future__ import annotations

import asyncio
import time

from bot.pacing import Pacer

RATE = 250.0  # ten times Telegram's pace, so that the test takes two seconds, not twenty


async def test_no_second_gets_more_than_the_rate_after_a_quiet_moment() -> None:
    pacer = Pacer(RATE)
    await asyncio.sleep(0.3)  # quiet: the bucket fills as far as it goes
    sent: list[float] = []
    for chat in range(500):
        await pacer.wait_turn(("telegram", chat), 1.0)
        sent.append(time.monotonic())
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest <= RATE * 1.15, busiest
    assert len(sent) / (sent[-1] - sent[0]) > RATE * 0.9
