"""messages are data: stop reasons and notice titles as a code and parameters

Revision ID: a7d3e9b1c052
Revises: 8b3e5f0a2d14
Create Date: 2026-12-08 09:00:00

`process_instance.error_message` and `notice.title_message` hold {"code", "params"} of a message in
workflows.messages, rendered in the reader's language when shown. Rows written before keep NULL
there: their stored text (`error_reason`, `title`) is shown as it is.

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'a7d3e9b1c052'
down_revision = '8b3e5f0a2d14'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.add_column('process_instance', sa.Column('error_message', JSON, nullable=True))
    op.add_column('notice', sa.Column('title_message', JSON, nullable=True))


def downgrade():
    # Not a batch (table copy): SQLite (3.35 on) and PostgreSQL drop a column in place.
    op.execute('ALTER TABLE notice DROP COLUMN title_message')
    op.execute('ALTER TABLE process_instance DROP COLUMN error_message')
