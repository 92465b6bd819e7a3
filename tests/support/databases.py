"""Databases for tests: a migrated template once per run, a fresh copy for every test.

A copy per test (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL) isolates
tests that run several processes or workers against one database, which a rolled-back
transaction cannot.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from pathlib import Path

from store import Database, upgrade
from tests.support.postgres import PostgresServer

__all__ = ["PostgresTemplate", "SqliteTemplate"]

TEMPLATE_NAME = "talkkari_template"


def _migrate(url: str) -> None:
    async def migrate() -> None:
        database = Database(url)
        try:
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(migrate())


class SqliteTemplate:
    def __init__(self, directory: Path) -> None:
        self._path = directory / "template.db"
        _migrate(f"sqlite+aiosqlite:///{self._path}")

    def fresh_url(self, directory: Path) -> str:
        copy = directory / "talkkari.db"
        shutil.copyfile(self._path, copy)
        return f"sqlite+aiosqlite:///{copy}"


class PostgresTemplate:
    def __init__(self, server: PostgresServer) -> None:
        self._server = server
        self._counter = itertools.count(1)
        server.create_database(TEMPLATE_NAME)
        _migrate(server.url(TEMPLATE_NAME))

    def fresh_url(self) -> str:
        name = f"talkkari_test_{next(self._counter)}"
        self._server.create_database(name, template=TEMPLATE_NAME)
        return self._server.url(name)
