"""covering indexes for the bounded counts on consignee keys

The counts per consignee phone and e-mail (30 days) and per delivery address
(ever) stop at 1,000 shipments; with the key's events in time order in an index
that carries the columns the counts test, a count reads at most that many index
entries, from the window's start, and no table row. They replace the
single-column indexes on the same keys (as 0006 did for shippers and sellers).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = ("consignee_phone", "consignee_email", "consignee_address")
# Written out, not imported from the schema: a migration stays as it was written.
_COVERED = [
    "received_s",
    "sid",
    "superseded_s",
    "superseded_sid",
    "status",
    "filer_id",
    "filer_reference",
]


def upgrade() -> None:
    for key in _KEYS:
        op.drop_index(f"ix_feature_events_{key}", table_name="feature_events")
        op.create_index(
            f"ix_feature_events_{key}_history", "feature_events", [key, *_COVERED], unique=False
        )


def downgrade() -> None:
    for key in _KEYS:
        op.drop_index(f"ix_feature_events_{key}_history", table_name="feature_events")
        op.create_index(f"ix_feature_events_{key}", "feature_events", [key], unique=False)
