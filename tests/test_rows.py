"""The step's own row writes (workflows.work.rows): what they store, the version check, a clean session after."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from tests.helpers import REGISTER
from workflows.models import ProcessInstance, User, WorkItem
from workflows.models.work_item import CLAIMED, COMPLETED, OPEN
from workflows.work.instances import start_instance
from workflows.work.rows import insert_row, update_row
from workflows.work.work_items import claim, complete

# What a commit leaves is read on another connection, and another connection writes meanwhile.
pytestmark = pytest.mark.committed


@pytest.fixture
def statements(session):  # noqa: ANN001, ANN201
    """The SQL the session's engine runs from now on."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        words = statement.split()
        table = {"INSERT": 2, "UPDATE": 1}.get(words[0])
        seen.append(f"{words[0]} {words[table]}" if table else words[0])

    event.listen(db.engine, "before_cursor_execute", before)
    yield seen
    event.remove(db.engine, "before_cursor_execute", before)


def _started(session, shipped) -> ProcessInstance:  # noqa: ANN001
    instance = start_instance(session, session.get(User, shipped["jd_msa_liaison"]), "case_transfer",
                              business_key="ROWS-1")
    session.commit()
    return instance


def _fresh_row(session, model, row_id):  # noqa: ANN001, ANN202
    """The row as another connection reads it (SQLite: after the session's transaction, which holds the lock)."""
    session.close()
    with db.engine.connect() as conn:
        return conn.execute(select(model.__table__).where(model.__table__.c.id == row_id)).one()


def test_a_new_item_gets_its_id_and_defaults_and_needs_no_flush(app, session, shipped, statements):  # noqa: ANN001
    instance = _started(session, shipped)
    item = WorkItem(instance_id=instance.id, process_key="case_transfer", engine_task_id="t-1", task_name="task_x",
                    title="X", lane="lane_bureau", candidate_agency_id=instance.initiating_agency_id,
                    required_role="liaison")
    insert_row(session, item)
    assert item.id is not None
    assert (item.status, item.priority, item.extension_count, item.due_provisional) == (OPEN, 0, 0, False)
    assert item.created_at is not None  # the callable default ran
    assert item in session and not session.new and not session.dirty
    assert item.instance is instance  # relationships load as for a queried object
    statements.clear()
    session.commit()
    assert statements == []  # nothing left for the unit of work (SQLite's COMMIT is not a cursor statement)
    row = _fresh_row(session, WorkItem, item.id)
    assert (row.status, row.task_name, row.created_at is not None) == (OPEN, "task_x", True)


def test_an_update_writes_the_changed_columns_and_bumps_the_version(app, session, shipped, statements):  # noqa: ANN001
    instance = _started(session, shipped)
    version = instance.lock_version
    instance.title = "改名"
    statements.clear()
    update_row(session, instance)
    assert [s for s in statements if s != "BEGIN"] == ["UPDATE process_instance"]
    assert instance.lock_version == version + 1
    assert not session.dirty
    statements.clear()
    session.commit()
    assert statements == []
    row = _fresh_row(session, ProcessInstance, instance.id)
    assert (row.title, row.lock_version, row.status) == ("改名", version + 1, "running")


def test_a_concurrent_change_is_refused_not_overwritten(app, session, shipped):  # noqa: ANN001
    instance = _started(session, shipped)
    with db.engine.begin() as conn:  # another request wrote the instance meanwhile
        table = ProcessInstance.__table__
        conn.execute(table.update().where(table.c.id == instance.id)
                     .values(title="他人的修改", lock_version=table.c.lock_version + 1))
    instance.title = "我的修改"
    with pytest.raises(StaleDataError):
        update_row(session, instance)
    session.rollback()
    assert _fresh_row(session, ProcessInstance, instance.id).title == "他人的修改"


def test_completing_leaves_nothing_pending_and_the_rows_hold_the_step(app, session, shipped):  # noqa: ANN001
    instance = _started(session, shipped)
    liaison = session.get(User, shipped["jd_msa_liaison"])
    (item,) = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id)).all()
    claim(session, liaison, item)
    session.commit()
    complete(session, liaison, item, REGISTER)
    assert not session.new and not session.dirty  # every row of the step is written already
    session.commit()
    done = _fresh_row(session, WorkItem, item.id)
    assert (done.status, done.completed_by_id, done.submitted_data["admin_case_no"]) == (
        COMPLETED, liaison.id, REGISTER["admin_case_no"])
    (following,) = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                          WorkItem.status.in_((OPEN, CLAIMED)))).all()
    assert following.task_name == "task_verify"
    row = _fresh_row(session, ProcessInstance, instance.id)
    assert row.lock_version == instance.lock_version
    assert row.state["xietong_data"]["admin_case_no"] == REGISTER["admin_case_no"]


def test_a_written_key_forgets_the_object_loaded_for_it(session, shipped):  # noqa: ANN001
    """An item whose assignee was loaded as nobody shows the new assignee once the key is written."""
    instance = _started(session, shipped)
    item = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id)).one()
    assert item.assignee is None
    liaison = session.get(User, shipped["jd_msa_liaison"])
    item.status, item.assignee_id = CLAIMED, liaison.id
    update_row(session, item)
    assert item.assignee is liaison
