"""audit events in a hash chain; TRUNCATE refused on PostgreSQL

Revision ID: db0673033f35
Revises: 3f1b7c2a9d40
Create Date: 2026-12-05 10:48:24.000000

Every audit event gets its place in one chain (`chain_seq`) and a SHA-256 `hash` over its content
and the previous event's hash (workflows/audit/chain.py). Existing events are linked in id order.
On PostgreSQL the append-only trigger now also refuses TRUNCATE (a statement-level trigger; before,
TRUNCATE emptied the trail). A migration that must change audit rows disables the triggers
explicitly, as this one does while it fills the new columns.
"""
from alembic import op
import sqlalchemy as sa

import workflows.db
from workflows.audit.chain import GENESIS, event_hash


# revision identifiers, used by Alembic.
revision = 'db0673033f35'
down_revision = '3f1b7c2a9d40'
branch_labels = None
depends_on = None

BATCH = 2000

# The columns as this revision knows them (not the model of whatever code runs the migration).
events = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()),
    sa.column('occurred_at', workflows.db.UTCDateTime(timezone=True)),
    sa.column('actor_id', sa.Integer()),
    sa.column('agency_id', sa.Integer()),
    sa.column('instance_id', sa.Integer()),
    sa.column('work_item_id', sa.Integer()),
    sa.column('type', sa.String(50)),
    sa.column('payload', workflows.db.JSONType),
    sa.column('chain_seq', sa.BigInteger()),
    sa.column('hash', sa.String(64)),
)


def _link_existing_events(connection: sa.Connection) -> None:
    """Give every existing event its place and hash, in id order, a batch at a time."""
    seq, previous, after = 0, GENESIS, 0
    update = (events.update().where(events.c.id == sa.bindparam('event_id'))
              .values(chain_seq=sa.bindparam('seq'), hash=sa.bindparam('digest')))
    while True:
        rows = connection.execute(sa.select(events).where(events.c.id > after)
                                  .order_by(events.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return
        values = []
        for row in rows:
            seq += 1
            previous = event_hash(seq, row, previous)
            values.append({'event_id': row['id'], 'seq': seq, 'digest': previous})
        connection.execute(update, values)
        after = rows[-1]['id']


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    if postgresql:
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    _link_existing_events(op.get_bind())
    if postgresql:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')

    # SQLite rebuilds the table; its neighbours need not be read (work_item's expression index warns).
    with op.batch_alter_table('audit_event', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.alter_column('chain_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_chain_seq'), ['chain_seq'])

    if postgresql:
        # The same function refuses row changes and (statement-level, it has no rows) TRUNCATE.
        op.execute("""
            CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
            FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
        """)
        # The chain's lock and its head in one round trip (workflows/audit/chain.py `link`). The head is
        # read by a statement of its own after the lock is granted: in READ COMMITTED each statement of
        # a volatile function takes a fresh snapshot, so it sees the events of whoever held the lock before.
        op.execute("""
            CREATE FUNCTION audit_chain_head_locked(lock_key bigint)
            RETURNS TABLE (head_seq bigint, head_hash varchar, head_at timestamptz)
            LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(lock_key);
                RETURN QUERY SELECT e.chain_seq, e.hash::varchar, e.occurred_at
                             FROM audit_event e ORDER BY e.chain_seq DESC LIMIT 1;
            END $$;
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS audit_chain_head_locked(bigint)')
        op.execute('DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event')
    with op.batch_alter_table('audit_event', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_chain_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('chain_seq')
