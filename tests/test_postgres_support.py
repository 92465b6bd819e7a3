"""Tests for the throwaway PostgreSQL server in ``tests.support.postgres``."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import postgres
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """One server for the module: ``$TALKKARI_TEST_POSTGRES_URL`` or a private one."""
    postgres.skip_unless_postgres()
    with postgres.make_server() as running:
        yield running


@pytest.fixture
def local_only() -> None:
    """Skip tests of server lifecycle when only a borrowed server is available."""
    postgres.skip_unless_postgres()
    if postgres.find_pg_bin() is None:
        pytest.skip(f"uses local PostgreSQL binaries; only {postgres.URL_ENV} is available")


def _name(prefix: str) -> str:
    """A database name unlikely to clash on a shared server."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def _scalar(url: str, query: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(query))).scalar_one()
    finally:
        await engine.dispose()


async def test_database_from_template_has_its_tables(server: PostgresServer) -> None:
    template, copy = _name("tmpl"), _name("copy")
    server.create_database(template)
    try:
        engine = create_async_engine(server.url(template))
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE widget (id int PRIMARY KEY)"))
                await connection.execute(text("INSERT INTO widget VALUES (7)"))
        finally:
            await engine.dispose()

        server.create_database(copy, template=template)
        assert await _scalar(server.url(copy), "SELECT id FROM widget") == 7

        server.drop_database(copy)
        exists = f"SELECT count(*) FROM pg_database WHERE datname = '{copy}'"
        assert await _scalar(server.url(), exists) == 0
    finally:
        server.drop_database(copy)
        server.drop_database(template)


async def test_drop_database_ends_open_sessions(server: PostgresServer) -> None:
    name = _name("busy")
    server.create_database(name)
    engine = create_async_engine(server.url(name))
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            server.drop_database(name)
            with pytest.raises(DBAPIError, match="terminating connection"):
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    exists = f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    assert await _scalar(server.url(), exists) == 0


async def test_borrowed_server_shares_urls_and_helpers(server: PostgresServer) -> None:
    borrowed = PostgresServer.from_url(server.url())
    assert borrowed.url("x", driver="") == server.url("x", driver="")
    name = _name("borrowed")
    with borrowed:
        borrowed.create_database(name)
    # Leaving the context must not have stopped the real server.
    assert await _scalar(server.url(name), "SELECT current_database()") == name
    borrowed.drop_database(name)


@pytest.mark.usefixtures("local_only")
def test_owned_server_lifecycle() -> None:
    server = PostgresServer()
    server.start()
    directory = server.directory
    assert directory is not None
    assert (directory / "server.log").exists()
    assert server.url() == f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/postgres"
    assert server.url("db", driver="psycopg").startswith("postgresql+psycopg://")
    server.stop()
    server.stop()
    assert not server.running
    assert not directory.exists()
    with pytest.raises(RuntimeError, match="not running"):
        server.url()


@pytest.mark.usefixtures("local_only")
def test_failed_start_reports_server_log(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(postgres, "_free_port", lambda: taken.getsockname()[1])
        server = PostgresServer()
        with pytest.raises(RuntimeError, match=r"tail of server\.log") as failure:
            server.start()
    assert "could not create any TCP/IP sockets" in str(failure.value)
    assert not server.running
    assert server.directory is None
