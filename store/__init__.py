"""Persistence: SQLAlchemy 2 models, the engine and sessions, Alembic migrations."""

from store.clock import Clock, SystemClock
from store.database import Database, insert_new
from store.migrate import upgrade
from store.models import Base, Conversation, InboundUpdate, Message, OutboxMessage, Resident

__all__ = [
    "Base",
    "Clock",
    "Conversation",
    "Database",
    "InboundUpdate",
    "Message",
    "OutboxMessage",
    "Resident",
    "SystemClock",
    "insert_new",
    "upgrade",
]
