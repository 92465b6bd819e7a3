"""Privacy on the residents' side: what the privacy actions decide, carried out in the store.

``/mydata`` returns :class:`SendExport`: :class:`PrivacyBook` queues an outbox row of kind
``export`` that holds no personal data; the sender builds the export
(:func:`store.privacy.export_resident`) only when it sends it, as a JSON file. ``/forget``,
once confirmed, returns :class:`EraseResident`: the book erases the resident in the turn's own
transaction (:func:`store.privacy.erase_resident`), audits it with counts only, and queues a
``farewell`` row, which the sender deletes once delivered, so no chat id is left behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import DocumentTransport, Transport
from bot.texts import say
from routing.audit import audit
from routing.events import publish
from routing.handoff import RESIDENT
from store import Conversation, Database
from store.outbox import enqueue, outbox_rows
from store.privacy import erase_resident, export_resident
from store.retention import DEFAULT_RETENTION_MONTHS

__all__ = [
    "CITY_PRIVACY_PAGES",
    "EXPORT_FILENAME",
    "MY_DATA",
    "PRIVACY_INTENTS",
    "EraseResident",
    "PrivacyBook",
    "PrivacyNotice",
    "SendExport",
    "export_file",
    "send_file",
]

MY_DATA: Final = "my_data"
"""The intent of ``/mydata``: reached by command (and the privacy text) only."""
EXPORT_FILENAME: Final = "kaupunkitalkkari-data.json"
PRIVACY_INTENTS: Final = frozenset({"privacy_info", MY_DATA, "delete_my_data"})
"""A resident's rights over their data are answered by the bot even while people have the
conversation: an open handoff must not keep anyone from being forgotten."""

CITY_PRIVACY_PAGES: Final[Mapping[str, str]] = {
    "fi": "https://www.hel.fi/fi/paatoksenteko-ja-hallinto/tietoa-helsingista/"
    "tietosuoja-ja-tiedonhallinta/tietosuoja",
    # The city's reference data has no Swedish page: Swedish readers get the Finnish one.
    "sv": "https://www.hel.fi/fi/paatoksenteko-ja-hallinto/tietoa-helsingista/"
    "tietosuoja-ja-tiedonhallinta/tietosuoja",
    "en": "https://hel.fi/en/decision-making/information-on-helsinki/"
    "data-protection-and-information-management/requests-for-information-and-publicity-of-"
    "documents",
}
"""The city's data-protection pages, from the service reference data (topic
``information_requests_and_data_protection``)."""


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    """Where the privacy notice is and how long texts are kept, as residents are told."""

    url: str | None = None
    """``TALKKARI_PRIVACY_NOTICE_URL``: one address for every language, instead of the city's
    pages."""
    retention_months: int = DEFAULT_RETENTION_MONTHS

    def address(self, language: str | None) -> str:
        return self.url or CITY_PRIVACY_PAGES.get(language or "fi") or CITY_PRIVACY_PAGES["fi"]


@dataclass(frozen=True, slots=True)
class SendExport:
    """Send the resident everything stored about them, captioned in ``language``."""

    language: str


@dataclass(frozen=True, slots=True)
class EraseResident:
    """Forget the resident (confirmed), saying goodbye in ``language``."""

    language: str


class PrivacyBook:
    """Carries out :class:`SendExport` and :class:`EraseResident` in the dialogue's
    transaction."""

    kinds: tuple[type, ...] = (SendExport, EraseResident)
    slot: str | None = None

    async def read(self, session: AsyncSession, conversation_id: int) -> None:
        return None

    async def carry_out(
        self, session: AsyncSession, decided: Sequence[tuple[int, object]], *, now: datetime
    ) -> None:
        for conversation_id, effect in decided:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                continue  # erased earlier in this batch
            channel, chat_id, active = (
                conversation.channel,
                conversation.chat_id,
                conversation.active,
            )
            if isinstance(effect, SendExport):
                rows = outbox_rows(
                    channel=channel,
                    chat_id=chat_id,
                    text=say("my_data_caption", effect.language),
                    now=now,
                    conversation_id=conversation_id,
                    kind="export",
                )
                await enqueue(session, rows)
            elif isinstance(effect, EraseResident):
                erased = await erase_resident(session, conversation_id)
                session.expunge(conversation)
                await audit(
                    session,
                    RESIDENT,
                    "resident.erase",
                    object_type="resident",
                    object_id="erased",
                    after=erased.counts(),
                    at=now,
                )
                for team_id in erased.inboxes:  # open inboxes drop it at once
                    await publish(session, "erased", conversation_id=None, team_id=team_id, at=now)
                if active:
                    farewell = outbox_rows(
                        channel=channel,
                        chat_id=chat_id,
                        text=say("forgotten", effect.language),
                        now=now,
                        kind="farewell",
                    )
                    await enqueue(session, farewell)


async def export_file(
    database: Database, conversation_id: int | None, *, now: datetime
) -> bytes | None:
    """The export of the resident of ``conversation_id`` as a UTF-8 JSON file, built now;
    None when there is nothing to export (the resident was erased meanwhile)."""
    if conversation_id is None:
        return None
    async with database.sessions() as session:
        exported = await export_resident(session, conversation_id, now=now)
    if exported is None:
        return None
    return json.dumps(exported, ensure_ascii=False, indent=2).encode()


async def send_file(
    transport: Transport, chat_id: int, *, filename: str, content: bytes, caption: str
) -> int | None:
    """Deliver a file; a channel that takes no files (the terminal) gets its text."""
    if isinstance(transport, DocumentTransport):
        return await transport.send_document(
            chat_id, filename=filename, content=content, caption=caption
        )
    return await transport.send(chat_id, f"{caption}\n{content.decode()}")
