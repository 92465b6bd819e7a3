"""area notices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:25:50.433585
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_channels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=2), server_default="fi", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column(
            "linked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_channels")),
        sa.UniqueConstraint(
            "channel", "chat_id", "area", name=op.f("uq_area_channels_channel_chat_id_area")
        ),
    )
    with op.batch_alter_table("area_channels", schema=None) as batch_op:
        batch_op.create_index("ix_area_channels_area", ["area"], unique=False)

    op.create_table(
        "channel_link_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), server_default="fi", nullable=False),
        sa.Column(
            "official_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_chat_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_channel_link_codes_official_id_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_channel_link_codes")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("text_fi", sa.Text(), nullable=True),
        sa.Column("text_sv", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("urgent", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
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
        sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["officials.id"],
            name=op.f("fk_notices_created_by_officials"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_due", ["state", "publish_at"], unique=False)

    op.create_table(
        "area_subscriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_area_subscriptions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_subscriptions")),
        sa.UniqueConstraint(
            "conversation_id", "area", name=op.f("uq_area_subscriptions_conversation_id_area")
        ),
    )
    with op.batch_alter_table("area_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_area_subscriptions_area", ["area"], unique=False)

    op.create_table(
        "notice_areas",
        sa.Column(
            "notice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_notice_areas_notice_id_notices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notice_id", "area", name=op.f("pk_notice_areas")),
    )

    # The column with its foreign key inline: on SQLite a separate constraint would rebuild
    # the outbox table (see 0003).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE outbox ADD COLUMN notice_id INTEGER "
            "CONSTRAINT fk_outbox_notice_id_notices REFERENCES notices (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("outbox", sa.Column("notice_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            "fk_outbox_notice_id_notices",
            "outbox",
            "notices",
            ["notice_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(
        "ux_outbox_notice_chat",
        "outbox",
        ["notice_id", "channel", "chat_id"],
        unique=True,
        postgresql_where=sa.text("notice_id IS NOT NULL"),
        sqlite_where=sa.text("notice_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_outbox_notice_chat", "outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("notice_id")
    for table in (
        "notice_areas",
        "notices",
        "channel_link_codes",
        "area_channels",
        "area_subscriptions",
    ):
        op.drop_table(table)
