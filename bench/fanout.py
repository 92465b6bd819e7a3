"""How fast an area notice fans out to its subscribers inside Telegram's flood limits.

N residents (10,000; ``--quick``: 1,000) subscribed to Kallio, and one Kallio group, are
seeded into a freshly migrated database; a notice for Kallio is due at once. The whole process
runs as ``talkkari run`` builds it (dispatcher, sender at the configured ``send_rate``, 25/s by
default) against the fake Bot API enforcing Telegram's limits (30/s overall, 1/s per chat,
20/min per group; 429 with ``retry_after`` beyond them). Measured from the dispatcher's queueing
(``sending_at``) to the last message the fake accepted:

* achieved rate ÷ configured rate (goal at least 0.95);
* duplicates: messages beyond the first to a chat (0 without a crash);
* losses: recipients who got nothing (always 0);
* 429s the fake answered.

The crash variant (kill -9 half way, restart) is not measured here yet.

    python bench/fanout.py [--quick] [--database sqlite|postgresql|both] [--subscribers N]

The last line of output is ``fanout: <achieved ÷ configured rate>`` (with ``both``,
PostgreSQL's).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from sqlalchemy import select

from bench.common import bench_parser, database_kinds, fresh_database, quiet_logs
from store import Notice, NoticeArea
from tests.fakes.telegram import FakeTelegram, TelegramLimits
from tests.support.notices import KALLIO, add_group, add_subscribers, until_notice_state
from tests.support.running import bot_settings, running_bot

QUIET_LOGGERS = ("httpx", "telegram", "uvicorn", "bot.notices.dispatcher", "bot.sender")
FIRST_CHAT = 100_000
GROUP = -100_001


@dataclass(frozen=True, slots=True)
class Figures:
    database: str
    recipients: int
    seconds: float
    configured_rate: float
    duplicates: int
    losses: int
    rejected_429: int

    @property
    def ratio(self) -> float:
        return self.recipients / self.seconds / self.configured_rate


async def bench_database(kind: str, url: str, subscribers: int, rate: float) -> Figures:
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    with FakeTelegram(limits=TelegramLimits()) as telegram:
        async with running_bot(bot_settings(url, telegram, send_rate=rate)) as bot:
            database = bot.database
            for start in range(0, subscribers, 5_000):
                await add_subscribers(database, chats[start : start + 5_000], KALLIO)
            await add_group(database, GROUP, KALLIO)
            async with database.transaction() as session:
                notice = Notice(
                    state="scheduled",
                    text_fi="Vesikatko Kalliossa.",
                    text_sv="Vattenavbrott i Berghäll.",
                    publish_at=datetime.now(UTC),
                )
                session.add(notice)
                await session.flush()
                session.add(NoticeArea(notice_id=notice.id, area=KALLIO))
            await until_notice_state(
                database, notice.id, "sent", within=60 + 4 * subscribers / rate
            )
            async with database.sessions() as session:
                sending_at = await session.scalar(
                    select(Notice.sending_at).where(Notice.id == notice.id)
                )
        sent = telegram.sent()
        rejected = telegram.rejected_429
    assert sending_at is not None
    received = Counter(message.chat_id for message in sent)
    expected = {*chats, GROUP}
    last = max(message.at for message in sent)
    # The fake stamps arrivals with time.monotonic(); sending_at is wall time.
    started = time.monotonic() - (datetime.now(UTC) - sending_at).total_seconds()
    return Figures(
        database=kind,
        recipients=len(expected),
        seconds=last - started,
        configured_rate=rate,
        duplicates=sum(count - 1 for count in received.values()),
        losses=len(expected - set(received)),
        rejected_429=rejected,
    )


def report(results: list[Figures]) -> str:
    lines = []
    for figures in results:
        lines.append(
            f"{figures.database}: {figures.recipients} recipients in {figures.seconds:.1f} s, "
            f"{figures.recipients / figures.seconds:.1f}/s of {figures.configured_rate:g}/s "
            f"configured (÷ {figures.ratio:.3f}); duplicates {figures.duplicates}, "
            f"losses {figures.losses}, 429s {figures.rejected_429}"
        )
    lines.append(f"fanout: {results[-1].ratio:.3f}")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, databases=("sqlite", "postgresql", "both"))
    parser.add_argument("--subscribers", type=int, default=None)
    parser.add_argument("--rate", type=float, default=25.0, help="the sender's send_rate")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    quiet_logs(QUIET_LOGGERS)
    subscribers = arguments.subscribers or (1_000 if arguments.quick else 10_000)
    results = []
    for kind in database_kinds(arguments.database):
        with fresh_database(kind) as url:
            results.append(asyncio.run(bench_database(kind, url, subscribers, arguments.rate)))
    print(report(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
