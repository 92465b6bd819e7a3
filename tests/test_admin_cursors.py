"""A cursor is the client's to send back, and anyone's to forge: every listing answers a
forged one 422 (or a page), never 5xx, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkkari.runtime import Runtime
from tests.support.admin import AdminClient, make_official
from tests.support.running import bot_settings, running_bot

LISTINGS = ("/conversations", "/cases", "/audit", "/notices", "/areas/channels")

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text()  # NUL and lone surrogates included
    | st.fixed_dictionaries({"at": st.text() | st.datetimes().map(lambda at: at.isoformat())})
)
KEYS = st.lists(st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6),
                max_size=3)  # fmt: skip


def _cursor(key: object) -> str:
    # ensure_ascii keeps lone surrogates as JSON escapes, as a forger would send them.
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, None)) as runtime:
        yield runtime


async def test_forged_cursors_get_422_never_5xx(bot: Runtime) -> None:
    await make_official(bot.database, email="admin@hel.fi", role="admin")
    async with AdminClient.of(bot) as admin:
        await admin.login("admin@hel.fi")
        base_url, headers = str(admin.http.base_url), dict(admin.http.headers)
    answers: list[tuple[str, int]] = []

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(path=st.sampled_from(LISTINGS), key=KEYS)
    def forge(path: str, key: object) -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            response = client.get(path, params={"cursor": _cursor(key)})
        answers.append((path, response.status_code))
        assert response.status_code < 500, (path, key, response.text)

    # The server runs on this loop: the forger's blocking client runs beside it.
    await asyncio.to_thread(forge)
    crafted = [_cursor(["\x00"]), _cursor(["\ud800"]), _cursor([2**70, 1]), _cursor([1.5, "x"])]
    async with AdminClient.of(bot) as admin:
        await admin.login("admin@hel.fi")
        for path in LISTINGS:
            for cursor in crafted:
                response = await admin.get(path, cursor=cursor)
                assert response.status_code == 422, (path, cursor, response.text)
    assert {status for _, status in answers} <= {200, 422}
