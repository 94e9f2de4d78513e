"""Warehouse documents (/warehouse_documents: PZ, WZ, MM with their warehouse_actions), the movements they
made (/warehouse_actions, read only, with the documented filters) and products' stock per warehouse.

A document is written as the reference's examples write it: `number` null asks for the next number, actions
name a product by `product_id` or `product_name` (a name the account has no product for makes one), prices as
`price_net`/`tax` or `purchase_price_net`/`purchase_tax`, and MM actions carry `warehouse2_id`. A PUT without
`warehouse_actions` keeps them; with them, they are the whole new set and stock moves by the difference.
`invoice_ids` links invoices to the document (their `warehouse_document_id`).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, col, select

from core import stock
from core.commands import CreateWarehouseDocument, DeleteWarehouseDocument, StockActionSpec, UpdateWarehouseDocument
from core.errors import FieldError
from core.handlers.warehouse import DocumentView, document_view, list_documents
from core.models import DOCUMENT_KINDS, WarehouseAction
from core.money import to_decimal
from core.queries import Page
from dialects.invoiceocean import present
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.parse import Errors, wrapped
from dialects.invoiceocean.respond import Call, Reply
from dialects.kit.context import execute, read
from dialects.kit.lenient import absent, as_list, plain, to_date, to_int, to_tax, to_text
from dialects.kit.unchanged import changes

WRAPPER = "warehouse_document"
READ_ONLY = frozenset({"id", "account_id", "api_token", "created_at", "updated_at", "invoice_id"})
DOCUMENT_COLUMNS = frozenset({"kind", "number", "warehouse_id", "issue_date", "department_id", "department_name",
                              "client_id", "client_name", "description"})
ACTION_FIELDS: dict[str, Any] = {
    "product_id": to_int, "product_name": to_text, "quantity": to_decimal, "price_net": to_decimal, "tax": to_tax,
    "purchase_price_net": to_decimal, "purchase_tax": to_tax, "warehouse2_id": to_int}
# What an action shows besides its own columns: the document it issues from / receives into, as the filters
# from_warehouse_document and to_warehouse_document name them.
ACTION_HIDDEN = frozenset({"position"})


# --- presenting ----------------------------------------------------------------------------------

def action(row: WarehouseAction, audience: present.Audience) -> dict[str, Any]:
    shown = present.record("warehouse_action", row, audience, ACTION_HIDDEN)
    shown["quantity"] = present.quantity(row.quantity)
    issues, receives = row.kind in ("wz", "mm"), row.kind in ("pz", "mm")
    shown["from_warehouse_document_id"] = row.warehouse_document_id if issues else None
    shown["to_warehouse_document_id"] = row.warehouse_document_id if receives else None
    return shown


def document(view: DocumentView, audience: present.Audience) -> dict[str, Any]:
    shown = present.record("warehouse_document", view.document, audience)
    shown["invoice_ids"] = view.invoice_ids
    shown["warehouse_actions"] = [action(a, audience) for a in view.actions]
    return shown


def _reply(call: Call, view: DocumentView, status: int = 200) -> Reply:
    return Reply(status, document(view, call.audience), WRAPPER)


# --- parsing ---------------------------------------------------------------------------------------

def _action(data: Any, path: str, errors: Errors) -> StockActionSpec:
    if not isinstance(data, Mapping):
        errors.items.append(FieldError(path, "invalid", "is invalid"))
        return StockActionSpec()
    values = {key: errors.read(f"{path}.{key}", convert, data[key]) for key, convert in ACTION_FIELDS.items()
              if key in data and not absent(data[key])}
    for key in ("tax", "purchase_tax"):
        if values.get(key) is not None:
            values[key] = str(values[key])
    return StockActionSpec(**{k: v for k, v in values.items() if v is not None})


def document_input(data: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[StockActionSpec, ...] | None,
                                                     tuple[int, ...] | None]:
    errors = Errors()
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    actions: tuple[StockActionSpec, ...] | None = None
    invoice_ids: tuple[int, ...] | None = None
    for key, value in data.items():
        if key in READ_ONLY or (key in ("invoice_ids", "warehouse_actions") and absent(value)):
            continue  # null is absent; [] clears
        if key == "warehouse_actions":
            items = errors.read(key, lambda v: as_list(v, "warehouse_action"), value)
            actions = tuple(_action(item, f"{key}.{i}", errors) for i, item in enumerate(items or []))
        elif key == "invoice_ids":
            invoice_ids = errors.read(key, lambda v: tuple(to_int(i) for i in (
                v.split(",") if isinstance(v, str) else as_list(v, "invoice_id"))), value)
        elif key == "number":
            fields["number"] = "" if absent(value) else to_text(value).strip()
        elif absent(value):
            continue
        elif key == "kind":
            kind = str(value).strip().lower()
            if kind not in DOCUMENT_KINDS:
                errors.items.append(FieldError("kind", "inclusion", "is not included in the list"))
            fields["kind"] = kind
        elif key in DOCUMENT_COLUMNS:
            convert = to_date if key == "issue_date" else to_int if key.endswith("_id") else to_text
            fields[key] = errors.read(key, convert, value)
        else:
            extra[key] = plain(value)
    errors.check()
    if extra:
        fields["extra"] = extra
    return fields, actions, invoice_ids


# --- endpoints -------------------------------------------------------------------------------------

def _int_arg(call: Call, name: str) -> int | None:
    raw = call.query.get(name)
    if absent(raw):
        return None
    try:
        return to_int(raw)
    except ValueError:
        raise invalid(name, "is invalid") from None


async def list_documents_(call: Call) -> Reply:
    page = call.page()
    kind = (call.query.get("kind") or "").strip().lower() or None
    views = await read(call.request, list_documents, call.account.account_id, page.offset, page.per_page, kind,
                       _int_arg(call, "warehouse_id"))
    return Reply(200, [document(v, call.audience) for v in views], "warehouse_documents")


async def get_document(call: Call) -> Reply:
    return _reply(call, await read(call.request, document_view, call.account.account_id, call.params["id"]))


async def create_document(call: Call) -> Reply:
    fields, actions, invoice_ids = document_input(wrapped(call.payload, WRAPPER))
    if "warehouse_id" not in fields:
        raise invalid("warehouse_id", "can't be blank")
    view = await execute(call.request, CreateWarehouseDocument(call.account.account_id, fields, actions or (),
                                                               invoice_ids or ()))
    return _reply(call, view, 201)


def _actions_as_input(data: dict[str, Any]) -> dict[str, Any]:
    """The actions with only what is input (a GET's action ids and timestamps are not), so that actions sent
    back as they were read compare equal to the stored ones and move nothing."""
    if absent(data.get("warehouse_actions")):
        return data
    try:
        items = as_list(data["warehouse_actions"], "warehouse_action")
    except ValueError:
        return data  # document_input names the bad value
    return {**data, "warehouse_actions": [{k: v for k, v in item.items() if k in ACTION_FIELDS}
                                          if isinstance(item, Mapping) else item for item in items]}


async def update_document(call: Call) -> Reply:
    current = await read(call.request, document_view, call.account.account_id, call.params["id"])
    given = changes(_actions_as_input(wrapped(call.payload, WRAPPER)), document(current, call.audience))
    fields, actions, invoice_ids = document_input(given)
    if "extra" in fields:
        fields["extra"] = {**(current.document.extra or {}), **fields["extra"]}
    view = await execute(call.request, UpdateWarehouseDocument(call.account.account_id, call.params["id"], fields,
                                                               actions, invoice_ids))
    return _reply(call, view)


async def delete_document(call: Call) -> Reply:
    await execute(call.request, DeleteWarehouseDocument(call.account.account_id, call.params["id"]))
    return Reply(200, {"code": "success", "message": "Warehouse document deleted"}, "hash")


# --- warehouse actions -----------------------------------------------------------------------------

def _actions(session: Session, account_id: int, filters: Mapping[str, Any], page: Page) -> list[WarehouseAction]:
    stmt = select(WarehouseAction).where(WarehouseAction.account_id == account_id)
    if filters.get("warehouse_id") is not None:
        wanted = filters["warehouse_id"]
        stmt = stmt.where(or_(WarehouseAction.warehouse_id == wanted, WarehouseAction.warehouse2_id == wanted))
    if filters.get("kind"):
        stmt = stmt.where(WarehouseAction.kind == filters["kind"])
    if filters.get("product_id") is not None:
        stmt = stmt.where(WarehouseAction.product_id == filters["product_id"])
    if filters.get("since") is not None:
        stmt = stmt.where(WarehouseAction.created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(WarehouseAction.created_at < filters["until"])
    for name, kinds in (("from_warehouse_document", ("wz", "mm")), ("to_warehouse_document", ("pz", "mm")),
                        ("warehouse_document_id", DOCUMENT_KINDS)):
        if filters.get(name) is not None:
            stmt = stmt.where(WarehouseAction.warehouse_document_id == filters[name],
                              WarehouseAction.kind.in_(kinds))  # type: ignore[attr-defined]
    stmt = stmt.order_by(col(WarehouseAction.id)).offset(page.offset).limit(page.per_page)
    return list(session.execute(stmt).scalars())


def _day_start(call: Call, name: str, *, next_day: bool = False) -> datetime | None:
    raw = call.query.get(name)
    if absent(raw):
        return None
    try:
        day = to_date(raw)
    except ValueError:
        raise invalid(name, "is invalid") from None
    if next_day:
        day += timedelta(days=1)
    return datetime.combine(day, time(), ZoneInfo(call.account.timezone)).astimezone(timezone.utc)


async def list_actions(call: Call) -> Reply:
    """`date_from`/`date_to` are days in the account's timezone, both included."""
    names = ("warehouse_id", "product_id", "from_warehouse_document", "to_warehouse_document", "warehouse_document_id")
    filters: dict[str, Any] = {name: _int_arg(call, name) for name in names}
    filters["kind"] = (call.query.get("kind") or "").strip().lower() or None
    filters["since"] = _day_start(call, "date_from")
    filters["until"] = _day_start(call, "date_to", next_day=True)
    rows = await read(call.request, _actions, call.account.account_id, filters, call.page())
    return Reply(200, [action(r, call.audience) for r in rows], "warehouse_actions")


# --- products' stock -------------------------------------------------------------------------------

def stock_of_warehouse(call: Call) -> int | None:
    """?warehouse_id= on products: the warehouse whose stock they show."""
    return _int_arg(call, "warehouse_id")


def warehouse_quantities(session: Session, account_id: int, product_ids: list[int],
                         warehouse_id: int) -> dict[int, Decimal]:
    found = stock.quantities(session, account_id, product_ids, warehouse_id)
    return {product_id: by_warehouse[warehouse_id] for product_id, by_warehouse in found.items()
            if warehouse_id in by_warehouse}


__all__ = ["create_document", "delete_document", "get_document", "list_actions", "list_documents_",
           "stock_of_warehouse", "update_document", "warehouse_quantities"]
