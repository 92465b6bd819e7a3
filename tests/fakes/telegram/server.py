"""`FakeTelegram`: the HTTP server (uvicorn in a thread of its own), its lifecycle, and
routing each request through recording, outages, hangs and failures to its method."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.telegram.limits import TelegramLimits
from tests.fakes.telegram.polling import _Polling
from tests.fakes.telegram.recording import _Recording
from tests.fakes.telegram.records import Call, JSONDict
from tests.fakes.telegram.requests import _error, _ok, _read_params, _Response
from tests.fakes.telegram.updates import _Updates

SHUTDOWN_GRACE: Final = 3.0  # seconds stop() waits for requests in flight


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


class FakeTelegram(_Updates, _Polling, _Recording):
    """Fake Bot API server; see the `tests.fakes.telegram` package docstring.

    Contract highlights:

    * Requests reach ``/bot{token}/{method}``; a wrong token answers 401, an unknown method 404.
      Method names are matched case-insensitively, as Telegram does.
    * Every request with the right token is recorded in `calls` before it is handled, so hung,
      failed and rate-limited calls are visible there; only accepted messages are in `sent()`.
    * Order of checks: `fail_server` outage, unknown method, `hang`, `fail` rules, `block`,
      parameter validation, flood limits, then the method itself.
    * State (pending updates, records, webhook, failures) survives `stop()`/`start()`, and the
      port is kept, so a restarted fake looks like Telegram coming back after an outage.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        limits: TelegramLimits | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(token, limits=limits, port=port)
        self._handlers: dict[str, Callable[[JSONDict], Response]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "answerCallbackQuery": lambda params: _ok(True),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": lambda params: _ok(True),
            "deleteMessage": lambda params: _ok(True),
            "getChat": self._get_chat,
        }
        self._methods = {name.lower(): name for name in [*self._handlers, "getUpdates"]}
        self._app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/{path:path}", self._not_found, methods=["GET", "POST"]),
            ]
        )
        # Server thread (the loop state shared with the mixins is in _State).
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._thread_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        """The TCP port; 0 until the first `start()` when constructed with ``port=0``."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/bot`` for ``Bot(token, base_url=...)``; needs `start()`."""
        if not self._port:
            raise RuntimeError("FakeTelegram has no port yet: call start() first")
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> Self:
        """Start serving; returns once the server accepts connections. Idempotent."""
        if self._thread is not None:
            return self
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
        self._server, self._thread_error, self._stopping = server, None, False
        thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"FakeTelegram:{self._port}", daemon=True
        )
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self._thread = self._server = None
                thread.join(1)
                sock.close()
                raise RuntimeError("FakeTelegram failed to start") from self._thread_error
            time.sleep(0.001)
        return self

    def _run(self, server: _Server, sock: socket.socket) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._updates_event = asyncio.Event()
            self._hang_events = {}
            await server.serve(sockets=[sock])

        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(serve())
        except BaseException as exc:  # reported by start()
            self._thread_error = exc
        finally:
            sock.close()
            self._loop = None

    def stop(self) -> None:
        """Stop serving: hung requests answer 502, long polls return, the port is freed."""
        thread, server, loop = self._thread, self._server, self._loop
        if thread is None or server is None:
            return
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(self._begin_shutdown, server)
        thread.join(timeout=15)
        self._thread = self._server = None

    def _begin_shutdown(self, server: _Server) -> None:
        self._stopping = True
        for event in self._hang_events.values():
            event.set()
        self._hang_events.clear()
        self._wake_pollers()
        server.exit()

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

    def reset(self) -> None:
        """Forget everything (records, updates, webhook, failures, blocks, hangs, outage), as
        if freshly constructed; the server keeps running. Requests held by `hang` are
        released."""
        with self._lock:
            hung = list(self._hung)
            self._init_state()
        for method in hung:
            self._call_on_loop(functools.partial(self._release_on_loop, method))

    # ------------------------------------------------------------------ HTTP

    async def _not_found(self, request: Request) -> Response:
        return _error(404, "Not Found")

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        requested: str = request.path_params["method"]
        method = self._methods.get(requested.lower())
        try:
            params = await _read_params(request)
        except _Response as answer:
            return answer.response
        with self._lock:
            self._calls.append(Call(method or requested, params, time.monotonic()))
            self._changed.notify_all()
            outage = self._outage
            epoch = self._epoch
            hanging = method in self._hung and not self._stopping
            if hanging and method is not None:
                self._hanging[method] += 1
        if outage is not None:
            return _error(*outage)
        if method is None:
            return _error(404, "Not Found")
        if hanging:
            await self._hold(method, epoch)
        if self._stopping or epoch != self._epoch:
            return _error(502, "Bad Gateway")
        try:
            if method == "getUpdates":
                return await self._get_updates(params, request.receive)
            with self._lock:
                self._take_failure(method, params)
                return self._handlers[method](params)
        except _Response as answer:
            return answer.response
