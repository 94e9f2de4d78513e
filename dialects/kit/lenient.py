"""The value readers every dialect shares. Each raises ValueError on garbage; the dialect turns that
into an error in its own words, under the client's own field name. Numbers go through core.money's
to_decimal, so no reader ever does float arithmetic."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.money import MAX_AMOUNT, parse_tax, to_decimal
from dialects.kit.ids import MAX_ID, integer_text

# XML's typed text (Rails' `type="integer"` and `type="decimal"`): plain digits only, no grouping
_TYPED_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_TYPED_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")


# InvoiceOcean's loose booleans (Polish "tak"/"nie" too); fakturan.nu casts as Rails does (_RAILS_*)
_TRUE = frozenset({"1", "true", "yes", "y", "t", "on", "tak"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "off", "nie"})
_RAILS_TRUE = frozenset({"true", "1", "yes", "t", "y", "on"})
_RAILS_FALSE = frozenset({"false", "0", "no", "f", "n", "off", ""})
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")
_LOOSE_DATE = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")


class OutOfRange(ValueError):
    """An integer no row can hold (past MAX_ID): the database driver could not even bind it."""


def to_int(value: Any) -> int:
    """A loose integer, as far as to_decimal reads one: 10, "10", "10,0", "1 234", 10.0."""
    if type(value) is int and -MAX_AMOUNT < value < MAX_AMOUNT:
        return value  # a JSON integer (ids, positions): what the general way gives it, without a Decimal
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    number = to_decimal(value)
    if number != number.to_integral_value() or abs(number) > MAX_ID:
        raise ValueError(f"not an integer: {value!r}")
    return int(number)


def exact_int(value: Any) -> int:
    """An integer as a JSON number or ASCII digits, nothing looser; OutOfRange past MAX_ID."""
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        if abs(value) > MAX_ID:  # before int(): 1e999999999 would be a billion digits
            raise OutOfRange(f"out of range: {value!r}")
        number = int(value)
    elif isinstance(value, str) and (parsed := integer_text(value.strip())) is not None:
        number = parsed
    else:
        raise ValueError(f"not an integer: {value!r}")
    if abs(number) > MAX_ID:
        raise OutOfRange(f"out of range: {value!r}")
    return number


def typed_int(text: str) -> int:
    if not _TYPED_INTEGER.match(text):
        raise ValueError(text)
    return int(text)  # a number past Python's digit limit raises ValueError too


def typed_decimal(text: str) -> Decimal:
    if not _TYPED_DECIMAL.match(text):
        raise ValueError(text)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


# --- loose column values (InvoiceOcean's readers; coerce() to any core column type) -----------------

def absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text[:10])


def to_sell_date(value: Any) -> tuple[date, bool]:
    """A date, or a month as YYYY-MM (stored as the first day plus a flag, echoed back as YYYY-MM)."""
    match = _MONTH.match(str(value).strip()) if isinstance(value, str) else None
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1), True
    return to_date(value), False


def to_tax(value: Any) -> str:
    """23, "23", 23.0, "zw", "NP" -> the canonical code the core stores ("23", "zw", "np")."""
    if isinstance(value, Decimal):
        value = format(value, "f")
    return parse_tax(value).code


def to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dict, list)):
        raise ValueError("not a text value")
    return str(value)


def coerce(expected: type, value: Any) -> Any:
    """Convert a loose value to a core column type."""
    if expected is bool:
        return to_bool(value)
    if expected is int:
        return to_int(value)
    if expected is Decimal:
        return to_decimal(value)
    if expected is date:
        return to_date(value)
    if expected is str:
        return to_text(value)
    raise ValueError(f"unsupported column type {expected.__name__}")


def plain(value: Any) -> Any:
    """Make a parsed value storable in a JSON column (XML bodies carry Decimal and date)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
        return str(value)  # JSON columns (orjson) hold 64-bit integers only; the digits are kept as text
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def as_list(value: Any, item: str) -> list[Any]:
    """Nested collections arrive as a JSON list, a Rails dict keyed "0","1",... or an untyped XML
    <positions><position>..</position></positions>, which reads as {"position": {...} or [...]}."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if set(value) == {item}:
            inner = value[item]
            return inner if isinstance(inner, list) else [inner]
        if value and all(str(k).isdigit() for k in value):
            return [value[k] for k in sorted(value, key=lambda k: int(k))]
        return [value]
    raise ValueError("not a list")


# --- Rails' casts (fakturan.nu) -----------------------------------------------------------------

def cast_date(value: Any) -> date:
    """A date as fakturan.nu reads one: "2023-01-01", "20230101", "2023/01/01", "2023.01.01"."""
    found = _LOOSE_DATE.fullmatch(str(value).strip()) if isinstance(value, (str, int)) else None
    if found is None:
        raise ValueError(f"not a date: {value!r}")
    return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))


def cast_bool(value: Any) -> bool:
    """A boolean as Rails casts one for a boolean column ("" is false; no "tak"/"nie")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _RAILS_TRUE | _RAILS_FALSE:
        return value.strip().lower() in _RAILS_TRUE
    raise ValueError(f"not a boolean: {value!r}")


def cast_text(value: Any) -> str:
    """JSON scalars as text; null and false read as blank, the way Rails casts them for a string column."""
    if value is None or value is False:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError("not a text value")
    return value if isinstance(value, str) else str(value)


def blank(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str) and not value.strip())
