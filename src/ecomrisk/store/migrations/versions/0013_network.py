"""counter-network analysis: entity resolution records and links, models, runs,
networks and node scores

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import ecomrisk.store.types

revision: str = "0013"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entity_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("record_l", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_r", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_links")),
    )
    op.create_index(op.f("ix_entity_links_record_l"), "entity_links", ["record_l"], unique=False)
    op.create_index(op.f("ix_entity_links_record_r"), "entity_links", ["record_r"], unique=False)
    op.create_table(
        "entity_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("dgroup", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("name_key", sa.String(length=200), nullable=True),
        sa.Column("name_sorted", sa.String(length=200), nullable=True),
        sa.Column("address_key", sa.String(length=600), nullable=True),
        sa.Column("address_block", sa.String(length=620), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("seller", sa.String(length=100), nullable=True),
        sa.Column("parties", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_records")),
        sa.UniqueConstraint("signature", name=op.f("uq_entity_records_signature")),
    )
    op.create_index(
        "ix_entity_records_address_block", "entity_records", ["address_block"], unique=False
    )
    op.create_index("ix_entity_records_dgroup", "entity_records", ["dgroup"], unique=False)
    op.create_index("ix_entity_records_email", "entity_records", ["email"], unique=False)
    op.create_index("ix_entity_records_entity_id", "entity_records", ["entity_id"], unique=False)
    op.create_index(
        "ix_entity_records_name_key_country",
        "entity_records",
        ["name_key", "country"],
        unique=False,
    )
    op.create_index("ix_entity_records_phone", "entity_records", ["phone"], unique=False)
    op.create_index("ix_entity_records_seller", "entity_records", ["seller"], unique=False)
    op.create_table(
        "network_models",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("signatures", sa.BigInteger(), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_models")),
    )
    op.create_table(
        "network_scores",
        sa.Column("node", sa.String(length=700), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column(
            "network_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("community", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_network_scores")),
    )
    op.create_index(
        op.f("ix_network_scores_network_id"), "network_scores", ["network_id"], unique=False
    )
    op.create_table(
        "network_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("model_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("nodes", sa.BigInteger(), nullable=False),
        sa.Column("edges", sa.BigInteger(), nullable=False),
        sa.Column("seeds", sa.Integer(), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["network_models.id"],
            name=op.f("fk_network_runs_model_id_network_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_runs")),
    )
    op.create_table(
        "networks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["network_runs.id"], name=op.f("fk_networks_run_id_network_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
    )
    op.create_index(op.f("ix_networks_run_id"), "networks", ["run_id"], unique=False)
    op.create_table(
        "entity_confirmations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("party_l", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("party_r", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_l"], ["parties.id"], name=op.f("fk_entity_confirmations_party_l_parties")
        ),
        sa.ForeignKeyConstraint(
            ["party_r"], ["parties.id"], name=op.f("fk_entity_confirmations_party_r_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_confirmations")),
        sa.UniqueConstraint(
            "party_l", "party_r", name=op.f("uq_entity_confirmations_party_l_party_r")
        ),
    )


def downgrade() -> None:
    op.drop_table("entity_confirmations")
    op.drop_index(op.f("ix_networks_run_id"), table_name="networks")
    op.drop_table("networks")
    op.drop_table("network_runs")
    op.drop_index(op.f("ix_network_scores_network_id"), table_name="network_scores")
    op.drop_table("network_scores")
    op.drop_table("network_models")
    op.drop_index("ix_entity_records_seller", table_name="entity_records")
    op.drop_index("ix_entity_records_phone", table_name="entity_records")
    op.drop_index("ix_entity_records_name_key_country", table_name="entity_records")
    op.drop_index("ix_entity_records_entity_id", table_name="entity_records")
    op.drop_index("ix_entity_records_email", table_name="entity_records")
    op.drop_index("ix_entity_records_dgroup", table_name="entity_records")
    op.drop_index("ix_entity_records_address_block", table_name="entity_records")
    op.drop_table("entity_records")
    op.drop_index(op.f("ix_entity_links_record_r"), table_name="entity_links")
    op.drop_index(op.f("ix_entity_links_record_l"), table_name="entity_links")
    op.drop_table("entity_links")
