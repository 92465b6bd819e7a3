"""Throwaway PostgreSQL servers for the test suite.

A :class:`PostgresServer` either owns a private server (``initdb`` + ``pg_ctl`` in a fresh
temporary directory, trust authentication, user ``postgres``, listening on a free loopback
port) or, when ``TALKKARI_TEST_POSTGRES_URL`` is set, wraps that existing server without
starting or stopping anything.  Either way tests get SQLAlchemy URLs from :meth:`url` and
create or drop scratch databases with :meth:`create_database` / :meth:`drop_database`.

PostgreSQL refuses to run as root; when the test process is root the server binaries run as
the ``postgres`` system user through ``runuser``.
"""

from __future__ import annotations

import asyncio
import atexit
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest
from sqlalchemy import NullPool
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

URL_ENV = "TALKKARI_TEST_POSTGRES_URL"
"""Environment variable naming an existing server to use instead of starting one."""

REQUIRE_ENV = "TALKKARI_REQUIRE_POSTGRES"
"""When set to ``1``, tests that need PostgreSQL fail instead of skipping."""

_SYSTEM_USER = "postgres"
_SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    " -c full_page_writes=off -c max_connections=200"
)
_COMMAND_TIMEOUT = 120.0
_LOG_TAIL_LINES = 40


def find_pg_bin() -> Path | None:
    """Return the directory holding both ``pg_ctl`` and ``initdb``, or None.

    ``pg_ctl`` on PATH wins (symlinks resolved, so the directory is the real server bin dir
    with ``createdb``, ``psql`` and friends); otherwise the newest
    ``/usr/lib/postgresql/<major>/bin``.
    """
    on_path = shutil.which("pg_ctl")
    candidates: list[Path] = []
    if on_path is not None:
        candidates += [Path(on_path).resolve().parent, Path(on_path).parent]
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versioned), key=_major_version, reverse=True)
    for directory in candidates:
        if all(os.access(directory / tool, os.X_OK) for tool in ("pg_ctl", "initdb")):
            return directory
    return None


def _major_version(bin_dir: Path) -> tuple[int, str]:
    """Sort key for ``/usr/lib/postgresql/<major>/bin``: numeric major version first."""
    name = bin_dir.parent.name
    return (int(name) if name.isdigit() else -1, name)


def existing_server_url() -> str | None:
    """Return ``$TALKKARI_TEST_POSTGRES_URL`` if set and non-empty, else None."""
    return os.environ.get(URL_ENV) or None


def postgres_available() -> bool:
    """True when tests can get a PostgreSQL server: an existing URL or local binaries."""
    return existing_server_url() is not None or find_pg_bin() is not None


def postgres_required() -> bool:
    """True when ``$TALKKARI_REQUIRE_POSTGRES`` is ``1``: a missing server is a failure."""
    return os.environ.get(REQUIRE_ENV) == "1"


def skip_unless_postgres() -> None:
    """Skip the calling test (or fail it, if required) when no PostgreSQL is available."""
    if postgres_available():
        return
    reason = f"no PostgreSQL: no pg_ctl/initdb found and {URL_ENV} is not set"
    if postgres_required():
        pytest.fail(f"{reason}, but {REQUIRE_ENV}=1")
    pytest.skip(reason)


def make_server() -> PostgresServer:
    """Return an unstarted server: the ``$TALKKARI_TEST_POSTGRES_URL`` one, else a new one."""
    url = existing_server_url()
    return PostgresServer.from_url(url) if url is not None else PostgresServer()


class PostgresServer:
    """A PostgreSQL server for tests; also a context manager (start on enter, stop on exit).

    Servers made with the constructor are owned: :meth:`start` creates them and :meth:`stop`
    kills them and deletes their files.  Servers made with :meth:`from_url` are borrowed:
    start and stop do nothing, but URLs and database helpers work the same.
    """

    def __init__(self, bin_dir: Path | None = None) -> None:
        """Prepare (not start) an owned server using ``bin_dir`` or :func:`find_pg_bin`."""
        self._bin_dir = bin_dir
        self._owned = True
        self._base: URL | None = None
        self._tempdir: Path | None = None

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Wrap an existing server; ``url`` is any SQLAlchemy PostgreSQL URL."""
        server = cls()
        server._owned = False
        server._base = make_url(url)
        return server

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop` (always for borrowed)."""
        return self._base is not None

    @property
    def port(self) -> int:
        """The TCP port the server listens on; only valid while running."""
        return self._require_base().port or 5432

    @property
    def directory(self) -> Path | None:
        """The owned server's temporary directory (data, socket, ``server.log``), or None."""
        return self._tempdir

    def url(self, database: str = "postgres", *, driver: str = "asyncpg") -> str:
        """SQLAlchemy URL for ``database``, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:N/x``.

        An empty ``driver`` gives a plain ``postgresql://`` URL.  Passwords are included.
        """
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        url = self._require_base().set(drivername=scheme, database=database)
        return url.render_as_string(hide_password=False)

    def create_database(self, name: str, *, template: str | None = None) -> None:
        """Create database ``name``, copying ``template`` if given.

        The template must have no open connections (dispose engines that used it first).
        Safe to call from inside a running event loop: the work runs in its own thread.
        """
        statement = f"CREATE DATABASE {_quote_ident(name)}"
        if template is not None:
            statement += f" TEMPLATE {_quote_ident(template)}"
        self._execute(statement)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, terminating any sessions still connected."""
        self._execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")

    def start(self) -> None:
        """Initialise and start an owned server (no-op if running or borrowed).

        Raises RuntimeError, with command output and the server log's tail, on failure;
        nothing is left behind then.
        """
        if self.running:
            return
        bin_dir = self._bin_dir = self._bin_dir or find_pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries (pg_ctl, initdb) not found")
        atexit.register(self.stop)
        try:
            self._tempdir = self._make_tempdir()
            data = self._tempdir / "data"
            self._initdb(bin_dir, data)
            port = _free_port()
            options = (
                f"{_SERVER_OPTIONS} -c port={port}"
                f" -c unix_socket_directories={shlex.quote(str(self._tempdir))}"
            )
            log = self._tempdir / "server.log"
            args = ["start", "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options]
            self._run_checked([str(bin_dir / "pg_ctl"), *args], "pg_ctl start")
        except BaseException:
            self.stop()
            raise
        self._base = URL.create("postgresql", username="postgres", host="127.0.0.1", port=port)

    def stop(self) -> None:
        """Stop an owned server immediately and delete its directory; idempotent.

        Borrowed servers are left alone.  Also runs at interpreter exit.
        """
        if not self._owned:
            return
        atexit.unregister(self.stop)
        self._base = None
        tempdir, self._tempdir = self._tempdir, None
        if tempdir is None:
            return
        data = tempdir / "data"
        if self._bin_dir is not None and (data / "postmaster.pid").exists():
            pg_ctl = str(self._bin_dir / "pg_ctl")
            self._run([pg_ctl, "stop", "-m", "immediate", "-w", "-D", str(data)], cwd=tempdir)
        shutil.rmtree(tempdir, ignore_errors=True)

    def __enter__(self) -> Self:
        """Start the server and return it."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    def _require_base(self) -> URL:
        if self._base is None:
            raise RuntimeError("PostgreSQL server is not running")
        return self._base

    def _make_tempdir(self) -> Path:
        """A fresh 0700 directory the server user owns and can reach."""
        if os.geteuid() != 0:
            return Path(tempfile.mkdtemp(prefix="talkkari-pg-"))
        try:
            user = pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            raise RuntimeError(
                f"running as root, but there is no {_SYSTEM_USER!r} user to run PostgreSQL as"
            ) from None
        # /tmp rather than $TMPDIR: the latter may sit under a directory only root can enter.
        path = Path(tempfile.mkdtemp(prefix="talkkari-pg-", dir="/tmp"))
        os.chown(path, user.pw_uid, user.pw_gid)
        return path

    def _initdb(self, bin_dir: Path, data: Path) -> None:
        base = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        base += ["--encoding=UTF8", "--no-sync"]
        first = self._run([*base, "--locale=C.UTF-8"])
        if first.returncode == 0:
            return
        shutil.rmtree(data, ignore_errors=True)
        self._run_checked([*base, "--no-locale"], "initdb", earlier=first.stdout)

    def _run(self, args: list[str], *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run a server binary (as the server user when root), output merged into stdout.

        It runs in ``cwd`` or the server directory, which the server user can always enter.
        """
        prefix = ["runuser", "-u", _SYSTEM_USER, "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *args],
            cwd=cwd or self._tempdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        )

    def _run_checked(self, args: list[str], what: str, *, earlier: str = "") -> None:
        result = self._run(args)
        if result.returncode == 0:
            return
        message = f"{what} failed with exit code {result.returncode}:\n{earlier}{result.stdout}"
        log = self._tempdir / "server.log" if self._tempdir is not None else None
        if log is not None and log.exists():
            tail = log.read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
            message += f"\n--- tail of {log.name} ---\n" + "\n".join(tail)
        raise RuntimeError(message)

    def _execute(self, statement: str) -> None:
        """Run one autocommit statement in the maintenance database ``postgres``."""
        url = self.url("postgres")

        async def execute() -> None:
            engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            try:
                async with engine.connect() as connection:
                    await connection.exec_driver_sql(statement)
            finally:
                await engine.dispose()

        _run_in_thread(execute)


def _run_in_thread(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion on a private event loop in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(make())).result()


def _quote_ident(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
