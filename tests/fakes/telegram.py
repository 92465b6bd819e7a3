"""A fake Telegram Bot API server for tests and benchmarks.

`FakeTelegram` serves the Bot API over real HTTP (Starlette + uvicorn) on 127.0.0.1, from a
background thread with its own event loop, so python-telegram-bot runs against it unchanged::

    with FakeTelegram() as tg:
        bot = Bot(tg.token, base_url=tg.base_url)
        tg.push_message(42, "/start")
        ...

All public methods are thread-safe and may be called from any thread (including from inside a
running event loop); none of them needs to be awaited except the `wait_for_*` coroutines.

Run it by hand with ``python -m tests.fakes.telegram --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import email.parser
import email.policy
import functools
import itertools
import json
import math
import signal
import socket
import threading
import time
from asyncio import FIRST_COMPLETED
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

__all__ = ["Call", "FakeTelegram", "SentMessage", "TelegramLimits", "UploadedFile"]

MAX_TEXT_LENGTH: Final = 4096
FIRST_UPDATE_ID: Final = 100_000
DEFAULT_GROUP_USER_ID: Final = 111_111
SUPERGROUP_ID_BOUND: Final = -1_000_000_000_000
BOT_FIRST_NAME: Final = "Kaupunkitalkkari"
BOT_USERNAME: Final = "talkkari_test_bot"
SHUTDOWN_GRACE: Final = 3.0  # seconds stop() waits for requests in flight

# Parameters whose form-encoded values are JSON (numbers, booleans, objects, arrays).
_JSON_FIELDS: Final = frozenset(
    {
        "allow_paid_broadcast",
        "allow_sending_without_reply",
        "allowed_updates",
        "cache_time",
        "caption_entities",
        "chat_id",
        "commands",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "entities",
        "from_chat_id",
        "limit",
        "link_preview_options",
        "max_connections",
        "message_id",
        "message_ids",
        "message_thread_id",
        "offset",
        "protect_content",
        "reply_markup",
        "reply_parameters",
        "reply_to_message_id",
        "scope",
        "show_alert",
        "timeout",
        "user_id",
    }
)
# Parameters that are always plain strings, even when they look like JSON.
_TEXT_FIELDS: Final = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "data",
        "inline_message_id",
        "ip_address",
        "language_code",
        "parse_mode",
        "secret_token",
        "text",
        "url",
    }
)
# Update types Telegram only delivers when asked for explicitly in allowed_updates.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Tags Telegram's HTML parse mode knows.
_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)
# Methods that deliver something to a chat: refused for blocked chats.
_CHAT_SENDS: Final = frozenset({"sendMessage", "editMessageText", "sendChatAction"})
_CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_CONFLICT_POLL: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

JSONDict = dict[str, Any]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class TelegramLimits:
    """Flood limits enforced on sendMessage/editMessageText when given to `FakeTelegram`.

    Each limit is a sliding window: at most ``floor(rate)`` sends in any window of the named
    length (a rate below 1 means one send per ``1/rate`` of the window). ``math.inf`` disables
    a limit. Private chats have positive ids, groups and channels negative ones.
    """

    overall_per_second: float = 30
    private_per_second: float = 1
    group_per_minute: float = 20

    def __post_init__(self) -> None:
        for name in ("overall_per_second", "private_per_second", "group_per_minute"):
            if not getattr(self, name) > 0:
                raise ValueError(f"TelegramLimits.{name} must be positive")


@dataclass(frozen=True, slots=True)
class Call:
    """One API request that reached the bot's URL: canonical method name, decoded parameters,
    and `time.monotonic()` of its arrival. Recorded before anything else happens to it."""

    method: str
    params: JSONDict
    at: float


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the fake accepted (sendMessage) or an edit it applied (editMessageText)."""

    chat_id: int
    text: str
    message_id: int
    reply_markup: JSONDict | None
    parse_mode: str | None
    at: float


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart/form-data request, as found in `Call.params`."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class _Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    chat_id: int | None


@dataclass(slots=True)
class _Window:
    """Sliding window admitting at most `capacity` events in any `span` seconds."""

    capacity: int
    span: float
    events: deque[float] = field(default_factory=deque)

    @classmethod
    def for_rate(cls, rate: float, window: float) -> _Window | None:
        if math.isinf(rate):
            return None
        capacity = max(1, math.floor(rate))
        return cls(capacity, window * capacity / rate)

    def wait_time(self, now: float) -> float:
        """Seconds until one more event is admitted (0 when it is admitted now)."""
        events = self.events
        while events and events[0] <= now - self.span:
            events.popleft()
        if len(events) < self.capacity:
            return 0.0
        return events[0] + self.span - now


class _Response(Exception):
    """Raised by request handlers to answer early with an error."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.response = _error(status, description, parameters)


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


# --------------------------------------------------------------------------- helpers


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (as uvicorn itself would pick), else the default loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _ok(result: Any) -> Response:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, parameters: JSONDict | None = None) -> Response:
    body: JSONDict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _decode(name: str, value: str) -> Any:
    """Decode one form/query value the way Telegram reads it (see `_JSON_FIELDS`)."""
    if name in _JSON_FIELDS or (name not in _TEXT_FIELDS and value[:1] in ("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_multipart(content_type: str, body: bytes) -> JSONDict:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: JSONDict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            params[name] = _decode(name, data.decode(part.get_content_charset() or "utf-8"))
    return params


async def _read_params(request: Request) -> JSONDict:
    """Merge query string and body (JSON, urlencoded or multipart) into one decoded dict."""
    query: bytes = request.scope.get("query_string", b"")
    params: JSONDict = {}
    if query:
        params.update((k, _decode(k, v)) for k, v in parse_qsl(query.decode("utf-8", "replace")))
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise _Response(400, "Bad Request: can't parse JSON object") from exc
        if not isinstance(data, dict):
            raise _Response(400, "Bad Request: request body must be a JSON object")
        params.update(data)
    elif content_type.startswith("multipart/form-data"):
        params.update(_parse_multipart(content_type, body))
    else:
        text = body.decode("utf-8", errors="replace")
        params.update((k, _decode(k, v)) for k, v in parse_qsl(text, keep_blank_values=True))
    return params


def _int_param(params: JSONDict, name: str, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _Response(400, f"Bad Request: invalid {name} specified") from exc


def _chat_id(params: JSONDict) -> int:
    """The numeric chat_id of a request; usernames such as "@channel" are unknown chats."""
    value = params.get("chat_id")
    if value is None or value == "":
        raise _Response(400, "Bad Request: chat_id is empty")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _Response(400, "Bad Request: chat not found")


def _chat_type_of(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= SUPERGROUP_ID_BOUND else "group"


def _chat_json(chat_id: int, chat_type: str | None = None) -> JSONDict:
    kind = chat_type or _chat_type_of(chat_id)
    if kind == "private":
        return {"id": chat_id, "type": kind, "first_name": "Testi"}
    return {"id": chat_id, "type": kind, "title": "Testiryhmä"}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _update_type(update: JSONDict) -> str | None:
    return next((key for key in update if key != "update_id"), None)


class _HtmlText(HTMLParser):
    """Checks Telegram-HTML markup and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.parts: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            expected = f'"</{self.open[-1]}>"' if self.open else "no end tag"
            self.problem = self.problem or f'Unmatched end tag "{tag}", expected {expected}'
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible_text(text: str, parse_mode: str | None) -> str:
    """Text as the user sees it; raises 400 like Telegram for broken HTML markup."""
    if not isinstance(parse_mode, str) or parse_mode.upper() != "HTML":
        return text
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.problem is None and parser.open:
        parser.problem = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    if parser.problem is not None:
        raise _Response(400, f"Bad Request: can't parse entities: {parser.problem}")
    return "".join(parser.parts)


def _check_text(params: JSONDict) -> str:
    text = params.get("text")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    visible = _visible_text(text, params.get("parse_mode")).strip()
    if not visible:
        raise _Response(400, "Bad Request: message text is empty")
    if len(visible) > MAX_TEXT_LENGTH:
        raise _Response(400, "Bad Request: message is too long")
    return text


def _inline_markup(params: JSONDict) -> JSONDict | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) else None


# --------------------------------------------------------------------------- the fake


class FakeTelegram:
    """Fake Bot API server; see the module docstring.

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
        self.token: Final = token
        self.limits: Final = limits
        self._port = port
        bot_id = token.split(":", 1)[0]
        self.bot_user: Final[JSONDict] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
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
        # Server thread; _loop and the asyncio.Events below belong to it.
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_error: BaseException | None = None
        self._stopping = False
        self._updates_event: asyncio.Event | None = None
        self._hang_events: dict[str, asyncio.Event] = {}
        self._poll_generation = 0
        self._epoch = 0
        self._init_state()

    def _init_state(self) -> None:
        """(Re)initialise everything but the server; caller holds the lock or is __init__."""
        self._next_update_id = FIRST_UPDATE_ID
        self._callback_ids = itertools.count(1)
        self._pending: list[tuple[int, JSONDict]] = []
        self._allowed_updates: frozenset[str] | None = None
        self._message_ids: defaultdict[int, int] = defaultdict(int)
        self._texts: dict[tuple[int, int], tuple[str, JSONDict | None]] = {}
        self._webhook: str | None = None
        self._webhook_secret: str | None = None
        self._commands: dict[str, list[Any]] = {}
        self._failures: list[tuple[_Failure, int]] = []
        self._blocked: set[int] = set()
        self._hung: set[str] = set()
        self._hanging: defaultdict[str, int] = defaultdict(int)
        self._outage: tuple[int, str] | None = None
        self._overall_window: _Window | None = None
        self._chat_windows: dict[int, _Window | None] = {}
        if self.limits is not None:
            self._overall_window = _Window.for_rate(self.limits.overall_per_second, 1.0)
        self._epoch += 1  # requests held by hang() across a reset are answered 502
        self._reset_records()

    def _reset_records(self) -> None:
        self._calls: list[Call] = []
        self._sent: list[SentMessage] = []
        self._sent_by_chat: defaultdict[int, list[SentMessage]] = defaultdict(list)
        self._edited: list[SentMessage] = []
        self._served: defaultdict[int, int] = defaultdict(int)
        self._rejected_429 = 0

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

    def _call_on_loop(self, callback: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(callback)

    def _wake_pollers(self) -> None:
        """Wake every waiting getUpdates (server loop only)."""
        event = self._updates_event
        if event is not None:
            event.set()
            self._updates_event = asyncio.Event()

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

    async def _hold(self, method: str, epoch: int) -> None:
        """Wait until `method` is released (and not hung again meanwhile), stop or reset."""
        try:
            while True:
                event = self._hang_events.get(method)
                if event is None:
                    event = self._hang_events[method] = asyncio.Event()
                await event.wait()
                with self._lock:
                    held = method in self._hung and epoch == self._epoch
                if not held or self._stopping:
                    return
        finally:
            with self._lock:
                if epoch == self._epoch:
                    self._hanging[method] -= 1

    def _take_failure(self, method: str, params: JSONDict) -> None:
        """Apply `fail` rules and `block` (lock held); raises the error answer if one applies."""
        chat_id: Any = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        for index, (rule, remaining) in enumerate(self._failures):
            if rule.method == method and rule.chat_id in (None, chat_id):
                if remaining > 1:
                    self._failures[index] = (rule, remaining - 1)
                else:
                    del self._failures[index]
                extra: JSONDict = {}
                if rule.retry_after is not None:
                    extra["retry_after"] = rule.retry_after
                if rule.migrate_to_chat_id is not None:
                    extra["migrate_to_chat_id"] = rule.migrate_to_chat_id
                raise _Response(rule.status, rule.description, extra)
        if method in _CHAT_SENDS and chat_id in self._blocked:
            raise _Response(403, "Forbidden: bot was blocked by the user")

    def _check_flood(self, chat_id: int) -> None:
        """Enforce `limits` for one more send to chat_id (lock held); counts it if admitted."""
        limits = self.limits
        if limits is None:
            return
        now = time.monotonic()
        if chat_id not in self._chat_windows:
            if chat_id > 0:
                window = _Window.for_rate(limits.private_per_second, 1.0)
            else:
                window = _Window.for_rate(limits.group_per_minute, 60.0)
            self._chat_windows[chat_id] = window
        windows = [w for w in (self._overall_window, self._chat_windows[chat_id]) if w]
        wait = max((w.wait_time(now) for w in windows), default=0.0)
        if wait > 0:
            self._rejected_429 += 1
            retry_after = max(1, math.ceil(wait))
            raise _Response(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for w in windows:
            w.events.append(now)

    # ------------------------------------------------------------------ methods (lock held)

    def _get_me(self, params: JSONDict) -> Response:
        return _ok(self.bot_user)

    def _message_json(
        self, chat_id: int, message_id: int, text: str, markup: JSONDict | None
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": _chat_json(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _send_message(self, params: JSONDict) -> Response:
        chat_id = _chat_id(params)
        text = _check_text(params)
        self._check_flood(chat_id)
        markup = _inline_markup(params)
        self._message_ids[chat_id] += 1
        message_id = self._message_ids[chat_id]
        parse_mode = params.get("parse_mode")
        sent = SentMessage(chat_id, text, message_id, markup, parse_mode, time.monotonic())
        self._sent.append(sent)
        self._sent_by_chat[chat_id].append(sent)
        self._texts[chat_id, message_id] = (text, markup)
        self._changed.notify_all()
        return _ok(self._message_json(chat_id, message_id, text, markup))

    def _edit_message_text(self, params: JSONDict) -> Response:
        if "inline_message_id" in params:
            _check_text(params)
            return _ok(True)
        chat_id = _chat_id(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _Response(400, "Bad Request: message identifier is not specified")
        text = _check_text(params)
        markup = _inline_markup(params)
        if self._texts.get((chat_id, message_id)) == (text, markup):
            raise _Response(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        self._check_flood(chat_id)
        self._texts[chat_id, message_id] = (text, markup)
        self._edited.append(
            SentMessage(
                chat_id, text, message_id, markup, params.get("parse_mode"), time.monotonic()
            )
        )
        self._changed.notify_all()
        message = self._message_json(chat_id, message_id, text, markup)
        message["edit_date"] = message["date"]
        return _ok(message)

    def _set_allowed_updates(self, params: JSONDict) -> None:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) if allowed else None

    def _set_webhook(self, params: JSONDict) -> Response:
        url = params.get("url")
        if not url:
            return self._delete_webhook(params)
        self._webhook = str(url)
        secret = params.get("secret_token")
        self._webhook_secret = str(secret) if secret else None
        self._set_allowed_updates(params)
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        return _ok(True)

    def _delete_webhook(self, params: JSONDict) -> Response:
        self._webhook = self._webhook_secret = None
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        return _ok(True)

    def _get_webhook_info(self, params: JSONDict) -> Response:
        info: JSONDict = {
            "url": self._webhook or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook:
            info["max_connections"] = 40
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return _ok(info)

    @staticmethod
    def _commands_key(params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: JSONDict) -> Response:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _Response(400, 'Bad Request: parameter "commands" is required')
        self._commands[self._commands_key(params)] = commands
        return _ok(True)

    def _get_my_commands(self, params: JSONDict) -> Response:
        return _ok(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> Response:
        self._commands.pop(self._commands_key(params), None)
        return _ok(True)

    def _get_chat(self, params: JSONDict) -> Response:
        chat = _chat_json(_chat_id(params))
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return _ok(chat)

    # ------------------------------------------------------------------ getUpdates

    async def _get_updates(self, params: JSONDict, receive: Receive) -> Response:
        """Long poll. A newer getUpdates ends a waiting one with 409, as on Telegram, and a
        poll whose client went away (e.g. a killed bot) stops waiting and serves nothing."""
        try:
            timeout = max(0.0, float(params.get("timeout") or 0))
        except (TypeError, ValueError) as exc:
            raise _Response(400, "Bad Request: invalid timeout specified") from exc
        with self._lock:
            self._take_failure("getUpdates", params)
            if self._webhook is not None:
                raise _Response(409, _CONFLICT_WEBHOOK)
            offset = _int_param(params, "offset") or None
            limit = min(100, max(1, _int_param(params, "limit", 100) or 100))
            self._set_allowed_updates(params)
            offset = self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        deadline = time.monotonic() + timeout
        gone: asyncio.Task[Message] | None = None  # completes when the client disconnects
        try:
            while True:
                event = self._updates_event
                with self._lock:
                    batch = self._take_batch(offset, limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self._stopping or event is None:
                    return _ok(batch)
                if generation != self._poll_generation:
                    return _error(409, _CONFLICT_POLL)
                if gone is None:
                    gone = asyncio.ensure_future(receive())
                woken = asyncio.ensure_future(event.wait())
                await asyncio.wait({woken, gone}, timeout=remaining, return_when=FIRST_COMPLETED)
                woken.cancel()
                if gone.done():
                    return Response(status_code=499)  # nobody is listening any more
        finally:
            if gone is not None and not gone.done():
                gone.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await gone

    def _confirm(self, offset: int | None) -> int | None:
        """Forget confirmed updates (lock held); returns the offset to select from."""
        pending = self._pending
        if offset is None:
            return None
        if offset < 0:
            del pending[: max(0, len(pending) + offset)]
            return None
        del pending[: bisect.bisect_left(pending, offset, key=lambda entry: entry[0])]
        return offset

    def _take_batch(self, offset: int | None, limit: int) -> list[JSONDict]:
        """Pending updates with update_id >= offset, in order (lock held); counts serving."""
        pending = self._pending
        index = 0 if offset is None else bisect.bisect_left(pending, offset, key=lambda e: e[0])
        batch: list[JSONDict] = []
        while index < len(pending) and len(batch) < limit:
            update_id, update = pending[index]
            kind = _update_type(update)
            allowed = self._allowed_updates
            if kind is not None and (
                kind not in allowed if allowed is not None else kind in _OPT_IN_UPDATES
            ):
                del pending[index]  # Telegram would never have produced it
                continue
            batch.append(update)
            self._served[update_id] += 1
            index += 1
        return batch

    # ------------------------------------------------------------------ pushing updates

    def _new_update_id(self, update_id: int | None) -> int:
        """Next update_id, or the given one; keeps later ids above any given id (lock held)."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        return update_id

    def _user_json(self, user_id: int, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": "Testi"}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def update_json(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "fi",
        chat_type: str | None = None,
        update_id: int | None = None,
    ) -> JSONDict:
        """A realistic ``message`` update (``channel_post`` for chat_type="channel"), not queued.

        Allocates the update_id (unless given) and the chat's next message_id. The sender is
        user_id, defaulting to chat_id in private chats and to 111111 in groups. Text starting
        with "/" gets a ``bot_command`` entity for its first word.
        """
        kind = chat_type or _chat_type_of(chat_id)
        with self._lock:
            update_id = self._new_update_id(update_id)
            self._message_ids[chat_id] += 1
            message_id = self._message_ids[chat_id]
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat_json(chat_id, kind),
            "text": text,
        }
        if kind != "channel":
            sender = (
                user_id
                if user_id is not None
                else (chat_id if kind == "private" else DEFAULT_GROUP_USER_ID)
            )
            message["from"] = self._user_json(sender, language_code)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        key = "channel_post" if kind == "channel" else "message"
        return {"update_id": update_id, key: message}

    def callback_query_json(
        self,
        chat_id: int,
        data: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "fi",
        message_id: int = 1,
        update_id: int | None = None,
    ) -> JSONDict:
        """A ``callback_query`` update for a button under the bot's message, not queued.

        The attached message carries the text and keyboard the fake sent as that message_id,
        when it did; otherwise a placeholder text.
        """
        with self._lock:
            update_id = self._new_update_id(update_id)
            query_id = next(self._callback_ids)
            text, markup = self._texts.get((chat_id, message_id), ("…", None))
        message = self._message_json(chat_id, message_id, text, markup)
        sender = (
            user_id if user_id is not None else (chat_id if chat_id > 0 else DEFAULT_GROUP_USER_ID)
        )
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"{query_id}{update_id}",
                "from": self._user_json(sender, language_code),
                "message": message,
                "chat_instance": str(abs(chat_id) * 7 + 3),
                "data": data,
            },
        }

    def push_update(self, update: JSONDict) -> int:
        """Queue any update dict (even malformed) for getUpdates; returns its update_id.

        A missing update_id is allocated (and set on a copy). Pushing an update_id again
        queues a duplicate, as Telegram re-delivers; note that a running poller whose offset
        is already above that id confirms the duplicate away, exactly as Telegram would, so
        check `served_count` to see whether a duplicate actually reached the bot.
        """
        raw_id = update.get("update_id")
        with self._lock:
            if not isinstance(raw_id, int):
                update = {**update, "update_id": self._new_update_id(None)}
            else:
                self._new_update_id(raw_id)
            update_id: int = update["update_id"]
            bisect.insort(self._pending, (update_id, update), key=lambda entry: entry[0])
        self._call_on_loop(self._wake_pollers)
        return update_id

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "fi",
        chat_type: str | None = None,
        update_id: int | None = None,
    ) -> int:
        """Queue `update_json(...)`; returns its update_id."""
        return self.push_update(
            self.update_json(
                chat_id,
                text,
                user_id=user_id,
                language_code=language_code,
                chat_type=chat_type,
                update_id=update_id,
            )
        )

    def push_callback_query(
        self,
        chat_id: int,
        data: str,
        *,
        user_id: int | None = None,
        language_code: str | None = "fi",
        message_id: int = 1,
        update_id: int | None = None,
    ) -> int:
        """Queue `callback_query_json(...)`; returns its update_id."""
        return self.push_update(
            self.callback_query_json(
                chat_id,
                data,
                user_id=user_id,
                language_code=language_code,
                message_id=message_id,
                update_id=update_id,
            )
        )

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed, in update_id order."""
        with self._lock:
            return [update for _, update in self._pending]

    def served_count(self, update_id: int) -> int:
        """How many times getUpdates has returned that update_id."""
        with self._lock:
            return self._served.get(update_id, 0)

    # ------------------------------------------------------------------ records

    @property
    def calls(self) -> list[Call]:
        """Every request with the right token, in arrival order (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages accepted by sendMessage, optionally only to chat_id."""
        with self._lock:
            return self._sent_to(chat_id)

    def _sent_to(self, chat_id: int | None) -> list[SentMessage]:
        return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    def _sent_count(self, chat_id: int | None) -> int:
        return len(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    @property
    def rejected_429(self) -> int:
        """How many sends the flood `limits` refused (injected `fail` 429s not included)."""
        with self._lock:
            return self._rejected_429

    def edited(self, chat_id: int | None = None) -> list[SentMessage]:
        """Edits applied by editMessageText, optionally only in chat_id."""
        with self._lock:
            return [e for e in self._edited if chat_id is None or e.chat_id == chat_id]

    @property
    def webhook(self) -> str | None:
        with self._lock:
            return self._webhook

    @property
    def webhook_secret(self) -> str | None:
        with self._lock:
            return self._webhook_secret

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[Any]:
        """Commands last set by setMyCommands for that scope and language."""
        with self._lock:
            key = self._commands_key({"scope": scope, "language_code": language_code})
            return list(self._commands.get(key, []))

    def reset_records(self) -> None:
        """Forget calls, sent and edited messages, served counts and rejected_429."""
        with self._lock:
            self._reset_records()

    def reset(self) -> None:
        """Forget everything (records, updates, webhook, failures, blocks, hangs, outage), as
        if freshly constructed; the server keeps running. Requests held by `hang` are
        released."""
        with self._lock:
            hung = list(self._hung)
            self._init_state()
        for method in hung:
            self._call_on_loop(functools.partial(self._release_on_loop, method))

    def _sent_report(self, count: int, chat_id: int | None, timeout: float) -> str:
        """Lock held."""
        where = "" if chat_id is None else f" to chat {chat_id}"
        got = self._sent_to(chat_id)
        lines = [f"expected {count} sent message(s){where} within {timeout}s, got {len(got)}:"]
        lines += [f"  chat {m.chat_id} #{m.message_id}: {m.text[:100]!r}" for m in got[-20:]]
        recent = [f"{c.method}(chat_id={c.params.get('chat_id')!r})" for c in self._calls[-10:]]
        lines.append(f"last calls: {', '.join(recent) or 'none'}")
        return "\n".join(lines)

    def wait_for_sent_sync(
        self, count: int, *, chat_id: int | None = None, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Block until at least `count` messages were sent (to chat_id); returns all of them.

        Raises AssertionError listing what was sent on timeout.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self._sent_count(chat_id) >= count:
                    return self._sent_to(chat_id)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._sent_report(count, chat_id, timeout))
                self._changed.wait(remaining)

    async def wait_for_sent(
        self,
        count: int,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
    ) -> list[SentMessage]:
        """Async `wait_for_sent_sync`: polls without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._sent_count(chat_id) >= count:
                    return self._sent_to(chat_id)
                if time.monotonic() >= deadline:
                    raise AssertionError(self._sent_report(count, chat_id, timeout))
            await asyncio.sleep(0.005)

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline is part of the assertion
    ) -> list[Call]:
        """Wait until `method` was called at least `count` times; returns those calls."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.calls_of(method)
            if len(got) >= count:
                return got
            if time.monotonic() >= deadline:
                seen = ", ".join(call.method for call in self.calls[-20:]) or "none"
                raise AssertionError(
                    f"expected {count} call(s) of {method} within {timeout}s, got {len(got)}; "
                    f"last calls: {seen}"
                )
            await asyncio.sleep(0.005)

    # ------------------------------------------------------------------ failure injection

    def fail(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to chat_id, if given) answer this error.

        Such calls deliver nothing. Rules apply in the order they were added.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        rule = _Failure(method, status, description, retry_after, migrate_to_chat_id, chat_id)
        with self._lock:
            self._failures.append((rule, times))

    def block(self, chat_id: int) -> None:
        """Later sendMessage/editMessageText/sendChatAction to chat_id answer 403 blocked."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def hang(self, method: str) -> None:
        """Hold requests of `method` unanswered until `release(method)` or `stop()`."""
        with self._lock:
            self._hung.add(method)

    def release(self, method: str) -> None:
        """Stop holding `method`; held requests are then processed normally."""
        with self._lock:
            self._hung.discard(method)
        self._call_on_loop(functools.partial(self._release_on_loop, method))

    def _release_on_loop(self, method: str) -> None:
        event = self._hang_events.pop(method, None)
        if event is not None:
            event.set()

    def hanging_count(self, method: str) -> int:
        """How many requests of `method` are held right now."""
        with self._lock:
            return self._hanging.get(method, 0)

    def fail_server(self, status: int = 502, description: str = "Bad Gateway") -> None:
        """Simulate an outage: every request answers `status` until `heal()`."""
        with self._lock:
            self._outage = (status, description)

    def heal(self) -> None:
        with self._lock:
            self._outage = None


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM: ``python -m tests.fakes.telegram --port 8081``."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args(argv)
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    with FakeTelegram(args.token, port=args.port) as fake:
        print(f"Fake Telegram serving at {fake.base_url}  (token {fake.token})", flush=True)
        while not done.wait(1):
            pass
    print("Fake Telegram stopped", flush=True)


if __name__ == "__main__":
    main()
