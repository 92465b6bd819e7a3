"""JSON of the Bot API objects the fake hands out: chats, users and the bot's messages."""

from __future__ import annotations

import time
from typing import Final

from tests.fakes.telegram.records import JSONDict

SUPERGROUP_ID_BOUND: Final = -1_000_000_000_000


def _chat_type_of(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= SUPERGROUP_ID_BOUND else "group"


def _chat_json(chat_id: int, chat_type: str | None = None) -> JSONDict:
    kind = chat_type or _chat_type_of(chat_id)
    if kind == "private":
        return {"id": chat_id, "type": kind, "first_name": "Testi"}
    return {"id": chat_id, "type": kind, "title": "Testiryhmä"}


def _user_json(user_id: int, language_code: str | None) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": "Testi"}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _message_json(
    bot_user: JSONDict, chat_id: int, message_id: int, text: str, markup: JSONDict | None
) -> JSONDict:
    message: JSONDict = {
        "message_id": message_id,
        "from": dict(bot_user),
        "chat": _chat_json(chat_id),
        "date": int(time.time()),
        "text": text,
    }
    if markup is not None and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
