"""contact person and e-mail of authorities and enterprises; accounts pending confirmation

Revision ID: 0007_ux
Revises: 0006_i18n
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007_ux'
down_revision = '0006_i18n'


def upgrade() -> None:
    for table in ('authority', 'enterprise'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(),
                                       nullable=False, server_default=''))
            batch.add_column(sa.Column('contact_email',
                                       sqlmodel.sql.sqltypes.AutoString(length=254),
                                       nullable=False, server_default=''))
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('pending', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_column('pending')
    for table in ('enterprise', 'authority'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('contact_email')
            batch.drop_column('contact_name')
