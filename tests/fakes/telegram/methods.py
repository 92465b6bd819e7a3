"""The Bot API methods the fake implements (all but getUpdates, see `polling`), and the flood
limits they enforce. Handlers run with the lock held and answer a `Response` or raise
`_Response`."""

from __future__ import annotations

import json
import math
import time

from starlette.responses import Response

from tests.fakes.telegram.limits import _Window
from tests.fakes.telegram.payloads import _chat_json, _message_json
from tests.fakes.telegram.records import JSONDict, SentDocument, SentMessage, UploadedFile
from tests.fakes.telegram.requests import _chat_id, _int_param, _ok, _Response
from tests.fakes.telegram.state import _State
from tests.fakes.telegram.text import _check_text, _inline_markup


def _commands_key(params: JSONDict) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


class _Methods(_State):
    """`FakeTelegram`'s Bot API method handlers (lock held)."""

    # ------------------------------------------------------------------ flood limits

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
        return _ok(_message_json(self.bot_user, chat_id, message_id, text, markup))

    def _send_document(self, params: JSONDict) -> Response:
        """Only uploads (multipart): a file_id or URL names a file the fake never had."""
        chat_id = _chat_id(params)
        document = params.get("document")
        if not isinstance(document, UploadedFile):
            raise _Response(400, "Bad Request: there is no document in the request")
        if not document.data:
            raise _Response(400, "Bad Request: file must be non-empty")
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > 1024:
            raise _Response(400, "Bad Request: message caption is too long")
        self._check_flood(chat_id)
        self._message_ids[chat_id] += 1
        message_id = self._message_ids[chat_id]
        self._documents.append(
            SentDocument(
                chat_id,
                document,
                None if caption is None else str(caption),
                message_id,
                time.monotonic(),
            )
        )
        self._changed.notify_all()
        message = _message_json(self.bot_user, chat_id, message_id, "", None)
        del message["text"]
        message["document"] = {
            "file_id": f"doc-{chat_id}-{message_id}",
            "file_unique_id": f"u-{chat_id}-{message_id}",
            "file_name": document.filename,
            "mime_type": document.content_type,
            "file_size": len(document.data),
        }
        if caption is not None:
            message["caption"] = str(caption)
        return _ok(message)

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
        message = _message_json(self.bot_user, chat_id, message_id, text, markup)
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

    def _set_my_commands(self, params: JSONDict) -> Response:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _Response(400, 'Bad Request: parameter "commands" is required')
        self._commands[_commands_key(params)] = commands
        return _ok(True)

    def _get_my_commands(self, params: JSONDict) -> Response:
        return _ok(self._commands.get(_commands_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> Response:
        self._commands.pop(_commands_key(params), None)
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
