"""Roles one replica at a time holds: a PostgreSQL session-level advisory lock.

The lock lives as long as the connection that took it: a process that dies (even by SIGKILL)
closes its connection and PostgreSQL frees the lock at once, so another replica can take it
at its next try. Standbys try with ``pg_try_advisory_lock`` now and then rather than wait in
``pg_advisory_lock``: a statement that waits holds a snapshot, and a snapshot held for hours
keeps VACUUM from cleaning the busy queue tables.

Needs a session of its own on the server: not through a pooler in transaction mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from store.database import Database
from store.notify import dedicated_connection, discard

__all__ = ["AdvisoryRole", "advisory_key"]

log = logging.getLogger(__name__)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (the same in every process and version)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryRole:
    """The role ``name``, held by at most one connection to the database at a time.

    :meth:`try_take` takes it if it is free (keeping one connection open between tries);
    :meth:`until_lost` returns when it is no longer held, because the connection dropped or
    stopped answering (checked every ``check_seconds``); :meth:`give_up` frees it by closing
    the connection. Never given back to the pool: the lock would go with it.
    """

    def __init__(
        self,
        database: Database,
        name: str,
        *,
        check_seconds: float = 10.0,
        check_timeout: float = 5.0,
    ) -> None:
        self.name = name
        self._db = database
        self._key = advisory_key(name)
        self._check_seconds = check_seconds
        self._check_timeout = check_timeout
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._lost = asyncio.Event()
        self._held = False

    @property
    def held(self) -> bool:
        return self._held and not self._lost.is_set()

    async def try_take(self) -> bool:
        """True when this process holds the role now (taken now or before); raises when the
        database cannot be reached."""
        if self.held:
            return True
        if self._connection is not None and self._lost.is_set():
            await self._drop()
        if self._connection is None:
            self._connection, self._driver = await dedicated_connection(self._db)
            lost = self._lost = asyncio.Event()
            self._driver.add_termination_listener(lambda _connection: lost.set())
        try:
            taken = await asyncio.wait_for(
                self._driver.fetchval("SELECT pg_try_advisory_lock($1)", self._key),
                self._check_timeout,
            )
        except BaseException:
            await self._drop()
            raise
        self._held = bool(taken)
        return self._held

    async def until_lost(self) -> None:
        """Return once the role is no longer held (at once if it is not)."""
        while self.held:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self._check_seconds)
                break
            try:
                await asyncio.wait_for(self._driver.fetchval("SELECT 1"), self._check_timeout)
            except Exception as exc:
                log.warning("role %s: its connection does not answer (%s)", self.name, exc)
                break
        await self._drop()

    async def give_up(self) -> None:
        """Free the role (closing its connection frees the lock)."""
        await self._drop()

    async def _drop(self) -> None:
        self._held = False
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            await discard(connection)
