"""Checks that command fields name real columns and carry the column's type.

Dialects parse loose input into clean values; this is the core's last guard, so a dialect
bug or an unexpected key becomes a field error instead of a corrupt row or a 500.
"""
from __future__ import annotations

import functools
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

from sqlmodel import SQLModel

from core.errors import FieldError, Invalid

PROTECTED = frozenset({"id", "account_id", "created_at", "updated_at", "password_hash", "tax_no_normalized"})


def _python_type(annotation: Any) -> tuple[type, bool]:
    """(base type, nullable) of a model annotation such as `int | None`."""
    if isinstance(annotation, str):
        annotation = eval(annotation, {"Decimal": Decimal, "date": date, "datetime": datetime,  # noqa: S307
                                       "Any": Any, "dict": dict, "list": list})
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _python_type(non_none[0])[0], True
    if origin is not None:
        return origin, False
    return annotation, False


@functools.cache  # models are fixed at import; this ran for every command and every column
def column_types(model: type[SQLModel]) -> dict[str, tuple[type, bool]]:
    return {name: _python_type(info.annotation) for name, info in model.model_fields.items()}


def check_fields(model: type[SQLModel], fields: Mapping[str, Any], *, prefix: str = "",
                 extra_protected: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Return the fields as they will be stored; raise Invalid naming every bad one."""
    types_ = column_types(model)
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in fields.items():
        if name not in types_ or name in PROTECTED or name in extra_protected:
            errors.append(FieldError(prefix + name, "unknown", f"{name} cannot be set"))
            continue
        expected, nullable = types_[name]
        if value is None:
            if nullable:
                clean[name] = None
            elif expected is str:
                clean[name] = ""
            else:
                errors.append(FieldError(prefix + name, "blank", "can't be blank"))
            continue
        if expected is Decimal and isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if expected is datetime and isinstance(value, date) and not isinstance(value, datetime):
            errors.append(FieldError(prefix + name, "invalid", "must be a timestamp"))
            continue
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is date and isinstance(value, datetime):
            value = value.date()
        if not ok:
            errors.append(FieldError(prefix + name, "invalid", f"must be {expected.__name__}"))
            continue
        clean[name] = value
    if errors:
        raise Invalid(errors)
    return clean
