"""Campaign footprints: questionnaires, answers and private links

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:14:17.444584

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "footprint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("factor_set", sa.String(length=10), nullable=False),
        sa.Column("contrails", sa.Boolean(), nullable=False),
        sa.Column("device_manufacture", sa.Boolean(), nullable=False),
        sa.Column("grid", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_footprint_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["user.id"], name=op.f("fk_footprint_started_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint")),
    )
    with op.batch_alter_table("footprint", schema=None) as batch_op:
        batch_op.create_index(
            "ix_footprint_campaign_created", ["campaign_id", "id"], unique=False
        )

    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("footprint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creator.id"],
            name=op.f("fk_questionnaire_creator_id_creator"),
        ),
        sa.ForeignKeyConstraint(
            ["footprint_id"],
            ["footprint.id"],
            name=op.f("fk_questionnaire_footprint_id_footprint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire")),
        sa.UniqueConstraint(
            "footprint_id",
            "kind",
            "creator_id",
            name=op.f("uq_questionnaire_footprint_id"),
        ),
    )
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name=op.f("fk_answer_questionnaire_id_questionnaire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint(
            "questionnaire_id", "key", name=op.f("uq_answer_questionnaire_id")
        ),
    )
    op.create_table(
        "private_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creator.id"],
            name=op.f("fk_private_link_creator_id_creator"),
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name=op.f("fk_private_link_questionnaire_id_questionnaire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_private_link_token_hash")),
    )
    with op.batch_alter_table("private_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_private_link_questionnaire_id"),
            ["questionnaire_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("private_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_private_link_questionnaire_id"))

    op.drop_table("private_link")
    op.drop_table("answer")
    op.drop_table("questionnaire")
    with op.batch_alter_table("footprint", schema=None) as batch_op:
        batch_op.drop_index("ix_footprint_campaign_created")

    op.drop_table("footprint")
