"""eForms notices: languages, per-language titles, notice identity, buyer place; lot places

Revision ID: 0003_eforms
Revises: 0002_auth

Columns only, all with defaults, so existing rows (OCDS, fixtures) stay valid.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003_eforms'
down_revision = '0002_auth'

EMPTY_DICT = sa.text("'{}'")
EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table('tender', schema=None) as batch_op:
        batch_op.add_column(sa.Column('titles', sa.JSON(), nullable=False, server_default=EMPTY_DICT))
        batch_op.add_column(sa.Column('descriptions', sa.JSON(), nullable=False, server_default=EMPTY_DICT))
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('notice_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notice_kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('buyer_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('buyer_nuts', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False, server_default=''))
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved_execution', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('nuts_codes', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('titles', sa.JSON(), nullable=False, server_default=EMPTY_DICT))
        batch_op.add_column(sa.Column('descriptions', sa.JSON(), nullable=False, server_default=EMPTY_DICT))


def downgrade() -> None:
    with op.batch_alter_table('lot', schema=None) as batch_op:
        for name in ('descriptions', 'titles', 'nuts_codes', 'reserved_execution'):
            batch_op.drop_column(name)
    with op.batch_alter_table('tender', schema=None) as batch_op:
        for name in ('buyer_nuts', 'buyer_country', 'notice_kind', 'notice_id', 'languages',
                     'descriptions', 'titles'):
            batch_op.drop_column(name)
