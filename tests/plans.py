"""Query plans of the statements a call sends: does an index serve each filter and order?

Used by the plan test (a few rows, planner steered to indexes) and by `bench.scale` (real
statistics at a million work items). PostgreSQL: EXPLAIN with sequential scans and sorts
disabled, as the planner would choose them for large tables, then no `Seq Scan` of a large table
and no `Sort` at all. SQLite: EXPLAIN QUERY PLAN, no `SCAN` of a large table (a scan of a partial
index of active items, whose size is the open work, excepted) and no temporary B-tree for ORDER BY.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

# The tables that grow with the history.
LARGE = frozenset({"work_item", "process_instance", "notice", "notice_delivery", "instance_participant",
                   "work_item_supervision", "audit_event"})
# Partial indexes of active items that a dashboard may read whole: their size is the open work.
WHOLE_SCAN_ALLOWED = frozenset({"ix_work_item_active_counts", "ix_work_item_active_due"})


@dataclass
class Statement:
    """One SELECT as sent, with its parameters."""

    sql: str
    parameters: Any


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """The SELECT statements the engine sends while the block runs."""
    seen: list[Statement] = []

    def before(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append(Statement(statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _node(line: str) -> str:
    return line.strip().removeprefix("->").strip()


def _rowid_order(sql: str, table: str) -> bool:
    """The statement reads the table in rowid order (SQLite's own B-tree of the table) and stops at a limit."""
    return re.search(rf"ORDER BY {table}\.id(?: DESC)?\s+LIMIT", sql) is not None


def _page_order(plan: list[str], sql: str) -> bool:
    """The statement orders a page already cut by a subquery's LIMIT (at most a page of rows to sort)."""
    page = re.search(r"ORDER BY (anon_\d+)\.", sql)
    return page is not None and f"SCAN {page.group(1)}" in plan


def sqlite_problems(plan: list[str], sql: str) -> list[str]:
    """Details of an EXPLAIN QUERY PLAN that scan a large table or sort the result in a temporary B-tree.

    A plain SCAN of a table ordered by its id is its rowid B-tree read in order up to the limit; a
    sort of a page cut by a subquery's limit sorts that page only.
    """
    problems = []
    for detail in plan:
        scanned = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if scanned and scanned.group(1) in LARGE and scanned.group(2) not in WHOLE_SCAN_ALLOWED and not (
                scanned.group(2) is None and _rowid_order(sql, scanned.group(1))):
            problems.append(detail)
        if "USE TEMP B-TREE FOR ORDER BY" in detail and not _page_order(plan, sql):
            problems.append(detail)
    return problems


_INDEX_READ = re.compile(r"Index (?:Only )?Scan (?:Backward )?using (\w+) on (\w+)")


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())


def _subtree(plan: list[str], number: int) -> list[str]:
    """The lines below a node: its details and its children's, up to its next sibling."""
    below = []
    for line in plan[number + 1:]:
        if _depth(line) <= _depth(plan[number]):
            break
        below.append(line)
    return below


def _sorts_a_page(plan: list[str], number: int) -> bool:
    """A sort over a page already cut by a LIMIT below it (a subquery's), so at most a page of rows."""
    return any(_node(line).startswith("Limit") for line in _subtree(plan, number))


def _index_reads(plan: list[str]) -> Iterator[tuple[str, str, str, bool]]:
    """(node, index, table, whether it has an Index Cond) for every index scan of a plan."""
    for number, line in enumerate(plan):
        read = _INDEX_READ.match(_node(line))
        if read is None:
            continue
        details = []
        for detail in plan[number + 1:]:  # the node's own lines, up to its first child or sibling
            if detail.strip().startswith("->") or _depth(detail) <= _depth(line):
                break
            details.append(detail)
        yield _node(line), read.group(1), read.group(2), any("Index Cond" in d for d in details)


def postgresql_problems(plan: list[str], sql: str, strict: bool = True) -> list[str]:
    """Lines of an EXPLAIN that read a large table whole or sort; and a note if no index is read.

    A read is whole when it is a sequential scan or, if strict, an index scan without an index
    condition (except a partial index of active items, or the primary key walked in id order up to
    a limit). Not strict is for plans over a handful of rows with sequential scans disabled: the
    planner then walks tiny tables through any index, which tells nothing about large ones.
    """
    problems = []
    for number, line in enumerate(plan):
        node = _node(line)
        scanned = re.match(r"(?:Parallel )?Seq Scan on (\w+)", node)
        sort = re.match(r"(?:Incremental )?Sort\s+\(", node)
        if (scanned and scanned.group(1) in LARGE) or (sort and not _sorts_a_page(plan, number)):
            problems.append(node)
    for node, index, table, conditioned in _index_reads(plan):
        if strict and table in LARGE and not conditioned and index not in WHOLE_SCAN_ALLOWED and not (
                index == f"pk_{table}" and _rowid_order(sql, table)):
            problems.append(node)
    if not any(re.match(r"(Index Scan|Index Only Scan|Bitmap Index Scan)", _node(line)) for line in plan):
        problems.append("no index read")
    return problems


def explain(connection: Any, statement: Statement) -> list[str]:
    """The plan of one captured statement, as text lines (PostgreSQL) or details (SQLite)."""
    if connection.dialect.name == "postgresql":
        return [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement.sql, statement.parameters)]
    return [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement.sql,
                                                         statement.parameters)]


def problems(connection: Any, statement: Statement, strict: bool = True) -> list[str]:
    """What is wrong with a statement's plan (empty: an index serves its filter and order)."""
    plan = explain(connection, statement)
    if not any(re.search(rf"\b{table}\b", statement.sql) for table in LARGE):
        return []
    if connection.dialect.name == "postgresql":
        found = postgresql_problems(plan, statement.sql, strict)
    else:
        found = sqlite_problems(plan, statement.sql)
    return [*found, "--- plan:", *plan] if found else []


@contextmanager
def steered(engine: Engine, analyze: bool = True, steer: bool = True) -> Iterator[Any]:
    """A connection for EXPLAIN; if steered, its planner takes indexes wherever one serves.

    PostgreSQL: ANALYZE, then sequential scans and sorts disabled, in a transaction rolled back.
    SQLite is not analysed here: without statistics its planner assumes large tables, which is
    what the check is about; with a few rows analysed it would rightly prefer scanning them.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            yield connection
            return
        transaction = connection.begin()
        if analyze:
            connection.exec_driver_sql("ANALYZE")
        if steer:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
        yield connection
        transaction.rollback()


def capture(engine: Engine, calls: dict[str, Callable[[], Any]]) -> dict[str, list[Statement]]:
    """Run each call; the SELECTs each sent, by call name."""
    statements = {}
    for name, call in calls.items():
        with captured(engine) as seen:
            call()
        statements[name] = seen
    return statements


def check(engine: Engine, statements: dict[str, list[Statement]], *, analyze: bool = True, steer: bool = True,
          strict: bool = True) -> dict[str, list[str]]:
    """EXPLAIN every captured statement; the problems of each, by call name and statement."""
    found = {}
    with steered(engine, analyze, steer) as connection:
        for name, seen in statements.items():
            for number, statement in enumerate(seen, 1):
                wrong = problems(connection, statement, strict)
                if wrong:
                    found[f"{name} #{number}: {statement.sql[:300]}"] = wrong
    return found
