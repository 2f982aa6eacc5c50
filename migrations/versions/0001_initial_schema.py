"""Workspaces, people, campaigns, posts, collection statistics and trees

Revision ID: 0001
Revises:
Create Date: 2026-12-03 17:19:12.032003

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "creator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=30), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creator")),
        sa.UniqueConstraint("platform", "handle", name=op.f("uq_creator_platform")),
    )
    op.create_table(
        "quota_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_quota_month")),
    )
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("leaderboard_opt_out", sa.Boolean(), nullable=False),
        sa.Column("tree_nation_may_email", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_user_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("creators_count", sa.Integer(), nullable=False),
        sa.Column("posts_count", sa.Integer(), nullable=False),
        sa.Column("last_post_at", sa.DateTime(), nullable=True),
        sa.Column("next_collect_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_campaign_owner_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_campaign_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_next_collect", ["next_collect_at"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_archived", ["workspace_id", "archived_at"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_brand", ["workspace_id", "brand"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_end", ["workspace_id", "end_date"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_last_post", ["workspace_id", "last_post_at"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_name", ["workspace_id", "name"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_owner",
            ["workspace_id", "owner_id", "start_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_campaign_ws_posts", ["workspace_id", "posts_count"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_ws_start", ["workspace_id", "start_date", "id"], unique=False
        )

    op.create_table(
        "planting_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error_code", sa.String(length=60), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("payment_id", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
            name=op.f("fk_planting_order_recipient_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planting_order")),
        sa.UniqueConstraint("order_id", name=op.f("uq_planting_order_order_id")),
    )
    with op.batch_alter_table("planting_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_planting_order_state", ["state", "created_at"], unique=False
        )

    op.create_table(
        "archive_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_archive_event_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_archive_event_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_event")),
    )
    with op.batch_alter_table("archive_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_archive_event_campaign_at", ["campaign_id", "at"], unique=False
        )

    op.create_table(
        "campaign_creator",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("collected_since", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_creator_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creator.id"],
            name=op.f("fk_campaign_creator_creator_id_creator"),
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "creator_id", name=op.f("pk_campaign_creator")
        ),
    )
    with op.batch_alter_table("campaign_creator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_creator_creator_id"), ["creator_id"], unique=False
        )

    op.create_table(
        "collection_stat",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fetches", sa.Integer(), nullable=False),
        sa.Column("bytes_received", sa.BigInteger(), nullable=False),
        sa.Column("bytes_stored", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_collection_stat_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_collection_stat")),
    )
    op.create_table(
        "planting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("archiver_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("quota_month", sa.String(length=7), nullable=True),
        sa.Column("earned_at", sa.DateTime(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("planted_at", sa.DateTime(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("tree_id", sa.String(length=60), nullable=True),
        sa.Column("token", sa.String(length=120), nullable=True),
        sa.Column("collect_url", sa.String(length=500), nullable=True),
        sa.Column("certificate_url", sa.String(length=500), nullable=True),
        sa.Column("species_id", sa.String(length=60), nullable=True),
        sa.Column("species_name", sa.String(length=200), nullable=True),
        sa.Column("life_time_co2_kg", sa.Float(), nullable=True),
        sa.Column("project_id", sa.String(length=60), nullable=True),
        sa.Column("project_name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["archiver_id"], ["user.id"], name=op.f("fk_planting_archiver_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_planting_campaign_id_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["planting_order.id"],
            name=op.f("fk_planting_order_id_planting_order"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_planting_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planting")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_planting_campaign_id")),
    )
    with op.batch_alter_table("planting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_planting_archiver", ["archiver_id", "earned_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_planting_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            "ix_planting_queue", ["state", "queued_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_planting_ws_earned", ["workspace_id", "earned_at"], unique=False
        )

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=30), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_post_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["creator.id"], name=op.f("fk_post_creator_id_creator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint("platform", "external_id", name=op.f("uq_post_platform")),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_campaign_collected", ["campaign_id", "collected_at"], unique=False
        )
        batch_op.create_index(
            "ix_post_campaign_published", ["campaign_id", "published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_post_creator_id"), ["creator_id"], unique=False
        )

    create_search_index()


def downgrade():
    drop_search_index()
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_creator_id"))
        batch_op.drop_index("ix_post_campaign_published")
        batch_op.drop_index("ix_post_campaign_collected")

    op.drop_table("post")
    with op.batch_alter_table("planting", schema=None) as batch_op:
        batch_op.drop_index("ix_planting_ws_earned")
        batch_op.drop_index("ix_planting_queue")
        batch_op.drop_index(batch_op.f("ix_planting_order_id"))
        batch_op.drop_index("ix_planting_archiver")

    op.drop_table("planting")
    op.drop_table("collection_stat")
    with op.batch_alter_table("campaign_creator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_creator_creator_id"))

    op.drop_table("campaign_creator")
    with op.batch_alter_table("archive_event", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_event_campaign_at")

    op.drop_table("archive_event")
    with op.batch_alter_table("planting_order", schema=None) as batch_op:
        batch_op.drop_index("ix_planting_order_state")

    op.drop_table("planting_order")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_ws_start")
        batch_op.drop_index("ix_campaign_ws_posts")
        batch_op.drop_index("ix_campaign_ws_owner")
        batch_op.drop_index("ix_campaign_ws_name")
        batch_op.drop_index("ix_campaign_ws_last_post")
        batch_op.drop_index("ix_campaign_ws_end")
        batch_op.drop_index("ix_campaign_ws_brand")
        batch_op.drop_index("ix_campaign_ws_archived")
        batch_op.drop_index("ix_campaign_next_collect")

    op.drop_table("campaign")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_workspace_id"))

    op.drop_table("user")
    op.drop_table("workspace")
    op.drop_table("quota_month")
    op.drop_table("creator")


# Case-insensitive substring search on name and brand, served by an index:
# a trigram FTS5 table kept in step by triggers on SQLite, pg_trgm GIN indexes
# on PostgreSQL. A batch migration that rebuilds the campaign table on SQLite
# must recreate these triggers.
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE campaign_search USING fts5(name, brand, "
    "content='campaign', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER campaign_search_insert AFTER INSERT ON campaign BEGIN "
    "INSERT INTO campaign_search(rowid, name, brand) "
    "VALUES (new.id, new.name, new.brand); END",
    "CREATE TRIGGER campaign_search_delete AFTER DELETE ON campaign BEGIN "
    "INSERT INTO campaign_search(campaign_search, rowid, name, brand) "
    "VALUES ('delete', old.id, old.name, old.brand); END",
    "CREATE TRIGGER campaign_search_update AFTER UPDATE OF name, brand "
    "ON campaign BEGIN "
    "INSERT INTO campaign_search(campaign_search, rowid, name, brand) "
    "VALUES ('delete', old.id, old.name, old.brand); "
    "INSERT INTO campaign_search(rowid, name, brand) "
    "VALUES (new.id, new.name, new.brand); END",
)
POSTGRES_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_campaign_name_trgm ON campaign USING gin (name gin_trgm_ops)",
    "CREATE INDEX ix_campaign_brand_trgm ON campaign USING gin (brand gin_trgm_ops)",
)


def create_search_index():
    dialect = op.get_bind().dialect.name
    statements = SQLITE_SEARCH if dialect == "sqlite" else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def drop_search_index():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS campaign_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS campaign_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_campaign_name_trgm")
        op.execute("DROP INDEX IF EXISTS ix_campaign_brand_trgm")
