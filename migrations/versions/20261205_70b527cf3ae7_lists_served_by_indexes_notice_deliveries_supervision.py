"""lists served by indexes: notice deliveries, work-item supervision, process key on work items

Revision ID: 70b527cf3ae7
Revises: 07fcf79e7ad7
Create Date: 2026-12-05 08:00:00.000000

Partial indexes for the queues, completed work, the dashboard and the timer worker. Every list
reads an index that serves its filter and its order, so its cost does not grow with the history:
work items keep their process key (the dashboard and filters join no instance); indexes on active
items only serve the queues, the overdue views and the dashboard's counts; a partial index serves
"completed by me"; notices are delivered per user when sent (list and unread count read one user's
rows); the agencies supervising a missed deadline are rows of their own, ended by a trigger when
the item completes or is cancelled.
"""
from alembic import op
import sqlalchemy as sa

import workflows.db

# revision identifiers, used by Alembic.
revision = '70b527cf3ae7'
down_revision = '07fcf79e7ad7'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('open', 'claimed')"
URGENCY = [sa.text("(due_at IS NULL)"), "due_at", sa.text("priority DESC"), "id"]


def _partial(name, table, columns, where):
    op.create_index(name, table, columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    _work_item_process_key()
    _work_item_indexes()
    _supervision()
    _notice_deliveries()
    _instance_indexes()


def _work_item_process_key():
    for name in ('ix_work_item_queue', 'ix_work_item_assignee', 'ix_work_item_due'):
        op.drop_index(name, 'work_item')
    backfill = """
        UPDATE work_item SET process_key = (
            SELECT d.key FROM process_instance i JOIN process_definition d ON d.id = i.definition_id
            WHERE i.id = work_item.instance_id)
    """
    if _postgresql():
        op.add_column('work_item', sa.Column('process_key', sa.String(length=100), nullable=True))
        op.execute(backfill)
        op.alter_column('work_item', 'process_key', existing_type=sa.String(length=100), nullable=False)
    else:
        # SQLite adds a NOT NULL column only with a default; changing it later would copy the table,
        # which its foreign keys (enforced by the app's connections) forbid while rows point at it.
        op.add_column('work_item', sa.Column('process_key', sa.String(length=100), nullable=False,
                                             server_default=''))
        op.execute(backfill)


def _work_item_indexes():
    _partial('ix_work_item_open', 'work_item', ['candidate_agency_id', *URGENCY], "status = 'open'")
    _partial('ix_work_item_active_agency', 'work_item', ['candidate_agency_id', *URGENCY], ACTIVE)
    _partial('ix_work_item_active_due', 'work_item', URGENCY, ACTIVE)
    _partial('ix_work_item_active_counts', 'work_item', ['candidate_agency_id', 'process_key', 'due_at', 'status'],
             ACTIVE)
    _partial('ix_work_item_claimed', 'work_item', ['assignee_id', *URGENCY], "status = 'claimed'")
    _partial('ix_work_item_completed_by', 'work_item', ['completed_by_id', 'completed_at', 'id'],
             "status = 'completed'")


def _supervision():
    op.create_table(
        'work_item_supervision',
        sa.Column('work_item_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('since', workflows.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('ended_at', workflows.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_work_item_supervision_agency_id_agency')),
        sa.ForeignKeyConstraint(['work_item_id'], ['work_item.id'],
                                name=op.f('fk_work_item_supervision_work_item_id_work_item')),
        sa.PrimaryKeyConstraint('work_item_id', 'agency_id', name=op.f('pk_work_item_supervision')),
    )
    _partial('ix_work_item_supervision_active', 'work_item_supervision',
             ['agency_id', 'due_at', sa.text('priority DESC'), 'work_item_id'], "ended_at IS NULL")
    # Until now an agency supervised an item when it had been sent the item's deadline_missed notice.
    op.execute(f"""
        INSERT INTO work_item_supervision (work_item_id, agency_id, since, due_at, priority, ended_at)
        SELECT w.id, n.agency_id, MIN(n.created_at), w.due_at, w.priority,
               CASE WHEN w.{ACTIVE} THEN NULL ELSE w.completed_at END
        FROM notice n JOIN work_item w ON w.id = n.work_item_id
        WHERE n.kind = 'deadline_missed' AND n.agency_id <> w.candidate_agency_id AND w.due_at IS NOT NULL
        GROUP BY w.id, n.agency_id, w.due_at, w.priority, w.status, w.completed_at
    """)
    _supervision_trigger()


def _supervision_trigger():
    """End an item's supervision when it leaves the active states, whichever code path finishes it."""
    end = ("UPDATE work_item_supervision SET ended_at = NEW.completed_at "
           "WHERE work_item_id = NEW.id AND ended_at IS NULL")
    leaves = "OLD.status IN ('open', 'claimed') AND NEW.status NOT IN ('open', 'claimed')"
    if _postgresql():
        op.execute(f"""
            CREATE FUNCTION work_item_supervision_end() RETURNS trigger AS $$
            BEGIN {end}; RETURN NULL; END; $$ LANGUAGE plpgsql;
        """)
        op.execute(f"""
            CREATE TRIGGER work_item_supervision_end AFTER UPDATE OF status ON work_item
            FOR EACH ROW WHEN ({leaves}) EXECUTE FUNCTION work_item_supervision_end();
        """)
    else:
        op.execute(f"""
            CREATE TRIGGER work_item_supervision_end AFTER UPDATE OF status ON work_item
            FOR EACH ROW WHEN {leaves} BEGIN {end}; END;
        """)


def _notice_deliveries():
    op.create_table(
        'notice_delivery',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('read_at', workflows.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_delivery_notice_id_notice'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_notice_delivery_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', 'notice_id', name=op.f('pk_notice_delivery')),
    )
    _partial('ix_notice_delivery_unread', 'notice_delivery', ['user_id', 'notice_id'], "read_at IS NULL")
    # Deliver every existing notice to those it reached until now: its user, or the agency's active
    # users (holding its role, if it names one); what they had read stays read.
    has_role = ("u.roles ? n.role" if _postgresql() else
                "EXISTS (SELECT 1 FROM json_each(u.roles) AS r WHERE r.value = n.role)")
    op.execute(f"""
        INSERT INTO notice_delivery (user_id, notice_id, read_at)
        SELECT u.id, n.id, r.read_at
        FROM notice n
        JOIN user_account u ON u.id = n.user_id
            OR (n.user_id IS NULL AND u.agency_id = n.agency_id AND u.active AND (n.role IS NULL OR {has_role}))
        LEFT JOIN notice_read r ON r.notice_id = n.id AND r.user_id = u.id
    """)
    op.drop_table('notice_read')
    op.drop_index('ix_notice_agency', 'notice')
    op.drop_index('ix_notice_user', 'notice')


def _instance_indexes():
    op.drop_index('ix_process_instance_next_timer_due_at', 'process_instance')
    op.drop_index('ix_process_instance_status', 'process_instance')
    _partial('ix_process_instance_timer_due', 'process_instance', ['status', 'next_timer_due_at', 'id'],
             "status = 'running'")
    op.create_index('ix_process_instance_status', 'process_instance', ['status', 'id'])
    op.drop_index('ix_instance_participant_agency_id', 'instance_participant')
    op.create_index('ix_instance_participant_agency', 'instance_participant', ['agency_id', 'instance_id'])


def downgrade():
    op.drop_index('ix_instance_participant_agency', 'instance_participant')
    op.create_index('ix_instance_participant_agency_id', 'instance_participant', ['agency_id'])
    op.drop_index('ix_process_instance_status', 'process_instance')
    op.drop_index('ix_process_instance_timer_due', 'process_instance')
    op.create_index('ix_process_instance_status', 'process_instance', ['status'])
    op.create_index('ix_process_instance_next_timer_due_at', 'process_instance', ['next_timer_due_at'])

    op.create_index('ix_notice_agency', 'notice', ['agency_id', 'id'])
    op.create_index('ix_notice_user', 'notice', ['user_id', 'id'])
    op.create_table(
        'notice_read',
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_read_notice_id_notice'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_read_user_id_user_account')),
        sa.PrimaryKeyConstraint('notice_id', 'user_id', name=op.f('pk_notice_read')),
    )
    op.create_index(op.f('ix_notice_read_user_id'), 'notice_read', ['user_id'])
    op.execute("INSERT INTO notice_read (notice_id, user_id, read_at) "
               "SELECT notice_id, user_id, read_at FROM notice_delivery WHERE read_at IS NOT NULL")
    op.drop_table('notice_delivery')

    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS work_item_supervision_end ON work_item")
        op.execute("DROP FUNCTION IF EXISTS work_item_supervision_end()")
    else:
        op.execute("DROP TRIGGER IF EXISTS work_item_supervision_end")
    op.drop_table('work_item_supervision')

    for name in ('ix_work_item_completed_by', 'ix_work_item_claimed', 'ix_work_item_active_counts',
                 'ix_work_item_active_due', 'ix_work_item_active_agency', 'ix_work_item_open'):
        op.drop_index(name, 'work_item')
    op.drop_column('work_item', 'process_key')
    op.create_index('ix_work_item_queue', 'work_item', ['candidate_agency_id', 'status'])
    op.create_index('ix_work_item_assignee', 'work_item', ['assignee_id', 'status'])
    op.create_index('ix_work_item_due', 'work_item', ['status', 'due_at'])
