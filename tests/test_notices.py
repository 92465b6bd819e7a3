"""Area notices end to end: written, scheduled, previewed and cancelled over the admin API,
delivered at ``publish_at`` (an injected clock) through the fake Bot API, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from knowledge.link_codes import ALPHABET, link_code_hash
from store import (
    AreaChannel,
    AreaSubscription,
    ChannelLinkCode,
    Notice,
    NoticeArea,
    OutboxMessage,
)
from store.notify import NOTICES, notify
from talkkari.runtime import Runtime
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import AdminClient, make_official
from tests.support.clock import ShiftedClock
from tests.support.notices import (
    KALLIO,
    KALLIO_POSTAL,
    VUOSAARI,
    add_group,
    add_subscriber,
    add_subscribers,
    notice_state,
    until_notice_state,
)
from tests.support.running import bot_settings, running_bot

HELSINKI = ZoneInfo("Europe/Helsinki")
TEXTS = {
    "fi": "Vesikatko Kalliossa tiistaina klo 9–12.",
    "sv": "Vattenavbrott i Berghäll på tisdag kl. 9–12.",
}


def helsinki_time(moment: datetime) -> str:
    """How a client sends an instant: Helsinki's wall time with its offset."""
    return moment.astimezone(HELSINKI).isoformat()


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def bot(
    database_url: str, telegram: FakeTelegram, clock: ShiftedClock
) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, telegram), clock=clock) as runtime:
        yield runtime


@pytest.fixture
async def comms(bot: Runtime) -> AsyncIterator[AdminClient]:
    await make_official(bot.database, email="viestinta@hel.fi", role="comms")
    async with AdminClient.of(bot) as client:
        await client.login("viestinta@hel.fi")
        yield client


async def scheduled_notice(
    comms: AdminClient, clock: ShiftedClock, *, areas: list[str], after: timedelta, **fields: Any
) -> dict[str, Any]:
    body = {"texts": TEXTS, "areas": areas, "publish_at": helsinki_time(clock.now() + after)}
    notice = await comms.post_ok("/notices", {**body, **fields})
    scheduled: dict[str, Any] = await comms.post_ok(f"/notices/{notice['id']}/schedule")
    assert scheduled["state"] == "scheduled"
    return scheduled


async def test_a_kallio_notice_reaches_kallio_in_each_language_at_publish_at(
    bot: Runtime, comms: AdminClient, telegram: FakeTelegram, clock: ShiftedClock
) -> None:
    db = bot.database
    await add_subscriber(db, 5001, KALLIO, language="fi")
    await add_subscriber(db, 5002, KALLIO, language="sv")
    await add_subscriber(db, 5003, KALLIO_POSTAL, language=None, platform_language="en-GB")
    await add_subscriber(db, 5004, KALLIO, KALLIO_POSTAL, language="sv")  # one message
    await add_subscriber(db, 5005, KALLIO, language=None, platform_language="de")  # → fi
    await add_subscriber(db, 5006, KALLIO, language="fi")  # blocked the bot
    await add_subscriber(db, 5009, VUOSAARI, language="fi")
    await add_group(db, -1001, KALLIO, language="sv")
    await add_group(db, -1009, VUOSAARI, language="fi")
    telegram.block(5006)

    notice = await scheduled_notice(comms, clock, areas=[KALLIO], after=timedelta(hours=2))
    await asyncio.sleep(1.5)  # the dispatcher looked at least once: not due yet
    assert telegram.sent() == []
    assert await notice_state(db, notice["id"]) == "scheduled"

    clock.advance(timedelta(hours=2, seconds=1))
    await comms.login("viestinta@hel.fi")  # the token expired meanwhile
    await until_notice_state(bot.database, notice["id"], "sent")
    got = {message.chat_id: message.text for message in telegram.sent()}
    fi = "Tiedote – Kallio\n\n" + TEXTS["fi"]
    sv = "Meddelande – Berghäll\n\n" + TEXTS["sv"]
    assert got == {
        5001: fi,
        5002: sv,
        5003: "Notice – Kallio\n\n" + TEXTS["fi"],  # no English text: Finnish
        5004: sv,
        5005: fi,
        -1001: sv,
    }
    assert len(telegram.sent()) == 6

    counts = await comms.get_ok(f"/notices/{notice['id']}/deliveries")
    assert counts["state"] == "sent"
    assert (counts["total"], counts["sent"], counts["queued"], counts["failed"]) == (7, 6, 0, 1)
    assert counts["failed_by_reason"] == {"Forbidden: bot was blocked by the user": 1}
    assert counts["recipients"] == {"resident": 6, "group": 1}
    async with db.sessions() as session:
        left = await session.scalar(
            select(func.count())
            .select_from(AreaSubscription)
            .where(AreaSubscription.area == KALLIO)
        )
    assert left == 4  # the chat that blocked the bot is no longer subscribed
    after = await comms.get_ok(f"/notices/{notice['id']}")
    assert after["state"] == "sent" and after["sending_at"] is not None


async def test_a_group_that_removed_the_bot_is_unlinked(
    bot: Runtime, comms: AdminClient, telegram: FakeTelegram, clock: ShiftedClock
) -> None:
    await add_group(bot.database, -2001, KALLIO)
    await add_group(bot.database, -2002, KALLIO)
    telegram.block(-2002)
    notice = await scheduled_notice(comms, clock, areas=[KALLIO], after=timedelta())
    await until_notice_state(bot.database, notice["id"], "sent")
    channels = await comms.get_ok("/areas/channels", area=KALLIO)
    assert [(c["chat_id"], c["active"]) for c in channels["items"]] == [
        (-2001, True),
        (-2002, False),
    ]
    assert channels["items"][0]["area"]["name_sv"] == "Berghäll"
    assert [
        c["chat_id"] for c in (await comms.get_ok("/areas/channels", active=False))["items"]
    ] == [-2002]


async def test_a_notice_cancelled_while_scheduled_reaches_nobody(
    bot: Runtime, comms: AdminClient, telegram: FakeTelegram, clock: ShiftedClock
) -> None:
    await add_subscriber(bot.database, 5101, KALLIO)
    await add_group(bot.database, -1101, KALLIO)
    notice = await scheduled_notice(comms, clock, areas=[KALLIO], after=timedelta(minutes=30))
    cancelled = await comms.post_ok(f"/notices/{notice['id']}/cancel")
    assert cancelled["state"] == "cancelled" and cancelled["cancelled_at"] is not None
    clock.advance(timedelta(hours=1))
    await comms.login("viestinta@hel.fi")
    await asyncio.sleep(2.0)
    assert telegram.sent() == []
    counts = await comms.get_ok(f"/notices/{notice['id']}/deliveries")
    assert counts["total"] == 0 and counts["state"] == "cancelled"
    assert_problem(await comms.post(f"/notices/{notice['id']}/cancel"), 409)
    assert_problem(await comms.patch(f"/notices/{notice['id']}", {"urgent": True}), 409)


@pytest.mark.parametrize("send_rate", [20.0])
async def test_a_notice_cancelled_mid_sending_reaches_nobody_more(
    database_url: str, telegram: FakeTelegram, send_rate: float
) -> None:
    clock = ShiftedClock()
    settings = bot_settings(database_url, telegram, send_rate=send_rate)
    async with running_bot(settings, clock=clock) as bot:
        await add_subscribers(bot.database, range(6000, 6200), KALLIO)
        await make_official(bot.database, email="viestinta@hel.fi", role="comms")
        async with AdminClient.of(bot) as comms:
            await comms.login("viestinta@hel.fi")
            notice = await scheduled_notice(comms, clock, areas=[KALLIO], after=timedelta())
            await telegram.wait_for_sent(20, timeout=20)
            await comms.post_ok(f"/notices/{notice['id']}/cancel")
            at_cancel = len(telegram.sent())
            await asyncio.sleep(2.0)
            after = len(telegram.sent())
            await asyncio.sleep(1.0)
            assert len(telegram.sent()) == after  # nothing more, ever
            # Only sends already under way when the cancel committed (max_in_flight) go out.
            assert after - at_cancel <= 8, (at_cancel, after)
            assert after < 200
            counts = await comms.get_ok(f"/notices/{notice['id']}/deliveries")
    assert counts["state"] == "cancelled"
    assert counts["sent"] == after and counts["queued"] == 0
    assert counts["cancelled"] == 200 - after


async def test_the_admin_api_writes_schedules_previews_and_audits_notices(
    bot: Runtime, comms: AdminClient, clock: ShiftedClock
) -> None:
    publish_at = clock.now() + timedelta(days=1)
    draft = await comms.post_ok(
        "/notices",
        {
            "texts": {"fi": TEXTS["fi"]},
            "areas": [KALLIO, VUOSAARI],
            "publish_at": helsinki_time(publish_at),
            "urgent": True,
        },
    )
    assert draft["state"] == "draft" and draft["version"] == 0
    assert datetime.fromisoformat(draft["publish_at"]) == publish_at.replace(microsecond=0) or (
        abs(datetime.fromisoformat(draft["publish_at"]) - publish_at) < timedelta(seconds=1)
    )
    assert [a["name_sv"] for a in draft["areas"]] == ["Berghäll", "Nordsjö"]
    path = f"/notices/{draft['id']}"

    # Helsinki needs Swedish too.
    missing = assert_problem(await comms.post(f"{path}/schedule"), 422)
    assert "sv" in missing["detail"] and missing["errors"][0]["loc"] == ["body", "texts", "sv"]
    unknown = assert_problem(await comms.post("/notices", {"areas": [KALLIO, "postal:99999"]}), 422)
    assert "postal:99999" in unknown["detail"]
    assert unknown["errors"][0]["loc"] == ["body", "areas", 1]
    naive = await comms.post("/notices", {"publish_at": "2026-03-02T09:00:00"})
    assert_problem(naive, 422)
    assert_problem(await comms.post("/notices", {"publish_at": 1767225600}), 422)
    backwards = {"publish_at": helsinki_time(publish_at), "expires_at": helsinki_time(clock.now())}
    assert_problem(await comms.post("/notices", backwards), 422)

    edited = await comms.patch_ok(path, {"texts": {"sv": TEXTS["sv"]}, "areas": [KALLIO]})
    assert edited["texts"] == {**TEXTS, "en": None} and edited["version"] == 1
    preview = await comms.get_ok(f"{path}/preview")
    assert preview == {
        "fi": "Kiireellinen tiedote – Kallio\n\n" + TEXTS["fi"],
        "sv": "Brådskande meddelande – Berghäll\n\n" + TEXTS["sv"],
        "en": "Urgent notice – Kallio\n\n" + TEXTS["fi"],
    }
    scheduled = await comms.post_ok(f"{path}/schedule")
    assert scheduled["state"] == "scheduled"
    assert_problem(await comms.post(f"{path}/schedule"), 409)
    # A scheduled notice stays ready to send.
    assert_problem(await comms.patch(path, {"texts": {"sv": None}}), 422)
    assert_problem(await comms.patch(path, {"areas": []}), 422)
    await comms.patch_ok(path, {"urgent": False})

    listed = await comms.get_ok("/notices", state="scheduled")
    assert [n["id"] for n in listed["items"]] == [draft["id"]]
    assert (await comms.get_ok("/notices", state="draft"))["items"] == []
    await comms.post_ok("/notices", {})
    first = await comms.get_ok("/notices", limit=1)
    second = await comms.get_ok("/notices", limit=1, cursor=first["next_cursor"])
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [draft["id"] + 1, draft["id"]]
    assert second["next_cursor"] is None

    async with bot.database.transaction() as session:  # the dispatcher took it
        notice = await session.get(Notice, draft["id"])
        assert notice is not None
        notice.state = "sending"
    assert_problem(await comms.patch(path, {"urgent": True}), 409)
    assert (await comms.post_ok(f"{path}/cancel"))["state"] == "cancelled"
    assert_problem(await comms.get("/notices/987654"), 404)

    await make_official(bot.database, email="admin@hel.fi", role="admin")
    async with AdminClient.of(bot) as admin:
        await admin.login("admin@hel.fi")
        entries = await admin.audit(object_type="notice", object_id=str(draft["id"]))
        assert [e["action"] for e in entries] == [
            "notice.cancel",
            "notice.update",
            "notice.schedule",
            "notice.update",
            "notice.create",
        ]
        assert {e["actor"] for e in entries} == {"viestinta@hel.fi"}
        assert entries[3]["before"]["texts"]["sv"] is None
        assert entries[3]["after"]["texts"]["sv"] == TEXTS["sv"]
        assert (await admin.get_ok(path))["state"] == "cancelled"  # admins write and read too


async def test_officials_may_not_touch_notices(bot: Runtime, comms: AdminClient) -> None:
    notice = await comms.post_ok("/notices", {"texts": TEXTS, "areas": [KALLIO]})
    await make_official(bot.database, email="virkailija@hel.fi", role="official")
    async with AdminClient.of(bot) as official:
        await official.login("virkailija@hel.fi")
        assert_problem(await official.post("/notices", {"texts": TEXTS}), 403)
        assert_problem(await official.get("/notices"), 403)
        assert_problem(await official.get(f"/notices/{notice['id']}/preview"), 403)
        assert_problem(await official.post(f"/notices/{notice['id']}/cancel"), 403)
        assert_problem(await official.post("/areas/link-codes", {"area": KALLIO}), 403)


async def test_a_link_code_is_shown_once_and_kept_hashed(
    bot: Runtime, comms: AdminClient, clock: ShiftedClock
) -> None:
    created = await comms.post_ok("/areas/link-codes", {"area": KALLIO, "language": "sv"})
    code = created["code"]
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    assert created["area"]["name_sv"] == "Berghäll" and created["language"] == "sv"
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - clock.now() <= timedelta(hours=24)
    async with bot.database.sessions() as session:
        stored = (await session.scalars(select(ChannelLinkCode))).all()
        assert len((await session.scalars(select(AreaChannel))).all()) == 0
    assert [(row.code_hash, row.area, row.language) for row in stored] == [
        (link_code_hash(code.lower()), KALLIO, "sv")
    ]
    unknown = assert_problem(await comms.post("/areas/link-codes", {"area": "postal:99999"}), 422)
    assert unknown["errors"][0]["loc"] == ["body", "area"]
    await make_official(bot.database, email="admin@hel.fi", role="admin")
    async with AdminClient.of(bot) as admin:
        await admin.login("admin@hel.fi")
        [entry] = await admin.audit(object_type="area")
        assert entry["action"] == "area.link_code" and entry["object_id"] == KALLIO
        assert code not in str(entry)


async def test_deliveries_of_a_notice_are_unique_per_chat(bot: Runtime) -> None:
    """The outbox's unique index: a second dispatch of the same notice adds nothing."""
    await add_subscriber(bot.database, 5201, KALLIO)
    async with bot.database.transaction() as session:
        notice = Notice(state="scheduled", text_fi="x", text_sv="y", publish_at=datetime.now(UTC))
        session.add(notice)
    async with bot.database.transaction() as session:
        session.add(NoticeArea(notice_id=notice.id, area=KALLIO))
        await notify(session, NOTICES)  # as the admin API does when it schedules one
    await until_notice_state(bot.database, notice.id, "sent")
    async with bot.database.transaction() as session:
        again = await bot.notices.recipients(session, [KALLIO])
    assert [r.chat_id for r in again] == [5201]
    async with bot.database.transaction() as session:
        (await session.get(Notice, notice.id)).state = "scheduled"  # type: ignore[union-attr]
    await bot.notices.dispatch_due()
    async with bot.database.sessions() as session:
        rows = await session.scalar(
            select(func.count()).where(OutboxMessage.notice_id == notice.id)
        )
    assert rows == 1
