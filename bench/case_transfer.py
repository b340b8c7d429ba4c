"""Case-transfer happy path: instances per second, raw engine vs. the service layer on SQLite.

Run with `python -m bench.case_transfer [--raw N] [--service N]`. Both figures come from the same
process, so the ratio b/a cancels machine speed. Its old target (b/a >= 0.10) was withdrawn with
issue 13: speed is measured where users feel it (bench.served, bench.scale, bench.history,
bench.timers). The happy path, `settle()` and the service runner here are shared by those benchmarks.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parent.parent
TRANSFER = {"transfer_letter_no": "沪嘉市监移〔2026〕1号",
            "transfer_documents": ["transfer_letter", "investigation_report"], "copied_to_procuratorate": True}
REGISTER = {"admin_case_no": "BENCH-1", "parties": [{"name": "某公司", "party_type": "legal_person"}],
            "ip_type": "trademark", "suspected_offence": "假冒注册商标罪", "illegal_business_volume": 86000,
            "illegal_gains": 12000, "evidence_list": [{"name": "现场检查笔录"}]}
# (task, user, data): the happy path, filed and prosecuted.
HAPPY_PATH = [
    ("task_register", "jd_msa_liaison", REGISTER),
    ("task_verify", "jd_msa_liaison", {"special_team_officers": ["王敏", "李强"], "transfer_report": "达到追诉标准"}),
    ("task_approve", "jd_msa_leader", {"approval": "approve"}),
    ("task_transfer", "jd_msa_liaison", TRANSFER),
    ("task_accept", "jd_police_liaison", {"acceptance": "accept", "receipt_no": "R-1"}),
    ("task_decide", "jd_police_leader", {"filing_decision": "file", "filing_notice_no": "F-1"}),
    ("task_handover", "jd_msa_liaison", {"handover_record_no": "H-1", "handover_date": "2026-03-10"}),
    ("task_investigation", "jd_police_liaison", {"investigation_outcome": "prosecution",
                                                  "prosecution_transfer_no": "P-1"}),
]


def settle() -> None:
    """Collect garbage and freeze what survives, so the next measurement pays no GC for the heap so far.

    Without it the raw engine ran about a quarter slower beside the loaded application (540/s instead
    of the 715/s it makes in a bare process): every collection its short-lived objects trigger also
    walks the application's long-lived ones (mappers, caches, the spec). That flattered b/a and made
    it move with the run's sizes. A server does the same with `gc.freeze()` after loading the app.
    """
    gc.collect()
    gc.freeze()


def raw_engine(count: int) -> float:
    """Seconds for `count` instances with the engine alone, in memory (same restricted script engine)."""
    from lxml import etree

    from workflows.engine.runtime import parse_spec
    from workflows.scripting import make_script_engine

    root = etree.parse(str(ROOT / "bpmn/case_transfer/case_transfer.bpmn")).getroot()
    spec, subs = parse_spec(root, "case_transfer")
    engine = make_script_engine()
    started = time.perf_counter()
    for _ in range(count):
        workflow = BpmnWorkflow(spec, subs, script_engine=engine)
        workflow.do_engine_steps()
        for task_name, _user, data in HAPPY_PATH:
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            assert task.task_spec.bpmn_id == task_name
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed()
    return time.perf_counter() - started


def service_database() -> tuple[Any, dict[str, int]]:
    """A migrated SQLite file with the demo directory and the shipped processes: (app, user ids by name)."""
    from sqlalchemy import select

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from workflows.deployment.deploy import deploy_folder
    from workflows.models import User

    folder = tempfile.mkdtemp(prefix="xietong-bench-")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_demo(db.session, None)
        deploy_folder(db.session, ROOT / "bpmn")
        db.session.commit()
        user_ids = {u.username: u.id for u in db.session.scalars(select(User))}
    return app, user_ids


def service_layer(database: tuple[Any, dict[str, int]] | None = None) -> Callable[[int], float]:
    """Return a runner timing `count` instances through the services (on a new database unless given).

    Each instance goes through the services as separate requests would: start, then claim and
    complete every work item, each its own transaction.
    """
    from sqlalchemy import select

    from app.extensions import db
    from workflows.models import User, WorkItem
    from workflows.models.work_item import OPEN
    from workflows.work.instances import start_instance
    from workflows.work.work_items import claim, complete

    app, user_ids = database or service_database()
    numbers = itertools.count()

    def run(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            with app.app_context():  # one context per instance, as separate requests would have
                session = db.session
                instance = start_instance(session, session.get(User, user_ids["jd_msa_liaison"]), "case_transfer",
                                          business_key=f"B-{next(numbers)}")
                session.commit()
                for task_name, username, data in HAPPY_PATH:
                    user = session.get(User, user_ids[username])
                    item = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                                  WorkItem.status == OPEN)).one()
                    assert item.task_name == task_name
                    claim(session, user, item)
                    session.commit()
                    complete(session, user, item, data)
                    session.commit()
                assert instance.status == "completed"
        return time.perf_counter() - started

    return run


def main() -> None:
    """Print both rates and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=int, default=200, help="instances for the raw engine, in all")
    parser.add_argument("--service", type=int, default=40, help="instances through the service layer, in all")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of the two measurements")
    args = parser.parse_args()
    service = service_layer()
    raw_engine(10)  # warm caches (compile cache, imports) before measuring either side
    service(2)
    # The two sides alternate in rounds, so a change in machine load during the run falls on both.
    raw_seconds = service_seconds = 0.0
    for _ in range(args.rounds):
        settle()
        raw_seconds += raw_engine(args.raw // args.rounds)
        settle()
        service_seconds += service(args.service // args.rounds)
    a = (args.raw // args.rounds * args.rounds) / raw_seconds
    b = (args.service // args.rounds * args.rounds) / service_seconds
    print(f"case_transfer happy path ({len(HAPPY_PATH)} user tasks), {args.rounds} alternating rounds")
    print(f"(a) raw engine, in memory:             {a:8.1f} instances/s")
    print(f"(b) services + SQLite, 1 + {2 * len(HAPPY_PATH)} commits: {b:8.1f} instances/s")
    print(f"b/a = {b / a:.3f}")


if __name__ == "__main__":
    main()
