"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ecomrisk.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_log_seq")),
    )
    op.create_table(
        "filers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("filer_type", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filers")),
        sa.UniqueConstraint("code", name=op.f("uq_filers_code")),
    )
    op.create_table(
        "fx_rates",
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("per_eur", ecomrisk.store.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("as_of", "currency", name=op.f("pk_fx_rates")),
    )
    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_roles")),
    )
    op.create_table(
        "users",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "manifests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filer_reference", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("conveyance_reference", sa.String(length=100), nullable=False),
        sa.Column("carrier", sa.String(length=200), nullable=False),
        sa.Column("port_of_arrival", sa.String(length=10), nullable=False),
        sa.Column(
            "estimated_arrival", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("country_of_departure", sa.String(length=2), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_manifests_filer_id_filers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint(
            "filer_id",
            "filer_reference",
            "version",
            name=op.f("uq_manifests_filer_id_filer_reference_version"),
        ),
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(
            "uq_manifests_current",
            ["filer_id", "filer_reference"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "shipments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filer_reference", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("house_bill", sa.String(length=100), nullable=False),
        sa.Column("master_bill", sa.String(length=100), nullable=True),
        sa.Column("conveyance_reference", sa.String(length=100), nullable=True),
        sa.Column("port_of_arrival", sa.String(length=10), nullable=False),
        sa.Column(
            "estimated_arrival", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("country_of_export", sa.String(length=2), nullable=False),
        sa.Column("postal_category", sa.String(length=20), nullable=True),
        sa.Column("claimed_exemption", sa.String(length=200), nullable=True),
        sa.Column("marketplace_name", sa.String(length=200), nullable=True),
        sa.Column("listing_url", sa.String(length=2000), nullable=True),
        sa.Column("product_picture_url", sa.String(length=2000), nullable=True),
        sa.Column(
            "filing",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["filer_id"], ["filers.id"], name=op.f("fk_shipments_filer_id_filers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint(
            "filer_id",
            "filer_reference",
            "version",
            name=op.f("uq_shipments_filer_id_filer_reference_version"),
        ),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_house_bill", ["house_bill"], unique=False)
        batch_op.create_index("ix_shipments_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "uq_shipments_current",
            ["filer_id", "filer_reference"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["role"], ["roles.name"], name=op.f("fk_user_roles_role_roles")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.create_table(
        "decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("decided_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lane", sa.String(length=20), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "versions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_decisions_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "line_items",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("quantity", ecomrisk.store.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("value", ecomrisk.store.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("weight_kg", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("origin_country", sa.String(length=2), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_line_items_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_items")),
        sa.UniqueConstraint(
            "shipment_id", "line_no", name=op.f("uq_line_items_shipment_id_line_no")
        ),
    )
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_line_items_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "manifest_house_bills",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "manifest_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("house_bill", sa.String(length=100), nullable=False),
        sa.Column("shipment_reference", sa.String(length=100), nullable=True),
        sa.Column("pieces", sa.Integer(), nullable=False),
        sa.Column("weight_kg", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.id"],
            name=op.f("fk_manifest_house_bills_manifest_id_manifests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_house_bills")),
        sa.UniqueConstraint(
            "manifest_id", "house_bill", name=op.f("uq_manifest_house_bills_manifest_id_house_bill")
        ),
    )
    with op.batch_alter_table("manifest_house_bills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manifest_house_bills_manifest_id"), ["manifest_id"], unique=False
        )

    op.create_table(
        "outcomes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("exam_type", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("examined_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("examiner", sa.String(length=100), nullable=True),
        sa.Column("selection", sa.String(length=20), nullable=False),
        sa.Column("inclusion_probability", sa.Float(), nullable=True),
        sa.Column("msrp_seized", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True),
        sa.Column(
            "revenue_recovered", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True
        ),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("recorded_at", ecomrisk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_outcomes_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "parties",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("address_norm", sa.String(length=600), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_norm", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_norm", sa.String(length=254), nullable=True),
        sa.Column("marketplace_seller_id", sa.String(length=100), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_parties_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index("ix_parties_address_norm", ["address_norm"], unique=False)
        batch_op.create_index("ix_parties_email_norm", ["email_norm"], unique=False)
        batch_op.create_index("ix_parties_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_parties_phone_norm", ["phone_norm"], unique=False)
        batch_op.create_index(batch_op.f("ix_parties_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "postal_items",
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("item_id", sa.String(length=13), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column(
            "postal_charges", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True
        ),
        sa.Column(
            "total_gross_weight_kg",
            ecomrisk.store.types.Money(precision=18, scale=4),
            nullable=True,
        ),
        sa.Column("importer_reference", sa.String(length=100), nullable=True),
        sa.Column(
            "licence_numbers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "certificate_numbers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("invoice_number", sa.String(length=100), nullable=True),
        sa.Column("comments", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_postal_items_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_postal_items")),
    )
    with op.batch_alter_table("postal_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_postal_items_item_id"), ["item_id"], unique=False)

    op.create_table(
        "findings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "outcome_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("finding_type", sa.String(length=30), nullable=False),
        sa.Column(
            "corrected_value", ecomrisk.store.types.Money(precision=18, scale=4), nullable=True
        ),
        sa.Column("corrected_hs_code", sa.String(length=10), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_findings_outcome_id_outcomes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_outcome_id"), ["outcome_id"], unique=False)

    op.bulk_insert(
        sa.table("roles", sa.column("name", sa.String), sa.column("description", sa.String)),
        [
            {"name": "officer", "description": "Works the inspection queue of a facility"},
            {"name": "supervisor", "description": "Officer who also assigns work and approves"},
            {"name": "analyst", "description": "Rules, models, networks, compliance samples"},
            {"name": "programme_manager", "description": "Measures and trusted-shipper decisions"},
            {"name": "administrator", "description": "Users, filers, facilities, reference data"},
        ],
    )
    # The chain starts from a fixed genesis hash (64 zeros) at position 0.
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    _audit_log_append_only()


def _audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on audit_log in the database itself.

    Someone with owner rights can still drop these triggers; the hash chain is
    what then reveals the change (ecomrisk audit verify).
    """
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_outcome_id"))

    op.drop_table("findings")
    with op.batch_alter_table("postal_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postal_items_item_id"))

    op.drop_table("postal_items")
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_shipment_id"))
        batch_op.drop_index("ix_parties_phone_norm")
        batch_op.drop_index("ix_parties_entity_id")
        batch_op.drop_index("ix_parties_email_norm")
        batch_op.drop_index("ix_parties_address_norm")

    op.drop_table("parties")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_shipment_id"))

    op.drop_table("outcomes")
    with op.batch_alter_table("manifest_house_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_house_bills_manifest_id"))

    op.drop_table("manifest_house_bills")
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_items_shipment_id"))

    op.drop_table("line_items")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_shipment_id"))

    op.drop_table("decisions")
    op.drop_table("user_roles")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_shipments_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_shipments_received_at")
        batch_op.drop_index("ix_shipments_house_bill")

    op.drop_table("shipments")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_manifests_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.drop_table("manifests")
    op.drop_table("users")
    op.drop_table("roles")
    op.drop_table("fx_rates")
    op.drop_table("filers")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
