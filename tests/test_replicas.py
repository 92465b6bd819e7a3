"""Two replicas on PostgreSQL are one bot towards Telegram: a 3,000-recipient notice goes out
inside Telegram's 30 messages a second with no 429 and no loss, and when the replica that sends
is killed with SIGKILL the other carries on within seconds.

Only a send the killed replica had under way when it died can arrive twice (Telegram has no
idempotency key): a message Telegram accepted a moment before the kill, before the outbox
could record it. Everything else arrives exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bot.sender import SenderPolicy
from store import Database
from tests.fakes.telegram import FakeTelegram, TelegramLimits
from tests.support.notices import (
    KALLIO,
    add_group,
    add_notices,
    add_subscribers,
    until_notice_state,
)
from tests.support.running import BotProcess, process_env

pytestmark = pytest.mark.slow

SUBSCRIBERS = range(60_000, 62_999)
GROUP = -60_001
SEND_RATE = 25.0
"""Below Telegram's 30/s (which the fake enforces): for both replicas together."""


async def sends(port: int) -> bool | None:
    """Whether the replica on ``port`` holds the sending role (``None``: not answering)."""
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.HTTPError:
        return None
    for line in metrics.splitlines():
        if line.startswith("talkkari_sender_active "):
            return float(line.split()[1]) == 1.0
    return None


async def the_sender(ports: list[int], *, within: float) -> int:
    """The index of the one replica that sends, once exactly one does."""
    async with asyncio.timeout(within):
        while True:
            roles = [await sends(port) for port in ports]
            if roles.count(True) == 1 and None not in roles:
                return roles.index(True)
            await asyncio.sleep(0.2)


async def test_two_replicas_send_a_notice_as_one_bot_and_survive_the_senders_kill_9(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas need PostgreSQL; on SQLite one process sends")
    database = Database(database_url)
    replicas: list[BotProcess] = []
    try:
        await add_subscribers(database, SUBSCRIBERS, KALLIO)
        await add_group(database, GROUP, KALLIO)
        recipients = {*SUBSCRIBERS, GROUP}
        with FakeTelegram(limits=TelegramLimits()) as telegram:
            envs = [
                process_env(
                    database_url,
                    telegram,
                    send_rate=str(SEND_RATE),
                    telegram_chat_spacing="1",
                    telegram_group_spacing="3",
                    telegram_mode="webhook",
                    webhook_url="https://talkkari.example.fi/telegram/webhook",
                    webhook_secret="replica-test-secret",
                    # The default: a new holder of the sending role frees every lease anyway.
                    outbox_lease_seconds="60",
                )
                for _ in range(2)
            ]
            ports = [int(env["TALKKARI_PORT"]) for env in envs]
            for number, env in enumerate(envs):
                replicas.append(BotProcess(env, tmp_path / f"replica-{number}.log"))
                replicas[-1].start()
            sender = await the_sender(ports, within=60)
            [notice_id] = await add_notices(database, 1, KALLIO)

            await telegram.wait_for_sent(len(recipients) // 3, timeout=120)
            replicas[sender].kill()
            killed_at = time.monotonic()
            sent_at_kill = len(telegram.sent())
            survivor = 1 - sender
            assert await the_sender([ports[survivor]], within=10) == 0
            carries_on = max(1.0, killed_at + 10 - time.monotonic())
            await telegram.wait_for_sent(sent_at_kill + 1, timeout=carries_on)

            await until_notice_state(database, notice_id, "sent", within=150)
            await asyncio.sleep(1)  # room for a late duplicate to show up
            assert replicas[survivor].terminate() == 0, replicas[survivor].log
            sent = telegram.sent()
            before_kill = {message.chat_id for message in sent[:sent_at_kill]}
            rejected = telegram.rejected_429
    finally:
        for replica in replicas:
            replica.ensure_stopped()
        await database.dispose()

    received = Counter(message.chat_id for message in sent)
    assert set(received) == recipients, f"{len(recipients - set(received))} recipients lost"
    assert rejected == 0, f"Telegram answered 429 {rejected} times"
    duplicates = {chat for chat, count in received.items() if count > 1}
    window = SenderPolicy().crash_window
    assert duplicates <= before_kill and len(duplicates) <= window, (
        f"{len(duplicates)} recipients got the notice twice; only sends under way at the kill "
        f"(at most {window}) may repeat"
    )
    print(f"killed the sender after {sent_at_kill} of {len(recipients)}; duplicates {duplicates}")
