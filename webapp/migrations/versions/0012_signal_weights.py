"""signal weights fitted from enterprises' saves and dismissals

Revision ID: 0012_signal_weights
Revises: 0011_sector_translations
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012_signal_weights'
down_revision = '0011_sector_translations'


def upgrade() -> None:
    op.create_table(
        'signal_weights',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('weights', sa.JSON(), nullable=False),
        sa.Column('n_enterprises', sa.Integer(), nullable=False),
        sa.Column('n_pairs', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('signal_weights')
