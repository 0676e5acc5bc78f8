"""covering indexes for the ever-window history features

The first-seen counts (shipments before this one from this shipper or seller)
read every earlier event of the key; a hot shipper has thousands. Indexes that
carry the columns those counts test let the count be read from the index alone.
They replace the single-column indexes on the same keys.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
    for key in ("shipper_name", "seller"):
        op.drop_index(f"ix_feature_events_{key}", table_name="feature_events")
        op.create_index(
            f"ix_feature_events_{key}_history", "feature_events", [key, *_COVERED], unique=False
        )


def downgrade() -> None:
    for key in ("shipper_name", "seller"):
        op.drop_index(f"ix_feature_events_{key}_history", table_name="feature_events")
        op.create_index(f"ix_feature_events_{key}", "feature_events", [key], unique=False)
