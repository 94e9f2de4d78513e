"""Column types shared by every aggregate.

SQLite has no decimal type, and SQLAlchemy's Numeric round-trips through float there,
so money is stored as canonical text on SQLite and as NUMERIC on PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator


class DecimalType(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        # Unconstrained: the value's own scale is kept (419.00 stays 419.00), as SQLite's text keeps it
        # (migration 0006).
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored naive-UTC (SQLite has no zones) and come back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=timezone.utc) if stored.tzinfo is None else stored


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


JSONType = JSON
