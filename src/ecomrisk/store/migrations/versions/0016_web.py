"""web app: sessions, sign-in attempts, claims, IPR recordations, enforcement cases

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ecomrisk.store.types

revision: str = "0016"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "ipr_recordations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("trademark", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("owner_contact", sa.String(length=300), nullable=False),
        sa.Column(
            "authorised_manufacturers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ipr_recordations")),
        sa.UniqueConstraint("number", name=op.f("uq_ipr_recordations_number")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_username_at", ["username", "at"], unique=False)

    op.create_table(
        "queue_claims",
        sa.Column("filer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filer_reference", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claimed_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_queue_claims_filer_id_filers")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_queue_claims_user_id_users")
        ),
        sa.PrimaryKeyConstraint("filer_id", "filer_reference", name=op.f("pk_queue_claims")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enforcement_cases",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filer_reference", sa.String(length=100), nullable=False),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "outcome_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("opened_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_enforcement_cases_filer_id_filers")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_enforcement_cases_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_enforcement_cases_shipment_id_shipments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_cases")),
    )
    with op.batch_alter_table("enforcement_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforcement_cases_shipment", ["filer_id", "filer_reference"], unique=False
        )
        batch_op.create_index("ix_enforcement_cases_status", ["status"], unique=False)

    op.create_table(
        "case_steps",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_case_steps_case_id_enforcement_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
    )
    with op.batch_alter_table("case_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_steps_case_id"), ["case_id"], unique=False)

    op.create_table(
        "finding_recordations",
        sa.Column(
            "finding_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "recordation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("linked_by", sa.String(length=100), nullable=False),
        sa.Column("linked_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notice_sent_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notice_sent_by", sa.String(length=100), nullable=True),
        sa.Column("notice_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_finding_recordations_finding_id_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["recordation_id"],
            ["ipr_recordations.id"],
            name=op.f("fk_finding_recordations_recordation_id_ipr_recordations"),
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_finding_recordations")),
    )
    with op.batch_alter_table("finding_recordations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_recordations_recordation_id"), ["recordation_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("finding_recordations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_recordations_recordation_id"))

    op.drop_table("finding_recordations")
    with op.batch_alter_table("case_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_steps_case_id"))

    op.drop_table("case_steps")
    with op.batch_alter_table("enforcement_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_enforcement_cases_status")
        batch_op.drop_index("ix_enforcement_cases_shipment")

    op.drop_table("enforcement_cases")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    op.drop_table("queue_claims")
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_username_at")

    op.drop_table("sign_in_attempts")
    op.drop_table("ipr_recordations")
