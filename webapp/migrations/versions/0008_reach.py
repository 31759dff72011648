"""reach: how far from its regions an enterprise wants tenders (regions, country, anywhere)

Revision ID: 0008_reach
Revises: 0007_ux
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008_reach'
down_revision = '0007_ux'


def upgrade() -> None:
    # Every existing enterprise keeps what it had: its served regions and their neighbours.
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reach', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      nullable=False, server_default='regions'))


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('reach')
