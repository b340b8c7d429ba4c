"""work items keep a draft of their form

Revision ID: 8b3e5f0a2d14
Revises: 7a2d4e9b1c03
Create Date: 2026-12-08 10:00:00

`work_item.draft` holds a long form saved unfinished by the user who holds the item (not validated:
a draft may be incomplete) and `draft_saved_at` when it was last saved. The item page opens with the
draft; completing the item clears it.

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '8b3e5f0a2d14'
down_revision = '7a2d4e9b1c03'
branch_labels = None
depends_on = None


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    op.add_column('work_item', sa.Column('draft', json_type, nullable=True))
    op.add_column('work_item', sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.execute('ALTER TABLE work_item DROP COLUMN draft_saved_at')
    op.execute('ALTER TABLE work_item DROP COLUMN draft')
