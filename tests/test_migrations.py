"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from store import Base, Database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found = compare_metadata(context, Base.metadata)
    # An index over an expression (priority DESC) is not reflected back by SQLAlchemy; Alembic
    # reports it as removed and added on every comparison.
    found = [
        change
        for change in found
        if not (isinstance(change, tuple) and change[1].name == "ix_outbox_due")
    ]
    # SQLite reflects a foreign key added with a column (ALTER TABLE … ADD COLUMN … CONSTRAINT
    # name REFERENCES …) without its name: the same key, removed unnamed and added named.
    keys = {
        (change[0], _reference(change[1]))
        for change in found
        if isinstance(change, tuple) and change[0] in ("add_fk", "remove_fk")
    }
    return [
        change
        for change in found
        if not (
            isinstance(change, tuple)
            and change[0] in ("add_fk", "remove_fk")
            and {("add_fk", _reference(change[1])), ("remove_fk", _reference(change[1]))} <= keys
        )
    ]


def _reference(key: Any) -> tuple[str, tuple[str, ...], str]:
    return (key.parent.name, tuple(key.column_keys), key.referred_table.name)


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
