"""accounts and sessions: active flag, session version, token expiry, login throttle

Revision ID: 0002_auth
Revises: 0001
"""
from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002_auth'
down_revision = '0001'

# Tokens made before expiry existed get the default lifetime from their creation.
TOKEN_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        # The per-user counter was not atomic and let anyone lock any account: the
        # loginthrottle table replaces it.
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
    tokens = sa.table('apitoken', sa.column('id', sa.Integer()),
                      sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                      sa.column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)):
        connection.execute(tokens.update().where(tokens.c.id == token_id)
                           .values(expires_at=created_at + TOKEN_LIFETIME))
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(),
                              nullable=False)

    op.create_table('loginthrottle',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('loginthrottle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginthrottle_window_start'), ['window_start'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loginthrottle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginthrottle_window_start'))
    op.drop_table('loginthrottle')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_column('session_version')
        batch_op.drop_column('is_active')
