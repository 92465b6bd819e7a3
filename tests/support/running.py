"""Running the whole bot for a test: in this process, or as a real ``talkkari run`` process."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from talkkari.runtime import Runtime, serve
from talkkari.settings import Settings
from tests.fakes.telegram import FakeTelegram

__all__ = [
    "TELEGRAM_PACING",
    "BotProcess",
    "bot_settings",
    "free_port",
    "new_secret_key",
    "process_env",
    "running_bot",
]

ROOT = Path(__file__).resolve().parents[2]


TELEGRAM_PACING: dict[str, Any] = {"telegram_chat_spacing": 1.0, "telegram_group_spacing": 3.0}
"""Settings that space messages to a chat as Telegram requires (the production defaults)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_secret_key() -> str:
    """A strong secret key of its own for a test's process (as an operator makes one)."""
    return secrets.token_urlsafe(48)


def bot_settings(database_url: str, telegram: FakeTelegram | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": new_secret_key(),
        "port": free_port(),
        "telegram_poll_timeout": 1.0,
        "send_rate": 1000.0,
        # The fake enforces no limits unless a test asks it to, and a transcript should not
        # wait a second a reply; tests of Telegram's limits pass TELEGRAM_PACING.
        "telegram_chat_spacing": 0.0,
        "telegram_group_spacing": 0.0,
    }
    if telegram is not None:
        values.update(telegram_token=telegram.token, telegram_base_url=telegram.base_url)
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def process_env(
    database_url: str, telegram: FakeTelegram | None, **overrides: str
) -> dict[str, str]:
    """The environment of a ``talkkari run`` child process: quick polls, short leases."""
    env = {
        "TALKKARI_DATABASE_URL": database_url,
        "TALKKARI_PORT": str(free_port()),
        "TALKKARI_TELEGRAM_POLL_TIMEOUT": "1",
        "TALKKARI_OUTBOX_LEASE_SECONDS": "3",
        "TALKKARI_TELEGRAM_TOKEN": "",
        "TALKKARI_SECRET_KEY": new_secret_key(),
    }
    if telegram is not None:
        env["TALKKARI_TELEGRAM_TOKEN"] = telegram.token
        env["TALKKARI_TELEGRAM_BASE_URL"] = telegram.base_url
    env.update({f"TALKKARI_{name.upper()}": value for name, value in overrides.items()})
    return env


@asynccontextmanager
async def running_bot(settings: Settings, **build: Any) -> AsyncIterator[Runtime]:
    """The whole process (HTTP, Telegram, dialogue, sender) running until the block ends."""
    runtime = Runtime.build(settings, **build)
    ready = asyncio.Event()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(runtime, on_ready=ready.set, stop=stop, handle_signals=False))
    ready_wait = asyncio.create_task(ready.wait())
    await asyncio.wait({task, ready_wait}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready_wait.cancel()
        task.result()
        raise RuntimeError("the bot stopped before it was ready")
    if not ready.is_set():
        ready_wait.cancel()
        raise TimeoutError("the bot did not become ready in 30 s")
    try:
        yield runtime
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


class BotProcess:
    """``python -m talkkari run`` as a child process, configured through the environment."""

    def __init__(
        self, settings: Mapping[str, str], log_path: Path, *, arguments: Sequence[str] = ()
    ) -> None:
        self._env = {**os.environ, **settings, "PYTHONUNBUFFERED": "1"}
        self._log_path = log_path
        self._arguments = list(arguments)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self._log_path.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "talkkari", "run", *self._arguments],
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as when a machine dies."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(timeout=10)

    def terminate(self, timeout: float = 30) -> int:
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        return self._process.wait(timeout=timeout)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def log(self) -> str:
        return self._log_path.read_text(errors="replace")

    def ensure_stopped(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
