"""How fast the officials' inbox answers with a year of conversations in the database.

N conversations (100,000; ``--quick``: 10,000) are seeded with bulk inserts into a freshly
migrated database: residents, conversations spread over 20 teams and the handoff states (bot
70 %, closed 22 %, human 5 %, waiting 3 %), ``updated_at`` spread over a year (the open ones
recent), three messages in every fifth conversation. An admin, an official of the first team
and one colleague per team (the assignees of the ``human`` ones). On PostgreSQL the tables are
ANALYZEd afterwards, as autovacuum would; SQLite gets no statistics, as in production.

The admin API is served as ``talkkari run`` builds it (:func:`talkkari.http.build_http_app`,
production password hashing, the inbox bell) under uvicorn configured as ``talkkari run``
configures it, but alone: no Telegram, no dialogue, no sender, no SLA watch, so that nothing
else competes for the process while it is measured (the replies stay in the outbox). The
client is ``httpx.AsyncClient`` over real HTTP with keep-alive, in this process. Two parts:

* **listing latency**: R rounds (300; ``--quick``: 100), each one request of every kind in
  turn (the order rotating): ``GET /conversations`` as the admin (first page, no filter), as
  the admin with ``state=waiting``, as the official (their team's first page), as the official
  with ``state=waiting``, and the admin's 21st page (a cursor found by following
  ``next_cursor`` 20 times); pages of the API's default 50. Baseline: ``GET /me`` (the token
  checked, the official and their teams read) in the same rounds; p50 and p99 of each, and
  each p50 over the baseline's;
* **claim+reply**: M waiting conversations of the official's team (500; ``--quick``: 100) are
  claimed and answered (``POST …/claim`` then ``POST …/messages``) one after another, and M
  others by 4 workers at once; baseline: two ``GET /me`` per round trip, the same way (half
  before, half after). Every reply is checked in the outbox.

    python bench/inbox.py [--quick] [--database sqlite|postgresql|both] [--conversations N]

The last line of output is ``inbox: <GET /conversations p99 in ms>``: the admin's first page
without a filter (with ``both``, PostgreSQL's, the database compose.yaml runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

import httpx
import uvicorn
from prometheus_client import CollectorRegistry
from sqlalchemy import func, insert, select, text

from admin_api import API_PREFIX
from bench.common import (
    bench_parser,
    database_kinds,
    fresh_database,
    percentile,
    quiet_logs,
)
from routing import HELSINKI, InboxBell
from store import (
    Conversation,
    Database,
    Message,
    OutboxMessage,
    Resident,
    SystemClock,
)
from talkkari.http import build_http_app
from tests.support.admin import PASSWORD, make_official, make_team
from tests.support.running import free_port

TEAMS: Final = 20
STATES: Final = (("bot", 0.70), ("closed", 0.22), ("human", 0.05), ("waiting", 0.03))
"""Handoff states and their shares of the conversations not kept for claim+reply."""
AREAS: Final = (
    "Kallio",
    "Kamppi",
    "Töölö",
    "Vallila",
    "Pasila",
    "Herttoniemi",
    "Vuosaari",
    "Malmi",
    "Kannelmäki",
    "Munkkiniemi",
    "Lauttasaari",
    "Kontula",
    "Itäkeskus",
    "Oulunkylä",
    "Pakila",
    "Kulosaari",
    "Punavuori",
    "Arabianranta",
    "00530",
    "00100",
)
LANGUAGES: Final = ("fi", "fi", "fi", "sv", "en")
REASONS: Final = ("asked", "asked", "not_understood", "bot_failed")
MESSAGES_EVERY: Final = 5
"""Every fifth conversation has three messages (the others' are not read by the inbox)."""
CHUNK: Final = 5_000
"""Rows per executemany."""
YEAR: Final = timedelta(days=365)
CHAT_BASE: Final = 20_000_000
DEEP_PAGES: Final = 20
"""``next_cursor`` followed this many times for the deep page."""
WORKERS: Final = 4
WARM_UP_ROUNDS: Final = 10
REPLY: Final = "Kiitos viestistä! Katu aurataan huomenna aamupäivällä."
ADMIN_EMAIL: Final = "paakayttaja@hel.fi"
OFFICIAL_EMAIL: Final = "virkailija@hel.fi"
QUIET_LOGGERS: Final = (
    "asyncio",
    "httpx",
    "httpcore",
    "uvicorn",
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "admin_api",
    "routing",
    "store",
    "talkkari",
)


@dataclass(frozen=True, slots=True)
class Plan:
    conversations: int
    """N, conversations seeded."""
    rounds: int
    """R, rounds of listing requests (one of each kind per round)."""
    round_trips: int
    """M, claim+reply round trips per mode (sequential, concurrent)."""


@dataclass(frozen=True, slots=True)
class Seeded:
    team_id: int
    """The official's team."""
    official_id: int
    kept: list[int]
    """2 M waiting conversations of the official's team, for claim+reply."""
    seconds: float
    states: dict[str, int]
    messages: int


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of request in the listing rounds."""

    label: str
    who: str
    """``admin`` or ``official``: whose client sends it."""
    path: str
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class Latency:
    label: str
    p50_ms: float
    p99_ms: float
    items: int
    """Items on the page (0 for the baseline)."""


@dataclass(frozen=True, slots=True)
class Rate:
    label: str
    per_second: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class DatabaseFigures:
    database: str
    seeded: Seeded
    listings: list[Latency]
    """The baseline first."""
    round_trips: list[Rate]
    """Baseline then claim+reply, sequential then concurrent."""
    replies: int
    outbox_rows: int
    claimed: int
    warnings: list[str]


async def drive(
    items: Sequence[int], concurrency: int, call: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float]]:
    """``call`` for every item, ``concurrency`` at a time: seconds in all, and each call's."""
    latencies: list[float] = []
    pending = iter(items)

    async def worker() -> None:
        for item in pending:
            started = time.perf_counter()
            await call(item)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


# --------------------------------------------------------------------------- seeding


def _conversation(
    index: int,
    kept: int,
    rng: random.Random,
    now: datetime,
    teams: Sequence[int],
    colleagues: dict[int, int],
) -> dict[str, Any]:
    """Conversation ``index``'s columns (the first ``kept`` wait in the first team)."""
    state = "waiting"
    team: int | None = teams[0]
    if index >= kept:
        state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
        team = rng.choice(teams)
    assignee = waiting_since = due_at = replied_at = resolved_at = None
    area = reason = None
    if state == "bot":
        updated = now - rng.random() * YEAR
        if rng.random() < 0.8:  # never handed off
            team = None
        else:  # handed back to the bot
            waiting_since = updated - timedelta(hours=rng.uniform(1, 48))
            replied_at = updated - timedelta(minutes=rng.uniform(1, 30))
    elif state == "closed":
        updated = resolved_at = now - rng.random() * YEAR
        waiting_since = updated - timedelta(hours=rng.uniform(1, 72))
        if rng.random() < 0.8:
            assert team is not None
            assignee = colleagues[team]
            replied_at = updated - timedelta(minutes=rng.uniform(1, 60))
    elif state == "human":
        assert team is not None
        assignee = colleagues[team]
        updated = now - timedelta(days=rng.uniform(0, 14))
        waiting_since = updated - timedelta(hours=rng.uniform(1, 24))
        replied_at = updated if rng.random() < 0.5 else None
    else:  # waiting: some past their promise
        updated = waiting_since = now - timedelta(hours=rng.uniform(0, 72))
        due_at = waiting_since + timedelta(hours=rng.uniform(8, 48))
    if team is not None:
        area = rng.choice(AREAS) if rng.random() < 0.7 else None
        reason = rng.choice(REASONS)
    if state == "waiting":
        due_at = due_at or now + timedelta(hours=rng.uniform(1, 24))
    return {
        "channel": "telegram",
        "chat_id": CHAT_BASE + index,
        "chat_kind": "private",
        "resident_id": None,  # set by the caller
        "state": state,
        "slots": {},
        "latest_action": None,
        "active": True,
        "created_at": min(updated, waiting_since or updated) - timedelta(minutes=10),
        "updated_at": updated,
        "team_id": team,
        "assignee_id": assignee,
        "area": area,
        "handoff_reason": reason,
        "waiting_since": waiting_since,
        "due_at": due_at,
        "acknowledged_at": waiting_since,
        "last_resident_message_at": waiting_since,
        "replied_at": replied_at,
        "resolved_at": resolved_at,
        "version": 0 if state == "bot" and team is None else 2,
    }


def _messages(conversation_id: int, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Three messages before the conversation's last change."""
    end: datetime = row["updated_at"]
    texts = (
        ("in", "resident", "Milloin Kalliossa aurataan?"),
        ("out", "bot", "Katujen auraus etenee kiireellisyysjärjestyksessä."),
        ("in", "resident", "Haluan puhua ihmisen kanssa."),
    )
    return [
        {
            "conversation_id": conversation_id,
            "direction": direction,
            "author": author,
            "text": body,
            "intent": None,
            "language": "fi",
            "official_id": None,
            "created_at": end - timedelta(minutes=3 - position),
        }
        for position, (direction, author, body) in enumerate(texts)
    ]


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def seed(database: Database, plan: Plan, kind: str) -> Seeded:
    started = time.perf_counter()
    rng = random.Random(5)
    now = datetime.now(UTC)
    hours = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}
    teams = [
        await make_team(database, f"team-{number:02d}", office_hours=hours, sla_minutes=480)
        for number in range(1, TEAMS + 1)
    ]
    team_ids = [team.id for team in teams]
    await make_official(database, email=ADMIN_EMAIL, role="admin", name="Pia Pääkäyttäjä")
    official = await make_official(
        database, email=OFFICIAL_EMAIL, role="official", teams=[teams[0]], name="Ville Virkailija"
    )
    colleagues = {
        team.id: (
            await make_official(
                database, email=f"kollega-{team.key}@hel.fi", role="official", teams=[team]
            )
        ).id
        for team in teams
    }
    kept = 2 * plan.round_trips
    count = plan.conversations
    insert_all = insert(Resident).execution_options(render_nulls=True)
    async with database.transaction() as session:
        residents = [
            {
                "channel": "telegram",
                "external_id": str(CHAT_BASE + index),
                "language": rng.choice(LANGUAGES),
                "platform_language": "fi",
                "created_at": now - YEAR,
                "last_seen_at": now,
            }
            for index in range(count)
        ]
        for chunk in _chunks(residents):
            await session.execute(insert_all, chunk)
        resident_ids = {
            int(external): id_
            for external, id_ in await session.execute(select(Resident.external_id, Resident.id))
        }
        rows = [_conversation(i, kept, rng, now, team_ids, colleagues) for i in range(count)]
        for row in rows:
            row["resident_id"] = resident_ids[row["chat_id"]]
        insert_all = insert(Conversation).execution_options(render_nulls=True)
        for chunk in _chunks(rows):
            await session.execute(insert_all, chunk)
        ids = {
            chat_id: id_
            for chat_id, id_ in await session.execute(select(Conversation.chat_id, Conversation.id))
        }
        messages = [
            message
            for index, row in enumerate(rows)
            if index < kept or index % MESSAGES_EVERY == 0
            for message in _messages(ids[row["chat_id"]], row)
        ]
        insert_all = insert(Message).execution_options(render_nulls=True)
        for chunk in _chunks(messages):
            await session.execute(insert_all, chunk)
    if kind == "postgresql":
        async with database.transaction() as session:
            await session.execute(text("ANALYZE"))
    states: dict[str, int] = {}
    for row in rows:
        states[row["state"]] = states.get(row["state"], 0) + 1
    return Seeded(
        team_id=team_ids[0],
        official_id=official.id,
        kept=[ids[CHAT_BASE + index] for index in range(kept)],
        seconds=time.perf_counter() - started,
        states=states,
        messages=len(messages),
    )


# --------------------------------------------------------------------------- serving


class _Server(uvicorn.Server):
    """uvicorn leaving this process's signal handling alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[str]:
    """The admin API as ``talkkari run`` builds and serves it, alone; yields its API URL."""
    database = Database(url)
    app = build_http_app(
        database=database,
        registry=CollectorRegistry(),
        telegram=None,
        telegram_mode="off",
        clock=SystemClock(),
        secret_key=secrets.token_urlsafe(32),
        bell=InboxBell(),
        timezone=HELSINKI,
    )
    port = free_port()
    server = _Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it served")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}{API_PREFIX}"
    finally:
        server.should_exit = True
        await task
        await database.dispose()


@asynccontextmanager
async def logged_in(base_url: str, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """A keep-alive client with a bearer token of ``email``."""
    limits = httpx.Limits(max_connections=WORKERS * 2, max_keepalive_connections=WORKERS * 2)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as http:
        response = await http.post("/auth/token", data={"username": email, "password": PASSWORD})
        _check(response, 200, "login")
        http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        yield http


def _check(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:300]}")


# --------------------------------------------------------------------------- listings


class RefusedCursor(RuntimeError):
    """``GET /conversations`` refused the ``next_cursor`` it gave."""


async def deep_cursor(http: httpx.AsyncClient, pages: int) -> str:
    """The cursor of page ``pages + 1``, following ``next_cursor`` from the first page; raises
    :class:`RefusedCursor` when the API refuses a cursor it gave."""
    cursor: str | None = None
    for page in range(pages):
        response = await http.get("/conversations", params={"cursor": cursor} if cursor else None)
        if cursor is not None and response.status_code != 200:
            detail = response.json().get("detail") if response.content else None
            raise RefusedCursor(f"page {page + 1}: {response.status_code} {detail}")
        _check(response, 200, "GET /conversations")
        cursor = response.json()["next_cursor"]
        if cursor is None:
            raise RuntimeError(f"fewer than {pages + 1} pages of conversations")
    assert cursor is not None
    return cursor


def _verify(kind: Kind, body: Any, seeded: Seeded) -> int:
    """How many items the page has; raises when they are not what the request asked for."""
    if "items" not in body:
        return 0
    items = body["items"]
    if not items:
        raise RuntimeError(f"{kind.label}: an empty page")
    if kind.who == "official" and any(item["team_id"] != seeded.team_id for item in items):
        raise RuntimeError(f"{kind.label}: conversations of other teams")
    if kind.params.get("state") == "waiting" and any(i["state"] != "waiting" for i in items):
        raise RuntimeError(f"{kind.label}: conversations not waiting")
    times = [item["updated_at"] for item in items]
    if times != sorted(times, reverse=True):
        raise RuntimeError(f"{kind.label}: not newest first")
    return len(items)


async def listings(
    clients: dict[str, httpx.AsyncClient], seeded: Seeded, plan: Plan
) -> tuple[list[Latency], list[str]]:
    """The latencies, and warnings (a deep page that could not be reached is left out)."""
    warnings: list[str] = []
    try:
        deep: str | None = await deep_cursor(clients["admin"], DEEP_PAGES)
    except RefusedCursor as refused:
        deep = None
        warnings.append(f"the deep page is not measured: the API refused its cursor ({refused})")
    kinds = [
        Kind("baseline: GET /me (admin)", "admin", "/me", {}),
        Kind("admin, first page", "admin", "/conversations", {}),
        Kind("admin, state=waiting", "admin", "/conversations", {"state": "waiting"}),
        Kind("official (own team), first page", "official", "/conversations", {}),
        Kind("official, state=waiting", "official", "/conversations", {"state": "waiting"}),
    ]
    if deep is not None:
        label = f"admin, page {DEEP_PAGES + 1} (cursor)"
        kinds.append(Kind(label, "admin", "/conversations", {"cursor": deep}))
    items = {
        kind.label: _verify(kind, (await _get(clients, kind)).json(), seeded) for kind in kinds
    }
    timings: dict[str, list[float]] = {kind.label: [] for kind in kinds}
    for round_ in range(-WARM_UP_ROUNDS, plan.rounds):
        shift = round_ % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            started = time.perf_counter()
            await _get(clients, kind)
            if round_ >= 0:
                timings[kind.label].append(time.perf_counter() - started)
    figures = [
        Latency(
            label=kind.label,
            p50_ms=percentile(timings[kind.label], 0.50) * 1000,
            p99_ms=percentile(timings[kind.label], 0.99) * 1000,
            items=items[kind.label],
        )
        for kind in kinds
    ]
    return figures, warnings


async def _get(clients: dict[str, httpx.AsyncClient], kind: Kind) -> httpx.Response:
    response = await clients[kind.who].get(kind.path, params=kind.params or None)
    _check(response, 200, f"GET {kind.path} {kind.params}")
    return response


# --------------------------------------------------------------------------- claim+reply


async def round_trips(http: httpx.AsyncClient, kept: Sequence[int], plan: Plan) -> list[Rate]:
    async def claim_and_reply(conversation_id: int) -> None:
        path = f"/conversations/{conversation_id}"
        _check(await http.post(f"{path}/claim"), 200, "claim")
        _check(await http.post(f"{path}/messages", json={"text": REPLY}), 201, "reply")

    async def me_twice(_: int) -> None:
        _check(await http.get("/me"), 200, "GET /me")
        _check(await http.get("/me"), 200, "GET /me")

    rates: list[Rate] = []
    count = plan.round_trips
    for workers, batch in ((1, kept[:count]), (WORKERS, kept[count:])):
        mode = "one at a time" if workers == 1 else f"{workers} workers"
        # The baseline's halves bracket the claims, so that drift favours neither.
        half = count // 2
        before = await drive(range(half), workers, me_twice)
        ours = await drive(batch, workers, claim_and_reply)
        after = await drive(range(count - half), workers, me_twice)
        base = before[1] + after[1]
        rates += [
            Rate(
                f"baseline: 2 × GET /me, {mode}",
                count / (before[0] + after[0]),
                percentile(base, 0.50) * 1000,
                percentile(base, 0.99) * 1000,
            ),
            Rate(
                f"claim + reply, {mode}",
                count / ours[0],
                percentile(ours[1], 0.50) * 1000,
                percentile(ours[1], 0.99) * 1000,
            ),
        ]
    return rates


async def bench_database(kind: str, url: str, plan: Plan) -> DatabaseFigures:
    database = Database(url)
    try:
        seeded = await seed(database, plan, kind)
        print(
            f"  seeded {plan.conversations:,} conversations and {seeded.messages:,} messages "
            f"in {seeded.seconds:.1f} s; measuring …",
            flush=True,
        )
        async with (
            serving(url) as base_url,
            logged_in(base_url, ADMIN_EMAIL) as admin,
            logged_in(base_url, OFFICIAL_EMAIL) as official,
        ):
            latencies, warnings = await listings(
                {"admin": admin, "official": official}, seeded, plan
            )
            rates = await round_trips(official, seeded.kept, plan)
        async with database.sessions() as session:
            outbox = await session.scalar(select(func.count(OutboxMessage.id))) or 0
            replies = (
                await session.scalar(
                    select(func.count(Message.id)).where(
                        Message.author == "official", Message.official_id == seeded.official_id
                    )
                )
                or 0
            )
            claimed = (
                await session.scalar(
                    select(func.count(Conversation.id)).where(
                        Conversation.state == "human",
                        Conversation.assignee_id == seeded.official_id,
                        Conversation.replied_at.is_not(None),
                    )
                )
                or 0
            )
    finally:
        await database.dispose()
    return DatabaseFigures(
        database=kind,
        seeded=seeded,
        listings=latencies,
        round_trips=rates,
        replies=replies,
        outbox_rows=outbox,
        claimed=claimed,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- output


def report(plan: Plan, results: Sequence[DatabaseFigures]) -> str:
    first = results[0]
    shares = ", ".join(
        f"{state} {first.seeded.states.get(state, 0) / plan.conversations:.0%}"
        for state, _ in STATES
    )
    lines = [
        "",
        f"N = {plan.conversations:,} conversations in {TEAMS} teams ({shares}), updated over a "
        f"year; {first.seeded.messages:,} messages; {os.cpu_count()} cores",
        "served: build_http_app (as `talkkari run`) alone under uvicorn, no Telegram or "
        "background workers; client: httpx keep-alive, same process",
        "",
        f"GET latency: {plan.rounds} rounds of one request of each kind, interleaved "
        f"(pages of 50; ratio: p50 over the baseline's p50)",
        f"{'':46}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>7}{'items':>7}",
    ]
    for figures in results:
        base = figures.listings[0]
        for latency in figures.listings:
            ratio = f"{latency.p50_ms / base.p50_ms:7.2f}" if latency is not base else " " * 7
            lines.append(
                f"{figures.database + ' ' + latency.label:46}{latency.p50_ms:8.1f}"
                f"{latency.p99_ms:8.1f}{ratio}{latency.items or '':>7}"
            )
        lines += [f"warning: {figures.database}: {warning}" for warning in figures.warnings]
    lines += [
        "",
        f"claim+reply: M = {plan.round_trips:,} waiting conversations of the official's team "
        f"per mode (ratio: round trips/s over the baseline's)",
        f"{'':46}{'rt/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>7}",
    ]
    for figures in results:
        pairs = zip(figures.round_trips[::2], figures.round_trips[1::2], strict=True)
        for base_rate, ours in pairs:
            for rate in (base_rate, ours):
                ratio = f"{rate.per_second / base_rate.per_second:7.2f}" if rate is ours else ""
                lines.append(
                    f"{figures.database + ' ' + rate.label:46}{rate.per_second:8.1f}"
                    f"{rate.p50_ms:8.1f}{rate.p99_ms:8.1f}{ratio}"
                )
        expected = 2 * plan.round_trips
        lines.append(
            f"{figures.database} check: {figures.replies} replies stored, {figures.outbox_rows} "
            f"outbox rows, {figures.claimed} conversations claimed and replied "
            f"(expected {expected} each)"
        )
        if not figures.replies == figures.outbox_rows == figures.claimed == expected:
            lines.append(f"warning: {figures.database}: not every reply landed in the outbox")
    headline = next((f for f in results if f.database == "postgresql"), first)
    plain = headline.listings[1]
    lines += [
        "",
        f"GET /conversations p99 in ms ({headline.database}; {plain.label}, no filter; "
        f"p50 {plain.p50_ms:.1f} ms):",
        f"inbox: {plain.p99_ms:.1f}",
    ]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, databases=("sqlite", "postgresql", "both"))
    parser.add_argument("--conversations", type=int, help="N, conversations seeded")
    parser.add_argument("--rounds", type=int, help="R, rounds of GET requests")
    parser.add_argument("--round-trips", type=int, help="M, claim+reply round trips per mode")
    arguments = parser.parse_args(argv)
    if arguments.rounds is not None and arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    if arguments.round_trips is not None and arguments.round_trips < 2:
        parser.error("--round-trips must be at least 2")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    quiet_logs(QUIET_LOGGERS)
    plan = Plan(
        conversations=arguments.conversations or (10_000 if arguments.quick else 100_000),
        rounds=arguments.rounds or (100 if arguments.quick else 300),
        round_trips=arguments.round_trips or (100 if arguments.quick else 500),
    )
    # Enough for the kept conversations and a page past the deep one.
    least = 2 * plan.round_trips + 50 * (DEEP_PAGES + 2)
    if plan.conversations < least:
        print(f"error: at least {least:,} conversations are needed", file=sys.stderr)
        return 2
    kinds = database_kinds(arguments.database)
    results: list[DatabaseFigures] = []
    for kind in kinds:
        print(f"inbox on {kind}: N = {plan.conversations:,} …", flush=True)
        with fresh_database(kind) as url:
            results.append(asyncio.run(bench_database(kind, url, plan)))
    print(report(plan, results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
