"""How fast the whole Kaupunkitalkkari process answers, next to a bare python-telegram-bot echo bot.

Both run in this process against the same kind of fake Bot API (``tests/fakes/telegram/``,
real HTTP, no flood limits) and get the same load:

* **burst**: N messages, each to its own chat, queued at once; updates/s is N divided by the
  time from the first push until the fake recorded the Nth reply;
* **paced**: a steady load well under capacity (default 50 updates/s), for latency: the time
  from pushing an update until the fake recorded the reply's sendMessage, p50 and p99.

The pipeline runs with ``send_rate`` far above Telegram's ~30 messages/s, so what is measured is
the pipeline's own capacity (polling, storing, dialogue, outbox, sender), not Telegram's limit.

Then **idle**: a ``talkkari run`` process left alone (``bench/idle.py``): its threads' wake-ups
a second (goal: a few) and, on PostgreSQL, the database transactions a second it causes.

    python bench/pipeline.py [--quick] [--database sqlite|postgresql] [--messages N]

The last line of output is ``pipeline: <pipeline updates/s ÷ baseline updates/s>``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.common import bench_parser, fresh_database, percentile, quiet_logs
from bench.idle import IdleFigures, measure_idle
from tests.fakes.telegram import FakeTelegram
from tests.support.running import TELEGRAM_PACING, bot_settings, running_bot

SEND_RATE: Final = 100_000.0
"""The pipeline's overall send rate: far above Telegram's, so it never caps the measurement."""
GREETINGS: Final = (("moi", "fi"), ("hej", "sv"), ("hello", "en"))
WARM_UP_MESSAGES: Final = 30
REPLY_TIMEOUT: Final = 180.0
POLL_SECONDS: Final = 0.005
QUIET_LOGGERS: Final = (
    "asyncio",
    "httpx",
    "httpcore",
    "telegram",
    "uvicorn",
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "bot",
    "store",
    "talkkari",
)


@dataclass(frozen=True, slots=True)
class Plan:
    messages: int
    """Messages in the burst."""
    paced_rate: float
    """Updates per second in the paced phase."""
    paced_seconds: float


@dataclass(frozen=True, slots=True)
class Figures:
    updates_per_second: float
    burst_seconds: float
    p50_ms: float
    p99_ms: float
    paced_count: int


class Load:
    """Pushes greetings to fresh chats and collects the fake's first reply to each chat."""

    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self._chats = itertools.count(10_000_000)
        self._greetings = itertools.cycle(GREETINGS)
        self._seen = 0  # replies already looked at (fake.sent() only grows)
        self._replies: dict[int, float] = {}

    def push(self) -> tuple[int, float]:
        """Queue one update to a new chat; returns the chat id and when it was pushed."""
        chat_id = next(self._chats)
        text, language = next(self._greetings)
        pushed_at = time.monotonic()
        self._fake.push_message(chat_id, text, language_code=language)
        return chat_id, pushed_at

    async def replies(self, chats: dict[int, float]) -> dict[int, float]:
        """Wait for a reply in every chat of ``chats``; returns when each first reply came."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        waiting = {chat for chat in chats if chat not in self._replies}
        while waiting:
            sent = self._fake.sent()
            for message in sent[self._seen :]:
                self._replies.setdefault(message.chat_id, message.at)
                waiting.discard(message.chat_id)
            self._seen = len(sent)
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(waiting)} of {len(chats)} updates unanswered after {REPLY_TIMEOUT:.0f} s"
                )
            await asyncio.sleep(POLL_SECONDS)
        return {chat: self._replies[chat] for chat in chats}

    async def warm_up(self, count: int) -> None:
        await self.replies(dict(self.push() for _ in range(count)))
        await asyncio.sleep(0.5)

    async def burst(self, count: int) -> tuple[float, float]:
        """All ``count`` updates queued at once; returns (updates/s, seconds to the last reply)."""
        started = time.monotonic()
        chats = dict(self.push() for _ in range(count))
        replies = await self.replies(chats)
        elapsed = max(replies.values()) - started
        return count / elapsed, elapsed

    async def paced(self, rate: float, seconds: float) -> list[float]:
        """A steady ``rate`` of updates for ``seconds``; returns each reply's latency (s)."""
        count = max(1, round(rate * seconds))
        start = time.monotonic()
        chats: dict[int, float] = {}
        for index in range(count):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            chat_id, pushed_at = self.push()
            chats[chat_id] = pushed_at
        replies = await self.replies(chats)
        return [replies[chat] - pushed for chat, pushed in chats.items()]


async def measure(fake: FakeTelegram, plan: Plan) -> Figures:
    load = Load(fake)
    await load.warm_up(WARM_UP_MESSAGES)
    rate, elapsed = await load.burst(plan.messages)
    await asyncio.sleep(0.5)
    latencies = await load.paced(plan.paced_rate, plan.paced_seconds)
    return Figures(
        updates_per_second=rate,
        burst_seconds=elapsed,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        paced_count=len(latencies),
    )


# --------------------------------------------------------------------------- the two bots


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def baseline(fake: FakeTelegram, plan: Plan) -> Figures:
    """A bare python-telegram-bot echo bot with PTB's own polling, no rate limiter."""
    builder = ApplicationBuilder().token(fake.token).base_url(fake.base_url)
    app: Application = builder.build()  # type: ignore[type-arg]
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    async with app:
        updater = app.updater
        assert updater is not None
        await updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            return await measure(fake, plan)
        finally:
            await updater.stop()
            await app.stop()


async def pipeline(fake: FakeTelegram, plan: Plan, database_url: str) -> Figures:
    """The whole Kaupunkitalkkari process, as ``talkkari run`` builds it."""
    settings = bot_settings(
        database_url, fake, send_rate=SEND_RATE, telegram_poll_timeout=1.0, **TELEGRAM_PACING
    )
    async with running_bot(settings):
        return await measure(fake, plan)


def run_against_fake(bench: Callable[[FakeTelegram], Awaitable[Figures]]) -> Figures:
    """One bot against its own fresh fake Bot API, on a fresh event loop."""
    with FakeTelegram() as fake:
        return asyncio.run(_call(bench, fake))


async def _call(bench: Callable[[FakeTelegram], Awaitable[Figures]], fake: FakeTelegram) -> Figures:
    return await bench(fake)


# --------------------------------------------------------------------------- output


def report(
    plan: Plan, database: str, base: Figures, ours: Figures, idle: IdleFigures | None = None
) -> str:
    ratio = ours.updates_per_second / base.updates_per_second
    rows = [
        ("baseline (PTB echo)", base),
        ("pipeline (talkkari)", ours),
    ]
    lines = [
        "",
        f"N = {plan.messages} messages in the burst, each to its own chat; database: {database}",
        f"latency under a paced load of {plan.paced_rate:g} updates/s for "
        f"{plan.paced_seconds:g} s ({base.paced_count} updates)",
        f"pipeline send_rate = {SEND_RATE:g}/s: this measures the pipeline's capacity, "
        "not Telegram's ~30 messages/s limit",
        "",
        f"{'':22}{'updates/s':>11}{'burst s':>10}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for name, figures in rows:
        lines.append(
            f"{name:22}{figures.updates_per_second:11.1f}{figures.burst_seconds:10.2f}"
            f"{figures.p50_ms:10.1f}{figures.p99_ms:10.1f}"
        )
    for name, figures in rows:
        if plan.paced_rate > 0.8 * figures.updates_per_second:
            lines.append(
                f"note: {plan.paced_rate:g} updates/s is not well under the {name.split()[0]}'s "
                f"capacity ({figures.updates_per_second:.0f}/s): its latency includes queueing"
            )
    if idle is not None:
        queries = (
            f", {idle.transactions_per_second:.2f} database transactions/s"
            if idle.transactions_per_second is not None
            else ""
        )
        lines += [
            "",
            f"idle wake-ups: {idle.wakeups_per_second:.1f}/s over {idle.seconds:.0f} s, all "
            f"threads (main thread {idle.main_thread_per_second:.1f}/s){queries}",
        ]
    lines += [
        "",
        f"pipeline/baseline updates/s: {ratio:.2f}   (goal: at least 0.50)",
        f"pipeline: {ratio:.2f}",
    ]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, databases=("sqlite", "postgresql"))
    parser.add_argument("--messages", type=int, help="N, messages in the burst")
    parser.add_argument("--paced-rate", type=float, default=50.0, help="updates/s when paced")
    parser.add_argument("--paced-seconds", type=float, help="how long the paced load lasts")
    arguments = parser.parse_args(argv)
    if arguments.messages is not None and arguments.messages < 1:
        parser.error("--messages must be at least 1")
    if arguments.paced_rate <= 0:
        parser.error("--paced-rate must be positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    quiet_logs(QUIET_LOGGERS)
    plan = Plan(
        messages=arguments.messages or (400 if arguments.quick else 2000),
        paced_rate=arguments.paced_rate,
        paced_seconds=arguments.paced_seconds or (3.0 if arguments.quick else 10.0),
    )
    print(f"baseline: python-telegram-bot echo bot, N = {plan.messages} …", flush=True)
    base = run_against_fake(lambda fake: baseline(fake, plan))
    print(f"pipeline: Kaupunkitalkkari on {arguments.database}, N = {plan.messages} …", flush=True)
    with fresh_database(arguments.database) as url:
        ours = run_against_fake(lambda fake: pipeline(fake, plan, url))
    print(f"idle: talkkari run on {arguments.database}, left alone …", flush=True)
    with fresh_database(arguments.database) as url:
        idle = asyncio.run(measure_idle(url, 5.0 if arguments.quick else 15.0))
    leftover = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if leftover:
        print(f"warning: threads still running: {', '.join(leftover)}", file=sys.stderr)
    print(report(plan, arguments.database, base, ours, idle), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
