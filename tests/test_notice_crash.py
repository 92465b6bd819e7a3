"""An area notice survives a kill -9 in the middle of its fan-out: after a restart every
recipient has it, and only the sends the dead process had under way can arrive twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sender import SenderPolicy
from store import Database, OutboxMessage
from tests.fakes.telegram import FakeTelegram
from tests.support.notices import (
    KALLIO,
    add_group,
    add_notices,
    add_subscribers,
    until_notice_state,
)
from tests.support.running import BotProcess, process_env

pytestmark = pytest.mark.slow

SUBSCRIBERS = range(50_000, 52_000)
GROUP = -50_001


async def test_kill_9_half_way_through_a_notice_then_restart_everyone_gets_it(
    database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    database = Database(database_url)
    try:
        await add_subscribers(database, SUBSCRIBERS, KALLIO)
        await add_group(database, GROUP, KALLIO)
        [notice_id] = await add_notices(database, 1, KALLIO)
        recipients = {*SUBSCRIBERS, GROUP}
        env = process_env(database_url, telegram, send_rate="400")

        first = BotProcess(env, tmp_path / "first.log")
        first.start()
        try:
            await telegram.wait_for_sent(len(recipients) // 2, timeout=60)
            first.kill()
        finally:
            first.ensure_stopped()
        before_restart = len(telegram.sent())
        assert before_restart < len(recipients), "the kill should come in the middle"

        second = BotProcess(env, tmp_path / "second.log")
        second.start()
        try:
            await until_notice_state(database, notice_id, "sent", within=90)
            await asyncio.sleep(1)  # room for a late duplicate to show up
            assert second.terminate() == 0, second.log
        finally:
            second.ensure_stopped()

        async with database.sessions() as session:
            statuses = dict(
                (
                    await session.execute(
                        select(OutboxMessage.status, func.count())
                        .where(OutboxMessage.notice_id == notice_id)
                        .group_by(OutboxMessage.status)
                    )
                ).all()
            )
    finally:
        await database.dispose()

    received = Counter(message.chat_id for message in telegram.sent())
    duplicates = sum(count - 1 for count in received.values())
    assert set(received) == recipients, f"{len(recipients - set(received))} recipients lost"
    assert statuses == {"sent": len(recipients)}
    window = SenderPolicy().crash_window
    assert duplicates <= window, (
        f"{duplicates} sent twice; only the {window} sends under way at the kill may repeat"
    )
    print(f"killed after {before_restart} of {len(recipients)} sends; duplicates {duplicates}")
