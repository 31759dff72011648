"""matching index versions and the change log

Revision ID: 0004_index
Revises: 0003_eforms
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_index"
down_revision = "0003_eforms"


def upgrade() -> None:
    op.create_table(
        "match_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("built_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("n_tenders", sa.Integer(), nullable=False),
        sa.Column("n_enterprises", sa.Integer(), nullable=False),
        sa.Column("build_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "index_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("index_change")
    op.drop_table("match_index")
