"""Alembic environment: migrations run on the connection :func:`store.migrate.upgrade` hands in."""

from __future__ import annotations

from alembic import context

from store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded for people who call the alembic CLI directly
    raise SystemExit("Run migrations with `talkkari db upgrade`.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
