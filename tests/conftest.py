"""Fixtures: databases on SQLite and PostgreSQL, the fake Bot API, the bot running in process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from intents import Understanding
from store import Database
from tests.fakes.telegram import FakeTelegram
from tests.support.databases import PostgresTemplate, SqliteTemplate
from tests.support.postgres import PostgresServer, make_server, skip_unless_postgres


@pytest.fixture(scope="session", autouse=True)
def nlu_cache(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The trained understanding, trained once and kept in pytest's cache between runs.

    Every way the suite starts the bot (in process or as ``talkkari`` processes) reads
    ``TALKKARI_NLU_CACHE_DIR`` and so loads this model instead of training its own.
    """
    directory = Path(request.config.cache.mkdir("nlu-model"))
    Understanding.load_or_train(directory)
    previous = os.environ.get("TALKKARI_NLU_CACHE_DIR")
    os.environ["TALKKARI_NLU_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("TALKKARI_NLU_CACHE_DIR", None)
    else:
        os.environ["TALKKARI_NLU_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def understanding(nlu_cache: Path) -> Understanding:
    return Understanding.load_or_train(nlu_cache)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    skip_unless_postgres()
    with make_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> PostgresTemplate:
    return PostgresTemplate(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        return template.fresh_url(tmp_path)
    postgres: PostgresTemplate = request.getfixturevalue("postgres_template")
    return postgres.fresh_url()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake
