"""Writing one new or changed ORM object with a single prebuilt Core statement.

A workflow step changes a handful of rows: the instance, the completed item, the items it
creates or cancels. For each of them the ORM's unit of work costs about ten times the statement
itself (README, "Performance"), and these writes are most of a step. So the step writes them
here and leaves the objects as a flush would: persistent, clean, holding what was written.

Only plain column attributes are written, and no mapper events run: the models written here
(process instances, work items) have none. The version column, where the mapper has one, is
checked and bumped as the ORM would, and a lost race raises the ORM's StaleDataError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Insert, Update, bindparam, insert, inspect, update
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError


@dataclass
class _Table:
    """What the writes need of one mapped class, worked out once."""

    columns: dict[str, Column]  # attribute key -> column, primary key excluded
    defaults: dict[str, Any]  # attribute key -> the column's Python default (value or callable)
    pk_key: str
    pk: Column
    version_key: str | None
    insert: Insert
    relations: dict[str, frozenset[str]]  # many-to-one relationship -> attribute keys of its local columns
    updates: dict[frozenset[str], Update] = field(default_factory=dict)


_tables: dict[Mapper, _Table] = {}


def _table(mapper: Mapper) -> _Table:
    known = _tables.get(mapper)
    if known is not None:
        return known
    (pk,) = mapper.primary_key
    columns, defaults, pk_key, version_key = {}, {}, "", None
    for prop in mapper.column_attrs:
        (column,) = prop.columns
        if column is pk:
            pk_key = prop.key
            continue
        columns[prop.key] = column
        if column.default is not None and (column.default.is_scalar or column.default.is_callable):
            defaults[prop.key] = column.default.arg
        if column is mapper.version_id_col:
            version_key = prop.key
    keys_of = {column: key for key, column in columns.items()}
    relations = {rel.key: frozenset(keys_of[c] for c in rel.local_columns if c in keys_of)
                 for rel in mapper.relationships}
    table = _Table(columns=columns, defaults=defaults, pk_key=pk_key, pk=pk, version_key=version_key,
                   insert=insert(mapper.local_table).returning(pk), relations=relations)
    _tables[mapper] = table
    return table


def _default(table: _Table, key: str) -> Any:
    default = table.defaults.get(key)
    if callable(default):  # SQLAlchemy wraps Python callables to take an execution context
        return default(None)
    return default


def insert_row(session: Session, obj: Any) -> Any:
    """INSERT a new object and attach it to the session as if it had been flushed (its id is set)."""
    state = inspect(obj)
    table = _table(state.mapper)
    values = {}
    for key in table.columns:
        if key not in state.dict:  # unset: the column default, as the ORM would apply
            setattr(obj, key, _default(table, key))
        values[key] = state.dict[key]
    row_id = session.connection().execute(table.insert, {col.key: values[key] for key, col in
                                                          table.columns.items()}).scalar_one()
    setattr(obj, table.pk_key, row_id)
    make_transient_to_detached(obj)  # every attribute now counts as loaded, nothing as pending
    session.add(obj)
    return obj


def _update_statement(table: _Table, mapper: Mapper, keys: frozenset[str]) -> Update:
    statement = table.updates.get(keys)
    if statement is None:
        values = {table.columns[key]: bindparam(f"new_{key}") for key in keys}
        statement = update(mapper.local_table).where(table.pk == bindparam("row_id"))
        if table.version_key is not None:
            version = table.columns[table.version_key]
            values[version] = bindparam("new_version")
            statement = statement.where(version == bindparam("old_version"))
        statement = statement.values(values)
        table.updates[keys] = statement
    return statement


def update_row(session: Session, obj: Any) -> None:
    """UPDATE the changed columns of a persistent object in one statement, then mark it clean.

    Raises StaleDataError when the row's version moved since the object was read.
    """
    state = inspect(obj)
    changed = frozenset(state.committed_state)
    if not changed:
        return
    table = _table(state.mapper)
    if not changed <= table.columns.keys():  # a relationship or the key changed: the ORM's job
        session.flush()
        return
    params = {f"new_{key}": state.dict[key] for key in changed}
    params["row_id"] = state.dict[table.pk_key]
    if table.version_key is not None:
        params["old_version"] = state.dict[table.version_key]
        params["new_version"] = params["old_version"] + 1
    result = session.connection().execute(_update_statement(table, state.mapper, changed), params)
    if result.rowcount != 1:
        raise StaleDataError(f"{state.mapper.class_.__name__} {params['row_id']} was changed or deleted meanwhile")
    if table.version_key is not None:
        state.dict[table.version_key] = params["new_version"]
    # What the unit of work does after a flush: the object holds the row, nothing is pending.
    # (A private call; the public set_committed_value leaves the object flagged as modified,
    # which makes every later flush inspect it again.)
    state._commit_all(state.dict, session.identity_map)
    # A many-to-one loaded before (the assignee, say) no longer matches the key just written: forget it,
    # as a flush does, so that it loads again (from the identity map, normally) when next read.
    stale = [key for key, columns in table.relations.items() if columns & changed and key in state.dict]
    if stale:
        session.expire(obj, stale)
