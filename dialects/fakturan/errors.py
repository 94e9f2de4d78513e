"""fakturan.nu error shapes: Rails' Basic-auth 401, {"error": "..."} bodies and errors.details for 422.

Validation problems are collected as Problem entries (the fakturan key, the Rails-style detail and,
for invoice rows, the row index) so that the parse layer and core can both contribute to one 422.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from starlette.requests import Request
from starlette.responses import Response

from core.errors import FieldError
from dialects.fakturan import fields
from dialects.fakturan.fields import INVOICE_FIELDS, PAYMENT_FIELDS, RECURRING_FIELDS, ROW_FIELDS
from dialects.kit.fields import Refusal
from dialects.kit.http import JSONResponse

STATUS_MESSAGES: dict[int, str] = {
    400: "400 Bad request", 403: "403 Forbidden", 404: "404 Not Found", 405: "405 Method Not Allowed",
    408: "408 Request Timeout",
    413: "413 Request Entity Too Large", 429: "429 Too Many Requests", 500: "500 Internal server error",
    504: "504 Gateway Timeout",
}
ROWS_BLANK = "Invoice_must_contain_rows"


@dataclass(frozen=True)
class Problem:
    key: str  # "client_id", "rows.product_code", "client.address.country", "base"
    error: dict[str, Any]  # {"error": "too_long", "count": 30}
    row: int | None = None


class Rejected(Exception):
    """A request that fails fakturan's validation; nothing has been written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(", ".join(f"{p.key}: {p.error['error']}" for p in self.problems))


@dataclass
class ErrorBag:
    problems: list[Problem] = field(default_factory=list)

    def add(self, key: str, code: str, row: int | None = None, **details: Any) -> None:
        self.problems.append(Problem(key, {"error": code, **details}, row))

    def refused(self, key: str, exc: Exception, row: int | None = None) -> None:
        """A field table's parser refused `key`'s value: its kind of fault, else "invalid"."""
        if isinstance(exc, Refusal):
            self.add(key, exc.kind, row, **exc.details)
        else:
            self.add(key, "invalid", row)

    def raise_if_any(self) -> None:
        if self.problems:
            raise Rejected(self.problems)


class BadRequest(Exception):
    """Malformed JSON, or a body that is not a JSON object."""


def _inverse(table: dict[str, str]) -> dict[str, str]:
    return {core: key for key, core in table.items()}


# Core field path -> fakturan key, per resource; derived from the field tables in fields.py (core_names reads
# the client and product tables as they are).
CORE_TO_FAKTURAN: dict[str, dict[str, str]] = {
    "invoice": {**_inverse(INVOICE_FIELDS), "lines": "base", "buyer_name": "client_id",
                **{f"recurring.{core}": key for key, core in RECURRING_FIELDS.items()}},
    "row": {**_inverse(ROW_FIELDS), "price_gross": "product_price", "discount_amount": "discount"},
    "payment": {**_inverse(PAYMENT_FIELDS), "invoice_ids": "invoice_id"},
}


def core_names(resource: str) -> dict[str, str]:
    """Core field path -> fakturan key. A client's name is written as `company` (a person's follows from
    first_name and last_name)."""
    if resource == "client":
        return {**fields.CLIENT.core_to_wire(), "name": "company"}
    if resource == "product":
        return fields.PRODUCT.core_to_wire()
    return CORE_TO_FAKTURAN[resource]


def from_core(errors: Iterable[FieldError], resource: str) -> list[Problem]:
    problems = []
    for err in errors:
        details = {k: v for k, v in err.details.items() if k in ("count", "value")}
        parts = err.field.split(".")
        if resource == "invoice" and parts[0] == "lines" and len(parts) >= 3 and parts[1].isdigit():
            key = "rows." + CORE_TO_FAKTURAN["row"].get(parts[2], parts[2])
            problems.append(Problem(key, {"error": err.code, **details}, int(parts[1])))
        elif resource == "invoice" and err.field == "lines":
            problems.append(Problem("base", {"error": ROWS_BLANK}))
        elif resource == "invoice" and parts[0] == "client" and len(parts) > 1:
            inner = core_names("client").get(".".join(parts[1:]), ".".join(parts[1:]))
            problems.append(Problem(f"client.{inner}", {"error": err.code, **details}))
        else:
            key = core_names(resource).get(err.field, err.field)
            problems.append(Problem(key, {"error": err.code, **details}))
    return problems


def errors_body(problems: Iterable[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for problem in problems:
        if problem.row is None:
            out.setdefault(problem.key, []).append(problem.error)
        else:
            out.setdefault("rows", [])  # keeps the key where the first row problem appeared
            rows.setdefault(problem.row, {}).setdefault(problem.key, []).append(problem.error)
    if rows:
        out["rows"] = [{str(index): rows[index]} for index in sorted(rows)]
    return {"errors": out}


def unprocessable(problems: Iterable[Problem]) -> JSONResponse:
    return JSONResponse(errors_body(problems), status_code=422)


def error_json(status: int, message: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message or STATUS_MESSAGES.get(status, f"{status} Error")}, status_code=status)


def unauthorized() -> Response:
    """Rails' request_http_basic_authentication, byte for byte."""
    return Response(b"HTTP Basic: Access denied.\n", status_code=401, media_type="text/html; charset=utf-8",
                    headers={"WWW-Authenticate": 'Basic realm="Application"'})


def error_response(request: Request, status: int, kind: str, message: str) -> Response:
    """Gateway-level failures (413, unknown path, 405, 500, 429) in fakturan's {"error": ...} shape."""
    return error_json(status)
