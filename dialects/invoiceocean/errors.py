"""Domain errors -> InvoiceOcean errors; the one table from core field paths to InvoiceOcean names.

JSON shapes (public-api-notes 1.5): {"code":"error","message":"Not found"} for 401/404/400/413,
{"code":"error","message":{"field":["msg"]}} for 422. XML shapes (Rails): a hash renders as
<hash><code>error</code><message>..</message></hash>; validation errors as
<errors><error>field msg</error></errors>. The rendering lives in respond.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import Conflict, DomainError, FieldError, Forbidden, Invalid, NotFound
from dialects.invoiceocean.fields import TABLES

UNAUTHORIZED = "You must be logged in to gain access to the site"
DEACTIVATED = "Account is deactivated"
NOT_FOUND = "Not found"

Message = str | dict[str, list[str]]


@dataclass
class ApiError(Exception):
    status: int
    message: Message

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


# Core field path (after the leading "lines.N." / "buyer." parts are split off) -> InvoiceOcean name.
# A client's and a product's own renames come from their field tables.
FIELD_NAMES: dict[str, str] = {
    **TABLES["client"].core_to_wire(), **TABLES["product"].core_to_wire(),
    "lines": "positions",
    "total_net": "total_price_net",
    "total_gross": "total_price_gross",
    "discount_amount": "discount",
    "before": "correction_before_attributes",
    "after": "correction_after_attributes",
    "amount": "price",
    "copy_from": "copy_invoice_from",
    "recipients": "email_to",
    "price_list_positions": "price_list_positions_attributes",
    "product_name": "priceable_name",
    "sell_date_month": "sell_date",
    "calc_position": "calculating_strategy",
    "calc_sum": "calculating_strategy",
    "prices_gross": "calculating_strategy",
}
# Where the code matters: a missing buyer is reported on buyer_name, as InvoiceOcean does.
FIELD_BY_CODE: dict[tuple[str, str], str] = {("client_id", "blank"): "buyer_name"}
_LIST_ITEM = re.compile(r"(lines|price_list_positions|invoice_ids)\.(\d+)(?:\.(.*))?\Z")


def field_name(error: FieldError) -> str:
    path = error.field
    if error.code == "ksef":  # KSeF findings (core.einvoice.rules) already name the API's own fields
        return path
    if (path, error.code) in FIELD_BY_CODE:
        return FIELD_BY_CODE[(path, error.code)]
    if path.startswith("buyer."):  # a client created from the buyer snapshot
        return "buyer_" + path[len("buyer."):]
    match = _LIST_ITEM.match(path)
    if match:
        head, index, rest = match.groups()
        head = FIELD_NAMES.get(head, head)
        if rest is None:
            return head if head == "invoice_ids" else f"{head}.{index}"
        parts = [FIELD_NAMES.get(p, p) for p in rest.split(".")]
        if head.startswith("price_list") and parts == ["product_id"]:
            parts = ["priceable_id"]
        return ".".join([head, index, *parts])
    return ".".join(FIELD_NAMES.get(p, p) for p in path.split("."))


def invalid_message(exc: Invalid) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in exc.errors:
        result.setdefault(field_name(error), []).append(error.message or error.code)
    return result


def from_domain(exc: DomainError) -> ApiError:
    if isinstance(exc, Invalid):
        return ApiError(422, invalid_message(exc))
    if isinstance(exc, NotFound):
        return ApiError(404, NOT_FOUND)
    if isinstance(exc, Conflict):
        return ApiError(422, {"base": [exc.message]})
    if isinstance(exc, Forbidden):
        return ApiError(403, exc.message)
    return ApiError(422, {"base": [str(exc)]})


def invalid(field: str, message: str) -> ApiError:
    """A 422 raised by the dialect itself (already in InvoiceOcean names)."""
    return ApiError(422, {field: [message]})
