"""Plain writes (core.storage.writes) bind each value as SQLAlchemy's own bind processor does: the stored text
is the same byte for byte, whichever path wrote the row (the ORM's rare paths, the plain create)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from core.models import EventRecord, Invoice, InvoiceLine
from core.storage import storage_for_dialect

VALUES: list[Any] = [
    D("0"), D("1E+2"), D("-12.340"), D("0.00001"), D("123456789.12"), 7, 2.5, "3.10",  # DecimalType
    date(2026, 12, 7), date(5, 1, 2),  # Date
    datetime(2026, 12, 7, 3, 4, 5), datetime(2026, 12, 7, 3, 4, 5, 7),  # naive (UTC) and aware datetimes
    datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc), True, False, {"a": [1, "ż"]}, {}, [], "text", 42,
]


def _fits(type_name: str, value: Any) -> bool:
    """The values a column of this type is given by the ledger."""
    if type_name == "DecimalType":
        numeric = isinstance(value, str) and value.replace(".", "").isdigit()
        return numeric or (isinstance(value, (D, int, float)) and not isinstance(value, bool))
    if type_name == "Date":
        return type(value) is date
    if type_name in ("UTCDateTime", "DateTime"):
        return isinstance(value, datetime)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "JSON":
        return isinstance(value, (dict, list))
    return isinstance(value, (str, int)) and not isinstance(value, bool)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_every_plain_binder_makes_what_sqlalchemys_bind_processor_makes(dialect: Any) -> None:
    storage = storage_for_dialect(dialect.name)
    checked = 0
    for model in (Invoice, InvoiceLine, EventRecord):
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            theirs = column.type.dialect_impl(dialect).bind_processor(dialect)
            ours = storage.binder(column.type, dialect)
            assert (ours is None) == (theirs is None), column
            if ours is None or theirs is None:
                continue
            for value in VALUES:
                if _fits(type(column.type).__name__, value):
                    expected = theirs(value)
                    # repr: the same value of the same type (psycopg's Json wrappers compare by identity)
                    assert repr(ours(value)) == repr(expected), (column, value)
                    checked += 1
    assert checked > 100  # the types above were met: Decimal, Date, UTC datetimes, booleans, JSON
