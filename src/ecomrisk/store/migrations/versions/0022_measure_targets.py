"""baselines and targets of performance measures

Programme managers set a baseline period and a target per measure; the
baseline's value is computed from stored data, so only the period is kept.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecomrisk.store.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_targets",
        sa.Column("measure", sa.String(length=50), nullable=False),
        sa.Column("baseline_from", sa.String(length=10), nullable=True),
        sa.Column("baseline_to", sa.String(length=10), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_by", sa.String(length=10), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("measure", name=op.f("pk_measure_targets")),
    )


def downgrade() -> None:
    op.drop_table("measure_targets")
