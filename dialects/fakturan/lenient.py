"""Lenient readers for the loose values fakturan.nu accepts: "10 st", "20230101", "yes", "1"."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from dialects.fakturan.errors import BadRequest
from dialects.kit.http import loads_json

_DATE = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")
_TRUE = frozenset({"true", "1", "yes", "t", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "f", "n", "off", ""})


def read_json(body: bytes) -> dict[str, Any]:
    """The request object; money arrives as Decimal (never float). An empty body is {}."""
    if not body.strip():
        return {}
    try:
        data = loads_json(body)  # exact decimals, bounded depth
    except (ValueError, UnicodeDecodeError):
        raise BadRequest() from None
    if not isinstance(data, dict):
        raise BadRequest()
    return data


def list_params(query: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """List parameters from a JSON body on GET (as the PHP client sends them) and the query string;
    the query string wins where both give a key."""
    return {**read_json(body), **dict(query)}


def to_date(value: Any) -> date:
    found = _DATE.fullmatch(str(value).strip()) if isinstance(value, (str, int)) else None
    if found is None:
        raise ValueError(f"not a date: {value!r}")
    return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"not a boolean: {value!r}")


def to_text(value: Any) -> str:
    """JSON scalars as text; null and false read as blank, the way Rails casts them for a string column."""
    if value is None or value is False:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError("not a text value")
    return value if isinstance(value, str) else str(value)


def blank(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str) and not value.strip())
