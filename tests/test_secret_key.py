"""The secret key, with ``talkkari`` as real processes: ``run`` does not start without a strong
one, and the demo makes its own, kept in the data directory, that tokens signed with the old
built-in key or an empty key do not pass."""

from __future__ import annotations

import asyncio
import base64
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt
import pytest

from admin_api import API_PREFIX
from admin_api.context import AUDIENCE, ISSUER
from admin_api.keys import MAKE_A_KEY, derived_key, key_id, weak_key_reason
from talkkari.places import DEMO_KEY_FILE
from tests.support.running import ROOT, BotProcess, free_port, new_secret_key

pytestmark = pytest.mark.slow

PASSWORD = "demon-salasana-on-pitkä"


def base_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TALKKARI_NLU_CACHE_DIR": os.environ["TALKKARI_NLU_CACHE_DIR"],
        "TALKKARI_DATA_DIR": str(tmp_path / "data"),
        "TALKKARI_PORT": str(free_port()),
        "TALKKARI_TELEGRAM_TOKEN": "",
    }


@pytest.mark.parametrize(
    "key",
    [None, "", "dev-only-change-me", "too-short-a-key", "ab" * 40],
    ids=["missing", "empty", "old-default", "short", "repeated"],
)
def test_run_without_a_strong_secret_key_stops_at_once_naming_it(
    tmp_path: Path, key: str | None
) -> None:
    env = base_env(tmp_path)
    if key is not None:
        env["TALKKARI_SECRET_KEY"] = key
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=5,  # the promise: it stops within five seconds
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("talkkari: configuration error: TALKKARI_SECRET_KEY is ")
    assert MAKE_A_KEY in line
    if key:
        assert key not in line.removeprefix("talkkari: configuration error: TALKKARI_SECRET_KEY")
    assert not (tmp_path / "data").exists()  # nothing was started or made


def test_what_a_strong_key_is() -> None:
    for key in (new_secret_key(), os.urandom(32).hex(), base64.b64encode(os.urandom(32)).decode()):
        assert weak_key_reason(key) is None
    made = subprocess.run(
        ["/bin/sh", "-c", MAKE_A_KEY.replace("python", sys.executable, 1)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert weak_key_reason(made.stdout.strip()) is None
    weak = [
        None,
        " ",
        "dev-only-change-me",
        os.urandom(15).hex(),  # 30 characters
        "a" * 64,
        "0123456789abcdef" * 4,
        "correct horse battery staple",
    ]
    assert all(weak_key_reason(key) is not None for key in weak)


@contextmanager
def demo_process(env: dict[str, str], tmp_path: Path, name: str) -> Iterator[BotProcess]:
    process = BotProcess(env, tmp_path / f"{name}.log", arguments=["--demo"])
    process.start()
    try:
        yield process
    finally:
        process.ensure_stopped()


async def wait_ready(base_url: str, process: BotProcess) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base_url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"the demo did not start:\n{process.log}")


def add_admin(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "talkkari", "officials", "add", "--email", "demo@hel.fi",
         "--name", "Demo", "--title", "ylläpitäjä", "--role", "admin", "--password-stdin"],
        cwd=ROOT, env=env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def forged(secret: str, claims: dict[str, object]) -> str:
    """A token as this API signs them, but with ``secret``."""
    key = derived_key(secret, "admin-api access token")
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": key_id(key)})


async def test_the_demo_runs_with_a_key_of_its_own_and_known_keys_sign_nothing(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path)
    base_url = f"http://127.0.0.1:{env['TALKKARI_PORT']}"
    api = base_url + API_PREFIX
    added = add_admin(env)
    assert added.returncode == 0, added.stderr
    database = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'talkkari.db'}"
    assert f"talkkari: database {database}" in added.stderr
    assert "warning: this database was empty" in added.stderr
    with demo_process(env, tmp_path, "demo") as demo:
        await wait_ready(base_url, demo)
        async with httpx.AsyncClient(base_url=api) as client:
            login = await client.post(
                "/auth/token", data={"username": "demo@hel.fi", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            genuine = login.json()["access_token"]
            claims = jwt.decode(genuine, options={"verify_signature": False})
            for secret in ("dev-only-change-me", ""):
                attempt = await client.get(
                    "/me", headers={"Authorization": f"Bearer {forged(secret, claims)}"}
                )
                assert attempt.status_code == 401, attempt.text
            for old_style in (
                {"sub": claims["sub"], "role": "admin", "iat": claims["iat"], "exp": claims["exp"]},
                {**claims, "iss": "someone", "aud": AUDIENCE},
                {**claims, "iss": ISSUER, "aud": "someone"},
            ):
                attempt = await client.get(
                    "/me",
                    headers={"Authorization": f"Bearer {forged('dev-only-change-me', old_style)}"},
                )
                assert attempt.status_code == 401
            me = await client.get("/me", headers={"Authorization": f"Bearer {genuine}"})
            assert me.status_code == 200, me.text
        assert demo.terminate() == 0
    assert f"talkkari: database {database}" in demo.log
    key_file = tmp_path / "data" / DEMO_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert weak_key_reason(key_file.read_text().strip()) is None

    # The key is kept: a restarted demo accepts the tokens it gave.
    with demo_process(env, tmp_path, "again") as again:
        await wait_ready(base_url, again)
        async with httpx.AsyncClient(base_url=api) as client:
            me = await client.get("/me", headers={"Authorization": f"Bearer {genuine}"})
            assert me.status_code == 200, me.text
        assert again.terminate() == 0
