"""filter names: saved searches keep the list's filters by the catalogue API's names

Revision ID: 0010_filter_names
Revises: 0009_alerts
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_filter_names'
down_revision = '0009_alerts'

# Frozen here (not imported): a migration must mean the same thing when the code moves on.
RENAMED = {'region': 'nuts', 'closing_after': 'deadline_after', 'reserved_only': 'reserved'}
SAVED = sa.table('savedsearch', sa.column('id', sa.Integer), sa.column('filters', sa.JSON))


def _rename(names: dict[str, str], drop: tuple[str, ...] = ()) -> None:
    connection = op.get_bind()
    for row_id, filters in connection.execute(sa.select(SAVED.c.id, SAVED.c.filters)).all():
        renamed = {names.get(key, key): value for key, value in (filters or {}).items()
                   if key not in drop}
        if renamed != filters:
            connection.execute(SAVED.update().where(SAVED.c.id == row_id)
                               .values(filters=renamed))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    # The saved reach is newer than the old names: older code would refuse it.
    _rename({new: old for old, new in RENAMED.items()}, drop=('reach',))
