"""sector translations: a sector's name, description and topic labels in other languages

Revision ID: 0011_sector_translations
Revises: 0010_filter_names
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_sector_translations'
down_revision = '0010_filter_names'


# Plain ALTER TABLEs, also on SQLite (DROP COLUMN since 3.35): the batch way copies the table
# into a new one, which the foreign keys of applications, proposals and coordinators forbid
# once sectors have rows.

def upgrade() -> None:
    # Sectors already stored have no translation yet: they read in English everywhere.
    op.add_column('sector', sa.Column('translations', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.drop_column('sector', 'translations')
