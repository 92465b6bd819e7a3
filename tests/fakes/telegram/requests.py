"""Reading Bot API requests and writing answers: parameter decoding (query string, JSON,
urlencoded, multipart), typed parameters, and the ``{"ok": ...}`` response envelope."""

from __future__ import annotations

import email.parser
import email.policy
import json
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.fakes.telegram.records import JSONDict, UploadedFile

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


class _Response(Exception):
    """Raised by request handlers to answer early with an error."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.response = _error(status, description, parameters)


class _AsciiJSON(JSONResponse):
    """JSON as the Bot API writes it: non-ASCII escaped, so a lone surrogate a test pushes
    (as a forged or broken client could send one) travels as ``\\ud800``."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def _ok(result: Any) -> Response:
    return _AsciiJSON({"ok": True, "result": result})


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
