"""Migration 7a2d4e9b1c03 fills in who may start each version already deployed, as deployment now stores it."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app import create_app
from app.demo import load_demo
from app.extensions import db
from workflows.models import ProcessDefinition

BPMN = Path(__file__).parents[1] / "bpmn"


def test_the_migration_backfills_the_start_agency_types_of_deployed_versions(scratch_url):  # noqa: ANN001
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
    with migrated.app_context():
        upgrade()
        load_demo(db.session, BPMN)  # the directory, then the shipped processes
        db.session.commit()
        stored = dict(db.session.execute(select(ProcessDefinition.key, ProcessDefinition.start_agency_types)).all())
        assert stored["case_transfer"] == ["market_supervision"] and len(stored) >= 6
        db.session.remove()
        downgrade(revision="5c8e1d2f4a61")  # before the column: the versions stay, their start types go
        columns = {c["name"] for c in inspect(db.engine).get_columns("process_definition")}
        assert "start_agency_types" not in columns and "meta" in columns
        upgrade()
        filled = dict(db.session.execute(select(ProcessDefinition.key, ProcessDefinition.start_agency_types)).all())
        assert filled == stored
        db.session.remove()
        db.engine.dispose()
