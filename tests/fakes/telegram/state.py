"""The fake's shared state, and handing work to the server's event loop.

`FakeTelegram` is assembled from mixins, one concept each (`methods`, `polling`, `updates`,
`recording`, `failures`); `_State` is their common base and owns every attribute they share.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Final

from tests.fakes.telegram.limits import TelegramLimits, _Window
from tests.fakes.telegram.records import Call, JSONDict, SentDocument, SentMessage, _Failure

FIRST_UPDATE_ID: Final = 100_000
BOT_FIRST_NAME: Final = "Kaupunkitalkkari"
BOT_USERNAME: Final = "talkkari_test_bot"


class _State:
    """Everything but the HTTP server itself; see `FakeTelegram`."""

    def __init__(self, token: str, *, limits: TelegramLimits | None, port: int) -> None:
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
        # Server loop state; _loop and the asyncio.Events below belong to the server thread.
        self._loop: asyncio.AbstractEventLoop | None = None
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
        self._documents: list[SentDocument] = []
        self._served: defaultdict[int, int] = defaultdict(int)
        self._rejected_429 = 0

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
