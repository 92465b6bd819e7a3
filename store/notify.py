"""Replicas waking each other: PostgreSQL ``LISTEN/NOTIFY``.

A writer calls :func:`notify` in the transaction that stores the work (an inbound update,
outbox rows, an inbox event); PostgreSQL delivers the notification when, and only if, that
transaction commits, to every process that listens for the topic, this one included. Each
process runs one :class:`Listener` on a connection of its own, which calls the topic's handler
(setting a doorbell) and reconnects when the connection drops; after every (re)connect it calls
every handler once, as notifications sent while it was away are not kept. A notification
carries no payload: it only says "look again".

On SQLite there is one process: :func:`notify` rings the handlers registered with
:meth:`Database.on_notify` when the transaction commits, and a :class:`FileWatch` stands in
for the listener for what another process writes to the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from store.database import Database

__all__ = [
    "ARTICLES",
    "INBOUND",
    "INBOX",
    "NOTICES",
    "OUTBOX",
    "TOPICS",
    "FileWatch",
    "Listener",
    "dedicated_connection",
    "discard",
    "notify",
    "wait_for_bell",
]

log = logging.getLogger(__name__)

INBOUND = "talkkari_inbound"
"""Inbound updates were stored: the intake looks for work."""
OUTBOX = "talkkari_outbox"
"""Outbox rows were queued: the sender looks for work."""
INBOX = "talkkari_inbox"
"""Inbox events were written: open inbox streams read them."""
NOTICES = "talkkari_notices"
"""A notice was scheduled: the notice dispatcher looks at once rather than at its next round."""
ARTICLES = "talkkari_articles"
"""A service article was saved: every replica reloads its knowledge."""
TOPICS = (INBOUND, OUTBOX, INBOX, NOTICES, ARTICLES)

_NOTIFY = {topic: text(f"NOTIFY {topic}") for topic in TOPICS}


async def wait_for_bell(stop: asyncio.Event, bell: asyncio.Event, *, seconds: float) -> None:
    """Return when ``stop`` or ``bell`` is set, or after ``seconds``: a worker's idle wait
    between rounds, woken early by its doorbell."""
    waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(bell.wait())}
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


async def notify(session: AsyncSession, topic: str) -> None:
    """Wake the replicas listening for ``topic`` once ``session``'s transaction commits.

    PostgreSQL sends one notification per topic and transaction however often this is called.
    On SQLite this process's handlers for ``topic`` ring after the commit."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_NOTIFY[topic])
        return
    handlers = session.info.get("doorbells", {}).get(topic, ())
    if handlers:

        def ring(_session: Any) -> None:
            for handler in handlers:
                handler()

        event.listen(session.sync_session, "after_commit", ring, once=True)


async def dedicated_connection(database: Database) -> tuple[AsyncConnection, Any]:
    """A connection taken out of the pool for good, and its asyncpg connection.

    Close it with :func:`discard`: it is not given back to the pool, as it may hold a
    session's state (a listener, an advisory lock) that must end with it."""
    connection = await database.engine.connect()
    try:
        raw = await connection.get_raw_connection()
    except BaseException:
        await connection.close()
        raise
    return connection, raw.driver_connection


async def discard(connection: AsyncConnection) -> None:
    """Close a :func:`dedicated_connection` for good (whatever it held ends with it)."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()


class Listener:
    """Rings the handlers of ``database.on_notify(topic, …)`` whenever a ``NOTIFY topic``
    commits anywhere (PostgreSQL).

    :meth:`run` listens until ``stop`` is set, on one connection of its own, reconnecting
    (with a growing pause) when it drops. Handlers must be quick and must not raise: they set
    a doorbell. Topics are those registered when the connection opens."""

    def __init__(
        self,
        database: Database,
        *,
        first_retry_seconds: float = 1.0,
        max_retry_seconds: float = 30.0,
    ) -> None:
        self._db = database
        self._first_retry = first_retry_seconds
        self._max_retry = max_retry_seconds
        self.listening = asyncio.Event()
        """Set while notifications are heard (tests may wait for it)."""

    async def run(self, stop: asyncio.Event) -> None:
        pause = self._first_retry
        while not stop.is_set():
            lost = asyncio.Event()
            try:
                connection, driver = await dedicated_connection(self._db)
            except Exception as exc:
                log.warning("listener: cannot connect (%s); retrying in %.0f s", exc, pause)
            else:
                try:
                    for topic in list(self._db.doorbells):
                        await driver.add_listener(topic, self._heard)
                    driver.add_termination_listener(_setter(lost))
                    self.listening.set()
                    pause = self._first_retry
                    self._ring_all()  # whatever was notified while nobody listened
                    await _first_of(stop, lost)
                    if not stop.is_set():
                        log.warning("listener: the connection dropped; reconnecting")
                except Exception as exc:
                    log.warning("listener: listening failed (%s); retrying in %.0f s", exc, pause)
                finally:
                    self.listening.clear()
                    await discard(connection)
            if stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
            pause = min(pause * 2, self._max_retry)

    def _heard(self, _connection: Any, _pid: int, topic: str, _payload: str) -> None:
        for handler in self._db.doorbells.get(topic, ()):
            handler()

    def _ring_all(self) -> None:
        _ring_all(self._db)


class FileWatch:
    """SQLite's stand-in for :class:`Listener`: rings every handler of
    ``database.on_notify`` when the database file or its write-ahead log changed.

    Another process writing the same file (a second ``talkkari`` command, a test) cannot
    notify this one, but its commit changes the files' sizes or times. Looking is a ``stat``
    every ``seconds``: no query and no thread, so an idle process stays quiet while its
    workers wait on their doorbells. This process's own commits ring too, harmlessly (one
    more look by each worker)."""

    def __init__(self, database: Database, *, seconds: float = 1.0) -> None:
        self._db = database
        self._seconds = seconds
        name = make_url(database.url).database
        self._paths = [f"{name}{suffix}" for suffix in ("", "-wal")] if name else []

    def _stamp(self) -> tuple[tuple[int, int] | None, ...]:
        stamps: list[tuple[int, int] | None] = []
        for path in self._paths:
            try:
                found = os.stat(path)
            except OSError:
                stamps.append(None)
            else:
                stamps.append((found.st_size, found.st_mtime_ns))
        return tuple(stamps)

    async def run(self, stop: asyncio.Event) -> None:
        if not self._paths:  # an in-memory database: nobody else can write it
            await stop.wait()
            return
        seen = self._stamp()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._seconds)
            stamp = self._stamp()
            if stamp != seen:
                seen = stamp
                _ring_all(self._db)


def _ring_all(database: Database) -> None:
    for handlers in database.doorbells.values():
        for handler in handlers:
            handler()


def _setter(event: asyncio.Event) -> Callable[[Any], None]:
    return lambda _connection: event.set()


async def _first_of(*events: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()
