"""The tables. One module: the schema is one concept, and Alembic reads it from here.

Personal data is kept to the minimum a conversation needs: a resident is a channel-specific
id and a language, never a name, username or phone number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AreaChannel",
    "AreaSubscription",
    "ArticleVersion",
    "AuditEntry",
    "Base",
    "CaseFollow",
    "ChannelLinkCode",
    "Conversation",
    "InboundUpdate",
    "InboxEvent",
    "LocalCase",
    "LoginFailure",
    "Membership",
    "Message",
    "Note",
    "Notice",
    "NoticeArea",
    "Official",
    "OfficialSession",
    "OutboxMessage",
    "RefreshToken",
    "Resident",
    "RoutingRule",
    "Team",
    "WatchedCase",
    "known_language",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, so big ids are plain integers there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no zone, so it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, datetime: UtcDateTime()}


RESIDENT_LANGUAGES = ("fi", "sv", "en")


def known_language(chosen: str | None, platform: str | None) -> str | None:
    """A resident's language: the one they chose (or last wrote in), else their app's when it
    is one we speak (``sv-FI`` → ``sv``); None when neither says."""
    if chosen in RESIDENT_LANGUAGES:
        return chosen
    app = (platform or "")[:2].lower()
    return app if app in RESIDENT_LANGUAGES else None


class Resident(Base):
    """A person who wrote to the bot, known only by their channel's id."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))
    """Chosen by the resident (or last understood); None until we know."""
    platform_language: Mapped[str | None] = mapped_column(String(16))
    """What the channel says of the user's app language, e.g. Telegram's ``language_code``."""
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())

    @property
    def known_language(self) -> str | None:
        return known_language(self.language, self.platform_language)


class Conversation(Base):
    """The thread between the city and one chat.

    ``state`` is the handoff state: ``bot`` (the bot answers), ``waiting`` (queued for a team),
    ``human`` (an official has it), ``closed`` (resolved). ``active`` turns false when the chat
    blocked the bot, so nothing more is sent there.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id"),
        Index("ix_conversations_inbox", "team_id", "state", "updated_at", "id"),
        Index("ix_conversations_assignee", "assignee_id", "state"),
        Index("ix_conversations_recent", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    chat_kind: Mapped[str] = mapped_column(String(16), default="private")
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="bot", server_default="bot")
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    latest_action: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    # The handoff: who has the thread and what was promised. See routing.handoff.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    area: Mapped[str | None] = mapped_column(String(64))
    """The district or postal code the handed-off question concerns, for the inbox filter."""
    handoff_reason: Mapped[str | None] = mapped_column(String(32))
    """``asked`` (the resident asked for a person), ``not_understood``, ``bot_failed``…"""
    waiting_since: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    """The service promise: by when an official answers (working time, holidays respected)."""
    escalated_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    """When the resident was last told the thread is with a person (said once per handoff)."""
    last_resident_message_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    """When an official last replied: replied is not resolved."""
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Bumped on every handoff change, so that two officials' claims cannot both win."""

    resident: Mapped[Resident | None] = relationship()


class InboundUpdate(Base):
    """An update as a channel delivered it, stored before anything else happens.

    Unique per channel and update id, so a re-delivered update is recognised. ``payload`` holds
    what the dialogue needs until the update is handled; it is cleared then (the text lives on
    in :class:`Message`), keeping only the id for de-duplication.
    """

    __tablename__ = "inbound_updates"
    __table_args__ = (
        UniqueConstraint("channel", "update_id"),
        Index("ix_inbound_updates_pending", "handled_at", "id"),
        Index("ix_inbound_updates_chat", "channel", "chat_id", "handled_at"),
        Index(
            "ix_inbound_updates_chat_received", "channel", "chat_id", "received_at", "not_before"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    """Updates of one chat are handled one at a time, in order, even across replicas."""
    payload: Mapped[dict[str, Any] | None]
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    not_before: Mapped[datetime | None]
    """Set when the chat floods (see :mod:`bot.flooding`): not handled before this time."""
    handled_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    """``answered``, ``ignored`` (nothing for the bot in it), ``failed``, or ``expired`` (still
    unhandled when the retention period purged it, see :mod:`store.retention`)."""


class Message(Base):
    """A text in a conversation: the resident's (``in``) or to the resident (``out``)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(16))
    """``resident``, ``bot`` or ``official``."""
    text: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    """The official who wrote an ``official`` message."""
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxMessage(Base):
    """A text to deliver. Every outbound text is one of these first.

    The sender delivers rows of a chat in id order, one at a time: a row is claimable when it
    is pending, due (``next_attempt_at``), not leased by a live sender, and no earlier row of
    its chat is still pending. Texts longer than a channel allows are split into consecutive
    rows when enqueued, so a crash never re-sends the parts already delivered.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat_pending", "channel", "chat_id", "status", "id"),
        Index("ix_outbox_due", "status", text("priority DESC"), "id"),
        Index(
            "ux_outbox_notice_chat",
            "notice_id",
            "channel",
            "chat_id",
            unique=True,
            postgresql_where=text("notice_id IS NOT NULL"),
            sqlite_where=text("notice_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[dict[str, Any] | None]
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    """``pending``, ``sent``, ``failed`` or ``cancelled`` (a notice cancelled mid-sending)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    channel_message_id: Mapped[int | None] = mapped_column(BigInteger)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    """The area notice this row delivers: one row per notice and chat (a unique index)."""
    kind: Mapped[str] = mapped_column(String(16), default="text", server_default="text")
    """``text``; ``export`` (the sender builds the resident's data export when it sends the row
    and delivers it as a file, so the outbox holds no copy of it); ``farewell`` (the last word
    to a resident whose data was erased: deleted once sent, so it leaves no chat id behind)."""


class LocalCase(Base):
    """A case the city registered itself, answered before (and instead of) the decision system.

    For cases that have a diary number but are not yet in Ahjo, or that a team wants to speak
    of in its own words. Titles and notes are public: a resident reads them.
    """

    __tablename__ = "local_cases"

    diary_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_sv: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    """One of Ahjo's statuses: ``Vireillä``, ``Ratkaistu``, ``Päätetty`` or ``Arkistoitu``."""
    team: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    note_sv: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CaseFollow(Base):
    """A chat that wants to be told when a case moves.

    ``fingerprint`` is the state of the case this chat was last told of (or saw when it began
    to follow), so each follower hears of each change once, however many watchers run.
    """

    __tablename__ = "case_follows"
    __table_args__ = (
        UniqueConstraint("conversation_id", "diary_number"),
        Index("ix_case_follows_case", "diary_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    diary_number: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WatchedCase(Base):
    """A followed case and when the watcher looks at it next.

    ``snapshot`` is what the watcher last saw (status, phase, records), to tell followers what
    changed; ``leased_until`` keeps two watchers from looking at the same case at once.
    """

    __tablename__ = "watched_cases"
    __table_args__ = (Index("ix_watched_cases_due", "next_check_at"),)

    diary_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str | None] = mapped_column(String(2000))
    snapshot: Mapped[dict[str, Any] | None]
    next_check_at: Mapped[datetime] = mapped_column(server_default=func.now())
    leased_until: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]
    changed_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Team(Base):
    """A team of officials that answers a kind of question, in its office hours.

    ``office_hours`` maps ISO weekday numbers (``"1"`` Monday … ``"7"`` Sunday) to lists of
    ``["08:00", "16:00"]`` spans in the city's time zone; Finnish public holidays are closed.
    ``sla_minutes`` is working time: the promise counts only open hours.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    office_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sla_minutes: Mapped[int] = mapped_column(Integer, default=480, server_default="480")
    fallback_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Official(Base):
    """A person who answers residents (``official``), writes notices (``comms``) or manages the
    service (``admin``). Residents see the name and the public title in their language."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    """Lower-cased; the login name."""
    name: Mapped[str] = mapped_column(String(200))
    title_fi: Mapped[str] = mapped_column(String(200))
    title_sv: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"spoken": ["fi", "sv"]}``: the languages the official answers in."""
    role: Mapped[str] = mapped_column(String(16))
    """``admin``, ``official`` or ``comms``."""
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_login_at: Mapped[datetime | None]


class Membership(Base):
    __tablename__ = "memberships"

    official_id: Mapped[int] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )


class RoutingRule(Base):
    """Where a question goes: the first active rule (by ``position``) whose every set field
    matches wins; unset fields match anything."""

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_order", "active", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    intent: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64))
    """A district (nominative Finnish name) or a postal code."""
    sector_id: Mapped[str | None] = mapped_column(String(32))
    """The responsible sector of the case asked about (Ahjo's handling ``SectorID``)."""
    category: Mapped[str | None] = mapped_column(String(64))
    """A report category (Open311 service code)."""
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Note(Base):
    """An official's internal note on a conversation: never sent to the resident."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AuditEntry(Base):
    """One thing an official did: who, what, when, and the object before and after.

    Written in the same transaction as the change; the API offers no way to edit or delete it.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    """The official's e-mail address at the time (kept if the account is deleted), or
    ``system`` for what the service did by itself (an SLA escalation)."""
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class InboxEvent(Base):
    """Something an inbox should hear at once (server-sent events read these in order, so a
    reconnecting client resumes with ``Last-Event-ID``, on whichever replica)."""

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_events_team", "team_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    kind: Mapped[str] = mapped_column(String(32))
    """``waiting``, ``message``, ``claimed``, ``released``, ``resolved``, ``escalated``,
    ``transferred``, ``erased`` (no conversation: it is gone)."""
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class LoginFailure(Base):
    """Failed logins per account or address, for throttling across replicas."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    """``account:<email>`` or ``address:<ip>``."""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class OfficialSession(Base):
    """An official's login, from ``POST /auth/token`` until it ends: logged out, refreshed with
    a used token, the password changed, the account deactivated (``ended_at``, ``end_reason``),
    or left unrefreshed past the idle time or past its lifetime (read from the times)."""

    __tablename__ = "official_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    official_id: Mapped[int] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    """The login or the latest refresh."""
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(Base):
    """A refresh token of a session, kept only as a keyed digest. Used once: using it gives
    the next one; using it again ends the session (someone else has a copy)."""

    __tablename__ = "refresh_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("official_sessions.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AreaSubscription(Base):
    """A resident's chat that wants the notices of an area.

    ``area`` is an area key of :mod:`knowledge.areas` (``district:helsinki:11``,
    ``postal:00530``…).
    """

    __tablename__ = "area_subscriptions"
    __table_args__ = (
        UniqueConstraint("conversation_id", "area"),
        Index("ix_area_subscriptions_area", "area"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AreaChannel(Base):
    """A Telegram group or channel that carries an area's notices (linked with a one-time code
    from the admin API)."""

    __tablename__ = "area_channels"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "area"),
        Index("ix_area_channels_area", "area"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    area: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")
    """The language the group reads notices in."""
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    linked_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ChannelLinkCode(Base):
    """A one-time code comms staff create; a group admin sends it to the bot in the group."""

    __tablename__ = "channel_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the code: the code itself is shown once, to its creator."""
    area: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class Notice(Base):
    """An area notice: ``draft → scheduled → sending → sent``, or ``cancelled`` (also while
    sending: what is not yet delivered stays undelivered). Editable until it is sending."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_due", "state", "publish_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    text_fi: Mapped[str | None] = mapped_column(Text)
    text_sv: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    publish_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sending_at: Mapped[datetime | None]
    """When the dispatcher queued its deliveries."""
    cancelled_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class NoticeArea(Base):
    __tablename__ = "notice_areas"

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(64), primary_key=True)


class ArticleVersion(Base):
    """One saved edition of a service article (:mod:`knowledge.articles`), made by an official
    through the admin API.

    The pack's files are version 0; each save adds version n + 1 holding the article's whole
    file text. An article's newest row is what the bot answers from (``retired``: the article
    is withdrawn, its last text kept). Rows are never changed or deleted: they are the history.
    """

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    # Declared before ``text``, whose name hides SQLAlchemy's ``text()`` in the rest of the class.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    note: Mapped[str | None] = mapped_column(String(500))
    """Why the change was made, in the author's words."""
