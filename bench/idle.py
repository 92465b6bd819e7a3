"""How quiet an idle ``talkkari run`` process is: its wake-ups a second, and its database
transactions a second on PostgreSQL.

A real ``talkkari run`` process (Telegram long polling against the fake Bot API, 30 s polls)
is started on a freshly migrated database and left alone; once it answers ``/healthz`` and has
settled, the context switches of all its threads (``/proc/<pid>/task/*/status``: voluntary and
involuntary) are counted over a window. Each is a thread waking up. On PostgreSQL the
database's committed and rolled-back transactions over the same window are counted too.

Used by ``bench/pipeline.py``; Linux only.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

from store import Database
from tests.fakes.telegram import FakeTelegram
from tests.support.running import BotProcess, process_env

__all__ = ["IdleFigures", "measure_idle"]

SETTLE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class IdleFigures:
    seconds: float
    wakeups_per_second: float
    main_thread_per_second: float
    transactions_per_second: float | None
    """PostgreSQL only: the database's transactions a second (none from this measurement)."""


def _switches(pid: int) -> dict[str, int]:
    counts = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except FileNotFoundError:
            continue  # the thread ended
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        counts[task.name] = int(fields["voluntary_ctxt_switches"]) + int(
            fields["nonvoluntary_ctxt_switches"]
        )
    return counts


async def _transactions(database: Database) -> int:
    async with database.sessions() as session:
        return int(
            await session.scalar(
                text(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            )
            or 0
        )


async def _ready(port: int, within: float) -> None:
    async with asyncio.timeout(within), httpx.AsyncClient(timeout=2) as client:
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)


async def measure_idle(url: str, seconds: float) -> IdleFigures:
    """Start ``talkkari run`` on ``url``, let it settle, count its wake-ups over ``seconds``."""
    database = Database(url)
    postgres = not database.is_sqlite
    log = Path(tempfile.mkdtemp(prefix="idle-")) / "run.log"
    with FakeTelegram() as telegram:
        env = process_env(url, telegram, telegram_poll_timeout="30")
        process = BotProcess(env, log)
        process.start()
        try:
            await _ready(int(env["TALKKARI_PORT"]), within=120)
            await asyncio.sleep(SETTLE_SECONDS)
            pid = process.pid
            before = _switches(pid)
            transactions = await _transactions(database) if postgres else 0
            started = time.monotonic()
            await asyncio.sleep(seconds)
            after = _switches(pid)
            elapsed = time.monotonic() - started
            if postgres:
                # Less this measurement's own two reads.
                transactions = await _transactions(database) - transactions - 2
            process.terminate()
        finally:
            process.ensure_stopped()
            await database.dispose()
    woken = sum(count - before.get(task, 0) for task, count in after.items())
    main = after.get(str(pid), 0) - before.get(str(pid), 0)
    return IdleFigures(
        seconds=elapsed,
        wakeups_per_second=woken / elapsed,
        main_thread_per_second=main / elapsed,
        transactions_per_second=transactions / elapsed if postgres else None,
    )
