"""reach: how far from its regions an enterprise wants tenders (regions, country, anywhere)

Revision ID: 0008_reach
Revises: 0007_ux
Create Date: 2026-12-02 01:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008_reach'
down_revision: str | None = '0007_ux'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing enterprise keeps what it had: its served regions and their neighbours.
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reach', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      nullable=False, server_default='regions'))


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('reach')
