"""work items keep the values the system prefilled

Revision ID: 3f1b7c2a9d40
Revises: 85fadfde4498
Create Date: 2026-12-06 09:00:00

A user task's `prefill` (docs/diagrams.md §4.1) puts values the system computed (an agency's
statistics for a period) into the task's data when its work item is created; the item keeps them
too, so its page shows them without restoring the engine.

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '3f1b7c2a9d40'
down_revision = '85fadfde4498'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('work_item', sa.Column('prefilled', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                                             'postgresql'), nullable=True))


def downgrade():
    # Not a batch (table copy): SQLite (3.35 on) and PostgreSQL drop a column in place, and a copy would
    # lose the expression-based indexes of work_item.
    op.execute('ALTER TABLE work_item DROP COLUMN prefilled')
