"""``talkkari run`` as a real process: crashes at the worst moments, SIGTERM, configuration."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from store import Database, OutboxMessage
from tests.fakes.telegram import FakeTelegram
from tests.support.running import ROOT, BotProcess, new_secret_key, process_env

pytestmark = pytest.mark.slow


@contextmanager
def bot_process(env: dict[str, str], tmp_path: Path, name: str) -> Iterator[BotProcess]:
    process = BotProcess(env, tmp_path / f"{name}.log")
    process.start()
    try:
        yield process
    finally:
        process.ensure_stopped()


async def wait_until(condition: Callable[[], bool], *, what: str, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def outbox_rows(database_url: str, chat_id: int) -> list[tuple[str, str]]:
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            rows = await session.execute(
                select(OutboxMessage.status, OutboxMessage.text).where(
                    OutboxMessage.chat_id == chat_id
                )
            )
            return [(status, text_) for status, text_ in rows]
    finally:
        await database.dispose()


async def test_killed_after_storing_before_replying_the_reply_goes_out_once(
    database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = process_env(database_url, telegram)
    telegram.fail("sendMessage", status=502, description="Bad Gateway", times=1_000_000)
    with bot_process(env, tmp_path, "first") as first:
        telegram.push_message(4001, "moi")
        await telegram.wait_for_calls("sendMessage", 1, timeout=30)
        first.kill()
    assert await outbox_rows(database_url, 4001) == [
        ("pending", "Hei! Olen Kaupunkitalkkari, kaupungin botti. Miten voin auttaa?")
    ]
    telegram.reset()  # Telegram is reachable again
    with bot_process(env, tmp_path, "second") as second:
        await telegram.wait_for_sent(1, chat_id=4001, timeout=30)
        await asyncio.sleep(2)  # room for a duplicate to show up
        assert second.terminate() == 0
    assert [m.text[:4] for m in telegram.sent(4001)] == ["Hei!"]


@asynccontextmanager
async def writes_blocked(database_url: str, tmp_path: Path) -> AsyncIterator[None]:
    """Hold the inbound table so that storing an update blocks, as a slow disk would."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text("LOCK TABLE inbound_updates IN EXCLUSIVE MODE"))
            yield
            await transaction.rollback()
    finally:
        await engine.dispose()


async def test_killed_after_get_updates_before_storing_the_update_comes_again_once(
    database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = process_env(database_url, telegram)
    with bot_process(env, tmp_path, "first") as first:
        await telegram.wait_for_calls("getUpdates", 2, timeout=30)  # up and polling
        async with writes_blocked(database_url, tmp_path):
            update_id = telegram.push_message(4002, "hello", language_code="en")
            await wait_until(
                lambda: telegram.served_count(update_id) == 1, what="the update served"
            )
            await asyncio.sleep(0.5)  # the process is now waiting to store it
            first.kill()
    assert telegram.sent(4002) == []
    with bot_process(env, tmp_path, "second") as second:
        [reply] = await telegram.wait_for_sent(1, chat_id=4002, timeout=30)
        await asyncio.sleep(2)
        assert second.terminate() == 0
    assert telegram.served_count(update_id) == 2
    assert reply.text.startswith("Hello!")
    assert len(telegram.sent(4002)) == 1


async def test_sigterm_finishes_the_send_in_flight_and_exits_cleanly(
    database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = process_env(database_url, telegram)
    telegram.hang("sendMessage")
    with bot_process(env, tmp_path, "bot") as process:
        telegram.push_message(4003, "moi")
        await wait_until(lambda: telegram.hanging_count("sendMessage") == 1, what="a send")
        process._process.send_signal(15)  # type: ignore[union-attr]
        await asyncio.sleep(0.5)
        telegram.release("sendMessage")
        returncode = await asyncio.to_thread(process._process.wait, 30)  # type: ignore[union-attr]
    assert returncode == 0, process.log
    assert [m.text[:4] for m in telegram.sent(4003)] == ["Hei!"]
    assert await outbox_rows(database_url, 4003) == [
        ("sent", "Hei! Olen Kaupunkitalkkari, kaupungin botti. Miten voin auttaa?")
    ]


async def test_without_a_token_it_says_so_and_runs_the_rest(
    database_url: str, tmp_path: Path
) -> None:
    env = process_env(database_url, None)
    with bot_process(env, tmp_path, "bot") as process:
        url = f"http://127.0.0.1:{env['TALKKARI_PORT']}/healthz"
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    health = await client.get(url)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            metrics = await client.get(url.replace("healthz", "metrics"))
        assert process.terminate() == 0
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    components = health.json()["components"]
    assert {name: part["status"] for name, part in components.items()} == {
        "database": "ok",
        "telegram": "off",
        "ahjo": "off",
        "handoff": "off",
        "outbox": "ok",
    }
    assert components["telegram"]["reason"] == "no TALKKARI_TELEGRAM_TOKEN"
    assert "talkkari_outbox_pending 0.0" in metrics.text
    # A fresh install: no token, no Ahjo, no team; one warning line for each.
    for says in (
        "No TALKKARI_TELEGRAM_TOKEN: the Telegram channel is off, everything else runs",
        "No TALKKARI_AHJO_URL: only the local registry answers cases",
        "No team exists: residents who ask for a person would reach nobody",
    ):
        notes = [line for line in process.log.splitlines() if says in line]
        assert len(notes) == 1, process.log
        assert "WARNING" in notes[0]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TALKKARI_PORT", "eighty", "TALKKARI_PORT: Input should be a valid integer"),
        ("TALKKARI_TELEGRAM_MODE", "carrier-pigeon", "TALKKARI_TELEGRAM_MODE: Input should be"),
        ("TALKKARI_SEND_RATE", "-1", "TALKKARI_SEND_RATE: Input should be greater than 0"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_one_clear_line(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "TALKKARI_NLU_CACHE_DIR": os.environ["TALKKARI_NLU_CACHE_DIR"],
        "TALKKARI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "TALKKARI_SECRET_KEY": new_secret_key(),
    }
    env[variable] = value
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"talkkari: configuration error: {says}")


def test_webhook_mode_without_its_secret_names_the_missing_variable(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "TALKKARI_NLU_CACHE_DIR": os.environ["TALKKARI_NLU_CACHE_DIR"],
        "TALKKARI_TELEGRAM_TOKEN": "1:x",
        "TALKKARI_TELEGRAM_MODE": "webhook",
        "TALKKARI_WEBHOOK_URL": "https://talkkari.example.fi/telegram/webhook",
    }
    result = subprocess.run(
        [sys.executable, "-m", "talkkari", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "talkkari: configuration error: TALKKARI_WEBHOOK_SECRET: "
        "required when TALKKARI_TELEGRAM_MODE is webhook"
    )
