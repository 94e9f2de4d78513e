"""The value readers every dialect shares. Each raises ValueError on garbage; the dialect turns that
into an error in its own words, under the client's own field name. Numbers go through core.money's
to_decimal, so no reader ever does float arithmetic."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from core.money import to_decimal
from dialects.kit.ids import MAX_ID, integer_text

# XML's typed text (Rails' `type="integer"` and `type="decimal"`): plain digits only, no grouping
_TYPED_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_TYPED_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")


class OutOfRange(ValueError):
    """An integer no row can hold (past MAX_ID): the database driver could not even bind it."""


def to_int(value: Any) -> int:
    """A loose integer, as far as to_decimal reads one: 10, "10", "10,0", "1 234", 10.0."""
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
