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

from tests.fakes.serving import SHUTDOWN_GRACE
from tests.fakes.telegram.limits import TelegramLimits
from tests.fakes.telegram.payloads import SUPERGROUP_ID_BOUND
from tests.fakes.telegram.records import Call, JSONDict, SentDocument, SentMessage, UploadedFile
from tests.fakes.telegram.server import FakeTelegram
from tests.fakes.telegram.state import BOT_FIRST_NAME, BOT_USERNAME, FIRST_UPDATE_ID
from tests.fakes.telegram.text import MAX_TEXT_LENGTH
from tests.fakes.telegram.updates import DEFAULT_GROUP_USER_ID

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_USERNAME",
    "DEFAULT_GROUP_USER_ID",
    "FIRST_UPDATE_ID",
    "MAX_TEXT_LENGTH",
    "SHUTDOWN_GRACE",
    "SUPERGROUP_ID_BOUND",
    "Call",
    "FakeTelegram",
    "JSONDict",
    "SentDocument",
    "SentMessage",
    "TelegramLimits",
    "UploadedFile",
]
