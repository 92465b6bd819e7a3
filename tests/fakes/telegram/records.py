"""What the fake records: API calls, messages it accepted, uploaded files, failure rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]


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
class SentDocument:
    """A file the fake accepted (sendDocument, uploaded as multipart/form-data)."""

    chat_id: int
    file: UploadedFile
    caption: str | None
    message_id: int
    at: float


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart/form-data request, as found in `Call.params`."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class _Failure:
    """A rule added by `FakeTelegram.fail`."""

    method: str
    status: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    chat_id: int | None
