"""`FakeTelegram`: the HTTP server (`tests.fakes.serving`), its lifecycle, and
routing each request through recording, outages, hangs and failures to its method."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.serving import Served, ServerThread
from tests.fakes.telegram.limits import TelegramLimits
from tests.fakes.telegram.polling import _Polling
from tests.fakes.telegram.recording import _Recording
from tests.fakes.telegram.records import Call, JSONDict
from tests.fakes.telegram.requests import _error, _ok, _read_params, _Response
from tests.fakes.telegram.updates import _Updates


class FakeTelegram(Served, _Updates, _Polling, _Recording):
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
            "sendDocument": self._send_document,
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
        # The server thread (the loop state shared with the mixins is in _State).
        self._serving = ServerThread(
            self._app,
            name="FakeTelegram",
            port=port,
            on_start=self._on_loop_start,
            on_stop=self._begin_shutdown,
            on_exit=self._on_loop_exit,
        )

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
        return self._serving.running

    def start(self) -> Self:
        """Start serving; returns once the server accepts connections. Idempotent."""
        if not self._serving.running:
            self._stopping = False
            self._serving.start()
            self._port = self._serving.port
        return self

    def _on_loop_start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._updates_event = asyncio.Event()
        self._hang_events = {}

    def _on_loop_exit(self) -> None:
        self._loop = None

    def stop(self) -> None:
        """Stop serving: hung requests answer 502, long polls return, the port is freed."""
        self._serving.stop()

    def _begin_shutdown(self) -> None:
        self._stopping = True
        for event in self._hang_events.values():
            event.set()
        self._hang_events.clear()
        self._wake_pollers()

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
