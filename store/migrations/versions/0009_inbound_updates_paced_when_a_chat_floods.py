"""inbound updates: a not-before time for chats that flood, and their recent updates by time

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER (no batch rebuild): the table takes every update.
    op.add_column(
        "inbound_updates", sa.Column("not_before", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_inbound_updates_chat_received",
        "inbound_updates",
        ["channel", "chat_id", "received_at", "not_before"],
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_updates_chat_received", table_name="inbound_updates")
    with op.batch_alter_table("inbound_updates") as batch_op:
        batch_op.drop_column("not_before")
