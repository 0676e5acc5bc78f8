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
    LargeBinary,
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
    Index("ix_feature_events_shipper_address", "shipper_address"),
    # Counts on hot keys read up to 1,000 events (``COUNT_UP_TO``): covering indexes,
    # in time order within a key, let them be counted from the index alone, from
    # the window's start (migrations 0006 and 0023).
    *(
        Index(f"ix_feature_events_{key}_history", key, *_HISTORY_COVERED)
        for key in (
            "shipper_name",
            "seller",
            "consignee_phone",
            "consignee_email",
            "consignee_address",
        )
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

# Risk models (risk/model/): every trained version kept with its artifact in the
# store, so a decision names a version that can always be reloaded; one version
# is live at most, any number shadow.
models = Table(
    "models",
    metadata,
    _id(),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # draft | shadow | live | retired
    Column("artifact", LargeBinary, nullable=False),  # zip: boosters (UBJ) + model.json
    Column("artifact_sha256", String(64), nullable=False),
    # Data window, features, encodings, calibration, metrics, code version, seed.
    Column("details", JSONDoc, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("promoted_at", UTCDateTime),  # when it last went live: what a rollback returns to
    UniqueConstraint("name", "version"),
)

# Targeting (issue 8). A facility is a port or facility code, as shipments name
# it in port_of_arrival, with how many exams of each type it can do per day.
facilities = Table(
    "facilities",
    metadata,
    _id(),
    Column("code", String(10), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("document_review_per_day", Integer, nullable=False),
    Column("scan_per_day", Integer, nullable=False),
    Column("physical_per_day", Integer, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Parties vetted as trusted, with where that came from: the trusted-shipper
# programme (issue 10) fills it; targeting reads it to lower their random rate.
# ``key`` is a filer code (role filer) or a normalised party name (parties.name_norm).
trusted_parties = Table(
    "trusted_parties",
    metadata,
    _id(),
    Column("role", String(20), nullable=False),  # filer | shipper | seller | consignee
    Column("key", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("valid_from", String(10), nullable=False),  # ISO date
    Column("valid_to", String(10)),  # ISO date, exclusive; None: open
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("role", "key"),
)

# One selection per facility and customs day, with what it was made from.
selection_runs = Table(
    "selection_runs",
    metadata,
    _id(),
    Column("facility_id", Id, ForeignKey("facilities.id"), nullable=False),
    Column("day", String(10), nullable=False),  # customs day, ISO date
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("parameters", JSONDoc, nullable=False),  # capacities, rates, seed, versions
    Column("summary", JSONDoc, nullable=False),  # counts by reason and exam, overflow
    UniqueConstraint("facility_id", "day"),
)

# Each selected shipment version: why it was chosen and with what probability.
selections = Table(
    "selections",
    metadata,
    _id(),
    Column("run_id", Id, ForeignKey("selection_runs.id"), nullable=False, index=True),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("decision_id", Id, ForeignKey("decisions.id")),
    Column("exam_type", String(20), nullable=False),  # ExamType
    Column("reason", String(20), nullable=False),  # forced | score | exploration | random
    Column("inclusion_probability", Float, nullable=False),
    Column("rank", Integer, nullable=False),  # order of work within the run
    Column("probability", Float, nullable=False),  # p(violation) used
    Column("revenue_at_risk", Float, nullable=False),
    Column("expected_value", Float, nullable=False),
    Column("stratum", String(200), nullable=False),
    UniqueConstraint("run_id", "shipment_id"),
)

# Compliance sample designs: strata with their sizes; the latest is in force.
sample_designs = Table(
    "sample_designs",
    metadata,
    _id(),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("parameters", JSONDoc, nullable=False),
    Column("strata", JSONDoc, nullable=False),
)

# Where each imported history shipment came from (history/): the mapping, the
# source file and position, and the source columns the mapping keeps beyond the
# shipment vocabulary (e.g. KCS tax types), one dict per source row.
history_rows = Table(
    "history_rows",
    metadata,
    Column("shipment_id", Id, ForeignKey("shipments.id"), primary_key=True, autoincrement=False),
    Column("mapping", String(100), nullable=False),
    Column("source_file", String(500), nullable=False),
    Column("position", String(50), nullable=False),
    Column("kept", JSONDoc, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

# Counter-network analysis (risk/network/). Entity resolution works on distinct
# party *signatures* (the compared keys of a record): one row each, with the
# entity it belongs to. A signature's id is its oldest party record's id, and an
# entity's id is "E" + its oldest signature's id, so ids stay put across runs.
network_models = Table(
    "network_models",
    metadata,
    _id(),
    Column("algorithm", String(20), nullable=False),  # e.g. er-v1
    Column("engine", String(20), nullable=False),  # the Splink backend that trained it
    Column("settings", JSONDoc, nullable=False),  # the trained Splink model
    Column("threshold", Float, nullable=False),  # match probability that links two records
    Column("signatures", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

entity_records = Table(
    "entity_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),  # oldest party record's id
    Column("signature", String(64), nullable=False, unique=True),
    Column("entity_id", String(64), nullable=False),
    Column("dgroup", Id, nullable=False),  # deterministic group: same seller id, or phone+email
    Column("name", String(200)),  # a raw name as filed, to show
    Column("name_key", String(200)),
    Column("name_sorted", String(200)),
    Column("address_key", String(600)),
    Column("address_block", String(620)),
    Column("postcode", String(10)),
    Column("city", String(200)),
    Column("country", String(2)),
    Column("phone", String(20)),
    Column("email", String(254)),
    Column("seller", String(100)),
    Column("parties", BigInteger, nullable=False),  # party records with this signature
    Column("first_seen", UTCDateTime),
    Column("last_seen", UTCDateTime),
    Index("ix_entity_records_entity_id", "entity_id"),
    Index("ix_entity_records_dgroup", "dgroup"),
    Index("ix_entity_records_phone", "phone"),
    Index("ix_entity_records_email", "email"),
    Index("ix_entity_records_seller", "seller"),
    Index("ix_entity_records_name_key_country", "name_key", "country"),
    Index("ix_entity_records_address_block", "address_block"),
)

# Why records are one entity: the links that join each entity's signatures
# (a spanning forest of the strongest links), with the fields that agreed.
entity_links = Table(
    "entity_links",
    metadata,
    _id(),
    Column("record_l", Id, nullable=False, index=True),
    Column("record_r", Id, nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # deterministic | probabilistic | confirmed
    Column("match_weight", Float),
    Column("detail", JSONDoc, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Pairs of party records an analyst confirmed to be one entity: always linked.
entity_confirmations = Table(
    "entity_confirmations",
    metadata,
    _id(),
    Column("party_l", Id, ForeignKey("parties.id"), nullable=False),
    Column("party_r", Id, ForeignKey("parties.id"), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("party_l", "party_r"),
)

# One build of the link graph: propagation and communities.
network_runs = Table(
    "network_runs",
    metadata,
    _id(),
    Column("model_id", Id, ForeignKey("network_models.id")),
    Column("nodes", BigInteger, nullable=False),
    Column("edges", BigInteger, nullable=False),
    Column("seeds", Integer, nullable=False),
    Column("params", JSONDoc, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

networks = Table(
    "networks",
    metadata,
    _id(),
    Column("run_id", Id, ForeignKey("network_runs.id"), nullable=False, index=True),
    Column("entities", Integer, nullable=False),
    Column("shipments", Integer, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("risk", Float, nullable=False),  # highest network risk of a member
    Column("label", String(200), nullable=False),  # its riskiest member's name
)

# The latest run's risk of every entity and identifier node, read when a filing is
# decided; ``node`` is "entity:E12", "phone:+1...", "email:...", "seller:...", "address:...".
network_scores = Table(
    "network_scores",
    metadata,
    Column("node", String(700), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("risk", Float, nullable=False),
    Column("network_id", Id, index=True),
    Column("community", BigInteger, nullable=False),
    Column("run_id", Id, nullable=False),
)

# The officer and analyst web app (migration 0016). Sessions are server-side:
# the cookie carries a random token, the store keeps its sha256 and the
# session's CSRF token, so signing out or an expiry ends it everywhere.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # absolute end, whatever the activity
    Column("ended_at", UTCDateTime),  # signed out
)

# Every sign-in attempt, kept so lock-out counts recent failures per username.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    _id(),
    Column("username", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_sign_in_attempts_username_at", "username", "at"),
)

# Who is working a shipment of the queue; keyed by the filing, not the version,
# so an amendment keeps its officer.
queue_claims = Table(
    "queue_claims",
    metadata,
    Column("filer_id", Id, ForeignKey("filers.id"), primary_key=True),
    Column("filer_reference", String(100), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
)

# IPR recordations kept by administrators: a trademark, its owner and the
# manufacturers it authorises (goods from anyone else are suspect).
ipr_recordations = Table(
    "ipr_recordations",
    metadata,
    _id(),
    Column("number", String(50), nullable=False, unique=True),
    Column("trademark", String(200), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("owner_contact", String(300), nullable=False),
    Column("authorised_manufacturers", JSONDoc, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A counterfeit finding and the recordation it infringes, with the notice sent
# to the rights holder.
finding_recordations = Table(
    "finding_recordations",
    metadata,
    Column("finding_id", Id, ForeignKey("findings.id"), primary_key=True),
    Column("recordation_id", Id, ForeignKey("ipr_recordations.id"), nullable=False, index=True),
    Column("linked_by", String(100), nullable=False),
    Column("linked_at", UTCDateTime, nullable=False),
    Column("notice_sent_at", UTCDateTime),
    Column("notice_sent_by", String(100)),
    Column("notice_note", String(500)),
)

# Enforcement cases: detention, seizure, abandonment, release, forfeiture,
# destruction. The case's status is that of its last status-changing step.
enforcement_cases = Table(
    "enforcement_cases",
    metadata,
    _id(),
    Column("filer_id", Id, ForeignKey("filers.id"), nullable=False),
    Column("filer_reference", String(100), nullable=False),
    Column("shipment_id", Id, ForeignKey("shipments.id"), nullable=False),  # version examined
    Column("outcome_id", Id, ForeignKey("outcomes.id")),
    Column("status", String(20), nullable=False),
    Column("opened_by", String(100), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Index("ix_enforcement_cases_shipment", "filer_id", "filer_reference"),
    Index("ix_enforcement_cases_status", "status"),
)

case_steps = Table(
    "case_steps",
    metadata,
    _id(),
    Column("case_id", Id, ForeignKey("enforcement_cases.id"), nullable=False, index=True),
    Column("step", String(30), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", String(500)),
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

# The trusted-shipper programme (migration 0021): applications, each decision on
# them (with the criteria evaluation it was made on) and re-vetting flags.
programme_applications = Table(
    "programme_applications",
    metadata,
    _id(),
    Column("reference", String(20), nullable=False, unique=True),  # TP-000001
    Column("role", String(20), nullable=False),  # filer | shipper | consignee
    Column("key", String(200), nullable=False),  # filer code or normalised party name
    Column("name", String(200), nullable=False),
    Column("country", String(2)),
    Column("contact", String(300), nullable=False),
    Column("channel", String(20), nullable=False),  # filer_api | app
    Column("status", String(20), nullable=False),  # pending | approved | denied | ...
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("member_since", String(10)),  # ISO date of approval; public on the portal
    Column("flagged", String(500)),  # the last re-vetting's failed criteria, if any
    Index("ix_programme_applications_role_key", "role", "key"),
)

programme_decisions = Table(
    "programme_decisions",
    metadata,
    _id(),
    Column("application_id", Id, ForeignKey("programme_applications.id"), nullable=False),
    Column("decision", String(20), nullable=False),  # approve | deny | suspend | revoke | revet
    Column("reason", String(2000), nullable=False),
    Column("evaluation", JSONDoc, nullable=False),  # the criteria with evidence
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_programme_decisions_application", "application_id"),
)

# Reports of suspected violations from the public portal, their evidence files,
# the entities analysts link them to (intelligence for the risk engine), and the
# per-client events the portal's rate limits count.
portal_reports = Table(
    "portal_reports",
    metadata,
    _id(),
    Column("reference", String(20), nullable=False, unique=True),  # RPT-XXXX-XXXX
    Column("received_at", UTCDateTime, nullable=False),
    Column("contact_name", String(200)),
    Column("contact_email", String(254)),
    Column("contact_phone", String(40)),
    Column("violator_name", String(200), nullable=False),
    Column("violator_address", String(600)),
    Column("violator_website", String(500)),
    Column("violation_type", String(30), nullable=False),
    Column("product", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False),  # new | substantiated | ...
    Column("outcome_note", String(2000)),
    Column("triaged_by", String(100)),
    Column("triaged_at", UTCDateTime),
    Index("ix_portal_reports_status", "status"),
)

report_files = Table(
    "report_files",
    metadata,
    _id(),
    Column("report_id", Id, ForeignKey("portal_reports.id"), nullable=False, index=True),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),  # from the magic bytes
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

report_links = Table(
    "report_links",
    metadata,
    _id(),
    Column("report_id", Id, ForeignKey("portal_reports.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # name | entity
    Column("target", String(200), nullable=False),  # normalised party name or entity id
    Column("linked_by", String(100), nullable=False),
    Column("linked_at", UTCDateTime, nullable=False),
    UniqueConstraint("report_id", "kind", "target"),
    Index("ix_report_links_kind_target", "kind", "target"),
)

portal_events = Table(
    "portal_events",
    metadata,
    _id(),
    Column("client", String(64), nullable=False),  # sha256 of the client's IP
    Column("action", String(20), nullable=False),  # report | search
    Column("at", UTCDateTime, nullable=False),
    Index("ix_portal_events_client_action_at", "client", "action", "at"),
)

# Baseline period and target of each performance measure, set by programme
# managers (migration 0022). The baseline's value is computed from stored data over
# its period, never typed in; the target is the manager's decision. Changes are
# audited (``measures/targets_repo.py``).
measure_targets = Table(
    "measure_targets",
    metadata,
    Column("measure", String(50), primary_key=True),
    Column("baseline_from", String(10)),  # ISO date
    Column("baseline_to", String(10)),  # ISO date, exclusive
    Column("target", Float),
    Column("target_by", String(10)),  # ISO date by which the target should be met
    Column("note", String(500)),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
