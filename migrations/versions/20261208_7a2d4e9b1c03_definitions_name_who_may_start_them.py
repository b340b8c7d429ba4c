"""definitions name the agency types that may start them

Revision ID: 7a2d4e9b1c03
Revises: 5c8e1d2f4a61
Create Date: 2026-12-08 09:00:00

`process_definition.start_agency_types` copies out of the stored settings (`meta`) the agency types
of the start events' lanes (empty: any agency may start). Every page's header shows "New case" only
to a user whose agency may start something, and reads this small column in one statement instead of
each version's settings. Existing versions are filled from their `meta` here.

"""
import json

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '7a2d4e9b1c03'
down_revision = '5c8e1d2f4a61'
branch_labels = None
depends_on = None


def _start_types(meta) -> list[str]:
    """The agency types of the start lanes, as workflows.engine.settings reads them (frozen here)."""
    meta = json.loads(meta) if isinstance(meta, str) else (meta or {})
    lanes = meta.get('lanes') or {}
    types = {(lanes.get(lane) or {}).get('agency_type') for lane in meta.get('start_lanes') or () if lane}
    return sorted(t for t in types if t)


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    op.add_column('process_definition', sa.Column('start_agency_types', json_type, nullable=True))
    conn = op.get_bind()
    table = sa.table('process_definition', sa.column('id', sa.Integer), sa.column('meta', sa.JSON),
                     sa.column('start_agency_types', json_type))
    for row_id, meta in conn.execute(sa.select(table.c.id, table.c.meta)).all():
        conn.execute(table.update().where(table.c.id == row_id).values(start_agency_types=_start_types(meta)))


def downgrade():
    op.execute('ALTER TABLE process_definition DROP COLUMN start_agency_types')
