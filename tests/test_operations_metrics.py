"""``/metrics`` for the people who run the service: what waits for each team and for how long,
escalations, Ahjo's requests, notice deliveries, Telegram's 429s and the outbox's age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from store import Notice
from tests.fakes.ahjo import FakeAhjo
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import make_team
from tests.support.clock import ShiftedClock
from tests.support.notices import KALLIO, add_notices, add_subscriber, until_notice_state
from tests.support.running import bot_settings, running_bot
from tests.test_process import wait_until

WEEKDAYS_8_TO_16 = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}
TUESDAY_10 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(port: int) -> Samples:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def test_metrics_show_queues_escalations_ahjo_notices_429s_and_the_outbox(
    database_url: str, telegram: FakeTelegram
) -> None:
    clock = ShiftedClock.at(TUESDAY_10)
    with FakeAhjo() as ahjo:
        settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
        async with running_bot(settings, clock=clock) as bot:
            port = bot.settings.port
            for key in ("default", "parks"):
                await make_team(bot.database, key, office_hours=WEEKDAYS_8_TO_16, sla_minutes=240)
            await bot.router.refresh()
            telegram.push_message(13001, "haluan puhua ihmisen kanssa")
            await telegram.wait_for_sent(1, chat_id=13001)
            telegram.push_message(13002, "missä vaiheessa on HEL 2025-001216")
            await telegram.wait_for_sent(1, chat_id=13002)
            fresh = await scrape(port)

            # A reply that cannot go out while a day passes: it waits in the outbox.
            telegram.hang("sendMessage")
            telegram.push_message(13003, "moi")
            await wait_until(lambda: telegram.hanging_count("sendMessage") == 1, what="a send")
            clock.advance(timedelta(days=1))
            stuck = await scrape(port)
            telegram.release("sendMessage")
            await telegram.wait_for_sent(1, chat_id=13003)

            await bot.sla.check_once()  # the 13001 conversation is a day past its promise
            telegram.fail(
                "sendMessage",
                status=429,
                description="Too Many Requests: retry after 1",
                retry_after=1,
            )
            telegram.push_message(13003, "kiitos")
            await telegram.wait_for_sent(2, chat_id=13003)
            await add_subscriber(bot.database, 13004, KALLIO)
            await add_subscriber(bot.database, 13005, KALLIO)
            telegram.block(13005)
            [notice] = await add_notices(bot.database, 1, KALLIO)
            async with bot.database.transaction() as session:  # due on the test's clock
                await session.execute(
                    update(Notice).where(Notice.id == notice).values(publish_at=clock.now())
                )
            await until_notice_state(bot.database, notice, "sent")
            await telegram.wait_for_sent(1, chat_id=13004)
            later = await scrape(port)

    assert value(fresh, "talkkari_conversations_waiting", team="default") == 1
    assert value(fresh, "talkkari_conversations_overdue", team="default") == 0
    assert value(fresh, "talkkari_conversations_waiting", team="parks") == 0
    assert value(fresh, "talkkari_ahjo_request_seconds_count", outcome="ok") >= 1
    assert value(fresh, "talkkari_ahjo_request_seconds_count", outcome="server_error") == 0
    assert value(fresh, "talkkari_escalations_total") == 0

    assert value(stuck, "talkkari_conversations_overdue", team="default") == 1
    assert value(stuck, "talkkari_outbox_pending") >= 1
    assert value(stuck, "talkkari_outbox_oldest_pending_age_seconds") >= 24 * 3600

    assert value(later, "talkkari_escalations_total") == 1
    assert value(later, "talkkari_conversations_waiting", team="default") == 1
    assert value(later, "talkkari_rate_limited_total", channel="telegram") == 1
    assert value(later, "talkkari_rate_limit_retry_after_seconds_sum", channel="telegram") == 1
    assert value(later, "talkkari_notice_deliveries_total", outcome="sent") == 1
    assert value(later, "talkkari_notice_deliveries_total", outcome="blocked") == 1
    assert value(later, "talkkari_notice_deliveries_total", outcome="failed") == 0
    assert value(later, "talkkari_outbox_pending") == 0
    assert value(later, "talkkari_outbox_oldest_pending_age_seconds") == 0
