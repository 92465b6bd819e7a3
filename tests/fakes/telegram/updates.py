"""Updates for the bot: realistic update JSON, and queueing updates for getUpdates."""

from __future__ import annotations

import bisect
import time
from typing import Final

from tests.fakes.telegram.payloads import (
    _chat_json,
    _chat_type_of,
    _message_json,
    _user_json,
    _utf16_len,
)
from tests.fakes.telegram.records import JSONDict
from tests.fakes.telegram.state import _State

DEFAULT_GROUP_USER_ID: Final = 111_111


class _Updates(_State):
    """`FakeTelegram`'s update building and queueing."""

    def _new_update_id(self, update_id: int | None) -> int:
        """Next update_id, or the given one; keeps later ids above any given id (lock held)."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        return update_id

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
            message["from"] = _user_json(sender, language_code)
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
        message = _message_json(self.bot_user, chat_id, message_id, text, markup)
        sender = (
            user_id if user_id is not None else (chat_id if chat_id > 0 else DEFAULT_GROUP_USER_ID)
        )
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"{query_id}{update_id}",
                "from": _user_json(sender, language_code),
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
