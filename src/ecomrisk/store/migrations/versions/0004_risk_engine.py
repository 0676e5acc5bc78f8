"""risk engine

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ecomrisk.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "rulesets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulesets")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_rulesets_name_version")),
    )
    op.create_table(
        "feature_events",
        sa.Column(
            "sid",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("filer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filer_reference", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_s", sa.BigInteger(), nullable=False),
        sa.Column("superseded_s", sa.BigInteger(), nullable=True),
        sa.Column(
            "superseded_sid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("arrival_s", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("consignee_name", sa.String(length=200), nullable=True),
        sa.Column("consignee_address", sa.String(length=600), nullable=True),
        sa.Column("consignee_phone", sa.String(length=20), nullable=True),
        sa.Column("consignee_email", sa.String(length=254), nullable=True),
        sa.Column("shipper_name", sa.String(length=200), nullable=True),
        sa.Column("shipper_address", sa.String(length=600), nullable=True),
        sa.Column("seller", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["sid"], ["shipments.id"], name=op.f("fk_feature_events_sid_shipments")
        ),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_feature_events")),
    )
    with op.batch_alter_table("feature_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feature_events_consignee_address", ["consignee_address"], unique=False
        )
        batch_op.create_index(
            "ix_feature_events_consignee_email", ["consignee_email"], unique=False
        )
        batch_op.create_index("ix_feature_events_consignee_name", ["consignee_name"], unique=False)
        batch_op.create_index(
            "ix_feature_events_consignee_phone", ["consignee_phone"], unique=False
        )
        batch_op.create_index("ix_feature_events_seller", ["seller"], unique=False)
        batch_op.create_index(
            "ix_feature_events_shipment", ["filer_id", "filer_reference"], unique=False
        )
        batch_op.create_index(
            "ix_feature_events_shipper_address", ["shipper_address"], unique=False
        )
        batch_op.create_index("ix_feature_events_shipper_name", ["shipper_name"], unique=False)

    op.create_table(
        "outcome_events",
        sa.Column(
            "outcome_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("sid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_s", sa.BigInteger(), nullable=False),
        sa.Column("violation", sa.Integer(), nullable=False),
        sa.Column("seizure", sa.Integer(), nullable=False),
        sa.Column("consignee_address", sa.String(length=600), nullable=True),
        sa.Column("shipper_name", sa.String(length=200), nullable=True),
        sa.Column("shipper_address", sa.String(length=600), nullable=True),
        sa.Column("seller", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_outcome_events_outcome_id_outcomes")
        ),
        sa.PrimaryKeyConstraint("outcome_id", name=op.f("pk_outcome_events")),
    )
    with op.batch_alter_table("outcome_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outcome_events_consignee_address", ["consignee_address"], unique=False
        )
        batch_op.create_index("ix_outcome_events_seller", ["seller"], unique=False)
        batch_op.create_index(
            "ix_outcome_events_shipper_address", ["shipper_address"], unique=False
        )
        batch_op.create_index("ix_outcome_events_shipper_name", ["shipper_name"], unique=False)

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "features",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="live", nullable=False)
        )
        batch_op.add_column(sa.Column("ruleset", sa.String(length=100), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("ruleset")
        batch_op.drop_column("kind")
        batch_op.drop_column("features")

    with op.batch_alter_table("outcome_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_events_shipper_name")
        batch_op.drop_index("ix_outcome_events_shipper_address")
        batch_op.drop_index("ix_outcome_events_seller")
        batch_op.drop_index("ix_outcome_events_consignee_address")

    op.drop_table("outcome_events")
    with op.batch_alter_table("feature_events", schema=None) as batch_op:
        batch_op.drop_index("ix_feature_events_shipper_name")
        batch_op.drop_index("ix_feature_events_shipper_address")
        batch_op.drop_index("ix_feature_events_shipment")
        batch_op.drop_index("ix_feature_events_seller")
        batch_op.drop_index("ix_feature_events_consignee_phone")
        batch_op.drop_index("ix_feature_events_consignee_name")
        batch_op.drop_index("ix_feature_events_consignee_email")
        batch_op.drop_index("ix_feature_events_consignee_address")

    op.drop_table("feature_events")
    op.drop_table("rulesets")
