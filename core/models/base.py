"""Field helpers so every model declares money, JSON and timestamps the same way."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field

from core.models.types import DecimalType, JSONType, UTCDateTime, utcnow


def money(default: Decimal | None = Decimal("0"), **kw: Any) -> Any:
    return Field(default=default, sa_type=DecimalType, **kw)


def optional_money(**kw: Any) -> Any:
    return Field(default=None, sa_type=DecimalType, nullable=True, **kw)


def json_field(**kw: Any) -> Any:
    return Field(default_factory=dict, sa_type=JSONType, **kw)


def created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def updated_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def timestamp(**kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, **kw)


def account_fk() -> Any:
    return Field(foreign_key="accounts.id", index=True)


__all__ = ["money", "optional_money", "json_field", "created_at", "updated_at", "timestamp",
           "account_fk", "datetime"]
