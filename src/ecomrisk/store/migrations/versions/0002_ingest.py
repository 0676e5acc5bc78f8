"""ingest: filer API keys and filing data quality

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ecomrisk.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("filer_id", _ID, nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_api_keys_filer_id_filers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_filer_id"), ["filer_id"], unique=False)

    op.create_table(
        "filing_quality",
        sa.Column("shipment_id", _ID, nullable=False),
        sa.Column("filer_id", _ID, nullable=False),
        sa.Column("received_day", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("timeliness", sa.Float(), nullable=False),
        sa.Column("consistency", sa.Float(), nullable=False),
        sa.Column("lead_hours", sa.Float(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("reasons", _JSON, nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_filing_quality_filer_id_filers")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_filing_quality_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_filing_quality")),
    )
    with op.batch_alter_table("filing_quality", schema=None) as batch_op:
        batch_op.create_index(
            "ix_filing_quality_filer_day", ["filer_id", "received_day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("filing_quality", schema=None) as batch_op:
        batch_op.drop_index("ix_filing_quality_filer_day")
    op.drop_table("filing_quality")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_filer_id"))
    op.drop_table("api_keys")
