"""The isolation matrix: account B's valid credentials against account A's ids, in every dialect,
on every route and action, plus list filters, public tokens and credentials mixed across accounts.

The cells are generated from the route tables (InvoiceOcean's ROUTES in json and xml, fakturan's
routes(), INVO's resource/action registry, the public routes), so a route added without a cell
fails `test_every_route_and_action_has_a_cell`. Each cell names the answers it allows:

    not_found     the dialect's own not-found (InvoiceOcean 404, fakturan 404, INVO code 6, public 404)
    unauthorized  the dialect's own refusal of the credentials (401, INVO code 1)
    refused       a validation answer for a body that points at A's record (422, INVO code 8):
                  the record does not exist for B, said in the create's own words
    own           a success about B's own data only (lists filtered to A's ids, B's own creates)
    unavailable   INVO code 10 (reports)

Every answer, whatever the cell, must not contain any of A's distinctive strings (names, e-mail,
invoice number, token), no list may carry one of A's ids, and A's records read back the same after
the whole matrix as before it.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text
from starlette.routing import Route
from starlette.testclient import TestClient

from dialects.fakturan.routes import routes as fakturan_routes
from dialects.invo.resources import REGISTRY
from dialects.invoiceocean.routes import ROUTES
from dialects.invoiceocean.xml import XmlRejected, parse_xml
from gateway.public import routes as public_routes

MARK = "Quarkfeld"  # in every name A's records carry; B's requests never contain it
A_BANK_NUMBER = "PL61 1090 1014 0000 0712 1981 2874"  # B may give the same number: it must not find A's account
FORMATS = ("json", "xml")
PATH_PARAM = re.compile(r"\{\w+(?::\w+)?\}")  # {id}, {id:int}, {invoice_id:recid}, ...
ALLOWED = frozenset({"not_found", "unauthorized", "refused", "own", "unavailable"})


# ---- account A's world ---------------------------------------------------------------------------
@dataclass
class World:
    client: TestClient
    a: dict[str, Any]
    b: dict[str, Any]
    ids: dict[str, int] = field(default_factory=dict)
    number: str = ""
    token: str = ""  # the public token of A's invoice

    @property
    def secrets(self) -> list[str]:
        """Strings only A's data contains: none may appear in an answer to B."""
        return [MARK, MARK.lower(), self.number, self.token, "zenobia@" + MARK.lower() + ".example"]


def _io(client: TestClient, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = client.request(method, f"{path}?api_token={token}", content=json.dumps(body or {}).encode(),
                              headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert response.status_code in (200, 201), (path, response.text)
    return response.json()


def _invo(client: TestClient, creds: dict[str, str], resource: str, q: dict[str, Any]) -> Any:
    response = client.post("/api.json", data={"r": resource, "q": json.dumps(q)}, auth=(creds["login"],
                                                                                       creds["password"]))
    answer = json.loads(response.text, parse_float=Decimal)
    assert "error" not in answer, (resource, q, answer)
    return answer


def build_world(client: TestClient, a: dict[str, Any], b: dict[str, Any]) -> World:
    """A's records of every kind the routes name, created through the dialects as a client would."""
    world = World(client, a, b)
    token = a["invoiceocean"]["api_token"]
    io = lambda method, path, body=None: _io(client, token, method, path, body)  # noqa: E731
    ids = world.ids
    ids["department"] = io("POST", "/departments.json",
                           {"department": {"name": f"{MARK} Dept", "shortcut": "QD"}})["id"]
    ids["client"] = io("POST", "/clients.json", {"client": {
        "name": f"Zenobia {MARK} Sp. z o.o.", "tax_no": "5252445767", "email": f"zenobia@{MARK.lower()}.example",
        "city": f"{MARK}ville"}})["id"]
    ids["product"] = io("POST", "/products.json", {"product": {"name": f"{MARK} Hyperdrive", "code": "QH-77",
                                                               "price_net": "100", "tax": "23"}})["id"]
    ids["price_list"] = io("POST", "/price_lists.json", {"price_list": {
        "name": f"{MARK} Prices", "currency": "PLN", "price_list_positions_attributes": {"0": {
            "priceable_id": ids["product"], "priceable_type": "Product", "price_net": "111.0",
            "price_gross": "136.53", "tax": "23", "use_tax": "1"}}}})["id"]
    ids["issuer"] = io("POST", "/issuers.json", {"issuer": {"name": f"{MARK} Issuer", "tax_no": "4170106662"}})["id"]
    ids["bank_account"] = io("POST", "/bank_accounts.json", {"bank_account": {
        "name": f"{MARK} account", "bank_name": f"{MARK} Bank", "bank_account_number": A_BANK_NUMBER,
        "bank_account_version_departments": [{"department_id": ids["department"], "show_on_invoice": True}]}})["id"]
    invoice = io("POST", "/invoices.json", {"invoice": {
        "kind": "vat", "number": f"{MARK.upper()}/77", "client_id": ids["client"], "department_id": ids["department"],
        "buyer_name": f"Zenobia {MARK} Sp. z o.o.", "positions": [
            {"product_id": ids["product"], "name": f"{MARK} Hyperdrive", "tax": 23, "total_price_gross": "123.00",
             "quantity": 1}]}})
    ids["invoice"], world.number, world.token = invoice["id"], invoice["number"], invoice["token"]
    ids["position"] = invoice["positions"][0]["id"]
    ids["recurring"] = io("POST", "/recurrings.json", {"recurring": {
        "name": f"{MARK} monthly", "invoice_id": ids["invoice"], "start_date": "2030-01-01", "every": "1m"}})["id"]
    ids["payment"] = io("POST", "/banking/payments.json", {"banking_payment": {
        "name": f"{MARK} payment", "price": "10.00", "invoice_id": ids["invoice"], "paid": True}})["id"]
    ids["webhook"] = io("POST", "/webhooks.json", {"webhook": {  # inactive: it posts nowhere during the test
        "kind": "client:create", "url": "https://192.0.32.10/hook", "api_token": MARK, "active": False}})["id"]
    ids["category"] = io("POST", "/categories.json", {"category": {"name": f"{MARK} goods"}})["id"]
    ids["warehouse"] = io("POST", "/warehouses.json", {"warehouse": {"name": f"{MARK} store"}})["id"]
    ids["warehouse_document"] = io("POST", "/warehouse_documents.json", {"warehouse_document": {
        "kind": "pz", "warehouse_id": ids["warehouse"], "client_name": f"Zenobia {MARK}", "warehouse_actions": [
            {"product_id": ids["product"], "quantity": 5}]}})["id"]
    ids["warehouse_action"] = io("GET", f"/warehouse_documents/{ids['warehouse_document']}.json")[
        "warehouse_actions"][0]["id"]
    invo = a["invo"]
    ids["unit"] = _invo(client, invo, "dictionaries", {"action": "add", "what": "units", "c3": f"{MARK} unit",
                                                        "c4": "qfu", "c5": 2})["id"]
    ids["scan"] = _invo(client, invo, "files", {"action": "cost", "id": ids["invoice"], "fname": f"{MARK}.pdf",
                                                "ftype": ".pdf",
                                                "file": base64.b64encode(b"%PDF-1.4 q").decode()})["id"]
    return world


def snapshot(world: World) -> dict[str, Any]:
    """Everything of A's, read with A's own credentials in all three dialects."""
    client, token, ids = world.client, world.a["invoiceocean"]["api_token"], world.ids
    out: dict[str, Any] = {}
    for path in ("/invoices", "/clients", "/products", "/departments", "/price_lists", "/recurrings",
                 "/banking/payments", "/issuers", "/bank_accounts", "/webhooks", "/categories", "/warehouses",
                 "/warehouse_documents", "/warehouse_actions"):
        out[path] = client.get(f"{path}.json?api_token={token}&period=all").json()
    for name, path in (("invoice", "invoices"), ("client", "clients"), ("product", "products"),
                       ("department", "departments"), ("price_list", "price_lists"), ("recurring", "recurrings"),
                       ("payment", "banking/payments"), ("issuer", "issuers"), ("bank_account", "bank_accounts"),
                       ("webhook", "webhooks"), ("category", "categories"), ("warehouse", "warehouses"),
                       ("warehouse_document", "warehouse_documents")):
        out[name] = client.get(f"/{path}/{ids[name]}.json?api_token={token}").json()
    out["stock"] = client.get(f"/products/{ids['product']}.json?api_token={token}"
                              f"&warehouse_id={ids['warehouse']}").json()
    out["invo"] = _invo(client, world.a["invo"], "invoices", {"action": "list", "id": ids["invoice"], "items": 1})
    out["invo_units"] = _invo(client, world.a["invo"], "dictionaries", {"action": "list", "what": "units"})
    out["invo_scans"] = _invo(client, world.a["invo"], "files", {"action": "list", "id": ids["invoice"]})
    key = world.a["fakturan"]
    out["fakturan"] = client.get(f"/api/v2/invoices/{ids['invoice']}", auth=(key["key_id"], key["password"])).json()
    return out


# ---- cells ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    dialect: str  # invoiceocean | fakturan | invo | public
    key: str  # what it covers: "GET /invoices/{id}.{fmt}", "invo invoices.edit", ...
    method: str
    path: str
    allowed: frozenset[str]
    body: Any = None
    fmt: str = "json"
    auth: tuple[str, str] | None = None  # Basic credentials; default: B's for the dialect
    headers: tuple[tuple[str, str], ...] = ()
    list_of: str = ""  # for own-data lists: the entity whose A id must not be listed


def _allow(*kinds: str) -> frozenset[str]:
    assert set(kinds) <= ALLOWED
    return frozenset(kinds)


# InvoiceOcean: the entity a path's {id} names, by its first segment.
IO_ENTITY = {"invoices": "invoice", "clients": "client", "products": "product", "departments": "department",
             "price_lists": "price_list", "recurrings": "recurring", "banking": "payment", "issuers": "issuer",
             "bank_accounts": "bank_account", "webhooks": "webhook", "categories": "category",
             "warehouses": "warehouse", "warehouse_documents": "warehouse_document"}
# The wrapper key and a harmless change, for the id routes that take a body.
IO_CHANGE = {"invoice": {"invoice": {"buyer_name": "hijacked", "positions": [{"id": 0, "_destroy": 1}]}},
             "client": {"client": {"name": "hijacked"}}, "product": {"product": {"name": "hijacked"}},
             "department": {"department": {"name": "hijacked"}}, "price_list": {"price_list": {"name": "hijacked"}},
             "recurring": {"recurring": {"name": "hijacked"}}, "payment": {"banking_payment": {"name": "hijacked"}},
             "issuer": {"issuer": {"name": "hijacked"}}, "bank_account": {"bank_account": {"name": "hijacked"}},
             "webhook": {"webhook": {"url": "https://192.0.32.11/hijacked", "active": True}},
             "category": {"category": {"name": "hijacked"}}, "warehouse": {"warehouse": {"name": "hijacked"}},
             "warehouse_document": {"warehouse_document": {"client_name": "hijacked", "warehouse_actions": []}}}


def _io_non_id_cells(world: World, name: str, method: str, path: str, fmt: str) -> list[Cell]:
    """Routes without an {id}: lists filtered to A's records, creates that point at A's records."""
    ids, key = world.ids, f"{method} {path}"
    p = path.replace("{fmt}", fmt)
    own = _allow("own")
    pointed = _allow("not_found", "refused")
    line = {"name": "B line", "tax": 23, "total_price_gross": "12.30", "quantity": 1}
    lists: dict[str, list[tuple[str, str]]] = {
        "invoices.list": [("invoice", f"client_id={ids['client']}&period=all"),
                          ("invoice", f"invoice_ids={ids['invoice']}&period=all"),
                          ("invoice", f"number={world.number}&period=all"),
                          ("invoice", f"department_id={ids['department']}&period=all&include_positions=true")],
        "clients.list": [("client", "email=zenobia%40quarkfeld.example"), ("client", "tax_no=5252445767"),
                         ("client", "")],
        "departments.list": [("department", "")], "price_lists.list": [("price_list", "")],
        "recurrings.list": [("recurring", "")], "issuers.list": [("issuer", "")],
        "bank_accounts.list": [("bank_account", "")],
        "payments.list": [("payment", f"invoice_id={ids['invoice']}"), ("payment", "")],
        "webhooks.list": [("webhook", "")],
        "products.list": [("product", "page=1"), ("product", "warehouse_id=1"),
                          ("product", f"warehouse_id={ids['warehouse']}"),
                          ("product", f"category_id={ids['category']}")],
        "categories.list": [("category", "")], "warehouses.list": [("warehouse", "")],
        "warehouse_documents.list": [("warehouse_document", ""),
                                     ("warehouse_document", f"warehouse_id={ids['warehouse']}")],
        "warehouse_actions.list": [("warehouse_action", ""), ("warehouse_action", f"product_id={ids['product']}"),
                                   ("warehouse_action", f"warehouse_id={ids['warehouse']}"),
                                   ("warehouse_action", f"warehouse_document_id={ids['warehouse_document']}"),
                                   ("warehouse_action", f"to_warehouse_document={ids['warehouse_document']}")],
    }
    creates: dict[str, list[dict[str, Any]]] = {
        "invoices.create": [{"invoice": {"kind": "vat", "client_id": ids["client"], "positions": [line]}},
                            {"invoice": {"copy_invoice_from": ids["invoice"], "kind": "vat"}},
                            {"invoice": {"kind": "correction", "from_invoice_id": ids["invoice"],
                                         "invoice_id": ids["invoice"], "buyer_name": "B",
                                         "positions": [{**line, "correction_before_attributes": {
                                             **line, "quantity": 2}}]}},
                            {"invoice": {"kind": "vat", "buyer_name": "B", "department_id": ids["department"],
                                         "positions": [line]}},
                            {"invoice": {"kind": "vat", "buyer_name": "B", "use_prices_from_price_lists": True,
                                         "price_list_id": ids["price_list"],
                                         "positions": [{"product_id": ids["product"], "quantity": 1}]}}],
        "invoices.cancel": [{"cancel_invoice_id": ids["invoice"], "cancel_reason": "x"}],
        "price_lists.create": [{"price_list": {"name": "B prices", "price_list_positions_attributes": [{
            "priceable_id": ids["product"], "priceable_type": "Product", "price_net": "1", "tax": "23"}]}}],
        "bank_accounts.create": [{"bank_account": {
            "bank_account_number": "PL11 1111 1111 1111 1111 1111 1111",
            "bank_account_version_departments": [{"department_id": ids["department"], "show_on_invoice": True}]}}],
        "recurrings.create": [{"recurring": {"name": "B rec", "invoice_id": ids["invoice"],
                                             "start_date": "2030-01-01", "every": "1m"}}],
        "payments.create": [{"banking_payment": {"name": "B pay", "price": "1.00", "invoice_id": ids["invoice"]}},
                            {"banking_payment": {"name": "B pay", "price": "1.00",
                                                 "invoice_ids": [ids["invoice"]]}}],
    }
    creates["warehouse_documents.create"] = [
        {"warehouse_document": {"kind": "pz", "warehouse_id": ids["warehouse"], "warehouse_actions": [
            {"product_name": "B goods", "quantity": 1}]}},
        {"warehouse_document": {"kind": "pz", "warehouse_id": ids["warehouse"], "warehouse_actions": [
            {"product_id": ids["product"], "quantity": 1}]}},
        {"warehouse_document": {"kind": "pz", "warehouse_id": ids["warehouse"], "invoice_ids": [ids["invoice"]]}}]
    creates["invoices.create"].append({"invoice": {"kind": "vat", "buyer_name": "B", "warehouse_id": ids["warehouse"],
                                                   "category_id": ids["category"], "positions": [line]}})
    own_creates = {"clients.create": {"client": {"name": "B client"}},
                   "categories.create": {"category": {"name": "B category"}},
                   "warehouses.create": {"warehouse": {"name": "B store"}},
                   "products.create": {"product": {"name": "B product", "price_net": "1", "tax": "23"}},
                   "departments.create": {"department": {"name": "B dept", "shortcut": "BD"}},
                   "issuers.create": {"issuer": {"name": "B issuer"}},
                   "webhooks.create": {"webhook": {"kind": "client:create", "url": "https://192.0.32.10/b",
                                                   "active": False}}}
    if name in lists:
        return [Cell("invoiceocean", key, "GET", f"{p}?{query}", own, fmt=fmt, list_of=entity)
                for entity, query in lists[name]]
    if name in creates:
        cells = [Cell("invoiceocean", key, method, p, pointed, body, fmt) for body in creates[name]]
        if name == "invoices.create":  # A's bank account number: B's own account is made, A's is never found
            cells.append(Cell("invoiceocean", key, method, p, own, {"invoice": {
                "kind": "vat", "buyer_name": "B", "positions": [line],
                "bank_accounts": [{"bank_account_number": A_BANK_NUMBER}]}}, fmt))
        return cells
    if name in own_creates:
        return [Cell("invoiceocean", key, method, p, own, own_creates[name], fmt)]
    if name == "account.get":  # B's own account
        return [Cell("invoiceocean", key, method, p, own, fmt=fmt)]
    if name == "account.login":  # logins are global: A's login with B's password, and B's login with A's
        a, b = world.a["invo"], world.b["invo"]
        return [Cell("invoiceocean", key, method, p, _allow("unauthorized"), {"login": login, "password": password},
                     fmt) for login, password in ((a["login"], b["password"]), (b["login"], a["password"]))]
    if name == "clients.check":  # A's client's e-mail: B's account has no such client
        return [Cell("invoiceocean", key, "GET", f"{p}?email=zenobia%40quarkfeld.example&password=x", _allow(
            "not_found"), fmt=fmt)]
    return []  # uncovered: test_every_route_and_action_has_a_cell says which


def invoiceocean_cells(world: World) -> list[Cell]:
    cells: list[Cell] = []
    for method, path, _handler, name in ROUTES:
        for fmt in (FORMATS if "{fmt}" in path else ("pdf",)):
            if "{id}" not in path:
                cells += _io_non_id_cells(world, name, method, path, fmt)
                continue
            entity = IO_ENTITY[path.strip("/").split("/")[0]]
            concrete = path.replace("{id}", str(world.ids[entity])).replace("{fmt}", fmt)
            body = None
            if method in ("PUT", "PATCH"):
                body = IO_CHANGE[entity]
            elif name == "invoices.change_status":
                concrete += "?status=paid"
            elif name == "invoices.send_by_email":
                body = {"email_to": "attacker@evil.example", "force": True}
            elif name == "invoices.cancel":
                body = {"cancel_reason": "hijacked"}
            elif name == "invoices.attachment":
                concrete += "?kind=peppol"
            cells.append(Cell("invoiceocean", f"{method} {path}", method, concrete, _allow("not_found"), body, fmt))
    # Mixed credentials: B's token under A's prefix, in the token and in the host.
    b_token = world.b["invoiceocean"]["api_token"].partition("/")[0]
    a_prefix = world.a["prefix"]
    for fmt in FORMATS:
        cells.append(Cell("invoiceocean", "B token with A's prefix", "GET",
                          f"/invoices/{world.ids['invoice']}.{fmt}?api_token={b_token}/{a_prefix}",
                          _allow("unauthorized"), fmt=fmt))
        cells.append(Cell("invoiceocean", "B token on A's host", "GET", f"/invoices.{fmt}?api_token={b_token}",
                          _allow("unauthorized"), fmt=fmt, headers=(("host", f"{a_prefix}.localhost"),)))
    return cells


def fakturan_cells(world: World) -> list[Cell]:
    ids, cells = world.ids, []
    own, gone = _allow("own"), _allow("not_found")
    row = {"product_name": "B row", "amount": 1, "product_price": 10, "product_tax": 25}
    for route in fakturan_routes():
        assert isinstance(route, Route)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            key, path = f"{method} {route.path}", route.path
            if PATH_PARAM.search(path):
                entity = {"clients": "client", "products": "product", "invoices": "invoice"}[path.split("/")[3]]
                concrete = PATH_PARAM.sub(str(ids[entity]), path)
                body = {"paid_at": "2024-05-02", "amount": "1.00"} if concrete.endswith("/payments") else (
                    {"delivery_method": "email"} if concrete.endswith("/send") else {"company": "hijacked"}
                    if entity == "client" else {"name": "hijacked"} if entity == "product" else
                    {"our_reference": "hijacked", "rows": [{**row, "_destroy": True}]})
                cells.append(Cell("fakturan", key, method, concrete, gone, None if method == "GET" else body))
            elif method == "GET":
                filters = {"/api/v2/invoices": [("invoice", f"client_id={ids['client']}"),
                                                ("invoice", "number=1"), ("invoice", "start_date=2000-01-01")],
                           "/api/v2/clients": [("client", "org_number=5252445767"), ("client", "")],
                           "/api/v2/products": [("product", "product_code=QH-77"), ("product", "")]}[path]
                cells += [Cell("fakturan", key, method, f"{path}?{query}", own, list_of=entity)
                          for entity, query in filters]
            elif path.endswith("/invoices"):
                cells.append(Cell("fakturan", key, method, path, _allow("refused", "not_found"),
                                  {"client_id": ids["client"], "date": "2024-05-02", "rows": [row]}))
                cells.append(Cell("fakturan", key, method, path, _allow("refused", "not_found"),
                                  {"client_id": ids["client"], "rows": [{**row, "product_id": ids["product"]}]}))
            else:
                body = {"company": "B AB"} if path.endswith("/clients") else {"name": "B product"}
                cells.append(Cell("fakturan", key, method, path, own, body))
    # A's key id with B's password, and B's key id with A's password.
    a_key, b_key = world.a["fakturan"], world.b["fakturan"]
    for key_id, password in ((a_key["key_id"], b_key["password"]), (b_key["key_id"], a_key["password"])):
        cells.append(Cell("fakturan", "mixed key and password", "GET", f"/api/v2/invoices/{ids['invoice']}",
                          _allow("unauthorized"), auth=(key_id, password)))
    return cells


def invo_queries(world: World) -> dict[tuple[str, str], list[tuple[dict[str, Any], frozenset[str]]]]:
    ids = world.ids
    gone, own, refused = _allow("not_found"), _allow("own"), _allow("refused", "not_found")
    item = {"product": "B item", "count": 1, "pnetto": 10, "vatsm": "23%"}
    listed = _allow("own", "not_found")
    return {
        ("login", "check"): [({}, own)],
        ("invoices", "list"): [({"id": ids["invoice"]}, gone), ({"id": ids["invoice"], "items": 1}, gone),
                               ({"c1id": ids["client"]}, listed), ({"include_product": ids["product"]}, listed),
                               ({"nrdoc": world.number}, listed), ({"search": MARK}, listed)],
        ("invoices", "add"): [({"c1id": ids["client"], "items": [item]}, refused),
                              ({"c1name": "B", "c2id": ids["client"], "items": [item]}, refused),
                              ({"type2": "+KOR", "kid": ids["invoice"], "c1name": "B", "items": [item]}, refused),
                              ({"c1name": "B", "items": [{**item, "unitid": ids["unit"]}]}, refused)],
        ("invoices", "edit"): [({"id": ids["invoice"], "notices": "hijacked"}, gone)],
        ("invoices", "status"): [({"id": ids["invoice"], "value": 5}, gone)],
        ("invoices", "delete"): [({"id": ids["invoice"]}, gone)],
        ("invoices", "default"): [({"type2": "+FV"}, own), ({"nrx": 77}, own)],
        ("items", "list"): [({"did": ids["invoice"]}, gone), ({"did": ids["invoice"], "bef": 1}, gone)],
        ("customers", "list"): [({"id": ids["client"]}, gone), ({"name": f"%{MARK}%", "icase": 1}, listed)],
        ("customers", "add"): [({"name": "B customer"}, own)],
        ("customers", "edit"): [({"id": ids["client"], "name": "hijacked"}, gone)],
        ("customers", "delete"): [({"id": ids["client"]}, gone)],
        ("products", "list"): [({"id": ids["product"]}, gone), ({"search": "QH-77"}, listed)],
        ("products", "add"): [({"name": "B product", "pnetto": 1}, own)],
        ("products", "edit"): [({"id": ids["product"], "name": "hijacked"}, gone)],
        ("products", "delete"): [({"id": ids["product"]}, gone)],
        ("dictionaries", "list"): [({"what": "units"}, own)],
        ("dictionaries", "add"): [({"what": "units", "c3": "B unit", "c4": "bu"}, own)],
        ("dictionaries", "edit"): [({"what": "units", "id": ids["unit"], "c3": "hijacked"}, gone)],
        ("dictionaries", "delete"): [({"what": "units", "id": ids["unit"]}, gone)],
        ("files", "get"): [({"id": ids["invoice"]}, gone), ({"id": ids["scan"], "what": 1}, gone),
                           ({"id": ids["invoice"], "what": 2}, gone)],
        ("files", "send"): [({"id": ids["invoice"], "email": "attacker@evil.example"}, gone)],
        ("files", "cost"): [({"id": ids["invoice"], "fname": "b.pdf", "ftype": ".pdf",
                              "file": base64.b64encode(b"%PDF-1.4 b").decode()}, refused)],
        ("files", "list"): [({"id": ids["invoice"]}, listed), ({"idate": "2000-01-01|2100-01-01"}, own)],
        ("bookkeeping", "list"): [({"what": "sales", "mdate": "2000-01-01|2100-12-31"}, own)],
        ("reports", "list"): [({}, _allow("unavailable"))],
        ("reports", "get"): [({"id": 1}, _allow("unavailable"))],
    }


def invo_cells(world: World) -> list[Cell]:
    cells = []
    for (resource, action), cases in invo_queries(world).items():
        for q, allowed in cases:
            body = {"r": resource, "q": json.dumps({**({} if resource == "login" else {"action": action}), **q})}
            cells.append(Cell("invo", f"invo {resource}.{action}", "POST", "/api.json", allowed, body))
    a_login, b_pass = world.a["invo"]["login"], world.b["invo"]["password"]
    cells.append(Cell("invo", "A's login with B's password", "POST", "/api.json", _allow("unauthorized"),
                      {"r": "invoices", "q": json.dumps({"action": "list", "id": world.ids["invoice"]})},
                      auth=(a_login, b_pass)))
    return cells


def _altered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def public_cells(world: World) -> list[Cell]:
    """The token is the credential: an id, B's guess, or the right token under a wrong number find nothing."""
    dashed = world.number.replace("/", "-")
    wrong = _altered(world.token)
    gone = _allow("not_found")
    concrete = {"/invoice/payment/{token}": [f"/invoice/payment/{wrong}", f"/invoice/payment/{world.ids['invoice']}"],
                "/invoice/{token}.pdf": [f"/invoice/{wrong}.pdf", f"/invoice/{world.ids['invoice']}.pdf"],
                "/invoice/{token}": [f"/invoice/{wrong}", f"/invoice/{world.ids['invoice']}",
                                     f"/invoice/{world.token.lower()}"],
                "/f/{number}/{token}.pdf": [f"/f/{dashed}/{wrong}.pdf", f"/f/X-{dashed}/{world.token}.pdf"],
                "/f/{number}/{token}": [f"/f/{dashed}/{wrong}", f"/f/1-2024/{world.token}"]}
    return [Cell("public", f"GET {route.path}", "GET", path, gone)
            for route in public_routes() for path in concrete[route.path]]


def all_cells(world: World) -> list[Cell]:
    return [*invoiceocean_cells(world), *fakturan_cells(world), *invo_cells(world), *public_cells(world)]


# ---- sending a cell and judging the answer ---------------------------------------------------------
def _xml(value: Any, tag: str) -> str:
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml(v, k) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        return f'<{tag} type="array">' + "".join(_xml(v, tag.rstrip("s")) for v in value) + f"</{tag}>"
    return f"<{tag}>{'' if value is None else str(value).lower() if isinstance(value, bool) else value}</{tag}>"


def send(world: World, cell: Cell) -> Any:
    client, headers = world.client, dict(cell.headers)
    if cell.dialect == "invoiceocean":
        token = world.b["invoiceocean"]["api_token"]
        path = cell.path if "api_token=" in cell.path else (
            f"{cell.path}{'&' if '?' in cell.path else '?'}api_token={token}")
        content = None
        if cell.body is not None:
            if cell.fmt == "xml":
                content = _xml(cell.body, "request").encode() if len(cell.body) > 1 else \
                    _xml(next(iter(cell.body.values())), next(iter(cell.body))).encode()
                headers["content-type"] = "application/xml"
            else:
                content = json.dumps(cell.body).encode()
                headers["content-type"] = "application/json"
        return client.request(cell.method, path, content=content, headers=headers)
    if cell.dialect == "fakturan":
        key = world.b["fakturan"]
        auth = cell.auth or (key["key_id"], key["password"])
        content = json.dumps(cell.body).encode() if cell.body is not None else None
        if content is not None:
            headers["content-type"] = "application/json"
        return client.request(cell.method, cell.path, content=content, headers=headers, auth=auth)
    if cell.dialect == "invo":
        creds = cell.auth or (world.b["invo"]["login"], world.b["invo"]["password"])
        return client.post(cell.path, content=urlencode(cell.body).encode(), auth=creds,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    return client.get(cell.path)


def _row_ids(value: Any) -> set[int]:
    """The record ids of a list answer: a bare array, fakturan's {"data":[...]}, INVO's {"rows":[...]}
    (whose dictionary rows name their id c1). Nested ids (positions) are other tables' and not looked at."""
    rows = value.get("data", value.get("rows", [])) if isinstance(value, dict) else value
    assert isinstance(rows, list), value
    return {int(row.get("id", row.get("c1", 0))) for row in rows if isinstance(row, dict)}


def classify(world: World, cell: Cell, response: Any) -> str:
    """The kind of answer, judged strictly by the dialect's own documented shapes; "data" otherwise."""
    status, body_text = response.status_code, response.text
    if cell.dialect == "public":
        return "not_found" if status == 404 and "text/html" in response.headers["content-type"] else "data"
    if cell.dialect == "invo":
        answer = json.loads(body_text, parse_float=Decimal)
        code = answer.get("error")
        if code is not None:
            return {6: "not_found", 1: "unauthorized", 8: "refused", 10: "unavailable"}.get(code, f"invo {code}")
        return "own" if status == 200 else "data"
    if cell.dialect == "fakturan":
        if status == 404:
            return "not_found" if response.json() == {"error": "404 Not Found"} else "data"
        if status == 401:
            return "unauthorized" if body_text == "HTTP Basic: Access denied.\n" else "data"
        if status == 422:
            return "refused" if "errors" in response.json() else "data"
        return "own" if status in (200, 201, 204) else f"http {status}"
    # InvoiceOcean, JSON or XML (the PDF route answers errors as JSON)
    if status == 200 and body_text == "brak klienta":  # clients/check's documented "no such client"
        return "not_found"
    if cell.fmt == "xml":
        try:
            _root, value = parse_xml(response.content)
        except XmlRejected:
            return "not XML"
        message = value.get("message") if isinstance(value, dict) else None
    else:
        value = response.json() if "json" in response.headers.get("content-type", "") else body_text
        message = value.get("message") if isinstance(value, dict) else None
    if status == 404:
        return "not_found" if message == "Not found" else "data"
    if status == 401:
        return "unauthorized" if message == "You must be logged in to gain access to the site" else "data"
    if status == 422:
        return "refused"
    return "own" if status in (200, 201) else f"http {status}"


def check_cell(world: World, cell: Cell) -> str:
    response = send(world, cell)
    kind = classify(world, cell, response)
    where = f"{cell.dialect} {cell.method} {cell.path} {cell.body!r:.200}"
    assert kind in cell.allowed, f"{where}: {kind} ({response.status_code}) {response.text[:300]}"
    assert response.status_code < 500, where
    lowered = response.text.lower()
    for secret in world.secrets:
        assert secret.lower() not in lowered, f"{where}: A's {secret!r} in the answer"
    if kind == "own" and cell.list_of:
        listed = _row_ids(response.json() if cell.fmt != "xml" else parse_xml(response.content)[1] or [])
        assert world.ids[cell.list_of] not in listed, f"{where}: A's {cell.list_of} is listed"
    if cell.dialect == "invo" and kind == "own" and cell.key == "invo login.check":
        assert response.json()["cid"] == world.b["account_id"]
    return kind


# ---- the tests -----------------------------------------------------------------------------------
@pytest.fixture
def world(client: TestClient, account: dict[str, Any], other_account: dict[str, Any]) -> World:
    return build_world(client, account, other_account)


def test_account_b_gets_only_not_found_or_unauthorized_for_account_a_in_every_cell(world: World) -> None:
    before = snapshot(world)
    cells = all_cells(world)
    kinds: dict[str, int] = {}
    for cell in cells:
        kind = check_cell(world, cell)
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"\nisolation matrix: {len(cells)} cells checked: {kinds}")
    assert snapshot(world) == before, "one of A's records changed"
    assert len(cells) >= 150


def test_every_route_and_action_has_a_cell(client: TestClient, account: dict[str, Any],
                                          other_account: dict[str, Any]) -> None:
    """A route or INVO action added without a cell here fails this test, naming it."""
    world = build_world(client, account, other_account)
    covered = {(cell.key, cell.fmt) for cell in all_cells(world)}
    missing = []
    for method, path, _handler, _name in ROUTES:
        for fmt in (FORMATS if "{fmt}" in path else ("pdf",)):
            if (f"{method} {path}", fmt) not in covered:
                missing.append(f"invoiceocean {method} {path} ({fmt})")
    keys = {key for key, _fmt in covered}
    for route in fakturan_routes():
        assert isinstance(route, Route)
        missing += [f"fakturan {m} {route.path}" for m in (route.methods or set()) - {"HEAD"}
                    if f"{m} {route.path}" not in keys]
    missing += [f"invo {r}.{a}" for r, actions in REGISTRY.items() for a in actions if f"invo {r}.{a}" not in keys]
    missing += [f"public {route.path}" for route in public_routes() if f"GET {route.path}" not in keys]
    assert missing == [], "give these routes cells in test_isolation_matrix.py"


# ---- revocation: the very next request is refused ------------------------------------------------
def _revoke_invo_login(ledger: Any, account_id: int, login: str) -> None:
    from core.credentials import CredentialRef, list_credentials, revoke_credential

    def revoke(session: Any) -> None:
        [ref] = [c.ref for c in list_credentials(session, account_id) if c.kind == "invo_login"
                 and c.identity.split()[0] == login]
        revoke_credential(session, account_id, CredentialRef(ref.kind, ref.id))
    ledger.write(revoke)


def test_revoked_credentials_are_refused_on_the_very_next_request(client: TestClient, account: dict[str, Any],
                                                                 ledger: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    key = (account["fakturan"]["key_id"], account["fakturan"]["password"])
    login = (account["invo"]["login"], account["invo"]["password"])
    invo_body = {"r": "invoices", "q": json.dumps({"action": "list"})}
    # Each works, and the password checks are now in the verified cache.
    assert client.get(f"/invoices.json?api_token={token}").status_code == 200
    assert client.get("/api/v2/invoices", auth=key).status_code == 200
    assert "rows" in client.post("/api.json", data=invo_body, auth=login).json()

    def revoke_rows(session: Any) -> None:
        session.execute(text("UPDATE credentials SET revoked_at = CURRENT_TIMESTAMP WHERE account_id = :a"),
                        {"a": account["account_id"]})
    ledger.write(revoke_rows)
    _revoke_invo_login(ledger, account["account_id"], login[0])

    for fmt in FORMATS:
        refused = client.get(f"/invoices.{fmt}?api_token={token}")
        assert refused.status_code == 401, refused.text
    assert client.get("/api/v2/invoices", auth=key).status_code == 401
    assert client.post("/api.json", data=invo_body, auth=login).json() == {"error": 1,
                                                                           "message": "authentication error"}
    # InvoiceOcean's Basic login:password is the same user row: refused too.
    basic = client.get("/invoices.json", auth=login)
    assert basic.status_code == 401, basic.text


def test_revoking_one_token_leaves_the_accounts_other_credentials_working(client: TestClient, ledger: Any,
                                                                          account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    key = (account["fakturan"]["key_id"], account["fakturan"]["password"])
    assert client.get(f"/invoices.json?api_token={token}").status_code == 200

    def revoke_token(session: Any) -> None:
        session.execute(text("UPDATE credentials SET revoked_at = CURRENT_TIMESTAMP "
                             "WHERE account_id = :a AND kind = 'api_token'"), {"a": account["account_id"]})
    ledger.write(revoke_token)
    assert client.get(f"/invoices.json?api_token={token}").status_code == 401
    assert client.get("/api/v2/invoices", auth=key).status_code == 200
