"""filing features cached at ingest

The decider stores each filing's per-filing features with the basis they were
computed on, so the batch feature matrix reads them instead of parsing every
stored filing again.

Revision ID: 0020
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filing_features",
        sa.Column(
            "sid",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("shipments.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column(
            "features",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_table("filing_features")
