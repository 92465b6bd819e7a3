"""getUpdates: long polling over the queue of pending updates, with Telegram's conflicts
(webhook set, a newer poll) and offset confirmation."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from asyncio import FIRST_COMPLETED
from typing import Final

from starlette.responses import Response
from starlette.types import Message, Receive

from tests.fakes.telegram.failures import _FailureInjection
from tests.fakes.telegram.methods import _Methods
from tests.fakes.telegram.records import JSONDict
from tests.fakes.telegram.requests import _error, _int_param, _ok, _Response

# Update types Telegram only delivers when asked for explicitly in allowed_updates.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_CONFLICT_POLL: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def _update_type(update: JSONDict) -> str | None:
    return next((key for key in update if key != "update_id"), None)


class _Polling(_Methods, _FailureInjection):
    """`FakeTelegram`'s getUpdates."""

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
