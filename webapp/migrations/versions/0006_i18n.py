"""i18n: a user's language and time zone; waitlist reasons kept translatable

Revision ID: 0006_i18n
Revises: 0004_index
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006_i18n'
down_revision = "0004_index"


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
