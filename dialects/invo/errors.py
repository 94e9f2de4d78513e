"""INVO's error answers: ONE table of codes, and the translation of core errors into them.

Codes 1-7 are the seed's, word for word. The seed is silent about invalid data, conflicts and
features the gateway lacks, so 8-10 are ours; 11-15 answer gateway-level failures (body too large,
wrong method, crashes) in the same {"error":N,"message":...} shape.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from core.errors import Conflict, Forbidden, Invalid, NotFound
from dialects.kit.http import NumberJSONResponse

# code -> (message, HTTP status). INVO's PHP clients read the body, not the status, so every
# answer about the request's content is 200; only transport-level failures use a real status.
ERRORS: dict[int, tuple[str, int]] = {
    1: ("authentication error", 200),
    2: ("incorrect resource", 200),
    3: ("invalid JSON format", 200),
    4: ("incorrect dictionary", 200),
    5: ("incorrect action", 200),
    6: ("incorrect ID", 200),
    7: ("account is not activated", 200),
    8: ("validation error", 200),
    9: ("operation not allowed", 200),
    10: ("not available", 200),
    11: ("request too large", 413),
    12: ("method not allowed", 405),
    13: ("internal error", 500),
    14: ("too many requests", 429),
    15: ("request timeout", 408),
    16: ("idempotency key reused", 200),
}
GATEWAY_KINDS: dict[str, int] = {"too_large": 11, "method_not_allowed": 12, "not_found": 12, "internal": 13,
                                 "rate_limited": 14, "timeout": 15}


class InvoError(Exception):
    def __init__(self, code: int, message: str | None = None, fields: Mapping[str, str] | None = None) -> None:
        self.code = code
        self.message = message or ERRORS[code][0]
        self.fields = dict(fields or {})
        super().__init__(f"{code}: {self.message}")


def invalid(field: str, message: str) -> InvoError:
    return InvoError(8, fields={field: message})


def error_body(code: int, message: str | None = None, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message or ERRORS[code][0]}
    if fields:
        body["fields"] = dict(fields)
    return body


def error_response(code: int, message: str | None = None, fields: Mapping[str, str] | None = None,
                   status: int | None = None) -> NumberJSONResponse:
    return NumberJSONResponse(error_body(code, message, fields), status_code=status or ERRORS[code][1])


_LINE_PATH = re.compile(r"lines\.(\d+)\.(?:(before|after)\.)?(\w+)")


def invo_path(core_path: str, names: Mapping[str, str], item_names: Mapping[str, str]) -> str:
    """"lines.2.tax" -> "items.2.vatsm", "client_id" -> "c1id" (through the resource's name table)."""
    match = _LINE_PATH.fullmatch(core_path)
    if match:
        index, state, column = match.groups()
        name = item_names.get(column, column)
        return f"items.{index}.{'before.' if state == 'before' else ''}{name}"
    if core_path == "lines":
        return "items"
    return names.get(core_path, core_path)


def from_domain(exc: Exception, names: Mapping[str, str], item_names: Mapping[str, str]) -> InvoError:
    """A core error as INVO sees it: not found is "incorrect ID", invalid data is code 8."""
    if isinstance(exc, NotFound):
        return InvoError(6)
    if isinstance(exc, Invalid):
        fields: dict[str, str] = {}
        for err in exc.errors:
            key = invo_path(err.field, names, item_names)
            text = err.message or err.code
            fields[key] = f"{fields[key]}; {text}" if key in fields else text
        return InvoError(8, fields=fields)
    # An Idempotency-Key sent again with a different request. Imported here: core.idempotency loads the whole
    # ledger, and every INVO module (the field tables too) imports this one.
    from core.idempotency import KeyReused
    if isinstance(exc, KeyReused):
        return InvoError(16)
    if isinstance(exc, (Conflict, Forbidden)):
        return InvoError(9, exc.message)
    raise exc
