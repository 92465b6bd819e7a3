"""Residents who subscribed to areas, and area groups, inserted directly, for notice tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from store import (
    AreaChannel,
    AreaSubscription,
    Conversation,
    Database,
    Notice,
    NoticeArea,
    Resident,
)
from store.notify import NOTICES, notify

__all__ = [
    "KALLIO",
    "KALLIO_POSTAL",
    "VUOSAARI",
    "add_group",
    "add_notices",
    "add_subscriber",
    "add_subscribers",
    "notice_state",
    "until_notice_state",
]

KALLIO = "district:helsinki:kaupunginosa:11"
KALLIO_POSTAL = "postal:00530"
VUOSAARI = "district:helsinki:kaupunginosa:54"


async def add_subscriber(
    database: Database,
    chat_id: int,
    *areas: str,
    language: str | None = "fi",
    platform_language: str | None = None,
    channel: str = "telegram",
) -> int:
    """A resident's private chat subscribed to ``areas``; returns the conversation id."""
    async with database.transaction() as session:
        resident = Resident(
            channel=channel,
            external_id=str(chat_id),
            language=language,
            platform_language=platform_language,
        )
        session.add(resident)
        await session.flush()
        conversation = Conversation(channel=channel, chat_id=chat_id, resident_id=resident.id)
        session.add(conversation)
        await session.flush()
        session.add_all(AreaSubscription(conversation_id=conversation.id, area=a) for a in areas)
    return conversation.id


async def add_subscribers(
    database: Database, chat_ids: range, area: str, *, channel: str = "telegram"
) -> None:
    """Many Finnish-speaking subscribers at once."""
    async with database.transaction() as session:
        residents = [
            Resident(channel=channel, external_id=str(chat_id), language="fi")
            for chat_id in chat_ids
        ]
        session.add_all(residents)
        await session.flush()
        conversations = [
            Conversation(channel=channel, chat_id=chat_id, resident_id=resident.id)
            for chat_id, resident in zip(chat_ids, residents, strict=True)
        ]
        session.add_all(conversations)
        await session.flush()
        session.add_all(AreaSubscription(conversation_id=c.id, area=area) for c in conversations)


async def add_group(
    database: Database, chat_id: int, area: str, *, language: str = "fi", channel: str = "telegram"
) -> None:
    async with database.transaction() as session:
        session.add(
            AreaChannel(
                channel=channel, chat_id=chat_id, area=area, language=language, title="Ryhmä"
            )
        )


async def add_notices(database: Database, count: int, area: str) -> list[int]:
    """``count`` scheduled notices for ``area`` in Finnish and Swedish, due now."""
    async with database.transaction() as session:
        notices = [
            Notice(
                state="scheduled",
                text_fi=f"Tiedote {n}",
                text_sv=f"Meddelande {n}",
                publish_at=datetime.now(UTC) - timedelta(seconds=1),
            )
            for n in range(count)
        ]
        session.add_all(notices)
        await session.flush()
        session.add_all(NoticeArea(notice_id=notice.id, area=area) for notice in notices)
        await notify(session, NOTICES)  # as the admin API does when it schedules one
    return [notice.id for notice in notices]


async def notice_state(database: Database, notice_id: int) -> str | None:
    async with database.sessions() as session:
        return await session.scalar(select(Notice.state).where(Notice.id == notice_id))


async def until_notice_state(
    database: Database, notice_id: int, state: str, *, within: float = 20.0
) -> None:
    """Wait until the notice is in ``state`` (the dispatcher and sender work on their own)."""
    async with asyncio.timeout(within):
        while await notice_state(database, notice_id) != state:  # noqa: ASYNC110 - a database
            await asyncio.sleep(0.05)
