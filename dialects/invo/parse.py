"""Parse, don't validate: INVO's loose JSON values into clean Python types, once, at the edge.
Every failure is a code-8 answer naming the INVO field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.money import to_decimal
from dialects.invo.errors import invalid
from dialects.kit.lenient import OutOfRange, exact_int


def as_int(value: Any, field: str) -> int:
    try:
        return exact_int(value)
    except OutOfRange:
        raise invalid(field, "is out of range") from None
    except ValueError:
        raise invalid(field, "must be an integer") from None


def as_id(value: Any, field: str = "id") -> int:
    """A record ID: 1 or more. (0 means "new" only in add, which never reads it.)"""
    number = as_int(value, field)
    if number < 1:
        raise invalid(field, "must be 1 or more")
    return number


def as_decimal(value: Any, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        raise invalid(field, "must be a number") from None


def as_flag(value: Any, field: str) -> bool:
    """INVO flags are 0/1; "0"/"1" and true/false are accepted too."""
    if isinstance(value, bool):
        return value
    if as_int(value, field) not in (0, 1):
        raise invalid(field, "must be 0 or 1")
    return as_int(value, field) == 1


def as_str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise invalid(field, "must be text")
    return str(value)


def as_date(value: Any, field: str) -> date | None:
    if value in (None, "", "0000-00-00"):
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(field, "must be a date YYYY-MM-DD")


def as_range(value: Any, field: str) -> tuple[date | None, date | None]:
    """"2014-10-01|2014-10-27", an open end "2014-10-01|", or one day "2014-10-01"."""
    if not isinstance(value, str):
        raise invalid(field, "must be YYYY-MM-DD|YYYY-MM-DD")
    start, sep, end = value.partition("|")
    first = as_date(start, field)
    last = as_date(end, field) if sep else first
    if first and last and first > last:
        raise invalid(field, "the range ends before it starts")
    return first, last



def as_stored(value: Any, field: str) -> Any:
    """A seed field the core has no column for, made storable in a JSON column as given.

    q is read with exact decimals, and json (SQLite, PostgreSQL) cannot store a Decimal, NaN or
    Infinity: a number becomes an int, or a float when the float says the same digits. One that
    cannot be kept and answered exactly (1e400, 30 significant digits, NaN, an integer beyond the
    64 bits the JSON writer takes) is a code-8 answer, not a crash on insert or on a later list."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # "n", "N" or "F" for NaN, sNaN and Infinity, so not finite
        if isinstance(exponent, int) and exponent >= 0 and value == value.to_integral_value():
            if abs(value) >= 2**64:  # before int(): 1e999999999 would be a billion digits
                raise invalid(field, "is a number that cannot be stored exactly")
            return as_stored(int(value), field)
        if value.is_finite() and Decimal(repr(float(value))) == value:
            return float(value)
        raise invalid(field, "is a number that cannot be stored exactly")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        raise invalid(field, "is a number that cannot be stored exactly")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise invalid(field, "must be a finite number")
    if isinstance(value, list):
        return [as_stored(v, field) for v in value]
    if isinstance(value, dict):
        return {str(k): as_stored(v, field) for k, v in value.items()}
    return value
