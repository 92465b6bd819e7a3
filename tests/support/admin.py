"""The admin API for tests: people and teams in the database, and a client over real HTTP.

Use with the running process (:func:`tests.support.running.running_bot`)::

    async with running_bot(bot_settings(database_url, None)) as runtime:
        await make_official(runtime.database, email="a@hel.fi", role="admin")
        async with AdminClient.of(runtime) as admin:
            await admin.login("a@hel.fi")
            teams = await admin.get_ok("/teams")
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Iterable, Iterator
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select

from admin_api import API_PREFIX
from store import Database, Membership, Official, Team
from talkkari.runtime import Runtime
from tests.support.clock import ShiftedClock
from tests.support.running import free_port

__all__ = [
    "PASSWORD",
    "AdminClient",
    "ShiftedClock",
    "make_official",
    "make_team",
    "official_by_email",
    "serving",
]

PASSWORD = "kaupungin-salasana-123"


class _Server(uvicorn.Server):
    """uvicorn leaving the test process's signal handling alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """``app`` served over HTTP on a free local port; yields its base URL. For an admin API
    built with its own :class:`~admin_api.AdminContext` (hooks the process does not wire)."""
    port = free_port()
    server = _Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@functools.cache
def _hash(password: str) -> str:
    # The production parameters, so that wrong passwords cost what unknown accounts do; one
    # hash per password per run keeps the suite fast.
    return PasswordHasher().hash(password)


async def make_team(database: Database, key: str, **fields: Any) -> Team:
    """A team with the ``key``; names default to it, other columns to the model's defaults."""
    values: dict[str, Any] = {
        "name_fi": f"{key} (fi)",
        "name_sv": f"{key} (sv)",
        "name_en": f"{key} (en)",
        "office_hours": {},
    }
    values.update(fields)
    async with database.transaction() as session:
        team = Team(key=key, **values)
        session.add(team)
    return team


async def make_official(
    database: Database,
    *,
    email: str,
    role: str,
    teams: Iterable[Team | int] = (),
    password: str = PASSWORD,
    name: str | None = None,
    title: str = "Asiantuntija",
    active: bool = True,
) -> Official:
    async with database.transaction() as session:
        official = Official(
            email=email.lower(),
            name=name or email.split("@")[0].title(),
            title_fi=title,
            languages={"spoken": ["fi"]},
            role=role,
            password_hash=_hash(password),
            active=active,
        )
        session.add(official)
        await session.flush()
        session.add_all(
            Membership(official_id=official.id, team_id=team if isinstance(team, int) else team.id)
            for team in teams
        )
    return official


async def official_by_email(database: Database, email: str) -> Official | None:
    async with database.sessions() as session:
        return await session.scalar(select(Official).where(Official.email == email))


class AdminClient:
    """``httpx.AsyncClient`` on the running process's ``/api/v1``, with a bearer token once
    :meth:`login` succeeded. The plain methods return the response; ``*_ok`` ones assert a
    2xx and return the JSON body."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url + API_PREFIX, timeout=30)
        self.token: str | None = None

    @classmethod
    def of(cls, runtime: Runtime) -> AdminClient:
        return cls(f"http://127.0.0.1:{runtime.settings.port}")

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.http.aclose()

    async def token_response(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post("/auth/token", data={"username": email, "password": password})

    async def login(self, email: str, password: str = PASSWORD) -> str:
        response = await self.token_response(email, password)
        assert response.status_code == 200, response.text
        self.use_token(response.json()["access_token"])
        assert self.token is not None
        return self.token

    def use_token(self, token: str | None) -> None:
        self.token = token
        if token is None:
            self.http.headers.pop("Authorization", None)
        else:
            self.http.headers["Authorization"] = f"Bearer {token}"

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params or None)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.http.post(path, json=body)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.http.patch(path, json=body)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.http.put(path, json=body)

    async def delete(self, path: str) -> httpx.Response:
        return await self.http.delete(path)

    async def get_ok(self, path: str, **params: Any) -> Any:
        return _ok(await self.get(path, **params))

    async def post_ok(self, path: str, body: Any = None) -> Any:
        return _ok(await self.post(path, body))

    async def patch_ok(self, path: str, body: Any) -> Any:
        return _ok(await self.patch(path, body))

    async def put_ok(self, path: str, body: Any) -> Any:
        return _ok(await self.put(path, body))

    async def audit(self, **filters: Any) -> list[dict[str, Any]]:
        """Every audit entry matching ``filters``, newest first, following the cursors."""
        entries: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = await self.get_ok("/audit", **filters, **({"cursor": cursor} if cursor else {}))
            entries += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return entries


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None
