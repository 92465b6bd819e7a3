"""conversations by recent activity: the whole inbox's first page without a sort

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_conversations_recent", "conversations", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_recent", "conversations")
