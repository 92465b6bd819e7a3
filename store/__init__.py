"""Persistence: SQLAlchemy 2 models, the engine and sessions, Alembic migrations."""

from store.clock import Clock, SystemClock
from store.database import Database, insert_new
from store.migrate import upgrade
from store.models import (
    Base,
    CaseFollow,
    Conversation,
    InboundUpdate,
    LocalCase,
    Message,
    OutboxMessage,
    Resident,
    WatchedCase,
)

__all__ = [
    "Base",
    "CaseFollow",
    "Clock",
    "Conversation",
    "Database",
    "InboundUpdate",
    "LocalCase",
    "Message",
    "OutboxMessage",
    "Resident",
    "SystemClock",
    "WatchedCase",
    "insert_new",
    "upgrade",
]
