"""Lenient scalars: the loose values InvoiceOcean clients send, turned into clean Python types once.

Every parser raises ValueError on garbage; the caller turns that into a field error under the
client's own field name. `None` and "" mean "absent" everywhere, so callers drop them first.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import SQLModel

from core.fields import column_types
from core.money import parse_tax, to_decimal
from dialects.kit.ids import MAX_ID
from dialects.kit.lenient import to_int

_TRUE = frozenset({"1", "true", "yes", "y", "t", "on", "tak"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "off", "nie"})
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")


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


def coerce_column(model: type[SQLModel], name: str, value: Any) -> Any:
    expected, _nullable = column_types(model)[name]
    return coerce(expected, value)


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
