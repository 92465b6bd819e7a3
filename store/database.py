"""The engine and sessions: one :class:`Database` per process, built from the database URL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = ["Database", "insert_new"]

log = logging.getLogger(__name__)

_ERASED = "store.erased"


class Database:
    """An async engine with a session factory.

    SQLite runs in WAL mode with a busy timeout, so a second process (``talkkari chat`` beside
    ``talkkari run``) can read and write the same file; PostgreSQL gets a connection pool sized
    for one process's workers.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        # hide_parameters: an error message must not carry residents' texts into the logs.
        options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30}
        else:
            # No pre-ping: it costs a round trip per checkout; stale connections are recycled.
            options.update(pool_size=10, max_overflow=10, pool_recycle=1800)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.doorbells: dict[str, list[Callable[[], None]]] = {}
        """Topic → what rings in this process when a transaction that notified it commits
        (:func:`store.notify.notify`; on PostgreSQL the listener rings them, for every replica)."""
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"doorbells": self.doorbells}
        )
        # SQLite has one writer at a time; taking turns here beats its busy-wait back-off.
        self._write_turn = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits at the end of the block, or rolls back on an error.

        On SQLite, transactions of this process take turns: do not open one inside another.
        """
        if self._write_turn is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_turn:
            async with self.sessions() as session, session.begin():
                yield session
            if session.info.get(_ERASED):
                await self._checkpoint()

    async def _checkpoint(self) -> None:
        """Move the write-ahead log into the database file and empty it: with ``secure_delete``
        the erased rows' pages are zeroed there, and the log's old copies of them are gone."""
        async with self.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = result.scalar()
        if busy:  # a reader held an old snapshot: the next erasure's checkpoint takes it all
            log.warning("sqlite: the write-ahead log could not be emptied after an erasure")

    @staticmethod
    def erase_files_after_commit(session: AsyncSession) -> None:
        """Personal data was deleted in ``session``'s transaction: once it commits, make sure
        no file keeps a copy (SQLite's write-ahead log; PostgreSQL's vacuum does its own)."""
        session.info[_ERASED] = True

    def on_notify(self, topic: str, handler: Callable[[], None]) -> None:
        """Call ``handler`` when a transaction of this process that notified ``topic`` commits
        (on SQLite; on PostgreSQL a :class:`store.notify.Listener` calls it for every replica's)."""
        self.doorbells.setdefault(topic, []).append(handler)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten with zeros, not left in free pages: erasure is erasure.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def insert_new(model: Any, dialect: str, **conflict: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for ``model`` on SQLite or PostgreSQL: rows that
    exist already are left as they are. ``conflict`` is passed to ``on_conflict_do_nothing``."""
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return insert(model).on_conflict_do_nothing(**conflict)
