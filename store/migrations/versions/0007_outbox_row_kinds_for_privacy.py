"""outbox row kinds: data exports and the farewell to an erased resident

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER (no batch rebuild): the outbox is a big table.
    op.add_column(
        "outbox",
        sa.Column("kind", sa.String(length=16), server_default="text", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("kind")
