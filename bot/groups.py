"""What the bot does in groups and channels besides posting notices: being linked to an area.

Comms staff create a one-time code for an area in the admin API; an admin of the group or
channel sends ``/link CODE`` (``/liita``, ``/länk``) there. Holding an unused, unexpired code
is the permission: whoever got it from the city may link a chat. The code is used up in the
same statement that checks it, so two replicas (or two groups) cannot both use one code.
Anything else written in a group is not for the bot and is ignored.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import Inbound
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, say
from knowledge.areas import AreaRegistry
from knowledge.link_codes import link_code_hash
from store import AreaChannel, ChannelLinkCode, insert_new

__all__ = ["LINK_COMMAND", "GroupLinks"]

LINK_COMMAND: Final = re.compile(
    r"/(?:link|liit[aä]|l[aä]nk)(?:@\w+)?\s+(?P<code>[\w -]{1,40}?)\s*",
    re.IGNORECASE,
)
"""``/link CODE`` in English, Finnish or Swedish, also as ``/link@TheBot CODE``."""


class GroupLinks:
    """Links a group or channel to an area when it is sent a valid one-time code."""

    def __init__(self, areas: AreaRegistry) -> None:
        self._areas = areas

    async def respond(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime
    ) -> str | None:
        """The reply to ``inbound`` in its group, having linked the group; None when the
        message is not a link command (and so is ignored)."""
        if inbound.chat_kind == "private" or inbound.chat_id is None or inbound.kind != "text":
            return None
        command = LINK_COMMAND.fullmatch((inbound.text or "").strip())
        if command is None:
            return None
        used = (
            await session.execute(
                update(ChannelLinkCode)
                .where(
                    ChannelLinkCode.code_hash == link_code_hash(command["code"]),
                    ChannelLinkCode.used_at.is_(None),
                    ChannelLinkCode.expires_at > now,
                )
                .values(used_at=now, used_by_chat_id=inbound.chat_id)
                .returning(ChannelLinkCode.area, ChannelLinkCode.language)
                .execution_options(synchronize_session=False)
            )
        ).first()
        if used is None:
            return say("group_link_refused", _language(inbound.language_code))
        area_key, language = used
        await self._link(session, inbound, area_key, language, now)
        area = self._areas.get(area_key)
        name = area.name(language) if area else area_key
        return say("group_linked", language, area=name)

    async def _link(
        self, session: AsyncSession, inbound: Inbound, area: str, language: str, now: datetime
    ) -> None:
        dialect = session.get_bind().dialect.name
        await session.execute(
            insert_new(AreaChannel, dialect),
            [
                {
                    "channel": inbound.channel,
                    "chat_id": inbound.chat_id,
                    "area": area,
                    "language": language,
                    "active": True,
                    "linked_at": now,
                }
            ],
        )
        # Linked before (and perhaps removed since): linking again turns it back on.
        await session.execute(
            update(AreaChannel)
            .where(
                AreaChannel.channel == inbound.channel,
                AreaChannel.chat_id == inbound.chat_id,
                AreaChannel.area == area,
            )
            .values(active=True, language=language)
            .execution_options(synchronize_session=False)
        )


def _language(code: str | None) -> str:
    language = (code or "")[:2].lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
