"""What the catalog needs of each stored version without parsing it: year, date, cars, and
the parser that read it (a newer parser reads every stored file again on first use).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: versions stored before this revision have none, and are parsed on load.
    op.add_column("file_versions", sa.Column("year", sa.Integer(), nullable=True))
    op.add_column("file_versions", sa.Column("date", sa.String(length=40), nullable=True))
    op.add_column("file_versions", sa.Column("cars", sa.Integer(), nullable=True))
    op.add_column("file_versions", sa.Column("parser", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("file_versions") as batch:
        for column in ("parser", "cars", "date", "year"):
            batch.drop_column(column)
