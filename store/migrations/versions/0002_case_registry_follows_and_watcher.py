"""cases: the local registry, follows and the watcher

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:53:38.117814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "local_cases",
        sa.Column("diary_number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_sv", sa.Text(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("note_sv", sa.Text(), nullable=True),
        sa.Column("note_en", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("diary_number", name=op.f("pk_local_cases")),
    )
    op.create_table(
        "watched_cases",
        sa.Column("diary_number", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=2000), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column(
            "next_check_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("diary_number", name=op.f("pk_watched_cases")),
    )
    with op.batch_alter_table("watched_cases", schema=None) as batch_op:
        batch_op.create_index("ix_watched_cases_due", ["next_check_at"], unique=False)

    op.create_table(
        "case_follows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("diary_number", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=2000), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_case_follows_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_follows")),
        sa.UniqueConstraint(
            "conversation_id",
            "diary_number",
            name=op.f("uq_case_follows_conversation_id_diary_number"),
        ),
    )
    with op.batch_alter_table("case_follows", schema=None) as batch_op:
        batch_op.create_index("ix_case_follows_case", ["diary_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_follows", schema=None) as batch_op:
        batch_op.drop_index("ix_case_follows_case")

    op.drop_table("case_follows")
    with op.batch_alter_table("watched_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_watched_cases_due")

    op.drop_table("watched_cases")
    op.drop_table("local_cases")
