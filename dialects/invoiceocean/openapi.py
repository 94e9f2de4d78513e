"""What the InvoiceOcean JSON dialect looks like on the wire, as OpenAPI 3.1.

Paths and methods come from routes.ROUTES (with {fmt} fixed to json), so the document cannot list a
route that does not exist or miss one that does: every endpoint name in the table needs an entry in
OPERATIONS or building fails. Response schemas are derived from the same tables the presenters use
(present.INVOICE_SAME, the record tables in fields.py and the core models' column types); request schemas from
parse.py's tables. The XML variant of every path (`.xml`) is one handler with another renderer and is
described in the README rather than here.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from core.documents.pdf import PRINT_OPTIONS
from core.events import KINDS as EVENT_KINDS
from core.handlers.invoice_state import KINDS
from core.models import Invoice, InvoiceLine, Payment, Product
from core.money import to_decimal
from dialects.invoiceocean import attachments, fields, ksef, parse, present
from dialects.invoiceocean.errors import DEACTIVATED, NOT_FOUND, UNAUTHORIZED
from dialects.invoiceocean.invoices import ORDER
from dialects.invoiceocean.records import RESOURCES
from dialects.invoiceocean.routes import ROUTES
from dialects.invoiceocean.warehouse_openapi import warehouse_operations, warehouse_schemas
from dialects.kit.dialect import DialectDocs, Endpoint
from dialects.kit.lenient import to_bool, to_int, to_tax, to_text
from dialects.kit.openapi import (
    INPUT_TYPES,
    Body,
    Operation,
    Schema,
    build_document,
    column_schema,
    json_body,
    nullable,
    ref,
)

TITLE = "InvoiceOcean / Fakturownia API (JSON), as served by Invoice Gateway"
DESCRIPTION = (
    "InvoiceOcean's REST API over the gateway's ledger. Every path below also answers with the `.xml` "
    "extension (Rails-style XML in and out, same handler). Sign in with `api_token` (query string, a "
    "top-level body key, or `Authorization: Bearer`), or HTTP Basic with the account user's login. "
    "Money is a decimal string (`\"58.32\"`). Input is lenient as InvoiceOcean's is: numbers may come as "
    "strings, unknown keys are stored and returned as given, null and \"\" mean absent.")

SCHEMA_NAMES = {"client": "Client", "product": "Product", "department": "Department", "price_list": "PriceList",
                "recurring": "Recurring", "issuer": "Issuer", "category": "Category", "warehouse": "Warehouse"}


# --- response schemas, from the presenters' tables --------------------------------------------------

def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """Objects stay open: unknown keys a client sent are echoed back (present.with_extra)."""
    return {"type": "object", "properties": properties,
            "required": sorted(properties) if required is None else required, "additionalProperties": True}


def record_schema(entity: str, hidden: frozenset[str] = frozenset()) -> Schema:
    """present.record(): the shown fields of the resource's table."""
    return _object({field.wire: field.schema for field in fields.TABLES[entity]
                    if field.shown and field.core not in hidden})


def position_schema() -> Schema:
    line = {name: column_schema(InvoiceLine, column) for name, column in present.POSITION_COLUMNS.items()}
    required = sorted(line)
    line["correction_before_attributes"] = ref("Position")
    line["correction_after_attributes"] = ref("Position")
    return _object(line, required)


def invoice_schema() -> Schema:
    props: dict[str, Schema] = {"id": column_schema(Invoice, "id"), "account_id": column_schema(Invoice, "account_id")}
    props.update({name: column_schema(Invoice, name) for name in present.INVOICE_SAME})
    string, flag = {"type": "string"}, {"type": "boolean"}
    money = column_schema(Invoice, "price_net")
    props.update({
        "sell_date": nullable({"type": "string", "description": "a date, or a month as YYYY-MM"}),
        "payment_to_kind": {"type": ["integer", "string", "null"],
                            "description": "days to pay, or other_date / off"},
        "status": {"type": "string", "enum": sorted(set(fields.STATUS.values()))},
        "cancelled": flag, "correction": flag,
        "price_net": money, "price_tax": money, "price_gross": money, "paid": money,
        "calculating_strategy": _object({"position": string, "sum": string,
                                         "invoice_form_price_kind": {"type": "string", "enum": ["net", "gross"]}}),
        "from_api": flag, "origin": string,
        "sent_time": nullable({"type": "string", "format": "date-time"}),
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "view_url": string, "payment_url": string,
        **ksef.GOV_SCHEMA,
    })
    required = sorted(props)
    props["positions"] = {"type": "array", "items": ref("Position"),
                          "description": "on single invoices, and on lists with include_positions=true"}
    return _object(props, required)


def payment_schema() -> Schema:
    schema = record_schema("payment")
    schema["properties"].update({"invoice_id": {"type": ["integer", "null"]},
                                 "invoice_ids": {"type": "array", "items": {"type": "integer"}}})
    schema["required"] = sorted(schema["properties"])
    schema["properties"]["invoices"] = {"type": "array", "items": ref("Invoice"),
                                        "description": "with include=invoices: the invoices it is allocated to, "
                                                       "in allocation order, without positions"}
    return schema


def price_list_schema() -> Schema:
    schema = record_schema("price_list")
    item = record_schema("price_list_item", frozenset({"price_list_id"}))
    item["properties"]["priceable_type"] = {"const": "Product"}
    item["required"] = sorted(item["properties"])
    schema["properties"]["price_list_positions"] = {"type": "array", "items": item}
    schema["required"] = sorted(schema["properties"])
    return schema


# --- request schemas, from parse.py's tables --------------------------------------------------------

_CONVERTER_TYPES: dict[Callable[[Any], Any], Schema] = {
    to_int: {"type": ["integer", "string"]}, to_text: {"type": "string"}, to_decimal: {"type": ["number", "string"]},
    to_tax: {"type": ["integer", "number", "string"], "examples": [23, "zw", "np"]},
    to_bool: {"type": ["boolean", "string", "integer"]},
}


def position_input() -> Schema:
    props = {key: dict(_CONVERTER_TYPES[convert]) for key, (_target, convert) in parse.POSITION_FIELDS.items()}
    props["kind"] = {"type": "string", "enum": sorted(parse.LINE_KINDS)}
    props["correction_before_attributes"] = ref("PositionInput")
    props["correction_after_attributes"] = ref("PositionInput")
    return {"type": "object", "properties": props, "additionalProperties": True}


def invoice_input() -> Schema:
    props: dict[str, Schema] = {name: column_schema(Invoice, name, INPUT_TYPES)
                                for name in sorted(parse.INVOICE_COLUMNS - {"status", "payment_to_kind"})}
    props.update({
        "kind": {"type": "string", "enum": list(KINDS)},
        "sell_date": {"type": "string", "description": "YYYY-MM-DD, or YYYY-MM for a month"},
        "status": {"type": "string", "enum": sorted(fields.STATUS_INPUT)},
        "payment_to_kind": {"type": ["integer", "string"], "description": "days to pay, other_date or off"},
        "client_id": {"type": ["integer", "string"], "description": "-1 creates a client from the buyer fields"},
        "positions": {"type": "array", "items": ref("PositionInput")},
        "calculating_strategy": {"type": "object", "properties": {
            "position": {"type": "string", "enum": ["default", "keep_gross"]},
            "sum": {"type": "string", "enum": ["sum", "keep_gross", "keep_net"]},
            "invoice_form_price_kind": {"type": "string", "enum": ["net", "gross"]}}},
        "copy_invoice_from": {"type": ["integer", "string"]}, "oid_unique": {"type": ["boolean", "string"]},
        "price_list_id": {"type": ["integer", "string"]},
        "use_prices_from_price_lists": {"type": ["boolean", "string"]},
        **ksef.INPUT_SCHEMA,
    })
    return {"type": "object", "properties": props, "additionalProperties": True,
            "description": "Read-only keys (totals, token, timestamps, ...) are ignored; unknown keys are "
                           "stored and come back as given."}


def record_input(entity: str) -> Schema:
    """parse.record_fields(): the writable fields of the resource's table."""
    props = fields.TABLES[entity].input_schema()
    if entity == "price_list":
        item = record_input("price_list_item")
        item["properties"].pop("price_list_id", None)
        props["price_list_positions_attributes"] = {
            "description": "a list, or a Rails-style dict keyed \"0\", \"1\", ...",
            "anyOf": [{"type": "array", "items": item}, {"type": "object", "additionalProperties": item}]}
    return {"type": "object", "properties": props, "additionalProperties": True}


def payment_input() -> Schema:
    props = {name: column_schema(Payment, name, INPUT_TYPES) for name in sorted(parse.PAYMENT_COLUMNS)}
    props.update({"price": {"type": ["number", "string"]}, "invoice_id": {"type": ["integer", "string"]},
                  "invoice_ids": {"anyOf": [{"type": "array", "items": {"type": "integer"}},
                                            {"type": "string", "description": "comma separated"}]},
                  "paid_date": {"type": "string", "format": "date"},
                  "generate_invoice": {"type": ["boolean", "string"]}})
    return {"type": "object", "properties": props, "additionalProperties": True}


def wrapper(key: str, schema_name: str, *, required: bool = True) -> Schema:
    """InvoiceOcean bodies wrap the resource: {"api_token": "...", "invoice": {...}}."""
    return {"type": "object", "properties": {"api_token": {"type": "string"}, key: ref(schema_name)},
            "required": [key] if required else [], "additionalProperties": True}


# --- errors -----------------------------------------------------------------------------------------

def _error(message: Schema, description: str) -> Body:
    return json_body({"type": "object", "required": ["code", "message"], "additionalProperties": False,
                      "properties": {"code": {"const": "error"}, "message": message}}, description)


RESPONSES: dict[str, Body] = {
    "Unauthorized": _error({"type": "string", "enum": [UNAUTHORIZED, DEACTIVATED]},
                           "Bad or missing api_token, or a deactivated account"),
    "NotFound": _error({"type": "string", "const": NOT_FOUND}, "Unknown id (or another account's)"),
    "Malformed": _error({"type": "string"}, "Malformed JSON, a body that is not an object, or a refused XML body"),
    "TooLarge": _error({"type": "string"}, "Body over GATEWAY_MAX_BODY_BYTES"),
    "Unprocessable": _error({"anyOf": [{"type": "string"}, ref("ValidationMessage")]},
                            "Validation failed; nothing was written. Field names are InvoiceOcean's "
                            "(positions.0.tax, buyer_name, price, ...); conflicts are reported on base"),
    "RateLimited": _error({"type": "string"}, "Too many requests"),
}
READ_ERRORS = {401: "Unauthorized", 404: "NotFound", 429: "RateLimited"}
WRITE_ERRORS = {**READ_ERRORS, 400: "Malformed", 413: "TooLarge", 422: "Unprocessable"}


# --- operations -------------------------------------------------------------------------------------

PAGING = {"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}
INCLUDE_INVOICES: dict[str, Schema] = {"include": {"type": "string", "enum": ["invoices"]}}
INVOICE_LIST_QUERY: dict[str, Schema] = {
    **PAGING,
    "period": {"type": "string", "enum": ["last_12_months", "this_month", "last_month", "last_30_days", "this_year",
                                          "last_year", "all", "more"]},
    "date_from": {"type": "string", "format": "date"}, "date_to": {"type": "string", "format": "date"},
    "search_date_type": {"type": "string", "enum": ["issue_date", "paid_date", "transaction_date"]},
    "client_id": {"type": "integer"}, "number": {"type": "string"}, "oid": {"type": "string"},
    "kind": {"type": "string", "enum": list(KINDS)},
    "kinds[]": {"type": "array", "items": {"type": "string", "enum": list(KINDS)}},
    "income": {"type": "string", "enum": ["yes", "no", "true", "false", "1", "0"]},
    "invoice_ids": {"type": "string", "description": "comma separated ids"},
    "include_positions": {"type": "boolean"},
    "order": {"type": "string", "enum": sorted([*ORDER, *(f"{name}.desc" for name in ORDER)])},
    "category_id": {"type": "integer"}, "warehouse_id": {"type": "integer"},
}
RECORD_QUERIES: dict[str, dict[str, Schema]] = {
    "client": {**PAGING, **{name: {"type": "string"} for name in ("name", "email", "shortcut", "tax_no",
                                                                  "external_id")}},
    "product": {**PAGING, "warehouse_id": {"type": "integer"}, "date_from": {"type": "string", "format": "date"},
                "category_id": {"type": "integer"}},
}
SUCCESS = json_body(ref("Success"))
PRINT_OPTION = {"print_option": {"type": "string", "enum": list(PRINT_OPTIONS)}}


def _ok(status: int, schema: Schema, errors: dict[int, str], description: str = "") -> dict[int, Body | str]:
    return {status: json_body(schema, description), **errors}


def _invoice_ops() -> dict[str, Operation]:
    invoice, tag = ref("Invoice"), "invoices"
    return {
        "invoices.list": Operation("List invoices", _ok(200, {"type": "array", "items": invoice}, READ_ERRORS | {
            422: "Unprocessable"}), "Bare array, 25 a page by default (at most 100), ordered by id unless "
            "`order` says otherwise; the default period is the last 12 months.", tag, INVOICE_LIST_QUERY),
        "invoices.create": Operation("Create an invoice", _ok(201, invoice, WRITE_ERRORS), "Totals, number and "
                                     "status are computed by the ledger.", tag, ksef.SAVE_QUERY,
                                     body=wrapper("invoice", "InvoiceInput"), body_required=True),
        "invoices.get": Operation("Get an invoice with its positions", _ok(200, invoice, READ_ERRORS | {
            422: "Unprocessable"}), tag=tag, query=ksef.SEND_QUERY),
        "invoices.pdf": Operation("The invoice as PDF", {
            200: Body({"application/pdf": {"type": "string", "format": "binary"}}), **READ_ERRORS,
            422: "Unprocessable"}, tag=tag, query=PRINT_OPTION),
        "invoices.attachment": Operation("An e-invoice file of the invoice", {
            200: Body({"application/xml": {"type": "string", "format": "binary"}}), **READ_ERRORS,
            422: "Unprocessable"}, "`kind=peppol`: Peppol BIS Billing 3.0 UBL (an Invoice, or a CreditNote for a "
            "correction that lowers the amount due), validated against the UBL 2.1 schema and the EN 16931 and "
            "Peppol rules; a document they refuse is a 422 naming the failed rules. `kind=gov`: the KSeF FA(3) XML as "
            "sent; `kind=gov_upo`: its UPO (404 while the invoice has no such document).", tag,
            {"kind": {"type": "string", "enum": list(attachments.KINDS)}}),
        "invoices.update": Operation("Update an invoice", _ok(200, invoice, WRITE_ERRORS),
                                     "Header fields; positions with id update, with `_destroy` delete, without id "
                                     "add. A body with only `status` changes the status.", tag, ksef.SAVE_QUERY,
                                     body=wrapper("invoice", "InvoiceInput", required=False)),
        "invoices.delete": Operation("Delete an invoice", _ok(200, ref("Success"), WRITE_ERRORS), tag=tag),
        "invoices.change_status": Operation(
            "Change an invoice's status", _ok(200, ref("Success"), WRITE_ERRORS), "`status` in the query or the body.",
            tag, {"status": {"type": "string", "enum": sorted(fields.STATUS_INPUT)}},
            body={"type": "object", "properties": {"api_token": {"type": "string"}, "status": {
                "type": "string", "enum": sorted(fields.STATUS_INPUT)}}}),
        "invoices.cancel": Operation(
            "Cancel an invoice", _ok(200, invoice, WRITE_ERRORS), "The id in the path, or `cancel_invoice_id` / "
            "`invoice_id` in the query or body.", tag,
            {"cancel_invoice_id": {"type": "integer"}, "cancel_reason": {"type": "string"}},
            body={"type": "object", "properties": {"api_token": {"type": "string"},
                                                   "cancel_invoice_id": {"type": ["integer", "string"]},
                                                   "invoice_id": {"type": ["integer", "string"]},
                                                   "cancel_reason": {"type": "string"}}}),
        "invoices.send_by_email": Operation(
            "Send the invoice by e-mail", _ok(200, ref("SendResult"), WRITE_ERRORS),
            "Queued in the outbox. Sending again within 3 days answers 200 {\"status\":\"error\"} unless "
            "force=true.", tag,
            {"email_to": {"type": "string"}, "email_cc": {"type": "string"}, **PRINT_OPTION,
             "force": {"type": "boolean"}},
            body={"type": "object", "properties": {"api_token": {"type": "string"}, "email_to": {"type": "string"},
                                                   "email_cc": {"type": "string"}, "force": {"type": ["boolean",
                                                                                                      "string"]},
                                                   **PRINT_OPTION}}),
    }


def _record_ops(entity: str) -> dict[str, Operation]:
    spec = RESOURCES[entity]
    name, plural = SCHEMA_NAMES[entity], spec.plural
    item, tag, body = ref(name), plural, wrapper(spec.wrappers[0], f"{name}Input")
    label = entity.replace("_", " ")
    return {
        f"{plural}.list": Operation(f"List {label}s", _ok(200, {"type": "array", "items": item}, READ_ERRORS | {
            422: "Unprocessable"}), tag=tag, query=RECORD_QUERIES.get(entity, PAGING)),
        f"{plural}.create": Operation(f"Create a {label}", _ok(201, item, WRITE_ERRORS), tag=tag, body=body,
                                      body_required=True),
        f"{plural}.get": Operation(f"Get a {label}", _ok(200, item, READ_ERRORS), tag=tag),
        f"{plural}.update": Operation(f"Update a {label}", _ok(200, item, WRITE_ERRORS), tag=tag,
                                      body=wrapper(spec.wrappers[0], f"{name}Input", required=False)),
        f"{plural}.delete": Operation(f"Delete a {label}", _ok(200, ref("Success"), WRITE_ERRORS), tag=tag),
    }


def _payment_ops() -> dict[str, Operation]:
    payment, tag = ref("Payment"), "payments"
    body = {"type": "object", "properties": {"api_token": {"type": "string"}, "banking_payment": ref("PaymentInput"),
                                             "payment": ref("PaymentInput")}, "additionalProperties": True,
            "description": "the wrapper is banking_payment, or payment as older docs write it"}
    return {
        "payments.list": Operation("List payments", _ok(200, {"type": "array", "items": payment}, READ_ERRORS),
                                   tag=tag, query={**PAGING, **INCLUDE_INVOICES}),
        "payments.create": Operation("Record a payment", _ok(201, payment, WRITE_ERRORS),
                                     "invoice_id / invoice_ids are settled in order; generate_invoice issues one.",
                                     tag, body=body, body_required=True),
        "payments.get": Operation("Get a payment", _ok(200, payment, READ_ERRORS), tag=tag, query=INCLUDE_INVOICES),
        "payments.update": Operation("Update a payment", _ok(200, payment, WRITE_ERRORS), tag=tag, body=body),
        "payments.delete": Operation("Delete a payment", _ok(200, ref("Success"), WRITE_ERRORS), tag=tag),
    }


def _webhook_ops() -> dict[str, Operation]:
    hook, tag = ref("Webhook"), "webhooks"
    return {
        "webhooks.list": Operation("List webhooks", _ok(200, {"type": "array", "items": hook}, READ_ERRORS), tag=tag),
        "webhooks.create": Operation(
            "Create a webhook", _ok(201, ref("WebhookCreated"), WRITE_ERRORS),
            "The answer alone carries `secret`, the key of the deliveries' Standard Webhooks signatures. A URL "
            "whose host resolves to a private or loopback address is refused (422 on url) unless "
            "GATEWAY_WEBHOOK_ALLOW_HOSTS lists it.", tag, body=wrapper("webhook", "WebhookInput"), body_required=True),
        "webhooks.get": Operation("Get a webhook", _ok(200, hook, READ_ERRORS), tag=tag),
        "webhooks.update": Operation("Update a webhook", _ok(200, hook, WRITE_ERRORS), tag=tag,
                                     body=wrapper("webhook", "WebhookInput", required=False)),
        "webhooks.delete": Operation("Delete a webhook", _ok(200, ref("Success"), WRITE_ERRORS), tag=tag),
    }


def _webhook_schemas() -> dict[str, Schema]:
    kind: Schema = {"type": "string", "enum": list(EVENT_KINDS),
            "description": "client|invoice|product x create|update|destroy as documented; payment:* and "
                           "invoice:paid are this gateway's extensions"}
    writable: dict[str, Schema] = {"kind": kind, "url": {"type": "string", "format": "uri"},
              "api_token": {"type": "string", "description": "the receiver's own token, sent in every delivery"},
              "active": {"type": "boolean"}}
    stamp: Schema = {"type": "string", "format": "date-time"}
    shown: dict[str, Schema] = {"id": {"type": "integer"}, **writable, "created_at": stamp, "updated_at": stamp}
    return {"Webhook": _object(shown), "WebhookInput": {"type": "object", "properties": writable,
                                                        "additionalProperties": True},
            "WebhookCreated": _object({**shown, "secret": {"type": "string", "pattern": "^whsec_"}})}


def _check_client_op() -> Operation:
    return Operation("Check a client's login (legacy)", {
        200: Body({"application/json": ref("Client"),
                   "text/plain": {"type": "string", "const": "brak klienta"}},
                  "The client, or the text `brak klienta` when nothing matches"), **READ_ERRORS},
        tag="clients", query={"email": {"type": "string"}, "password": {"type": "string"}})


@lru_cache(maxsize=1)
def operations() -> dict[str, Operation]:
    """Endpoint name (as in routes.ROUTES) -> its description."""
    from dialects.invoiceocean import openapi_banking  # it builds on this module's helpers

    ops = {**_invoice_ops(), **_payment_ops(), **_webhook_ops(), "clients.check": _check_client_op(),
           **openapi_banking.operations(_ok, wrapper, READ_ERRORS, WRITE_ERRORS, PAGING),
           **warehouse_operations()}
    for entity in RESOURCES:
        ops.update(_record_ops(entity))
    return ops


def schemas() -> dict[str, Schema]:
    out: dict[str, Schema] = {
        "Invoice": invoice_schema(), "Position": position_schema(), "Payment": payment_schema(),
        "PriceList": price_list_schema(),
        "InvoiceInput": invoice_input(), "PositionInput": position_input(), "PaymentInput": payment_input(),
        "Success": {"type": "object", "required": ["code", "message"],
                    "properties": {"code": {"const": "success"}, "message": {"type": "string"}}},
        "SendResult": {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["ok", "error"]}, "message": {"type": "string"}}},
        "ValidationMessage": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                              "examples": [{"buyer_name": ["can't be blank"]}]},
    }
    out.update(_webhook_schemas())
    for entity, name in SCHEMA_NAMES.items():
        out.setdefault(name, record_schema(entity, frozenset({"stock_level"}) if entity == "product" else frozenset()))
        out[f"{name}Input"] = record_input(entity)
    out["Product"]["properties"]["stock_level"] = nullable(dict(column_schema(Product, "stock_level")))
    from dialects.invoiceocean import openapi_banking

    out.update(openapi_banking.schemas())
    out["Invoice"]["properties"]["bank_accounts"] = {"type": "array", "items": ref("InvoiceBankAccount")}
    out["Invoice"]["required"] = sorted([*out["Invoice"]["required"], "bank_accounts"])
    out["InvoiceInput"]["properties"]["bank_accounts"] = {
        "type": "array", "items": ref("BankAccountInput"),
        "description": "replaces the department's show_on_invoice accounts; each is matched by its number"}
    out["Product"]["properties"]["warehouse_quantity"] = nullable(dict(column_schema(Product, "stock_level")))
    out.update(warehouse_schemas())
    return out


def openapi_path(path: str) -> str:
    """A route-table path as served in JSON: /invoices/{id}.{fmt} -> /invoices/{id}.json."""
    return path.replace("{fmt}", "json")


def document() -> Schema:
    ops = operations()
    return build_document(
        title=TITLE, version="1.0.0", description=DESCRIPTION,
        operations=[(method, openapi_path(path), ops[name]) for method, path, _handler, name in ROUTES],
        schemas=schemas(), responses=RESPONSES,
        security_schemes={
            "apiToken": {"type": "apiKey", "in": "query", "name": "api_token",
                         "description": "TOKEN or TOKEN/prefix; also accepted as a top-level body key"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic", "description": "the account user's login and password"},
        },
        tags=[("invoices", "Invoices, their status, cancellation, e-mail and PDF"), ("clients", "Clients"),
              ("products", "Products"), ("departments", "Departments (seller companies)"),
              ("price_lists", "Price lists"), ("recurrings", "Recurring invoice definitions"),
              ("payments", "Banking payments"), ("issuers", "Issuers"),
              ("bank_accounts", "Bank accounts and the departments that show them on invoices"),
              ("account", "The caller's account, and signing in with login and password"),
              ("webhooks", "Webhooks on ledger changes, from any dialect"),
              ("categories", "Categories of invoices and products"), ("warehouses", "Warehouses"),
              ("warehouse_documents", "Warehouse documents (PZ, WZ, MM) and stock"),
              ("warehouse_actions", "Stock movements")])


# InvoiceOcean endpoints this gateway does not serve: they answer 404 in InvoiceOcean's format.
# /docs lists them and tests/gateway/test_docs.py checks that each one really answers 404.
NOT_BUILT: tuple[tuple[str, str], ...] = (
    ("/account/add_user.json", "Account users, partner sign-up (POST /account.json), deletion and unlinking"),
    ("/invoices/1/attachments_zip.json", "Invoice attachments"),
    ("/invoices/fiscal_print", "Fiscal printing"),
)


def docs(document_url: str) -> DialectDocs:
    ops = operations()
    return DialectDocs(
        "invoiceocean", "InvoiceOcean / Fakturownia (JSON and XML)",
        "api_token (query, body key, Bearer) or HTTP Basic login; every path answers .json and .xml",
        document_url,
        [Endpoint(method, path.replace("{fmt}", "{json|xml}"), ops[name].summary) for method, path, _h, name in ROUTES],
        list(NOT_BUILT))
