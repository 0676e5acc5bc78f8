"""Tables of the operational store (SQLAlchemy Core).

Alembic migrations in ``migrations/versions`` create these tables; this module
is what queries are written against. A test checks that the migrated database
and this metadata agree.

Shipments are versioned: every amendment or cancellation adds a row to
``shipments`` with the next ``version``; exactly one row per
(filer, filer_reference) is ``is_current``. Parties, items, postal details and
decisions hang off a version row, so any past version can be read back whole.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from ecomrisk.store.types import JSONDoc, Money, UTCDateTime

# Stable constraint names, so migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids on PostgreSQL (billions of parcels), INTEGER PRIMARY KEY on SQLite (rowid).
Id = BigInteger().with_variant(Integer(), "sqlite")


def _id() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


filers = Table(
    "filers",
    metadata,
    _id(),
    Column("code", String(50), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("filer_type", String(30), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    Column("filer_id", Id, ForeignKey("filers.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False),  # shown in listings, to tell keys apart
    Column("key_hash", String(64), nullable=False, unique=True),  # sha256; the key is never kept
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

shipments = Table(
    "shipments",
    metadata,
    _id(),
    Column("filer_id", Id, ForeignKey("filers.id"), nullable=False),
    Column("filer_reference", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("status", String(20), nullable=False),  # ShipmentStatus
    Column("content_hash", String(64), nullable=False),  # sha256 of the canonical filing
    Column("received_at", UTCDateTime, nullable=False),
    Column("mode", String(20), nullable=False),
    Column("house_bill", String(100), nullable=False),
    Column("master_bill", String(100)),
    Column("conveyance_reference", String(100)),
    Column("port_of_arrival", String(10), nullable=False),
    Column("estimated_arrival", UTCDateTime, nullable=False),
    Column("country_of_export", String(2), nullable=False),
    Column("postal_category", String(20)),
    Column("claimed_exemption", String(200)),
    Column("marketplace_name", String(200)),
    Column("listing_url", String(2000)),
    Column("product_picture_url", String(2000)),
    Column("filing", JSONDoc, nullable=False),  # the filing exactly as accepted
    UniqueConstraint("filer_id", "filer_reference", "version"),
    Index(
        "uq_shipments_current",
        "filer_id",
        "filer_reference",
        unique=True,
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
    Index("ix_shipments_house_bill", "house_bill"),
    Index("ix_shipments_received_at", "received_at"),
)

parties = Table(
    "parties",
    metadata,
    _id(),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),  # PartyRole
    Column("name", String(200), nullable=False),
    Column("name_norm", String(200)),
    Column("address_line1", String(200)),
    Column("address_line2", String(200)),
    Column("city", String(200)),
    Column("region", String(200)),
    Column("postal_code", String(20)),
    Column("country", String(2)),
    Column("address_norm", String(600)),
    Column("phone", String(40)),
    Column("phone_norm", String(20)),  # E.164
    Column("email", String(254)),
    Column("email_norm", String(254)),
    Column("marketplace_seller_id", String(100)),
    Column("entity_id", String(64)),  # resolved entity, set by entity resolution
    Index("ix_parties_phone_norm", "phone_norm"),
    Index("ix_parties_email_norm", "email_norm"),
    Index("ix_parties_address_norm", "address_norm"),
    Index("ix_parties_entity_id", "entity_id"),
)

line_items = Table(
    "line_items",
    metadata,
    _id(),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("description", String(500), nullable=False),
    Column("hs_code", String(10), nullable=False),
    Column("quantity", Money, nullable=False),
    Column("unit", String(10), nullable=False),
    Column("value", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("weight_kg", Money),
    Column("origin_country", String(2)),
    Column("brand", String(200)),
    UniqueConstraint("shipment_id", "line_no"),
)

postal_items = Table(
    "postal_items",
    metadata,
    Column("shipment_id", Id, ForeignKey("shipments.id"), primary_key=True),
    Column("item_id", String(13), nullable=False, index=True),  # S10
    Column("category", String(20), nullable=False),
    Column("postal_charges", Money),
    Column("total_gross_weight_kg", Money),
    Column("importer_reference", String(100)),
    Column("licence_numbers", JSONDoc),
    Column("certificate_numbers", JSONDoc),
    Column("invoice_number", String(100)),
    Column("comments", String(500)),
)

manifests = Table(
    "manifests",
    metadata,
    _id(),
    Column("filer_id", Id, ForeignKey("filers.id"), nullable=False),
    Column("filer_reference", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("mode", String(20), nullable=False),
    Column("conveyance_reference", String(100), nullable=False),
    Column("carrier", String(200), nullable=False),
    Column("port_of_arrival", String(10), nullable=False),
    Column("estimated_arrival", UTCDateTime, nullable=False),
    Column("country_of_departure", String(2), nullable=False),
    Column("on_time", Boolean),  # filed before the profile's deadline for its mode
    Column("status", String(20), nullable=False, server_default="active"),  # ShipmentStatus
    UniqueConstraint("filer_id", "filer_reference", "version"),
    Index(
        "uq_manifests_current",
        "filer_id",
        "filer_reference",
        unique=True,
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
)

manifest_house_bills = Table(
    "manifest_house_bills",
    metadata,
    _id(),
    Column("manifest_id", Id, ForeignKey("manifests.id"), nullable=False, index=True),
    Column("house_bill", String(100), nullable=False),
    Column("shipment_reference", String(100)),
    Column("pieces", Integer, nullable=False),
    Column("weight_kg", Money),
    UniqueConstraint("manifest_id", "house_bill"),
)

decisions = Table(
    "decisions",
    metadata,
    _id(),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("score", Float, nullable=False),
    Column("lane", String(20), nullable=False),
    Column("reasons", JSONDoc, nullable=False),
    Column("versions", JSONDoc, nullable=False),
    # What the decision was made from, so it can be reproduced exactly.
    Column("features", JSONDoc),
    Column("kind", String(10), nullable=False, server_default="live"),  # live | shadow
    Column("ruleset", String(100)),  # name@version of the rule set used
)

outcomes = Table(
    "outcomes",
    metadata,
    _id(),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("exam_type", String(20), nullable=False),
    Column("result", String(20), nullable=False),
    Column("action", String(20), nullable=False),
    Column("examined_at", UTCDateTime, nullable=False),
    Column("examiner", String(100)),
    Column("selection", String(20), nullable=False),  # SelectionKind
    Column("inclusion_probability", Float),
    Column("msrp_seized", Money),
    Column("revenue_recovered", Money),
    Column("currency", String(3)),
    Column("recorded_at", UTCDateTime, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    _id(),
    Column("outcome_id", Id, ForeignKey("outcomes.id"), nullable=False, index=True),
    Column("finding_type", String(30), nullable=False),
    Column("corrected_value", Money),
    Column("corrected_hs_code", String(10)),
    Column("note", String(500)),
)

# Data quality of each shipment version (ingest/quality.py), with the day it was
# received so a filer's scorecard groups by a plain column on every database.
filing_quality = Table(
    "filing_quality",
    metadata,
    Column("shipment_id", Id, ForeignKey("shipments.id"), primary_key=True),
    Column("filer_id", Id, ForeignKey("filers.id"), nullable=False),
    Column("received_day", String(10), nullable=False),  # ISO date, UTC
    Column("score", Float, nullable=False),
    Column("completeness", Float, nullable=False),
    Column("timeliness", Float, nullable=False),
    Column("consistency", Float, nullable=False),
    Column("lead_hours", Float, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("reasons", JSONDoc, nullable=False),
    Column("version", String(20), nullable=False),
    Index("ix_filing_quality_filer_day", "filer_id", "received_day"),
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(255)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UTCDateTime, nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("name", String(30), primary_key=True),
    Column("description", String(200), nullable=False),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("role", String(30), ForeignKey("roles.name"), primary_key=True),
)

fx_rates = Table(
    "fx_rates",
    metadata,
    Column("as_of", String(10), primary_key=True),  # ISO date of the table
    Column("currency", String(3), primary_key=True),
    Column("per_eur", Money, nullable=False),
    Column("source", String(200), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("seq", BigInteger, nullable=False, unique=True),  # gap-free position in the chain
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("entity", String(50), nullable=False),
    Column("entity_id", String(100)),
    Column("before", JSONDoc),
    Column("after", JSONDoc),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row: the chain's head. Appending updates it first, which serialises
# writers on both databases (a row lock on PostgreSQL, the write lock on SQLite).
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# The event log behind entity-history features: one row per shipment version,
# with its keys normalised, its value in the jurisdiction's currency and its
# times as epoch seconds, so that the same feature SQL runs on SQLite,
# PostgreSQL and DuckDB. Written in the same transaction as the shipment.
_HISTORY_COVERED = (
    "received_s",
    "sid",
    "superseded_s",
    "superseded_sid",
    "status",
    "filer_id",
    "filer_reference",
)

feature_events = Table(
    "feature_events",
    metadata,
    Column("sid", Id, ForeignKey("shipments.id"), primary_key=True, autoincrement=False),
    Column("filer_id", Id, nullable=False),
    Column("filer_reference", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("received_s", BigInteger, nullable=False),
    Column("superseded_s", BigInteger),  # when the next version arrived, if any
    Column("superseded_sid", Id),
    Column("arrival_s", BigInteger, nullable=False),
    Column("value", Float, nullable=False),  # declared value in the profile's currency
    Column("consignee_name", String(200)),
    Column("consignee_address", String(600)),
    Column("consignee_phone", String(20)),
    Column("consignee_email", String(254)),
    Column("shipper_name", String(200)),
    Column("shipper_address", String(600)),
    Column("seller", String(200)),
    Index("ix_feature_events_consignee_name", "consignee_name"),
    Index("ix_feature_events_consignee_address", "consignee_address"),
    Index("ix_feature_events_consignee_phone", "consignee_phone"),
    Index("ix_feature_events_consignee_email", "consignee_email"),
    Index("ix_feature_events_shipper_address", "shipper_address"),
    # Ever-window counts on hot keys read thousands of events: covering indexes
    # let them be counted from the index alone (migration 0005).
    *(
        Index(f"ix_feature_events_{key}_history", key, *_HISTORY_COVERED)
        for key in ("shipper_name", "seller")
    ),
    Index("ix_feature_events_shipment", "filer_id", "filer_reference"),
)

# Exam outcomes as feature events, carrying the keys of the shipment examined.
outcome_events = Table(
    "outcome_events",
    metadata,
    Column("outcome_id", Id, ForeignKey("outcomes.id"), primary_key=True, autoincrement=False),
    Column("sid", Id, nullable=False),
    Column("recorded_s", BigInteger, nullable=False),
    Column("violation", Integer, nullable=False),
    Column("seizure", Integer, nullable=False),
    Column("consignee_address", String(600)),
    Column("shipper_name", String(200)),
    Column("shipper_address", String(600)),
    Column("seller", String(200)),
    Index("ix_outcome_events_consignee_address", "consignee_address"),
    Index("ix_outcome_events_shipper_name", "shipper_name"),
    Index("ix_outcome_events_shipper_address", "shipper_address"),
    Index("ix_outcome_events_seller", "seller"),
)

# Rule sets as analysts publish them: every version kept, exactly as written.
rulesets = Table(
    "rulesets",
    metadata,
    _id(),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source", Text, nullable=False),  # the YAML text
    Column("content_hash", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # draft | shadow | live | retired
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("name", "version"),
)

# Watch lists (screening). A list keeps every version it was imported in; one
# version per list is current. Entries hang off a version, so a hit names the
# exact list content it was found in.
watchlists = Table(
    "watchlists",
    metadata,
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # csl | uflpa | agency
    Column("created_at", UTCDateTime, nullable=False),
)

watchlist_versions = Table(
    "watchlist_versions",
    metadata,
    _id(),
    Column("watchlist_id", Id, ForeignKey("watchlists.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("content_hash", String(64), nullable=False),  # sha256 of the imported file
    Column("source_file", String(500), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("screened_at", UTCDateTime),  # when stored parties were last screened against it
    UniqueConstraint("watchlist_id", "version"),
)

watchlist_entries = Table(
    "watchlist_entries",
    metadata,
    _id(),
    Column("version_id", Id, ForeignKey("watchlist_versions.id"), nullable=False, index=True),
    Column("entry_key", String(100), nullable=False),
    Column("entity_type", String(20), nullable=False),
    Column("name", String(1000), nullable=False),
    Column("aliases", JSONDoc, nullable=False),
    Column("addresses", JSONDoc, nullable=False),
    Column("countries", JSONDoc, nullable=False),
    Column("details", JSONDoc, nullable=False),
)

screening_hits = Table(
    "screening_hits",
    metadata,
    _id(),
    Column("party_id", Id, ForeignKey("parties.id"), nullable=False, index=True),
    Column("entry_id", Id, ForeignKey("watchlist_entries.id"), nullable=False, index=True),
    Column("version_id", Id, ForeignKey("watchlist_versions.id"), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("algorithm", String(30), nullable=False),  # e.g. screen-v1
    Column("matched_name", String(1000), nullable=False),
    Column("explanation", JSONDoc, nullable=False),
    Column("screened_at", UTCDateTime, nullable=False),
)

# Bearer tokens of people for the internal API (scripts, the analysts' tools);
# like filer keys, only a hash is kept.
user_tokens = Table(
    "user_tokens",
    metadata,
    _id(),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

# Per-filing features as the decider computed them at ingest, so batch runs (the
# feature matrix, rescoring) need not parse every stored filing again. ``basis``
# names what the values depend on besides the filing (profile, FX table, feature
# code); a row whose basis differs from the run's is recomputed (migration 0020).
filing_features = Table(
    "filing_features",
    metadata,
    Column("sid", Id, ForeignKey("shipments.id"), primary_key=True, autoincrement=False),
    Column("basis", String(200), nullable=False),
    Column("features", JSONDoc, nullable=False),
)
