"""How fast an area notice fans out to its subscribers inside Telegram's flood limits.

N residents (10,000; ``--quick``: 500) subscribed to Kallio, and one Kallio group, are
seeded into a freshly migrated database; a notice for Kallio is due at once. The whole process
runs as ``talkkari run`` builds it (dispatcher, sender at the configured ``send_rate``, 25/s by
default) against the fake Bot API enforcing Telegram's limits (30/s overall, 1/s per chat,
20/min per group; 429 with ``retry_after`` beyond them). Measured from the dispatcher's queueing
(``sending_at``) to the last message the fake accepted:

* achieved rate ÷ configured rate (goal at least 0.95);
* duplicates: messages beyond the first to a chat (0 without a crash);
* losses: recipients who got nothing (always 0);
* 429s the fake answered.

Then the crash variant: the same fan-out run by a real ``talkkari run`` process that is killed
with SIGKILL when half the recipients have the notice, and restarted at once. Its rate counts
the restart; its duplicates are the sends the dead process had under way (at most the sender's
``crash_window``); losses are still 0.

With ``--replicas 2`` (PostgreSQL): the same fan-out by two ``talkkari run`` processes on one
database, the fake enforcing Telegram's 30/s for both together; the rate is over all replicas
(one holds the sending role and paces for both), 429s should stay 0.

    python bench/fanout.py [--quick] [--database sqlite|postgresql|both] [--subscribers N]
                           [--no-crash] [--replicas N]

The last line of output is ``fanout: <achieved ÷ configured rate>`` (with ``both``,
PostgreSQL's).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from sqlalchemy import select

from bench.common import bench_parser, database_kinds, fresh_database, quiet_logs
from bot.sender import SenderPolicy
from store import Database, Notice
from tests.fakes.telegram import FakeTelegram, SentMessage, TelegramLimits
from tests.support.notices import (
    KALLIO,
    add_group,
    add_notices,
    add_subscribers,
    until_notice_state,
)
from tests.support.running import (
    TELEGRAM_PACING,
    BotProcess,
    bot_settings,
    process_env,
    running_bot,
)

QUIET_LOGGERS = ("httpx", "telegram", "uvicorn", "bot.notices.dispatcher", "bot.sender")
FIRST_CHAT = 100_000
GROUP = -100_001


@dataclass(frozen=True, slots=True)
class Figures:
    run: str
    recipients: int
    seconds: float
    configured_rate: float
    duplicates: int
    losses: int
    rejected_429: int

    @property
    def ratio(self) -> float:
        return self.recipients / self.seconds / self.configured_rate


async def seed(database: Database, chats: range) -> int:
    """Every chat subscribed to Kallio, Kallio's group, and a Kallio notice due now."""
    for start in range(0, len(chats), 5_000):
        await add_subscribers(database, chats[start : start + 5_000], KALLIO)
    await add_group(database, GROUP, KALLIO)
    [notice_id] = await add_notices(database, 1, KALLIO)
    return notice_id


async def sending_started(database: Database, notice_id: int) -> float:
    """When the dispatcher queued the notice, on the fake's clock (``time.monotonic()``)."""
    async with database.sessions() as session:
        sending_at = await session.scalar(select(Notice.sending_at).where(Notice.id == notice_id))
    assert sending_at is not None
    return time.monotonic() - (datetime.now(UTC) - sending_at).total_seconds()


def figures(
    run: str, chats: range, sent: list[SentMessage], *, started: float, rate: float, rejected: int
) -> Figures:
    received = Counter(message.chat_id for message in sent)
    expected = {*chats, GROUP}
    return Figures(
        run=run,
        recipients=len(expected),
        seconds=max(message.at for message in sent) - started,
        configured_rate=rate,
        duplicates=sum(count - 1 for count in received.values()),
        losses=len(expected - set(received)),
        rejected_429=rejected,
    )


async def bench_database(kind: str, url: str, subscribers: int, rate: float) -> Figures:
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    with FakeTelegram(limits=TelegramLimits()) as telegram:
        settings = bot_settings(url, telegram, send_rate=rate, **TELEGRAM_PACING)
        async with running_bot(settings) as bot:
            notice_id = await seed(bot.database, chats)
            await until_notice_state(
                bot.database, notice_id, "sent", within=60 + 4 * subscribers / rate
            )
            started = await sending_started(bot.database, notice_id)
        return figures(
            kind, chats, telegram.sent(), started=started, rate=rate, rejected=telegram.rejected_429
        )


async def bench_crash(kind: str, url: str, subscribers: int, rate: float) -> Figures:
    """The same fan-out in a ``talkkari run`` process, killed (SIGKILL) half way, restarted."""
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    database = Database(url)
    logs = Path(tempfile.mkdtemp(prefix="fanout-crash-"))
    try:
        notice_id = await seed(database, chats)
        with FakeTelegram(limits=TelegramLimits()) as telegram:
            env = process_env(url, telegram, send_rate=str(rate))
            for attempt, log_name in enumerate(("killed.log", "restarted.log")):
                process = BotProcess(env, logs / log_name)
                process.start()
                try:
                    if attempt == 0:
                        await telegram.wait_for_sent(
                            subscribers // 2, timeout=60 + 2 * subscribers / rate
                        )
                        process.kill()
                    else:
                        await until_notice_state(
                            database, notice_id, "sent", within=90 + 4 * subscribers / rate
                        )
                        await asyncio.sleep(1)  # room for a late duplicate
                        process.terminate()
                finally:
                    process.ensure_stopped()
            started = await sending_started(database, notice_id)
            return figures(
                f"{kind}, kill -9 half way",
                chats,
                telegram.sent(),
                started=started,
                rate=rate,
                rejected=telegram.rejected_429,
            )
    finally:
        await database.dispose()


async def bench_replicas(url: str, subscribers: int, rate: float, replicas: int) -> Figures:
    """The fan-out by ``replicas`` ``talkkari run`` processes sharing one PostgreSQL database."""
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    database = Database(url)
    logs = Path(tempfile.mkdtemp(prefix="fanout-replicas-"))
    processes: list[BotProcess] = []
    try:
        for start in range(0, len(chats), 5_000):
            await add_subscribers(database, chats[start : start + 5_000], KALLIO)
        await add_group(database, GROUP, KALLIO)
        with FakeTelegram(limits=TelegramLimits()) as telegram:
            for number in range(replicas):
                env = process_env(
                    url,
                    telegram,
                    send_rate=str(rate),
                    telegram_chat_spacing="1",
                    telegram_group_spacing="3",
                    telegram_mode="webhook",
                    webhook_url="https://talkkari.example.fi/telegram/webhook",
                    webhook_secret="fanout-bench-secret",
                    # The default: a new holder of the sending role frees every lease anyway.
                    outbox_lease_seconds="60",
                )
                processes.append(BotProcess(env, logs / f"replica-{number}.log"))
                processes[-1].start()
            await telegram.wait_for_calls("setWebhook", replicas, timeout=120)
            [notice_id] = await add_notices(database, 1, KALLIO)
            await until_notice_state(
                database, notice_id, "sent", within=90 + 4 * subscribers / rate
            )
            await asyncio.sleep(1)  # room for a late duplicate
            for process in processes:
                process.terminate()
            started = await sending_started(database, notice_id)
            return figures(
                f"postgresql, {replicas} replicas",
                chats,
                telegram.sent(),
                started=started,
                rate=rate,
                rejected=telegram.rejected_429,
            )
    finally:
        for process in processes:
            process.ensure_stopped()
        await database.dispose()


def report(results: list[Figures]) -> str:
    lines = []
    for figures in results:
        lines.append(
            f"{figures.run}: {figures.recipients} recipients in {figures.seconds:.1f} s, "
            f"{figures.recipients / figures.seconds:.1f}/s of {figures.configured_rate:g}/s "
            f"configured (÷ {figures.ratio:.3f}); duplicates {figures.duplicates}, "
            f"losses {figures.losses}, 429s {figures.rejected_429}"
        )
    lines.append(f"duplicates allowed after a crash: {SenderPolicy().crash_window} (in flight)")
    plain = [figures for figures in results if "kill" not in figures.run]
    lines.append(f"fanout: {plain[-1].ratio:.3f}")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, databases=("sqlite", "postgresql", "both"))
    parser.add_argument("--subscribers", type=int, default=None)
    parser.add_argument("--rate", type=float, default=25.0, help="the sender's send_rate")
    parser.add_argument("--no-crash", action="store_true", help="skip the kill -9 variant")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="with 2 or more: that many talkkari run processes on PostgreSQL share the fan-out",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    quiet_logs(QUIET_LOGGERS)
    subscribers = arguments.subscribers or (500 if arguments.quick else 10_000)
    results = []
    if arguments.replicas > 1:
        with fresh_database("postgresql") as url:
            results.append(
                asyncio.run(bench_replicas(url, subscribers, arguments.rate, arguments.replicas))
            )
        print(report(results), flush=True)
        return 0
    for kind in database_kinds(arguments.database):
        with fresh_database(kind) as url:
            results.append(asyncio.run(bench_database(kind, url, subscribers, arguments.rate)))
        if not arguments.no_crash:
            with fresh_database(kind) as url:
                results.append(asyncio.run(bench_crash(kind, url, subscribers, arguments.rate)))
    print(report(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
