"""Announcements of new results: the posts made (one per session and channel), and on each
server since when its announcements channel is set and why the bot cannot post there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("servers", sa.Column("announce_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("servers", sa.Column("announce_problem", sa.String(length=300), nullable=True))
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("grid_key", sa.String(length=200), nullable=False),
        sa.Column("library", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint(
            "guild_id", "channel_id", "digest", name=op.f("uq_announcements_guild_id")
        ),
    )
    op.create_index("ix_announcements_state", "announcements", ["state"])


def downgrade() -> None:
    op.drop_index("ix_announcements_state", table_name="announcements")
    op.drop_table("announcements")
    with op.batch_alter_table("servers") as batch:
        batch.drop_column("announce_problem")
        batch.drop_column("announce_since")
