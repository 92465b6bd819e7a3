"""Telegram, through python-telegram-bot: our own polling loop and webhook route, and delivery.

python-telegram-bot's ``Updater`` and webhook server acknowledge an update before any handler
runs, so a crash there loses it. Here an update is acknowledged only once it is stored: in
polling, the next ``getUpdates`` offset moves past an update only after :meth:`record` returned;
in webhook mode, the route answers 200 only after storing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Bot as TelegramBot
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.errors import (
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    MessageRejected,
    RateLimited,
)
from bot.inbound import Inbound, clean_text
from bot.ports import Button
from bot.texts import LANGUAGES, say

__all__ = ["CHANNEL", "Spacing", "TelegramChannel", "TelegramTransport", "inbound_from_update"]

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "channel_post", "callback_query", "my_chat_member")
"""``channel_post``: a channel's admin links it to an area by posting a code there."""
POLL_FAILURES_BEFORE_FAILING = 2
"""``getUpdates`` failures in a row before the channel counts as failing (one is a blip)."""
SEND_FAILURES_BEFORE_FAILING = 3
MAX_UPDATE_BYTES = 256 * 1024
"""A webhook body longer than this is no update of Telegram's (its longest message is 4,096
characters, a few kilobytes of JSON with its entities): 413, read no further."""
MAX_ID = 2**63
"""Update and chat ids beyond a signed 64-bit integer are Telegram's no more than ours (its ids
fit in 52 bits): such an update is not stored whole (chat) or at all (update id)."""
PRIVATE_SPACING = 1.0  # Telegram: about one message a second to a private chat
GROUP_SPACING = 3.0  # and twenty a minute to a group


@dataclass(frozen=True, slots=True)
class Spacing:
    """Seconds between two messages to one chat: Telegram's limits by default."""

    private: float = PRIVATE_SPACING
    group: float = GROUP_SPACING


Record = Callable[[Sequence[Inbound]], Awaitable[int]]
"""Stores updates and returns once they are committed (how many were new)."""


class TelegramChannel:
    """Receives updates (polling or webhook) and delivers texts for one bot token."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        record: Record,
        poll_timeout: float = 25.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        spacing: Spacing = Spacing(),
    ) -> None:
        # python-telegram-bot 22 warns on every 429 unless told to give retry_after as a
        # timedelta, which :func:`_seconds` reads either way.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self._record = record
        self._poll_timeout = poll_timeout
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._problem: str | None = "not signed in to the Bot API yet"
        self._poll_failures = 0
        self._updates_request = HTTPXRequest(connection_pool_size=2, read_timeout=poll_timeout + 10)
        request = HTTPXRequest(connection_pool_size=20, read_timeout=10, write_timeout=10)
        self._bot = TelegramBot(
            token,
            base_url=base_url,
            request=request,
            get_updates_request=self._updates_request,
        )
        self.transport = TelegramTransport(
            request, f"{self._bot.base_url}/sendMessage", spacing=spacing
        )

    @property
    def is_webhook(self) -> bool:
        return self._webhook_url is not None

    @property
    def problem(self) -> str | None:
        """Why the channel does not work now (not signed in, the webhook not set, polling or
        sending failing again and again); None when it works. No resident text in it."""
        if self._problem is not None:
            return self._problem
        return self.transport.problem

    async def start(self) -> None:
        """Meet the Bot API (``getMe``), announce the commands, and set or drop the webhook."""
        try:
            await self._bot.initialize()
        except InvalidToken:
            self._problem = "the Bot API rejected the token"
            raise
        except TelegramError as exc:
            self._problem = f"cannot reach the Bot API ({_reason(exc)})"
            raise
        log.info("telegram: signed in as @%s", self._bot.username)
        for language in LANGUAGES:
            commands = [
                BotCommand("start", say("command_start", language)),
                BotCommand("help", say("command_help", language)),
                BotCommand("privacy", say("command_privacy", language)),
                BotCommand("mydata", say("command_mydata", language)),
                BotCommand("forget", say("command_forget", language)),
            ]
            try:
                await self._bot.set_my_commands(
                    commands, language_code=None if language == "fi" else language
                )
            except TelegramError as exc:  # nice to have; never a reason not to start
                log.warning("telegram: could not set the %s commands: %s", language, exc)
        if self._webhook_url:
            self._problem = "the webhook is not set yet"
            try:
                await self._bot.set_webhook(
                    self._webhook_url,
                    secret_token=self._webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            except TelegramError as exc:
                self._problem = f"the webhook could not be set ({_reason(exc)})"
                raise
            log.info("telegram: webhook set")
        else:
            await self._bot.delete_webhook(drop_pending_updates=False)
        self._problem = None

    async def stop(self) -> None:
        await self._bot.shutdown()

    async def poll(self) -> None:
        """Long-poll ``getUpdates`` forever (cancel to stop), storing before acknowledging."""
        offset: int | None = None
        pause = 1.0
        while True:
            try:
                batch = await self._get_updates(offset)
            except Conflict as exc:
                log.warning("telegram: %s; trying again in 5 s", exc)
                self._problem = f"another process takes this bot's updates ({_reason(exc)})"
                await asyncio.sleep(5)
                continue
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except InvalidToken:
                log.error("telegram: the token was rejected; polling stops")
                self._problem = "the Bot API rejected the token"
                raise
            except TelegramError as exc:
                log.warning("telegram: getUpdates failed (%s); retrying in %.0f s", exc, pause)
                self._poll_failures += 1
                if self._poll_failures >= POLL_FAILURES_BEFORE_FAILING:
                    self._problem = (
                        f"getUpdates failed {self._poll_failures} times in a row ({_reason(exc)})"
                    )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 1.0
            self._poll_failures, self._problem = 0, None
            inbounds = []
            for raw in batch:
                inbound = inbound_from_update(raw)
                if inbound is None:
                    log.warning("telegram: an update without an update_id was skipped")
                    continue
                inbounds.append(inbound)
            if inbounds:
                await self._store(inbounds)
                offset = max(inbound.update_id for inbound in inbounds) + 1
                for inbound in inbounds:
                    await self._stop_button_spinner(inbound)

    async def _get_updates(self, offset: int | None) -> list[dict[str, Any]]:
        parameters: dict[str, Any] = {
            "timeout": int(self._poll_timeout),
            "allowed_updates": json.dumps(ALLOWED_UPDATES),
        }
        if offset is not None:
            parameters["offset"] = offset
        # Raw JSON rather than Bot.get_updates: one malformed update must not make the whole
        # batch unreadable and stall polling at that offset forever.
        result = await self._updates_request.post(
            f"{self._bot.base_url}/getUpdates?{urlencode(parameters)}",
            read_timeout=self._poll_timeout + 10,
        )
        return (
            [item for item in result if isinstance(item, dict)] if isinstance(result, list) else []
        )

    async def _store(self, inbounds: list[Inbound]) -> None:
        """Store until it works: an update is never acknowledged before it is stored."""
        pause = 0.5
        while True:
            try:
                await self._record(inbounds)
                return
            except Exception:
                log.exception("telegram: storing %d updates failed; retrying", len(inbounds))
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def webhook(self, request: Request) -> Response:
        """The webhook route: 403 without the right secret, 200 only once the update is stored."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self._webhook_secret or not hmac.compare_digest(
            given.encode(), self._webhook_secret.encode()
        ):
            return JSONResponse({"detail": "wrong or missing secret token"}, status_code=403)
        body = await _body_within(request, MAX_UPDATE_BYTES)
        if body is None:
            return JSONResponse({"detail": "the update is larger than any"}, status_code=413)
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than any update
            return JSONResponse({"detail": "the body is not JSON"}, status_code=400)
        inbound = inbound_from_update(raw) if isinstance(raw, dict) else None
        if inbound is None:
            return JSONResponse({"detail": "not a Telegram update"}, status_code=400)
        await self._record([inbound])
        await self._stop_button_spinner(inbound)
        return JSONResponse({})

    async def _stop_button_spinner(self, inbound: Inbound) -> None:
        """Answer a pressed button at once (Telegram shows a spinner until then); the reply
        itself comes through the outbox like any other."""
        if inbound.kind != "callback" or not inbound.callback_id:
            return
        try:
            await self._bot.answer_callback_query(inbound.callback_id)
        except TelegramError as exc:
            log.info("telegram: could not answer a button press: %s", exc)


class TelegramTransport:
    """Delivers texts with ``sendMessage`` and files with ``sendDocument``, translating
    Telegram's errors to ours.

    It posts through python-telegram-bot's request layer (``BaseRequest.post``: its HTTP
    client, timeouts and mapping of Bot API errors to exceptions) but reads only the new
    message's id from the answer: ``Bot.send_message`` would build a whole ``Message`` of it,
    a fair share of the cost of a send.
    """

    channel = CHANNEL

    def __init__(self, request: BaseRequest, url: str, *, spacing: Spacing = Spacing()) -> None:
        """``request`` is the one the bot's own calls use; ``url`` is the ``sendMessage`` URL."""
        self._request = request
        self._spacing = spacing
        self._url = url
        self._failures = 0
        self._last_failure = ""
        self._document_url = url.rsplit("/", 1)[0] + "/sendDocument"

    def spacing(self, chat_id: int) -> float:
        return self._spacing.private if chat_id > 0 else self._spacing.group

    @property
    def problem(self) -> str | None:
        """Sends keep failing on the Bot API's side (network, 5xx); None once one passes."""
        if self._failures < SEND_FAILURES_BEFORE_FAILING:
            return None
        return f"sending failed {self._failures} times in a row ({self._last_failure})"

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in buttons
                ]
            )
            if buttons
            else None
        )
        parameters = [
            RequestParameter.from_input("chat_id", chat_id),
            RequestParameter.from_input("text", text),
        ]
        if markup is not None:
            parameters.append(RequestParameter.from_input("reply_markup", markup))
        return await self._post(self._url, parameters)

    async def send_document(
        self, chat_id: int, *, filename: str, content: bytes, caption: str | None = None
    ) -> int | None:
        """Upload ``content`` as a file named ``filename`` (multipart ``sendDocument``)."""
        parameters = [
            RequestParameter.from_input("chat_id", chat_id),
            RequestParameter.from_input("document", InputFile(content, filename=filename)),
        ]
        if caption:
            parameters.append(RequestParameter.from_input("caption", caption))
        return await self._post(self._document_url, parameters)

    async def _post(self, url: str, parameters: list[RequestParameter]) -> int | None:
        try:
            message = await self._request.post(url, RequestData(parameters))
        except RetryAfter as exc:
            raise RateLimited(_seconds(exc.retry_after)) from exc
        except ChatMigrated as exc:
            raise ChatMoved(exc.new_chat_id) from exc
        except Forbidden as exc:
            raise ChatUnreachable(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise ChatUnreachable(str(exc)) from exc
            raise MessageRejected(str(exc)) from exc
        except (NetworkError, TelegramError) as exc:
            self._failures += 1
            self._last_failure = _reason(exc)
            raise DeliveryFailed(str(exc)) from exc
        self._failures = 0
        message_id = message.get("message_id") if isinstance(message, dict) else None
        return message_id if isinstance(message_id, int) else None


def inbound_from_update(raw: dict[str, Any]) -> Inbound | None:
    """Our :class:`Inbound` for a raw Telegram update; None when it has no update id.

    Reads the Bot API's JSON directly (the few fields we use) rather than building
    python-telegram-bot's objects, which costs more than everything else about an update.
    Never raises: an update we cannot read becomes ``kind="other"``, stored and ignored, so
    the offset still moves past it.
    """
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < MAX_ID:
        return None
    try:
        if "callback_query" in raw:
            return _button_pressed(update_id, raw["callback_query"])
        if "message" in raw:
            return _message(update_id, raw["message"])
        if "channel_post" in raw:
            return _message(update_id, raw["channel_post"])
    except (KeyError, TypeError, ValueError, AttributeError):
        log.warning("telegram: update %s could not be read; ignoring it", update_id)
    return Inbound(channel=CHANNEL, update_id=update_id, kind="other")


def _message(update_id: int, message: dict[str, Any]) -> Inbound:
    chat = message["chat"]
    user = message.get("from") or {}
    text = message.get("text")
    return Inbound(
        channel=CHANNEL,
        update_id=update_id,
        kind="text" if text else "media",
        chat_id=_integer(chat["id"]),
        chat_kind=str(chat["type"]),
        user_id=str(_integer(user["id"])) if "id" in user else None,
        language_code=_optional_text(user.get("language_code")),
        text=_optional_text(text),
    )


def _button_pressed(update_id: int, query: dict[str, Any]) -> Inbound:
    user = query["from"]
    chat = (query.get("message") or {}).get("chat")
    data = _optional_text(query.get("data"))
    if chat and chat.get("type") == "private" and chat.get("id") != user.get("id"):
        data = None  # only the chat's own person presses its buttons: a forged update
    return Inbound(
        channel=CHANNEL,
        update_id=update_id,
        kind="callback",
        chat_id=_integer(chat["id"]) if chat else _integer(user["id"]),
        chat_kind=str(chat["type"]) if chat else "private",
        user_id=str(_integer(user["id"])),
        language_code=_optional_text(user.get("language_code")),
        text=data,
        callback_id=str(query["id"]),
    )


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer id, got {type(value).__name__}")
    if not -MAX_ID < value < MAX_ID:
        raise ValueError("an id no database column holds")
    return value


def _optional_text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return None if value is None else clean_text(value)


async def _body_within(request: Request, limit: int) -> bytes | None:
    """The request's body, or ``None`` as soon as it is longer than ``limit`` bytes (read no
    further: a client cannot make us hold more than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _reason(exc: TelegramError) -> str:
    """The Bot API's own words for a failure (its descriptions hold no message text)."""
    return f"{type(exc).__name__}: {exc}"[:160]


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
