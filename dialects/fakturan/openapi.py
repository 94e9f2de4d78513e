"""What the fakturan.nu API v2 dialect looks like on the wire, as OpenAPI 3.1.

Paths and methods are read from the Starlette routes the dialect mounts (routes.routes()); each
route's endpoint carries the name its @endpoint decorator gave it, and OPERATIONS describes every
name, so a new route without a description fails to build. Field names come from fields.py's and
parse.py's tables (CLIENT, PRODUCT, ROW_FIELDS, LOCALES, TAX_RATES, ...), the ones the dialect itself
reads and writes with.
"""
from __future__ import annotations

import re
from functools import lru_cache

from starlette.routing import Route

from dialects.fakturan import fields, parse
from dialects.fakturan.auth import ENDPOINT_NAMES
from dialects.fakturan.errors import ROWS_BLANK, STATUS_MESSAGES
from dialects.fakturan.fields import (
    BOOL_IN,
    BOOLEAN,
    DECIMAL,
    INTEGER,
    INTEGER_IN,
    NUMBER_IN,
    STRING,
    TAX_IN,
)
from dialects.fakturan.invoices import INVOICE_SORT, NO_RECIPIENT
from dialects.fakturan.records import CLIENT_FILTERS, CLIENT_SORT, PRODUCT_FILTERS, PRODUCT_SORT
from dialects.fakturan.routes import routes
from dialects.kit.dialect import DialectDocs, Endpoint
from dialects.kit.fields import FieldTable
from dialects.kit.openapi import Body, Operation, Schema, build_document, json_body, nullable, ref

TITLE = "fakturan.nu API v2, as served by Invoice Gateway"
DESCRIPTION = (
    "fakturan.nu's REST API (v2) over the gateway's ledger. HTTP Basic with `key_id:password`, or "
    "`Authorization: Token token=\"...\"` with a token credential. Money is a "
    "decimal string in Ruby's BigDecimal form (`\"2370.0\"`); SEK totals are cash-rounded in `sum`. Lists are "
    f"`{{\"data\":[...],\"paging\":{{...}}}}`, {parse.DEFAULT_PER_PAGE} a page by default and at most "
    f"{parse.MAX_PER_PAGE}. "
    "Validation errors are Rails' errors.details: `{\"errors\":{\"field\":[{\"error\":\"blank\"}]}}`.")



def _object(properties: dict[str, Schema], required: list[str] | None = None, *, closed: bool = True) -> Schema:
    return {"type": "object", "properties": properties,
            "required": sorted(properties) if required is None else required,
            "additionalProperties": not closed}


# --- response schemas -------------------------------------------------------------------------------

def _shown(table: FieldTable) -> Schema:
    """A closed object of the table's shown fields; a dotted name's hash is closed too."""
    flat = {f.wire: f.schema for f in table if f.shown}
    props = {key: value for key, value in flat.items() if "." not in key}
    for head in dict.fromkeys(key.partition(".")[0] for key in flat if "." in key):
        props[head] = _object({key.partition(".")[2]: value for key, value in flat.items()
                               if key.startswith(head + ".")})
    return _object(props)


def client_schema() -> Schema:
    return _shown(fields.CLIENT)


def product_schema() -> Schema:
    return _shown(fields.PRODUCT)


def row_schema() -> Schema:
    types: dict[str, Schema] = {
        "id": INTEGER, "product_id": INTEGER, "discount": {"type": ["integer", "string"]}, "amount": DECIMAL,
        "text": STRING, "product_code": nullable(STRING), "product_name": STRING, "product_unit": STRING,
        "product_price": DECIMAL, "product_tax": {"type": ["integer", "string"]}, "text_row": BOOLEAN,
        "sort_order": INTEGER, "tax_deductible": BOOLEAN}
    assert set(types) == set(fields.ROW_FIELDS), "ROW_FIELDS changed: describe the new row field here"
    return _object(types)


DATE = {"type": "string", "format": "date"}
RECURRING_OUTPUT: dict[str, Schema] = {
    "recurring": {**BOOLEAN, "description": "the invoice is the template of a recurring definition; false once "
                                            "stopped"},
    "interval_period": {**nullable(INTEGER), "description": "months between invoices (null: a day or week "
                                                            "period set through another dialect)"},
    "auto_send": {**BOOLEAN, "description": "each new invoice is e-mailed to the client"},
    "start_recurring_from": {**DATE, "description": "the first new invoice's date"},
    "last_day_of_month": {**BOOLEAN, "description": "every new invoice is dated the last day of its month"},
}
assert set(RECURRING_OUTPUT) == set(fields.RECURRING_FIELDS), "describe the new recurring attribute here"


def invoice_schema() -> Schema:
    props: dict[str, Schema] = {
        "id": INTEGER, "number": nullable(INTEGER), "date": nullable({"type": "string", "format": "date"}),
        "client_id": nullable(INTEGER), "days": nullable(INTEGER),
        **{key: {"description": "text as given"} for key in fields.INVOICE_EXTRA},
        "sent": BOOLEAN, "paid_at": nullable({"type": "string", "format": "date"}),
        "locale": STRING, "currency": STRING,
        "settings": _object({"invoice_template": {}, "prices_inc_tax": {"type": "string", "enum": ["yes", "no"]},
                             "show_product_code": BOOLEAN}),
        "sum": {**DECIMAL, "description": "payable: SEK is rounded to whole kronor"}, "net": DECIMAL, "tax": DECIMAL,
        "tax_details": {"type": "object", "additionalProperties": DECIMAL, "examples": [{"25": "370.0"}]},
        "address": _object({"name": STRING, "street_address": STRING, "care_of": STRING, "zip_code": STRING,
                            "city": STRING, "country": STRING}),
        "rows": {"type": "array", "items": ref("Row")},
    }
    required = sorted(props)
    props.update(RECURRING_OUTPUT)  # only on invoices that are a recurring template
    return _object(props, required)


def payment_schema() -> Schema:
    return _object({"id": INTEGER, "paid_at": nullable({"type": "string", "format": "date"}), "amount": DECIMAL,
                    "invoice_id": INTEGER})


def one(name: str) -> Schema:
    return _object({"data": ref(name)})


def many(name: str) -> Schema:
    return _object({"data": {"type": "array", "items": ref(name)}, "paging": ref("Paging")})


# --- request schemas --------------------------------------------------------------------------------

def settings_input() -> Schema:
    return {"type": "object", "properties": {
        "invoice_delivery_method": {"type": "string", "enum": list(parse.DELIVERY_METHODS)},
        "e_invoice": BOOL_IN, "email_attach_pdf": BOOL_IN, "show_product_code": BOOL_IN,
        "invoice_days": INTEGER_IN, "locale": {"type": "string", "enum": list(parse.LOCALES)},
        "invoice_template": {"type": "string", "enum": list(parse.TEMPLATES)},
        "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
        "prices_inc_tax": {"type": ["string", "boolean"], "enum": [*parse.PRICES_INC_TAX, True, False]},
        "discount": NUMBER_IN, "tax": TAX_IN}}


def client_input() -> Schema:
    props = fields.CLIENT.input_schema()
    props.update({"company": {"type": "string", "maxLength": 255, "description": "required for companies"},
                  "client_type": {"type": "string", "enum": list(parse.CLIENT_TYPES)},
                  "settings": settings_input()})
    return {"type": "object", "properties": props}


def product_input() -> Schema:
    return {"type": "object", "properties": fields.PRODUCT.input_schema()}


def row_input() -> Schema:
    props: dict[str, Schema] = {
        "id": INTEGER_IN, "product_id": INTEGER_IN, "discount": NUMBER_IN, "amount": NUMBER_IN,
        "product_price": NUMBER_IN, "sort_order": INTEGER_IN, "product_tax": TAX_IN, "text_row": BOOL_IN,
        "tax_deductible": BOOL_IN, "_destroy": {**BOOL_IN, "description": "on update: remove the row with this id"},
        **{key: {"type": "string", "maxLength": fields.MAX_LENGTH[key]}
           for key in ("text", "product_code", "product_name", "product_unit")}}
    missing = set(fields.ROW_FIELDS) - set(props)
    assert not missing, f"describe the new row fields {missing}"
    return {"type": "object", "properties": props}


def invoice_input() -> Schema:
    return {"type": "object", "properties": {
        "client_id": {**INTEGER_IN, "description": "an existing client; or give `client`"},
        "client": ref("ClientInput"), "number": INTEGER_IN, "date": {"type": "string", "format": "date"},
        "days": INTEGER_IN, "our_reference": {"type": "string", "maxLength": 255},
        "your_reference": {"type": "string", "maxLength": 255},
        "locale": {"type": "string", "enum": list(parse.LOCALES)}, "currency": {"type": "string",
                                                                             "pattern": "^[A-Za-z]{3}$"},
        "settings": {"type": "object", "properties": {
            "prices_inc_tax": {"type": "string", "enum": list(parse.PRICES_INC_TAX)},
            "invoice_template": {"type": "string", "enum": list(parse.TEMPLATES)}, "show_product_code": BOOL_IN}},
        "rows": {"type": "array", "items": ref("RowInput"),
                 "description": f"required on create (else base: {ROWS_BLANK}); on update it replaces the rows"},
        "recurring": {**BOOL_IN, "description": "true: the invoice recurs (a recurring definition the engine runs); "
                                                "false on update stops it"},
        "interval_period": {**INTEGER_IN, "description": "months between invoices; default 1"},
        "auto_send": {**BOOL_IN, "description": "e-mail each new invoice to the client"},
        "start_recurring_from": {**DATE, "description": "the first new invoice's date; default one interval "
                                                        "after `date`"},
        "last_day_of_month": {**BOOL_IN, "description": "date every new invoice the last day of its month"}}}


# --- errors -----------------------------------------------------------------------------------------

def _error_body(status: int) -> Body:
    return json_body({"type": "object", "required": ["error"], "additionalProperties": False,
                      "properties": {"error": {"type": "string", "examples": [STATUS_MESSAGES.get(status)]}}})


RESPONSES: dict[str, Body] = {
    "Unauthorized": Body({"text/html": {"type": "string", "const": "HTTP Basic: Access denied.\n"}},
                         "Bad credentials or a deactivated account (Rails' Basic-auth answer)",
                         {"WWW-Authenticate": {"type": "string", "const": 'Basic realm="Application"'}}),
    "BadRequest": _error_body(400),
    "NotFound": _error_body(404),
    "TooLarge": _error_body(413),
    "RateLimited": _error_body(429),
    "Unprocessable": json_body({"anyOf": [
        _object({"errors": {"type": "object", "additionalProperties": {"type": "array"},
                            "examples": [{"client_id": [{"error": "blank"}]}]}}),
        _object({"error": {"type": "string", "examples": [NO_RECIPIENT]}})]},
        "Validation failed (errors.details), or a conflict / missing recipient as {\"error\": ...}"),
}
READ = {401: "Unauthorized", 404: "NotFound", 429: "RateLimited"}
WRITE = {**READ, 400: "BadRequest", 413: "TooLarge", 422: "Unprocessable"}
LIST = {**READ, 400: "BadRequest", 422: "Unprocessable"}  # list parameters may come in a JSON body
NO_CONTENT = Body({}, "No Content")


def _query(filters: dict[str, str], sorts: dict[str, str]) -> dict[str, Schema]:
    params: dict[str, Schema] = {"page": {"type": "integer", "minimum": 1},
                                 "per_page": {"type": "integer", "minimum": 1, "maximum": parse.MAX_PER_PAGE},
                                 "sort": {"type": "string", "description": "e.g. `+number,-name`; fields: "
                                          + ", ".join(sorts)}}
    params.update({name: {"type": "string"} for name in filters})
    return params


INVOICE_QUERY = {**_query({}, INVOICE_SORT), "number": {"type": "integer"}, "client_id": {"type": "integer"},
                 "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"}}


def _created(name: str) -> Body:
    return json_body(one(name), "Created", {"Location": {"type": "string"}})


@lru_cache(maxsize=1)
def operations() -> dict[str, Operation]:
    """Endpoint name (as given to @endpoint) -> its description."""
    return {
        "clients.list": Operation("List clients", {200: json_body(many("Client")), **LIST}, tag="clients",
                                  query=_query(CLIENT_FILTERS, CLIENT_SORT)),
        "clients.create": Operation("Create a client", {201: _created("Client"), **WRITE}, tag="clients",
                                    body=ref("ClientInput"), body_required=True),
        "clients.show": Operation("Get a client", {200: json_body(one("Client")), **READ}, tag="clients"),
        "clients.update": Operation("Update a client", {204: NO_CONTENT, **WRITE}, tag="clients",
                                    body=ref("ClientInput")),
        "clients.invoices": Operation("List a client's invoices", {200: json_body(many("Invoice")), **LIST},
                                      "The invoice list narrowed to this client (the gem's `client.invoices`); "
                                      "404 for a client that is not the account's.", "clients",
                                      query={k: v for k, v in INVOICE_QUERY.items() if k != "client_id"}),
        "products.list": Operation("List products", {200: json_body(many("Product")), **LIST}, tag="products",
                                   query=_query(PRODUCT_FILTERS, PRODUCT_SORT)),
        "products.create": Operation("Create a product", {201: _created("Product"), **WRITE}, tag="products",
                                     body=ref("ProductInput"), body_required=True),
        "products.show": Operation("Get a product", {200: json_body(one("Product")), **READ}, tag="products"),
        "products.update": Operation("Update a product", {204: NO_CONTENT, **WRITE}, tag="products",
                                     body=ref("ProductInput")),
        "products.delete": Operation("Delete a product", {204: NO_CONTENT, **WRITE}, tag="products"),
        "invoices.list": Operation("List invoices", {200: json_body(many("Invoice")), **LIST}, tag="invoices",
                                   query=INVOICE_QUERY),
        "invoices.create": Operation("Create an invoice", {201: _created("Invoice"), **WRITE},
                                     "To `client_id`, or to a new client given as `client`.", "invoices",
                                     body=ref("InvoiceInput"), body_required=True),
        "invoices.show": Operation("Get an invoice", {200: json_body(one("Invoice")), **READ}, tag="invoices"),
        "invoices.update": Operation("Update an invoice", {204: NO_CONTENT, **WRITE},
                                     "Only the given values change; `rows` replace the rows.", "invoices",
                                     body=ref("InvoiceInput")),
        "invoices.send": Operation("Send an invoice", {200: json_body(one("Invoice")), **WRITE},
                                   "By e-mail to the client's current address or as a letter; answers the "
                                   "invoice (now `sent: true`).", "invoices",
                                   body={"type": "object", "properties": {
                                       "delivery_method": {"type": "string", "enum": list(parse.SEND_METHODS)},
                                       "as_reminder": BOOL_IN}}),
        "payments.list": Operation("List an invoice's payments", {200: json_body(many("Payment")), **LIST},
                                   tag="payments", query=_query({}, {})),
        "payments.create": Operation("Record a payment", {201: _created("Payment"), **WRITE},
                                     "Without `amount` the unpaid remainder is paid.", "payments",
                                     body={"type": "object", "properties": {
                                         "paid_at": {"type": "string", "format": "date"}, "amount": NUMBER_IN}}),
    }


def schemas() -> dict[str, Schema]:
    return {
        "Client": client_schema(), "Product": product_schema(), "Invoice": invoice_schema(), "Row": row_schema(),
        "Payment": payment_schema(),
        "Paging": _object({"total_pages": {"type": "integer", "minimum": 1},
                           "current_page": {"type": "integer", "minimum": 1},
                           "next": nullable(STRING), "previous": nullable(STRING)}),
        "ClientInput": client_input(), "ProductInput": product_input(), "InvoiceInput": invoice_input(),
        "RowInput": row_input(),
    }


_CONVERTOR = re.compile(r"{(\w+):\w+}")


def mounted() -> list[tuple[str, str, str]]:
    """(METHOD, OpenAPI path, endpoint name) for every route the dialect mounts."""
    found = []
    for route in routes():
        assert isinstance(route, Route)
        name = ENDPOINT_NAMES[route.endpoint]
        for method in sorted(route.methods or ()):
            if method != "HEAD":  # Starlette adds HEAD to every GET
                found.append((method, _CONVERTOR.sub(r"{\1}", route.path), name))
    return found


SECURITY_SCHEMES: dict[str, Schema] = {
    "basic": {"type": "http", "scheme": "basic", "description": "key_id:password"},
    # "Token" is no registered HTTP auth scheme, so OpenAPI can only describe it as the raw header.
    "token": {"type": "apiKey", "in": "header", "name": "Authorization",
              "description": 'Token token="..." (the Ruby gem\'s use_token_auth): a fakturan_token credential'},
}


def document() -> Schema:
    ops = operations()
    return build_document(
        title=TITLE, version="2.0.0", description=DESCRIPTION,
        operations=[(method, path, ops[name]) for method, path, name in mounted()],
        schemas=schemas(), responses=RESPONSES,
        security_schemes=SECURITY_SCHEMES,
        tags=[("clients", "Clients"), ("products", "Products"), ("invoices", "Invoices and sending them"),
              ("payments", "An invoice's payments")])


# fakturan.nu features this gateway does not serve (none is documented well enough to copy).
# /docs lists them; tests/gateway/test_docs.py checks the two routable ones are refused.
NOT_BUILT: tuple[tuple[str, str], ...] = (
    ("DELETE /api/v2/invoices/{id}", "Deleting invoices (405)"),
    ("DELETE /api/v2/clients/{id}", "Deleting clients (405)"),
    ("POST /api/v2/accounts", "Partner account creation (404)"),
    ("PDF", "Invoice PDF download"),
)


def docs(document_url: str) -> DialectDocs:
    """Its /docs section: the mounted routes, summarised by their OpenAPI operations."""
    summaries = {name: operation.summary for name, operation in operations().items()}
    endpoints = [Endpoint(method, path, summaries[name]) for method, path, name in mounted()]
    return DialectDocs("fakturan", "fakturan.nu API v2", 'HTTP Basic key_id:password, or Token token="..."',
                       document_url, endpoints, list(NOT_BUILT))
