"""The fake Telegram Bot API server, exercised with the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram import FakeTelegram, TelegramLimits, UploadedFile

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Kyllä", callback_data="yes")]])
# Each httpx client otherwise builds its own TLS context (~65 ms, two per Bot) although the
# fake is plain HTTP; sharing one keeps this file fast.
_TLS = ssl.create_default_context()


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A PTB Bot talking to the fake."""
    return Bot(
        token or fake.token,
        base_url=fake.base_url,
        request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
    )


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it PTB 22 warns (PTBDeprecationWarning) while *constructing* RetryAfter, which
    # filterwarnings=error turns into the exception raised instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as tg:
        yield tg


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as ptb_bot:
        yield ptb_bot


async def test_get_me_describes_the_bot(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.id == 123456
    assert me.username == "talkkari_test_bot"
    assert me.first_name == "Kaupunkitalkkari"
    assert [call.method for call in fake.calls] == ["getMe", "getMe"]  # initialize() + ours


async def test_send_message_is_recorded_and_answered(bot: Bot, fake: FakeTelegram) -> None:
    first = await bot.send_message(42, "<b>Hei</b> 123", parse_mode="HTML", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "toinen")
    other = await bot.send_message(7, "muualle")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.type == ChatType.PRIVATE
    assert first.from_user is not None and first.from_user.is_bot
    assert first.reply_markup == KEYBOARD
    sent = fake.sent(42)
    assert [m.text for m in sent] == ["<b>Hei</b> 123", "toinen"]
    assert sent[0].parse_mode == "HTML"
    assert sent[0].reply_markup == {
        "inline_keyboard": [[{"text": "Kyllä", "callback_data": "yes"}]]
    }
    assert len(fake.sent()) == 3
    params = fake.calls_of("sendMessage")[0].params
    assert params["chat_id"] == 42 and params["text"] == "<b>Hei</b> 123"


async def test_group_chat_types_follow_the_id(bot: Bot) -> None:
    group = await bot.send_message(-4242, "ryhmä")
    supergroup = await bot.send_message(-1001234567890, "superryhmä")

    assert group.chat.type == ChatType.GROUP
    assert supergroup.chat.type == ChatType.SUPERGROUP


async def test_get_updates_offset_confirms_and_forgets(bot: Bot, fake: FakeTelegram) -> None:
    first = fake.push_message(42, "/start")
    second = fake.push_message(42, "Katuvalo on rikki")
    third = fake.push_message(-4242, "hei ryhmä", user_id=5)

    everything = await bot.get_updates()
    assert [u.update_id for u in everything] == [first, second, third]
    assert everything[0].message is not None
    assert everything[0].message.text == "/start"
    assert everything[0].message.entities[0].type == "bot_command"
    assert everything[2].effective_user is not None and everything[2].effective_user.id == 5

    unconfirmed = await bot.get_updates(offset=second)  # confirms `first`
    assert [u.update_id for u in unconfirmed] == [second, third]
    again = await bot.get_updates(offset=first)  # too late: `first` is forgotten
    assert [u.update_id for u in again] == [second, third]
    assert await bot.get_updates(offset=third + 1) == ()
    assert await bot.get_updates() == ()
    assert [fake.served_count(i) for i in (first, second, third)] == [1, 3, 3]


async def test_duplicate_update_id_is_delivered_twice(bot: Bot, fake: FakeTelegram) -> None:
    update_id = fake.push_message(42, "eka")
    fake.push_message(42, "eka", update_id=update_id)
    later = fake.push_message(42, "toka")

    updates = await bot.get_updates(limit=2)

    assert [u.update_id for u in updates] == [update_id, update_id]
    assert fake.served_count(update_id) == 2
    assert later == update_id + 1


async def test_long_poll_wakes_when_a_message_is_pushed(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for_calls("getUpdates", 1)
    await asyncio.sleep(0.05)  # let the request start waiting
    assert not poll.done()
    started = time.monotonic()
    pusher = threading.Thread(target=fake.push_message, args=(42, "herätys"))
    pusher.start()

    updates = await poll
    pusher.join()

    assert [u.message.text for u in updates if u.message] == ["herätys"]
    assert time.monotonic() - started < 3


async def test_abandoned_long_poll_serves_nothing(bot: Bot, fake: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for_calls("getUpdates", 1)
    await asyncio.sleep(0.05)
    poll.cancel()  # as when the bot process dies mid-poll: the connection closes
    with contextlib.suppress(asyncio.CancelledError):
        await poll
    await asyncio.sleep(0.2)

    update_id = fake.push_message(42, "kukaan ei kuuntele")
    await asyncio.sleep(0.2)
    assert fake.served_count(update_id) == 0
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert fake.served_count(update_id) == 1


async def test_newer_long_poll_ends_the_older_with_conflict(bot: Bot, fake: FakeTelegram) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for_calls("getUpdates", 1)
    async with make_bot(fake) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await older


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert time.monotonic() - started >= 0.25


async def test_callback_query_carries_the_sent_message(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(42, "Valitse", reply_markup=KEYBOARD)
    fake.push_callback_query(42, "yes", message_id=sent.message_id)

    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "yes"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.language_code == "fi"
    assert await query.answer("Kiitos")
    assert fake.calls_of("answerCallbackQuery")[0].params["text"] == "Kiitos"


async def test_allowed_updates_filter_what_is_delivered(bot: Bot, fake: FakeTelegram) -> None:
    fake.push_callback_query(42, "yes")
    message = fake.push_message(42, "viesti")

    updates = await bot.get_updates(allowed_updates=["message"])

    assert [u.update_id for u in updates] == [message]
    assert fake.pending_updates()[0]["update_id"] == message


async def test_malformed_update_is_delivered_as_is(fake: FakeTelegram) -> None:
    update_id = fake.push_update({"update_id": 555, "message": {"text": "ei chattia"}})
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}{fake.token}/getUpdates")

    assert update_id == 555
    assert response.json() == {
        "ok": True,
        "result": [{"update_id": 555, "message": {"text": "ei chattia"}}],
    }
    assert fake.push_update({"message": {}}) > 555  # update_id allocated when missing


async def test_injected_429_surfaces_as_retry_after(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "hei")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert fake.sent() == []
    assert len(fake.calls_of("sendMessage")) == 1
    await bot.send_message(42, "hei")  # `times` defaults to once
    assert len(fake.sent()) == 1


async def test_injected_failure_can_target_one_chat(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail(
        "sendMessage",
        status=400,
        description="Bad Request: group chat was upgraded",
        chat_id=-5,
        migrate_to_chat_id=-1005,
        times=2,
    )

    await bot.send_message(6, "ok")
    for _ in range(2):
        with pytest.raises(ChatMigrated):
            await bot.send_message(-5, "ryhmään")
    await bot.send_message(-5, "ryhmään")
    assert [m.chat_id for m in fake.sent()] == [6, -5]


async def test_blocked_chat_is_forbidden_until_unblocked(bot: Bot, fake: FakeTelegram) -> None:
    fake.block(42)

    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(42, "hei")
    await bot.send_message(43, "muille kyllä")
    fake.unblock(42)
    await bot.send_message(42, "hei taas")

    assert [(m.chat_id, m.text) for m in fake.sent()] == [(43, "muille kyllä"), (42, "hei taas")]


async def test_text_length_is_validated(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(42, "")
    await bot.send_message(42, "x" * 4096)
    await bot.send_message(42, f"<b>{'x' * 4096}</b>", parse_mode="HTML")  # markup not counted

    assert [len(m.text) for m in fake.sent()] == [4096, 4103]


async def test_broken_html_is_rejected(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(42, "rivi<br>rivi", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(42, "<b>auki", parse_mode="HTML")
    await bot.send_message(
        42, "1 &lt; 2 &amp; <a href='https://example.fi'>linkki</a>", parse_mode="HTML"
    )
    assert len(fake.sent()) == 1


async def test_limits_reject_a_second_private_message_within_a_second() -> None:
    with FakeTelegram(limits=TelegramLimits()) as fake:
        async with make_bot(fake) as bot:
            await bot.send_message(42, "eka")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(42, "toka")
            await bot.send_message(43, "toiseen chattiin")

    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert [m.text for m in fake.sent()] == ["eka", "toiseen chattiin"]
    assert fake.rejected_429 == 1
    assert len(fake.calls_of("sendMessage")) == 3


async def test_limits_window_for_groups() -> None:
    limits = TelegramLimits(overall_per_second=100, group_per_minute=2)
    async with FakeTelegram(limits=limits) as fake, make_bot(fake) as bot:
        await bot.send_message(-1, "1")
        await bot.send_message(-1, "2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-1, "3")

    retry_after = caught.value.retry_after
    assert isinstance(retry_after, dtm.timedelta)
    assert dtm.timedelta(seconds=59) <= retry_after <= dtm.timedelta(seconds=60)


async def test_hang_holds_until_release(bot: Bot, fake: FakeTelegram) -> None:
    fake.hang("sendMessage")
    sending = asyncio.create_task(bot.send_message(42, "odota"))
    await fake.wait_for_calls("sendMessage", 1)

    assert fake.hanging_count("sendMessage") == 1
    await asyncio.sleep(0.05)
    assert not sending.done()
    assert fake.sent() == []
    fake.release("sendMessage")

    message = await sending
    assert message.text == "odota"
    assert fake.hanging_count("sendMessage") == 0
    assert [m.text for m in await fake.wait_for_sent(1)] == ["odota"]


async def test_stop_answers_hung_requests_and_long_polls(bot: Bot, fake: FakeTelegram) -> None:
    fake.hang("sendMessage")
    sending = asyncio.create_task(bot.send_message(42, "jumissa"))
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for_calls("sendMessage", 1)
    await fake.wait_for_calls("getUpdates", 1)
    started = time.monotonic()

    await asyncio.to_thread(fake.stop)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await sending
    assert await polling == ()
    assert time.monotonic() - started < 3
    assert fake.sent() == []


async def test_reset_forgets_everything(bot: Bot, fake: FakeTelegram) -> None:
    fake.hang("sendMessage")
    held = asyncio.create_task(bot.send_message(42, "vanha"))
    await fake.wait_for_calls("sendMessage", 1)
    fake.block(7)
    fake.push_message(42, "odottaa")

    fake.reset()

    with pytest.raises(NetworkError):  # held across the reset: answered 502, not delivered
        await held
    assert fake.calls == [] and fake.pending_updates() == []
    assert fake.hanging_count("sendMessage") == 0
    await bot.send_message(7, "ei enää estetty")
    assert [m.text for m in fake.sent()] == ["ei enää estetty"]


async def test_webhook_blocks_get_updates(bot: Bot, fake: FakeTelegram) -> None:
    fake.push_message(42, "odottaa")
    assert await bot.set_webhook("https://talkkari.example/hook", secret_token="s3cret")

    assert fake.webhook == "https://talkkari.example/hook"
    assert fake.webhook_secret == "s3cret"
    info = await bot.get_webhook_info()
    assert info.url == "https://talkkari.example/hook" and info.pending_update_count == 1
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake.webhook is None
    assert await bot.get_updates() == ()


async def test_edit_message_text(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(42, "vanha", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text("uusi", chat_id=42, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "uusi"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("uusi", chat_id=42, message_id=sent.message_id)
    assert [(e.chat_id, e.message_id, e.text) for e in fake.edited()] == [(42, 1, "uusi")]


async def test_commands_chat_and_chat_action(bot: Bot, fake: FakeTelegram) -> None:
    assert await bot.set_my_commands([("start", "Aloita"), ("apua", "Ohjeet")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "apua"]
    assert fake.commands()[0] == {"command": "start", "description": "Aloita"}
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(42, "typing")
    chat = await bot.get_chat(-1001234567890)
    assert chat.type == ChatType.SUPERGROUP


async def test_wrong_token_and_unknown_method(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("no_such_method")
    with pytest.raises(InvalidToken):
        async with make_bot(fake, "999:WRONG"):
            pass


async def test_outage_and_heal(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_server()
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(42, "katko")
    fake.heal()
    await bot.send_message(42, "taas toimii")
    assert [m.text for m in fake.sent()] == ["taas toimii"]


async def test_wait_for_sent_explains_a_timeout(bot: Bot, fake: FakeTelegram) -> None:
    await bot.send_message(42, "vain yksi")
    with pytest.raises(AssertionError, match="vain yksi"):
        await fake.wait_for_sent(2, timeout=0.1)
    assert len(await fake.wait_for_sent(1, chat_id=42)) == 1


async def test_restart_keeps_port_and_state(bot: Bot, fake: FakeTelegram) -> None:
    await bot.send_message(42, "ennen")
    url = fake.base_url
    await asyncio.to_thread(fake.stop)
    with pytest.raises(NetworkError):
        await bot.send_message(42, "katkon aikana")
    await asyncio.to_thread(fake.start)

    await bot.send_message(42, "jälkeen")
    assert fake.base_url == url
    assert [m.text for m in fake.sent()] == ["ennen", "jälkeen"]


def test_raw_http_encodings_from_sync_code() -> None:
    with FakeTelegram() as fake, httpx.Client(base_url=fake.base_url + fake.token) as client:
        form = client.post(
            "/sendMessage",
            data={"chat_id": "5", "text": "123", "reply_markup": '{"inline_keyboard": []}'},
        )
        as_json = client.post("/sendMessage", json={"chat_id": 5, "text": "[1]"})
        query = client.get("/sendMessage", params={"chat_id": "5", "text": "kysely"})
        multipart = client.post(
            "/sendChatAction",
            data={"chat_id": "5", "action": "typing"},
            files={"document": ("a.txt", b"abc", "text/plain")},
        )
        unknown = client.post("/nope")
        wrong_token = httpx.post(fake.base_url + "1:X/getMe")
        sent = fake.wait_for_sent_sync(3, chat_id=5, timeout=2)

    assert [r.status_code for r in (form, as_json, query, multipart)] == [200, 200, 200, 200]
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [m.text for m in sent] == ["123", "[1]", "kysely"]
    assert sent[0].reply_markup == {"inline_keyboard": []}
    params = fake.calls_of("sendChatAction")[0].params
    assert params["chat_id"] == 5 and params["action"] == "typing"
    assert params["document"] == UploadedFile("a.txt", "text/plain", b"abc")
