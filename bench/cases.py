"""How fast cases are looked up in Ahjo, and what the case watcher costs per round.

The fake Ahjo (``tests/fakes/ahjo/``, real HTTP) runs in a process of its own, so that it does
not share this process's GIL, and serves synthesised cases (``HEL 2090-000001``…). Three parts:

* **cold lookups**: N distinct cases through a fresh :class:`~knowledge.ahjo.AhjoClient`,
  16 at a time; baseline: bare ``httpx.AsyncClient`` GETs of the same URLs, 16 at a time (no
  JSON parsed, no case built, no cache, no breaker), half before the client's pass and half
  after;
* **cached lookups**: the same N numbers again through the warm client, one after another,
  the best of several passes; baseline: the least an async TTL cache does: await a coroutine
  that reads the clock and gets the entry from a dict (its passes take turns with the client's);
* **watcher round**: N followed cases (a third of them with three followers, the rest with one)
  in a freshly migrated database, all due, 1 % of them changed in the fake; one round is
  ``CaseWatcher.check_due()`` called until it finds nothing due, with the production
  :class:`~bot.cases.watcher.WatchPolicy` and the production lookup (registry first, then
  Ahjo); baseline: the same N lookups through the client alone, as many at a time as the
  watcher, no database. The clock is moved an hour on before each pass, so the client's cache
  has expired and every case is due.

    python bench/cases.py [--quick] [--database sqlite|postgresql|both] [--cases N]

N is 10,000 (``--quick``: 1,000). The last line of output is ``cases: <watcher ms per followed
case and round>`` (with ``both``, PostgreSQL's, the database compose.yaml runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Final, Self, TypeVar
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

import httpx
from sqlalchemy import func, insert, select

from bench.common import bench_parser, database_kinds, fresh_database, quiet_logs
from bot.cases import CaseWatcher, WatchPolicy
from bot.cases.telling import case_snapshot
from knowledge.ahjo import AhjoClient
from knowledge.cases import Case, Lookup
from knowledge.lookup import Cases
from knowledge.registry import CaseRegistry
from store import (
    CaseFollow,
    Conversation,
    Database,
    OutboxMessage,
    Resident,
    WatchedCase,
)
from tests.fakes.ahjo import SYNTHETIC_YEAR, FakeAhjo

LOOKUP_CONCURRENCY: Final = 16
"""Cold lookups at once: the client's own bound (``max_concurrency``)."""
CHANGED_EVERY: Final = 100
"""Every 100th followed case moves in the fake before the watcher's round: 1 %."""
MANY_FOLLOWERS_EVERY: Final = 3
"""Every third case has three followers, the others one."""
CLOCK_STEP: Final = timedelta(hours=1)
"""Far beyond the client's TTL (5 min) and the watcher's interval (15 min ± 25 %)."""
LANGUAGES: Final = ("fi", "sv", "en")
FAKE_START_TIMEOUT: Final = 60.0
CHAT_BASE: Final = 10_000_000
QUIET_LOGGERS: Final = (
    "asyncio",
    "httpx",
    "httpcore",
    "uvicorn",
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "bot",
    "knowledge",
    "store",
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Plan:
    cases: int
    """N: distinct cases looked up cold, and cases followed."""
    warm_up: int
    """Other cases looked up first, to warm connections and code paths."""
    cached_passes: int
    """Passes over the N numbers with a warm cache."""

    @property
    def served(self) -> int:
        return self.cases + self.warm_up


@dataclass(frozen=True, slots=True)
class LookupFigures:
    cold_baseline: float
    """Lookups/s."""
    cold: float
    cached_baseline: float
    cached: float


@dataclass(frozen=True, slots=True)
class Followed:
    numbers: list[str]
    """The N cases followed."""


@dataclass(frozen=True, slots=True)
class WatchFigures:
    database: str
    baseline_seconds: float
    """The N lookups alone, as many at a time as the watcher."""
    baseline_cpu: float
    """CPU seconds of this process (all its threads) in the baseline."""
    round_seconds: float
    round_cpu: float
    calls: int
    """``check_due`` calls in the round, the last (empty) one included."""
    checked: int
    changed: int
    told: int
    unanswered: int
    outbox_rows: int
    follows: int
    changed_cases: int
    expected_notices: int


class BenchClock:
    """The system clock, moved on by hand: ``skip`` expires caches and makes cases due."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def skip(self, step: timedelta) -> None:
        self._offset += step


def diary_numbers(first: int, count: int) -> list[str]:
    """The diary numbers of synthesised cases ``first`` … ``first + count - 1`` (1-based)."""
    return [f"HEL {SYNTHETIC_YEAR}-{index:06d}" for index in range(first, first + count)]


def ahjo_path(number: str) -> str:
    return f"cases/{number.replace(' ', '-')}"


async def drive(
    items: Sequence[str], concurrency: int, call: Callable[[str], Awaitable[T]]
) -> list[T]:
    """``call`` for every item, ``concurrency`` at a time, results in order."""
    results: dict[int, T] = {}
    indexes = iter(range(len(items)))

    async def worker() -> None:
        for index in indexes:
            results[index] = await call(items[index])

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return [results[index] for index in range(len(items))]


# --------------------------------------------------------------------------- the fake


def _serve_fake(connection: Connection, count: int) -> None:
    """The fake's process: serve ``count`` synthesised cases and do what the pipe asks."""
    with FakeAhjo() as fake:
        fake.synthesise(count)
        connection.send(fake.base_url)
        while True:
            command, argument = connection.recv()
            if command == "advance":
                for number in argument:
                    fake.advance(number)
                connection.send(len(argument))
            elif command == "requests":
                connection.send(fake.total_requests)
            else:
                break


class FakeAhjoProcess:
    """The fake Ahjo in a child process; ``advance`` and ``requests`` go over a pipe."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve_fake, args=(child, count), name="FakeAhjo", daemon=True
        )
        self._child = child
        self.base_url = ""

    def __enter__(self) -> Self:
        self._process.start()
        self._child.close()
        if not self._pipe.poll(FAKE_START_TIMEOUT):
            self._process.kill()
            raise TimeoutError(f"the fake Ahjo did not start in {FAKE_START_TIMEOUT:.0f} s")
        try:
            self.base_url = self._pipe.recv()
        except EOFError:
            raise RuntimeError("the fake Ahjo's process ended before it served") from None
        address = urlsplit(self.base_url)
        with socket.create_connection((address.hostname, address.port), timeout=5):
            pass  # it accepts connections
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            self._pipe.send(("stop", None))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def advance(self, numbers: Sequence[str]) -> None:
        self._pipe.send(("advance", list(numbers)))
        self._pipe.recv()

    def requests(self) -> int:
        self._pipe.send(("requests", None))
        answer: int = self._pipe.recv()
        return answer


# --------------------------------------------------------------------------- lookups


def _all_cases(found: Sequence[Lookup], what: str) -> list[Case]:
    cases = [lookup for lookup in found if isinstance(lookup, Case) and not lookup.stale]
    if len(cases) != len(found):
        raise RuntimeError(f"{what}: {len(found) - len(cases)} of {len(found)} lookups failed")
    return cases


async def cold_baseline(fake: FakeAhjoProcess, plan: Plan, numbers: Sequence[str]) -> float:
    """Bare httpx GETs of the cases ``numbers``, as many at a time as the client: seconds."""
    limits = httpx.Limits(
        max_connections=LOOKUP_CONCURRENCY, max_keepalive_connections=LOOKUP_CONCURRENCY
    )
    async with httpx.AsyncClient(base_url=fake.base_url, limits=limits, timeout=10) as http:

        async def get(number: str) -> int:
            response = await http.get(ahjo_path(number), params={"apireqlang": "fi"})
            if response.status_code != httpx.codes.OK:
                raise RuntimeError(f"the fake answered {response.status_code} for {number}")
            return len(response.content)

        await drive(diary_numbers(plan.cases + 1, plan.warm_up), LOOKUP_CONCURRENCY, get)
        started = time.perf_counter()
        await drive(numbers, LOOKUP_CONCURRENCY, get)
        return time.perf_counter() - started


class DictCache:
    """The cached baseline: an async lookup that reads the clock and a dict, nothing more."""

    def __init__(self, answers: Sequence[Case], clock: BenchClock) -> None:
        self._clock = clock
        until = clock.now() + timedelta(minutes=5)
        self._entries = {case.diary_number: (case, until) for case in answers}

    async def lookup(self, number: str) -> Case | None:
        entry = self._entries.get(number)
        if entry is not None and self._clock.now() < entry[1]:
            return entry[0]
        return None


async def client_lookups(
    fake: FakeAhjoProcess, plan: Plan
) -> tuple[float, float, float, list[Case]]:
    """A fresh AhjoClient: cold lookups/s, cached lookups/s, cached baseline lookups/s, and the
    cases found."""
    clock = BenchClock()
    numbers = diary_numbers(1, plan.cases)
    async with AhjoClient(fake.base_url, clock=clock, max_concurrency=LOOKUP_CONCURRENCY) as client:

        async def look(number: str) -> Lookup:
            return await client.lookup(number)

        warm = diary_numbers(plan.cases + 1, plan.warm_up)
        _all_cases(await drive(warm, LOOKUP_CONCURRENCY, look), "warm-up")
        requests_before = fake.requests()
        started = time.perf_counter()
        found = await drive(numbers, LOOKUP_CONCURRENCY, look)
        cold = len(numbers) / (time.perf_counter() - started)
        cases = _all_cases(found, "cold lookups")
        sent = fake.requests() - requests_before
        if sent != len(numbers):
            print(f"warning: {sent} requests for {len(numbers)} cold lookups", file=sys.stderr)

        # Passes of the two take turns; the best pass of each counts (other load only slows).
        cache = DictCache(cases, clock)
        hits_before = client.counters.fresh_hits
        ours, theirs = [], []
        for _ in range(plan.cached_passes):
            started = time.perf_counter()
            for number in numbers:
                await client.lookup(number)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            for number in numbers:
                await cache.lookup(number)
            theirs.append(time.perf_counter() - started)
        hits = client.counters.fresh_hits - hits_before
        if hits != len(numbers) * plan.cached_passes:
            print(f"warning: only {hits} cached lookups were cache hits", file=sys.stderr)
    return cold, len(numbers) / min(ours), len(numbers) / min(theirs), cases


def choose_followed(cold: Sequence[Case]) -> Followed:
    """The N cases looked up cold are the ones followed."""
    return Followed(numbers=[case.diary_number for case in cold])


async def lookups(fake: FakeAhjoProcess, plan: Plan) -> tuple[LookupFigures, Followed]:
    # The baseline's two halves bracket the client's pass, so that drift favours neither.
    numbers = diary_numbers(1, plan.cases)
    half = len(numbers) // 2
    before = await cold_baseline(fake, plan, numbers[:half])
    cold, cached, cached_base, cases = await client_lookups(fake, plan)
    after = await cold_baseline(fake, plan, numbers[half:])
    figures = LookupFigures(
        cold_baseline=len(numbers) / (before + after),
        cold=cold,
        cached_baseline=cached_base,
        cached=cached,
    )
    return figures, choose_followed(cases)


# --------------------------------------------------------------------------- the watcher


def followers(index: int, count: int) -> list[int]:
    """Which conversations (0-based) follow case ``index``: itself, and for every third case
    the next two as well."""
    if index % MANY_FOLLOWERS_EVERY:
        return [index]
    return [index, (index + 1) % count, (index + 2) % count]


async def seed(database: Database, cases: Sequence[Case], now: datetime) -> int:
    """Residents, conversations, follows and watched cases, all due now; returns the follows."""
    count = len(cases)
    async with database.transaction() as session:
        await session.execute(
            insert(Resident),
            [
                {
                    "channel": "telegram",
                    "external_id": str(CHAT_BASE + index),
                    "language": LANGUAGES[index % len(LANGUAGES)],
                    "platform_language": "fi",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for index in range(count)
            ],
        )
        residents = dict(
            (int(external), id_)
            for external, id_ in await session.execute(select(Resident.external_id, Resident.id))
        )
        await session.execute(
            insert(Conversation),
            [
                {
                    "channel": "telegram",
                    "chat_id": CHAT_BASE + index,
                    "chat_kind": "private",
                    "resident_id": residents[CHAT_BASE + index],
                    "slots": {},
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for index in range(count)
            ],
        )
        conversations = dict(
            (chat_id - CHAT_BASE, id_)
            for chat_id, id_ in await session.execute(select(Conversation.chat_id, Conversation.id))
        )
        follows = [
            {
                "conversation_id": conversations[follower],
                "diary_number": case.diary_number,
                "fingerprint": case.fingerprint,
                "created_at": now,
            }
            for index, case in enumerate(cases)
            for follower in followers(index, count)
        ]
        await session.execute(insert(CaseFollow), follows)
        await session.execute(
            insert(WatchedCase),
            [
                {
                    "diary_number": case.diary_number,
                    "fingerprint": case.fingerprint,
                    "snapshot": case_snapshot(case),
                    "next_check_at": now,
                    "checked_at": now,
                    "failures": 0,
                }
                for case in cases
            ],
        )
    return len(follows)


async def watch(fake: FakeAhjoProcess, numbers: Sequence[str], kind: str, url: str) -> WatchFigures:
    clock = BenchClock()
    policy = WatchPolicy()
    database = Database(url)
    try:
        async with AhjoClient(
            fake.base_url, clock=clock, max_concurrency=LOOKUP_CONCURRENCY
        ) as client:

            async def look(number: str) -> Lookup:
                return await client.lookup(number)

            # Baseline, and the followers' fingerprints: the N lookups alone, no database.
            clock.skip(CLOCK_STEP)
            cpu, started = time.process_time(), time.perf_counter()
            found = await drive(numbers, policy.concurrency, look)
            baseline_seconds = time.perf_counter() - started
            baseline_cpu = time.process_time() - cpu
            cases = _all_cases(found, "baseline lookups")

            follows = await seed(database, cases, clock.now())
            changed = [n for index, n in enumerate(numbers) if index % CHANGED_EVERY == 0]
            expected = sum(
                len(followers(index, len(numbers)))
                for index in range(len(numbers))
                if index % CHANGED_EVERY == 0
            )
            fake.advance(changed)

            sources = Cases(CaseRegistry(database), client, clock=clock)
            watcher = CaseWatcher(database, sources, clock=clock, policy=policy)
            clock.skip(CLOCK_STEP)
            totals = [0, 0, 0, 0]
            calls = 0
            cpu, started = time.process_time(), time.perf_counter()
            while True:
                done = await watcher.check_due()
                calls += 1
                if done.checked == 0:
                    break
                for position, value in enumerate(
                    (done.checked, done.changed, done.told, done.unanswered)
                ):
                    totals[position] += value
            round_seconds = time.perf_counter() - started
            round_cpu = time.process_time() - cpu
        async with database.sessions() as session:
            outbox = await session.scalar(select(func.count(OutboxMessage.id))) or 0
    finally:
        await database.dispose()
    return WatchFigures(
        database=kind,
        baseline_seconds=baseline_seconds,
        baseline_cpu=baseline_cpu,
        round_seconds=round_seconds,
        round_cpu=round_cpu,
        calls=calls,
        checked=totals[0],
        changed=totals[1],
        told=totals[2],
        unanswered=totals[3],
        outbox_rows=outbox,
        follows=follows,
        changed_cases=len(changed),
        expected_notices=expected,
    )


# --------------------------------------------------------------------------- output


def ms_per_case(seconds: float, cases: int) -> float:
    return seconds / cases * 1000


def report(
    plan: Plan, found: LookupFigures, followed: Followed, rounds: Sequence[WatchFigures]
) -> str:
    policy = WatchPolicy()
    lines = [
        "",
        f"N = {plan.cases:,} synthesised cases; the fake Ahjo in a process of its own; "
        f"{os.cpu_count()} cores",
        "",
        f"lookups (N distinct, cold {LOOKUP_CONCURRENCY} at a time; "
        f"cached: the best of {plan.cached_passes} passes)",
        f"{'':40}{'lookups/s':>12}{'ratio':>8}",
        f"{'cold   baseline: bare httpx GET':40}{found.cold_baseline:12,.0f}",
        f"{'cold   AhjoClient, fresh cache':40}{found.cold:12,.0f}"
        f"{found.cold / found.cold_baseline:8.2f}",
        f"{'cached baseline: async dict + clock':40}{found.cached_baseline:12,.0f}",
        f"{'cached AhjoClient, warm cache':40}{found.cached:12,.0f}"
        f"{found.cached / found.cached_baseline:8.2f}",
    ]
    if rounds:
        first = rounds[0]
        lines += [
            "",
            f"watcher round: {plan.cases:,} followed cases, {first.follows:,} follows (1 case in "
            f"{MANY_FOLLOWERS_EVERY} has 3 followers, the rest 1); {first.changed_cases} cases "
            f"changed → {first.expected_notices} notices expected",
        ]
        lines += [
            f"WatchPolicy: {policy.concurrency} lookups at once, {policy.batch} cases a call; "
            "baseline: the N lookups alone, as many at a time, no database",
            f"{'':28}{'s/round':>9}{'cpu s':>8}{'ms/case':>9}{'ratio':>7}{'calls':>7}"
            f"{'changed':>9}{'notices':>9}{'outbox':>8}",
        ]
        for figures in rounds:
            lines += [
                f"{figures.database + ' baseline (lookups)':28}{figures.baseline_seconds:9.2f}"
                f"{figures.baseline_cpu:8.2f}"
                f"{ms_per_case(figures.baseline_seconds, plan.cases):9.3f}",
                f"{figures.database + ' watcher':28}{figures.round_seconds:9.2f}"
                f"{figures.round_cpu:8.2f}"
                f"{ms_per_case(figures.round_seconds, plan.cases):9.3f}"
                f"{figures.round_seconds / figures.baseline_seconds:7.2f}{figures.calls:7}"
                f"{figures.changed:9}{figures.told:9}{figures.outbox_rows:8}",
            ]
            if figures.checked != plan.cases or figures.unanswered:
                lines.append(
                    f"warning: {figures.database}: {figures.checked} checked, "
                    f"{figures.unanswered} unanswered"
                )
            if (figures.changed, figures.told) != (
                figures.changed_cases,
                figures.expected_notices,
            ):
                lines.append(f"warning: {figures.database}: not the changes and notices expected")
        headline = next((f for f in rounds if f.database == "postgresql"), first)
        per_case = ms_per_case(headline.round_seconds, plan.cases)
        lines += [
            "",
            f"watcher ms per followed case and round ({headline.database}; "
            f"{per_case * 10:.1f} s per round of 10,000):",
            f"cases: {per_case:.3f}",
        ]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, databases=("sqlite", "postgresql", "both"))
    parser.add_argument("--cases", type=int, help="N, cases looked up and followed")
    arguments = parser.parse_args(argv)
    if arguments.cases is not None and arguments.cases < MANY_FOLLOWERS_EVERY:
        parser.error(f"--cases must be at least {MANY_FOLLOWERS_EVERY}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    quiet_logs(QUIET_LOGGERS)
    plan = Plan(
        cases=arguments.cases or (1_000 if arguments.quick else 10_000),
        warm_up=100 if arguments.quick else 300,
        cached_passes=10 if arguments.quick else 20,
    )
    kinds = database_kinds(arguments.database)
    rounds: list[WatchFigures] = []
    with FakeAhjoProcess(plan.served) as fake:
        print(f"fake Ahjo: {plan.served:,} cases at {fake.base_url}", flush=True)
        print(f"lookups: N = {plan.cases:,}, cold and cached …", flush=True)
        found, followed = asyncio.run(lookups(fake, plan))
        for kind in kinds:
            print(f"watcher on {kind}: {plan.cases:,} followed cases …", flush=True)
            with fresh_database(kind) as url:
                rounds.append(asyncio.run(watch(fake, followed.numbers, kind, url)))
    print(report(plan, found, followed, rounds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
