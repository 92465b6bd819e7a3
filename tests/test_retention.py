"""Retention: message texts of conversations over for the retention period are purged (the rows
stay, so counts stay); conversations with people, or active lately, keep theirs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from store import Conversation, Database, InboundUpdate, Message, OutboxMessage, Resident
from store.retention import RetentionJob, months_before
from talkkari.cli import main
from tests.support.clock import ShiftedClock
from tests.support.running import bot_settings, running_bot

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
"""More than twelve months before ``NOW``."""
LATELY = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


async def conversation_with(
    database: Database,
    chat_id: int,
    *,
    state: str,
    last_activity: datetime,
    said: list[tuple[str, datetime]],
) -> int:
    async with database.transaction() as session:
        resident = Resident(channel="telegram", external_id=str(chat_id), language="fi")
        session.add(resident)
        await session.flush()
        conversation = Conversation(
            channel="telegram",
            chat_id=chat_id,
            resident_id=resident.id,
            slots={},
            state=state,
            created_at=LONG_AGO,
            updated_at=last_activity,
        )
        session.add(conversation)
        await session.flush()
        for text, at in said:
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="in",
                    author="resident",
                    text=text,
                    intent="greet",
                    created_at=at,
                )
            )
        return conversation.id


async def texts_of(database: Database, conversation_id: int) -> list[str | None]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Message.text)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id)
        )
        return list(rows)


async def test_texts_of_conversations_over_for_the_period_are_purged_and_counts_kept(
    database: Database,
) -> None:
    closed = await conversation_with(
        database, 1, state="closed", last_activity=LONG_AGO, said=[("vanha asia", LONG_AGO)]
    )
    quiet = await conversation_with(
        database, 2, state="bot", last_activity=LONG_AGO, said=[("hiljainen", LONG_AGO)]
    )
    active = await conversation_with(
        database,
        3,
        state="closed",
        last_activity=LATELY,
        said=[("kauan sitten", LONG_AGO), ("äskettäin", LATELY)],
    )
    with_people = await conversation_with(
        database, 4, state="waiting", last_activity=LONG_AGO, said=[("odottaa yhä", LONG_AGO)]
    )
    async with database.transaction() as session:
        for status, created in (("sent", LONG_AGO), ("pending", LONG_AGO), ("sent", LATELY)):
            session.add(
                OutboxMessage(
                    channel="telegram",
                    chat_id=1,
                    text=f"{status} {created.year}",
                    status=status,
                    next_attempt_at=created,
                    created_at=created,
                )
            )
        for update_id, received in ((1, LONG_AGO), (2, LATELY)):
            session.add(
                InboundUpdate(
                    channel="telegram",
                    update_id=update_id,
                    chat_id=1,
                    payload={"kind": "text", "text": "jumissa"},
                    received_at=received,
                )
            )

    job = RetentionJob(database, clock=ShiftedClock.at(NOW), months=12)
    purged = await job.purge_once()
    again = await job.purge_once()

    assert await texts_of(database, closed) == [None]
    assert await texts_of(database, quiet) == [None]
    assert await texts_of(database, active) == ["kauan sitten", "äskettäin"]
    assert await texts_of(database, with_people) == ["odottaa yhä"]
    async with database.sessions() as session:
        outbox = list(await session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))
        payloads = list(
            await session.scalars(select(InboundUpdate.payload).order_by(InboundUpdate.id))
        )
        counted = await session.scalar(select(func.count()).select_from(Message))
    assert outbox == ["", "pending 2025", "sent 2026"]  # what still waits is still sent
    assert payloads == [None, {"kind": "text", "text": "jumissa"}]
    assert counted == 5
    assert (purged.messages, purged.outbox_rows, purged.updates) == (2, 1, 1)
    assert again.counts() == {"messages": 0, "outbox_rows": 0, "updates": 0}


async def test_a_shorter_period_purges_sooner(database: Database) -> None:
    lately = await conversation_with(
        database, 5, state="closed", last_activity=LATELY, said=[("äskettäin", LATELY)]
    )
    await RetentionJob(database, clock=ShiftedClock.at(NOW), months=3).purge_once()
    assert await texts_of(database, lately) == [None]


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 6, 15, tzinfo=UTC), 12, datetime(2025, 6, 15, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 10, tzinfo=UTC), 2, datetime(2025, 11, 10, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2023, 2, 28, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


async def test_the_running_process_purges_by_itself(database_url: str) -> None:
    database = Database(database_url)
    try:
        old = await conversation_with(
            database, 6, state="closed", last_activity=LONG_AGO, said=[("vanha", LONG_AGO)]
        )
    finally:
        await database.dispose()
    async with running_bot(bot_settings(database_url, None), clock=ShiftedClock.at(NOW)) as bot:
        for _ in range(200):
            if await texts_of(bot.database, old) == [None]:
                break
            await asyncio.sleep(0.05)
        assert await texts_of(bot.database, old) == [None]


async def test_purge_on_the_command_line_says_how_many(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    two_years_ago = datetime.now(UTC) - timedelta(days=730)
    database = Database(database_url)
    try:
        old = await conversation_with(
            database,
            7,
            state="closed",
            last_activity=two_years_ago,
            said=[("ensimmäinen", two_years_ago), ("toinen", two_years_ago)],
        )
        monkeypatch.setenv("TALKKARI_DATABASE_URL", database_url)
        monkeypatch.setenv("TALKKARI_RETENTION_MONTHS", "12")
        assert await asyncio.to_thread(main, ["privacy", "purge"]) == 0
        assert await texts_of(database, old) == [None, None]
    finally:
        await database.dispose()
    out = capsys.readouterr().out
    assert "purged texts older than 12 months: 2 messages" in out
