"""work items keep a missed deadline after a late extension

Revision ID: 5c8e1d2f4a61
Revises: db0673033f35
Create Date: 2026-12-07 09:00:00

`work_item.missed_at` is the due time an item let pass while it was open (the first one). An
extension recorded after it (where the diagram allows one, `lateExtension`) moves `due_at` but not
this: the statistics count the item late, the dashboard counts it as missed and the supervising
agency keeps seeing it. The statistics' covering index and the dashboard's counting index take the
column, so both are still read from the index alone.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c8e1d2f4a61'
down_revision = 'db0673033f35'
branch_labels = None
depends_on = None

COMPLETED = sa.text("status = 'completed'")
ACTIVE = sa.text("status IN ('open', 'claimed')")
STATISTICS = ['completed_at', 'process_key', 'task_name', 'candidate_agency_id', 'due_at', 'created_at', 'status']
COUNTS = ['candidate_agency_id', 'process_key', 'due_at', 'status']


def _indexes(statistics: list[str], counts: list[str]) -> None:
    op.drop_index('ix_work_item_completed_at', 'work_item')
    op.create_index('ix_work_item_completed_at', 'work_item', statistics,
                    postgresql_where=COMPLETED, sqlite_where=COMPLETED)
    op.drop_index('ix_work_item_active_counts', 'work_item')
    op.create_index('ix_work_item_active_counts', 'work_item', counts, postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def upgrade():
    op.add_column('work_item', sa.Column('missed_at', sa.DateTime(timezone=True), nullable=True))
    _indexes(STATISTICS + ['missed_at'], COUNTS + ['missed_at'])


def downgrade():
    _indexes(STATISTICS, COUNTS)
    # Not a batch (table copy): SQLite (3.35 on) and PostgreSQL drop a column in place.
    op.execute('ALTER TABLE work_item DROP COLUMN missed_at')
