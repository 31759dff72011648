"""i18n: a user's language and time zone; waitlist reasons kept translatable

Revision ID: 0006_i18n
Revises: 0001
Create Date: 2026-11-30 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006_i18n'
down_revision: str | None = "0004_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
    with op.batch_alter_table('waitlistentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_text', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('waitlistentry', schema=None) as batch_op:
        batch_op.drop_column('reason_text')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.drop_column('locale')
