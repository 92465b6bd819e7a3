"""What the benchmarks share: their command line's common options, quiet logs, a nearest-rank
percentile and a throwaway, freshly migrated database.

A benchmark runs as a script (``python bench/NAME.py``), so it puts the repository on
``sys.path`` itself before it imports this module.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from store import Database, upgrade
from tests.support.databases import SqliteTemplate
from tests.support.postgres import make_server


def bench_parser(doc: str | None, *, databases: Sequence[str]) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of ``doc``, with ``--quick`` and
    ``--database`` (one of ``databases``, the first the default)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--quick", action="store_true", help="a run under a minute")
    parser.add_argument("--database", choices=databases, default=databases[0])
    return parser


def database_kinds(choice: str) -> tuple[str, ...]:
    """The databases ``--database`` asks for: ``both`` is SQLite, then PostgreSQL."""
    return ("sqlite", "postgresql") if choice == "both" else (choice,)


def quiet_logs(loggers: Iterable[str]) -> None:
    """Warnings and worse only, from ``loggers`` too, so that the report stays readable."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in loggers:
        logging.getLogger(name).setLevel(logging.WARNING)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of a freshly migrated, empty database, deleted afterwards: an SQLite file in a
    temporary directory, or a database on a throwaway PostgreSQL server."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="talkkari-bench-") as directory:
            path = Path(directory)
            (path / "template").mkdir()
            yield SqliteTemplate(path / "template").fresh_url(path)
        return
    with make_server() as server:
        name = f"talkkari_bench_{int(time.time())}"
        server.create_database(name)
        try:
            url = server.url(name)
            asyncio.run(_migrate(url))
            yield url
        finally:
            server.drop_database(name)
