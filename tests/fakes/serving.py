"""Serving a fake's Starlette app over real HTTP: uvicorn on 127.0.0.1, in a thread of its own
with its own event loop, started and stopped in milliseconds.

`ServerThread` is shared by the fakes (`tests.fakes.telegram`, `tests.fakes.ahjo`). A stopped
server keeps its port, so starting it again looks like the service coming back after an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self

import uvicorn
from starlette.types import ASGIApp

__all__ = ["SHUTDOWN_GRACE", "Served", "ServerThread"]

SHUTDOWN_GRACE: Final = 3.0  # seconds stop() waits for requests in flight
START_TIMEOUT: Final = 10.0


class _Server(uvicorn.Server):
    """uvicorn server that stops in milliseconds rather than ~0.2 s: its main loop ends as soon
    as `exit` is called (from its own loop) instead of on its next 0.1 s tick, and shutdown
    polls for closed connections every few ms instead of sleeping 0.1 s first."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit_requested = asyncio.Event()

    def exit(self) -> None:
        self.should_exit = True
        self._exit_requested.set()

    async def main_loop(self) -> None:
        if not await self.on_tick(0):  # sets the default headers
            await self._exit_requested.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()  # closes idle keep-alive connections, others after replying
        deadline = time.monotonic() + SHUTDOWN_GRACE
        # uvicorn offers no event for "all connections closed"; poll briefly.
        while (state.connections or state.tasks) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (as uvicorn itself would pick), else the default loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class ServerThread:
    """One ASGI app served on ``127.0.0.1:port`` by uvicorn from a daemon thread.

    * `start()` returns once the server accepts connections; `stop()` once the port is free.
      Both are idempotent and may be called from any thread, also from inside a running loop.
    * ``on_start(loop)`` runs on the server's loop before it serves; ``on_stop()`` runs on the
      loop when `stop()` begins, before connections are closed (release held requests there);
      ``on_exit()`` runs in the thread after the loop has ended.
    * With ``port=0`` a free port is picked at the first start and kept for later starts.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        name: str,
        port: int = 0,
        on_start: Callable[[asyncio.AbstractEventLoop], None] | None = None,
        on_stop: Callable[[], None] | None = None,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self._app = app
        self._name = name
        self._port = port
        self._on_start = on_start
        self._on_stop = on_stop
        self._on_exit = on_exit
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_error: BaseException | None = None

    @property
    def port(self) -> int:
        """The TCP port; 0 until the first `start()` when constructed with ``port=0``."""
        return self._port

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # is TCP, and with proto 0 Nagle + delayed ACK add ~40 ms to every keep-alive request.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self._port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            date_header=False,  # would go stale: _Server does not tick
            server_header=False,
            proxy_headers=False,
        )
        server = _Server(config)
        self._server, self._thread_error = server, None
        thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"{self._name}:{self._port}", daemon=True
        )
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self._thread = self._server = None
                thread.join(1)
                sock.close()
                raise RuntimeError(f"{self._name} failed to start") from self._thread_error
            time.sleep(0.001)

    def _run(self, server: _Server, sock: socket.socket) -> None:
        async def serve() -> None:
            loop = asyncio.get_running_loop()
            self._loop = loop
            if self._on_start is not None:
                self._on_start(loop)
            await server.serve(sockets=[sock])

        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(serve())
        except BaseException as exc:  # reported by start()
            self._thread_error = exc
        finally:
            sock.close()
            self._loop = None
            if self._on_exit is not None:
                self._on_exit()

    def stop(self) -> None:
        thread, server, loop = self._thread, self._server, self._loop
        if thread is None or server is None:
            return
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(self._begin_shutdown, server)
        thread.join(timeout=15)
        self._thread = self._server = None

    def _begin_shutdown(self, server: _Server) -> None:
        if self._on_stop is not None:
            self._on_stop()
        server.exit()


class Served:
    """A fake's ``with`` and ``async with``: ``start()`` on entry, ``stop()`` on exit (from a
    worker thread when async, so the test's event loop keeps running meanwhile)."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
