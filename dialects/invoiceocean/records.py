"""Clients, products, departments, price lists and recurring definitions: one CRUD over core records,
with a small spec per resource (wrapper key, XML names, list filters, presenter)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col
from starlette.responses import PlainTextResponse

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.handlers.parties import normalise_tax_no
from core.handlers.records import get_record
from core.models import Category, Client, Department, Issuer, PriceList, PriceListItem, Product, Recurring, Warehouse
from core.queries import Page, RecordFilter, list_records
from core.security import verify_password
from dialects.invoiceocean import present
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.parse import price_list_children, record_fields, wrapped
from dialects.invoiceocean.respond import Call, Reply
from dialects.invoiceocean.warehouse import stock_of_warehouse, warehouse_quantities
from dialects.kit.context import execute, read
from dialects.kit.lenient import to_date, to_int
from dialects.kit.unchanged import changes


def _client_filter(call: Call) -> RecordFilter:
    q = call.query
    equals: dict[str, Any] = {}
    like: dict[str, str] = {}
    if q.get("name"):
        like["name"] = f"%{q['name']}%"
    if q.get("email"):
        like["email"] = q["email"].replace("%", "").replace("_", "\\_")
    if q.get("shortcut"):
        like["shortcut"] = q["shortcut"].replace("%", "")
    if q.get("tax_no"):
        equals["tax_no_normalized"] = normalise_tax_no(q["tax_no"])
    if q.get("external_id"):
        equals["external_id"] = q["external_id"]
    return RecordFilter(equals=equals, like=like)


def _product_filter(call: Call) -> RecordFilter:
    category = call.query.get("category_id")
    if not category:
        return RecordFilter()
    try:
        return RecordFilter(equals={"category_id": to_int(category)})
    except ValueError:
        raise invalid("category_id", "is invalid") from None


def _no_filter(call: Call) -> RecordFilter:
    return RecordFilter()


@dataclass(frozen=True)
class Resource:
    entity: str
    model: type[SQLModel]
    wrappers: tuple[str, ...]
    root: str
    plural: str
    list_filter: Callable[[Call], RecordFilter] = _no_filter
    # PUT on a product: "net price is calculated from the gross price and tax, and cannot be changed directly"
    not_updatable: frozenset[str] = frozenset()


RESOURCES: dict[str, Resource] = {
    "client": Resource("client", Client, ("client",), "client", "clients", _client_filter),
    "product": Resource("product", Product, ("product",), "product", "products", _product_filter,
                        not_updatable=frozenset({"price_net"})),
    "department": Resource("department", Department, ("department",), "department", "departments"),
    "price_list": Resource("price_list", PriceList, ("price_list",), "price_list", "price_lists"),
    "recurring": Resource("recurring", Recurring, ("recurring",), "recurring", "recurrings"),
    "issuer": Resource("issuer", Issuer, ("issuer",), "issuer", "issuers"),
    "category": Resource("category", Category, ("category",), "category", "categories"),
    "warehouse": Resource("warehouse", Warehouse, ("warehouse",), "warehouse", "warehouses"),
}


def _price_list_items(session: Session, account_id: int, ids: list[int]) -> dict[int, list[PriceListItem]]:
    found: dict[int, list[PriceListItem]] = {i: [] for i in ids}
    stmt = (select(PriceListItem).where(col(PriceListItem.account_id) == account_id,
                                        col(PriceListItem.price_list_id).in_(ids))
            .order_by(col(PriceListItem.id)))
    for item in session.execute(stmt).scalars():
        found[item.price_list_id].append(item)
    return found


async def _present(call: Call, spec: Resource, rows: list[Any]) -> list[dict[str, Any]]:
    audience = call.audience
    if spec.entity == "price_list":
        items = await read(call.request, _price_list_items, call.account.account_id, [r.id for r in rows])
        return [present.price_list(r, items[r.id], audience) for r in rows]
    if spec.entity == "product":
        warehouse_id = stock_of_warehouse(call)
        if warehouse_id is None:
            return [present.product(r, audience, with_stock=False) for r in rows]
        found = await read(call.request, warehouse_quantities, call.account.account_id, [r.id for r in rows],
                           warehouse_id)
        return [present.product(r, audience, with_stock=True, in_stock=found.get(r.id)) for r in rows]
    return [present.record(spec.entity, r, audience) for r in rows]


def _products_since(session: Session, account_id: int, since: datetime, page: Page) -> list[Product]:
    stmt = (select(Product).where(col(Product.account_id) == account_id, col(Product.updated_at) >= since)
            .order_by(col(Product.id)).offset(page.offset).limit(page.per_page))
    return list(session.execute(stmt).scalars())


def list_handler(entity: str) -> Callable[[Call], Any]:
    spec = RESOURCES[entity]

    async def handler(call: Call) -> Reply:
        since = call.query.get("date_from") if entity == "product" else None
        if since:
            try:
                day = to_date(since)
            except ValueError:
                raise invalid("date_from", "is invalid") from None
            start = datetime.combine(day, time(), ZoneInfo(call.account.timezone)).astimezone(timezone.utc)
            rows = await read(call.request, _products_since, call.account.account_id, start, call.page())
        else:
            rows = await read(call.request, list_records, spec.model, call.account.account_id,
                              spec.list_filter(call), call.page())
        return Reply(200, await _present(call, spec, rows), spec.plural)
    return handler


def get_handler(entity: str) -> Callable[[Call], Any]:
    spec = RESOURCES[entity]

    async def handler(call: Call) -> Reply:
        row = await read(call.request, get_record, entity, call.account.account_id, call.params["id"])
        return Reply(200, (await _present(call, spec, [row]))[0], spec.root)
    return handler


def _input(spec: Resource, call: Call, shown: dict[str, Any] | None = None
           ) -> tuple[dict[str, Any], tuple[dict[str, Any], ...] | None]:
    """The record's fields and price list items; on update (`shown`: the record as answered) only
    what differs from the answer."""
    data = wrapped(call.payload, *spec.wrappers)
    if shown is not None:
        data = changes(data, shown)
    fields = record_fields(spec.entity, spec.model, data)
    children = price_list_children(data) if spec.entity == "price_list" else None
    return fields, children


def create_handler(entity: str) -> Callable[[Call], Any]:
    spec = RESOURCES[entity]

    async def handler(call: Call) -> Reply:
        fields, children = _input(spec, call)
        row = await execute(call.request, CreateRecord(entity, call.account.account_id, fields, children))
        return Reply(201, (await _present(call, spec, [row]))[0], spec.root)
    return handler


def update_handler(entity: str) -> Callable[[Call], Any]:
    spec = RESOURCES[entity]

    async def handler(call: Call) -> Reply:
        current = await read(call.request, get_record, entity, call.account.account_id, call.params["id"])
        shown = (await _present(call, spec, [current]))[0]
        fields, children = _input(spec, call, shown)
        fields = {k: v for k, v in fields.items() if k not in spec.not_updatable}
        if "extra" in fields:  # unknown keys add to those kept before
            fields["extra"] = {**(current.extra or {}), **fields["extra"]}
        row = await execute(call.request, UpdateRecord(entity, call.account.account_id, call.params["id"], fields,
                                                       children))
        return Reply(200, (await _present(call, spec, [row]))[0], spec.root)
    return handler


def delete_handler(entity: str) -> Callable[[Call], Any]:
    async def handler(call: Call) -> Reply:
        await execute(call.request, DeleteRecord(entity, call.account.account_id, call.params["id"]))
        return Reply(200, {"code": "success", "message": f"{entity.replace('_', ' ').capitalize()} deleted"}, "hash")
    return handler


def _client_by_login(session: Session, account_id: int, email: str, password: str) -> Client | None:
    stmt = select(Client).where(col(Client.account_id) == account_id, col(Client.email) == email,
                                col(Client.password_hash) != "")
    for client in session.execute(stmt).scalars():
        if verify_password(client.password_hash, password):
            return client
    return None


async def check_client(call: Call) -> Reply:
    """Legacy GET /clients/check?email=&password=: the client, or the text `brak klienta`."""
    email, password = call.query.get("email", ""), call.query.get("password", "")
    client = await read(call.request, _client_by_login, call.account.account_id, email, password) \
        if email and password else None
    if client is None:
        return Reply(200, PlainTextResponse("brak klienta"), "hash")
    return Reply(200, present.record("client", client, call.audience), "client")
