"""Partial indexes for live and archived campaigns

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 18:53:26.918516

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Created directly rather than in batch mode: rebuilding the campaign table on
# SQLite would drop the search triggers.
INDEXES = (
    ("ix_campaign_live_start", ["workspace_id", "start_date", "id"], "IS NULL"),
    ("ix_campaign_live_end", ["workspace_id", "end_date", "id"], "IS NULL"),
    ("ix_campaign_archived_start", ["workspace_id", "start_date", "id"], "IS NOT NULL"),
)


def upgrade():
    for name, columns, condition in INDEXES:
        where = sa.text(f"archived_at {condition}")
        op.create_index(
            name, "campaign", columns, sqlite_where=where, postgresql_where=where
        )


def downgrade():
    for name, _columns, _condition in INDEXES:
        op.drop_index(name, table_name="campaign")
