"""Endpoints for clients and products."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.commands import CreateRecord, DeleteRecord, UpdateRecord
from core.handlers.invoice_state import account_of
from core.handlers.records import get_record
from core.models import Client, Product
from core.queries import RecordFilter, count_records, list_records
from dialects.fakturan.auth import endpoint
from dialects.fakturan.errors import ErrorBag
from dialects.fakturan.parse import body_of, client_fields, list_params, page_of, path_id, product_fields, sort_order
from dialects.fakturan.present import client_json, client_settings_defaults, data, listing, no_content, product_json
from dialects.kit.auth import AccountContext
from dialects.kit.context import execute, read
from dialects.kit.http import JSONResponse, read_body
from dialects.kit.lenient import to_int
from dialects.kit.unchanged import changes

CLIENT_SORT = {"number": "number", "name": "name"}
CLIENT_FILTERS = {"number": "number", "org_number": "tax_no", "email": "email"}
PRODUCT_SORT = {"name": "name", "product_code": "code", "price": "price_net"}
PRODUCT_FILTERS = {"product_code": "code", "name": "name"}


def _filter(bag: ErrorBag, params: dict[str, Any], table: dict[str, str]) -> RecordFilter:
    equals: dict[str, Any] = {}
    for key, column in table.items():
        value = params.get(key)
        if value is None or value == "":
            continue
        if column == "number":
            try:
                equals[column] = to_int(value)
            except ValueError:
                bag.add(key, "invalid")
        else:
            equals[column] = str(value)
    return RecordFilter(equals=equals)


async def _list(request: Request, ctx: AccountContext, model: type, filters: dict[str, str],
                sorts: dict[str, str], render: Any) -> Response:
    params = list_params(request.query_params, await read_body(request))
    bag = ErrorBag()
    record_filter = _filter(bag, params, filters)
    order = sort_order(bag, params.get("sort"), sorts)
    bag.raise_if_any()
    page = page_of(params)
    rows = await read(request, list_records, model, ctx.account_id, record_filter, page, order)
    total = await read(request, count_records, model, ctx.account_id, record_filter)
    return JSONResponse(listing(request, params, page, total, [render(r) for r in rows]))


@endpoint("clients.list", "client")
async def list_clients(request: Request, ctx: AccountContext) -> Response:
    return await _list(request, ctx, Client, CLIENT_FILTERS, CLIENT_SORT, client_json)


@endpoint("clients.show", "client")
async def show_client(request: Request, ctx: AccountContext) -> Response:
    client = await read(request, get_record, "client", ctx.account_id, path_id(request))
    return data(client_json(client))


@endpoint("clients.create", "client")
async def create_client(request: Request, ctx: AccountContext) -> Response:
    payload = await body_of(request)
    account = await read(request, account_of, ctx.account_id)
    bag = ErrorBag()
    fields = client_fields(bag, payload, defaults=client_settings_defaults(account))
    bag.raise_if_any()
    client = await execute(request, CreateRecord("client", ctx.account_id, fields))
    return data(client_json(client), 201, f"/api/v2/clients/{client.id}", request)


@endpoint("clients.update", "client")
async def update_client(request: Request, ctx: AccountContext) -> Response:
    current = await read(request, get_record, "client", ctx.account_id, path_id(request))
    payload = changes(await body_of(request), client_json(current))
    bag = ErrorBag()
    fields = client_fields(bag, payload, current=current)
    bag.raise_if_any()
    await execute(request, UpdateRecord("client", ctx.account_id, current.id, fields))
    return no_content()


@endpoint("products.list", "product")
async def list_products(request: Request, ctx: AccountContext) -> Response:
    return await _list(request, ctx, Product, PRODUCT_FILTERS, PRODUCT_SORT, product_json)


@endpoint("products.show", "product")
async def show_product(request: Request, ctx: AccountContext) -> Response:
    product = await read(request, get_record, "product", ctx.account_id, path_id(request))
    return data(product_json(product))


@endpoint("products.create", "product")
async def create_product(request: Request, ctx: AccountContext) -> Response:
    payload = await body_of(request)
    account = await read(request, account_of, ctx.account_id)
    bag = ErrorBag()
    fields = product_fields(bag, payload, creating=True, default_tax=int((account.settings or {}).get("tax", 25)))
    bag.raise_if_any()
    product = await execute(request, CreateRecord("product", ctx.account_id, fields))
    return data(product_json(product), 201, f"/api/v2/products/{product.id}", request)


@endpoint("products.update", "product")
async def update_product(request: Request, ctx: AccountContext) -> Response:
    current = await read(request, get_record, "product", ctx.account_id, path_id(request))
    payload = changes(await body_of(request), product_json(current))
    bag = ErrorBag()
    fields = product_fields(bag, payload, creating=False, default_tax=25)
    bag.raise_if_any()
    await execute(request, UpdateRecord("product", ctx.account_id, current.id, fields))
    return no_content()


@endpoint("products.delete", "product")
async def delete_product(request: Request, ctx: AccountContext) -> Response:
    await execute(request, DeleteRecord("product", ctx.account_id, path_id(request)))
    return no_content()
