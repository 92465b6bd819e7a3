"""Persistence: SQLAlchemy 2 models, the engine and sessions, Alembic migrations."""

from store.clock import Clock, SystemClock
from store.database import Database, insert_new
from store.migrate import upgrade
from store.models import (
    AuditEntry,
    Base,
    CaseFollow,
    Conversation,
    InboundUpdate,
    InboxEvent,
    LocalCase,
    LoginFailure,
    Membership,
    Message,
    Note,
    Official,
    OutboxMessage,
    Resident,
    RoutingRule,
    Team,
    WatchedCase,
)

__all__ = [
    "AuditEntry",
    "Base",
    "CaseFollow",
    "Clock",
    "Conversation",
    "Database",
    "InboundUpdate",
    "InboxEvent",
    "LocalCase",
    "LoginFailure",
    "Membership",
    "Message",
    "Note",
    "Official",
    "OutboxMessage",
    "Resident",
    "RoutingRule",
    "SystemClock",
    "Team",
    "WatchedCase",
    "insert_new",
    "upgrade",
]
