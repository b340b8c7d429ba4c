"""The two expressions the statistics need that SQLite and PostgreSQL write differently, and a percentile.

Percentiles use the nearest-rank method in window functions (both databases have them; SQLite has no
percentile aggregate): the p-th percentile of n values is the value of rank ceil(n * p / 100).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

LOCAL_OFFSET_HOURS = 8  # Asia/Shanghai has kept UTC+8 all year since 1992


class seconds_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """Seconds from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


class local_month(FunctionElement):  # noqa: N801 - used like a SQL function
    """A UTC timestamp's month in China, as YYYY-MM."""

    type = String()
    inherit_cache = True


@compiles(local_month, "postgresql")
def _month_pg(element: local_month, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return f"to_char({compiler.process(moment, **kw)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


@compiles(local_month, "sqlite")
def _month_sqlite(element: local_month, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(moment, **kw)}, '+{LOCAL_OFFSET_HOURS} hours')"


def flag_sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of a group meet the condition."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def percentiles(dialect: str, groups: list[Any], value: ColumnElement[Any], where: list[Any], froms: Any = None,
                points: tuple[int, ...] = (50, 90)) -> Any:
    """A statement giving, per group, the nearest-rank percentiles of `value` (columns p50, p90, ...).

    PostgreSQL has the ordered-set aggregate for it (`percentile_disc` is the nearest rank), which
    sorts each group once; SQLite ranks the rows with window functions and picks the ranks.
    """
    if dialect == "postgresql":
        wanted = [func.percentile_disc(point / 100).within_group(value).label(f"p{point}") for point in points]
        stmt = select(*groups, *wanted).where(*where).group_by(*groups)
        return stmt.select_from(froms) if froms is not None else stmt
    # One window for both: the same partition and order, so SQLite sorts the rows once.
    rank = func.row_number().over(partition_by=groups, order_by=value)
    size = func.count().over(partition_by=groups, order_by=value, rows=(None, None))
    ranked = select(*groups, value.label("v"), rank.label("rn"), size.label("n")).where(*where)
    if froms is not None:
        ranked = ranked.select_from(froms)
    ranked = ranked.subquery()
    keys = [ranked.c[g.key] for g in groups]
    wanted = [func.max(case((ranked.c.rn == (ranked.c.n * point + 99) // 100, ranked.c.v))).label(f"p{point}")
              for point in points]
    return select(*keys, *wanted).group_by(*keys)


__all__ = ["flag_sum", "local_month", "percentiles", "seconds_between"]
