"""targeting: facilities, trusted parties, selections, compliance sample designs

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecomrisk.store.types

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = ecomrisk.store.types.UTCDateTime(timezone=True)
Doc = ecomrisk.store.types.JSONDoc


def _id() -> sa.Column[int]:
    return sa.Column("id", Id, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "facilities",
        _id(),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("document_review_per_day", sa.Integer(), nullable=False),
        sa.Column("scan_per_day", sa.Integer(), nullable=False),
        sa.Column("physical_per_day", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("code", name=op.f("uq_facilities_code")),
    )
    op.create_table(
        "trusted_parties",
        _id(),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_parties")),
        sa.UniqueConstraint("role", "key", name=op.f("uq_trusted_parties_role_key")),
    )
    op.create_table(
        "selection_runs",
        _id(),
        sa.Column("facility_id", Id, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("parameters", Doc, nullable=False),
        sa.Column("summary", Doc, nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_selection_runs_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_runs")),
        sa.UniqueConstraint("facility_id", "day", name=op.f("uq_selection_runs_facility_id_day")),
    )
    op.create_table(
        "selections",
        _id(),
        sa.Column("run_id", Id, nullable=False),
        sa.Column("shipment_id", Id, nullable=False),
        sa.Column("decision_id", Id, nullable=True),
        sa.Column("exam_type", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("inclusion_probability", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("revenue_at_risk", sa.Float(), nullable=False),
        sa.Column("expected_value", sa.Float(), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["selection_runs.id"], name=op.f("fk_selections_run_id_selection_runs")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_selections_shipment_id_shipments")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_selections_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selections")),
        sa.UniqueConstraint("run_id", "shipment_id", name=op.f("uq_selections_run_id_shipment_id")),
    )
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selections_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_selections_shipment_id"), ["shipment_id"], unique=False
        )
    op.create_table(
        "sample_designs",
        _id(),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("parameters", Doc, nullable=False),
        sa.Column("strata", Doc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_designs")),
    )


def downgrade() -> None:
    op.drop_table("sample_designs")
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selections_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_selections_run_id"))
    op.drop_table("selections")
    op.drop_table("selection_runs")
    op.drop_table("trusted_parties")
    op.drop_table("facilities")
