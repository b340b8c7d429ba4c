"""Declarative base and column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep Alembic autogenerate and downgrades reproducible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The range of an Integer column on PostgreSQL (int4): every id, version and count we store. A number
# outside it matches no row and fits no column; PostgreSQL refuses it with an error, SQLite beyond
# 64 bits too, so callers check numbers from outside against it before they reach a statement.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def fits_integer(value: int) -> bool:
    """Whether an Integer column can hold the value."""
    return INT_MIN <= value <= INT_MAX


# Small structured values (roles, payloads) may use JSONB on PostgreSQL; engine blobs must not:
# JSONB reorders object keys, and the engine's restored state depends on the order it wrote.
JSONType = JSON().with_variant(JSONB(), "postgresql")
OrderedJSON = JSON()


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Refuse naive datetimes and normalise to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return an aware UTC datetime whatever the backend gave."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def status_type(enum: type[StrEnum]) -> Enum:
    """A status column: stored as its text (VARCHAR, no database enum), read back as the enum member.

    Unknown text in the column fails loudly on load instead of passing for a status.
    """
    return Enum(enum, native_enum=False, create_constraint=False, length=20, validate_strings=True,
                values_callable=lambda members: [member.value for member in members])


class Base(DeclarativeBase):
    """Base of every model; Flask-SQLAlchemy uses it as its model_class."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
