"""One round-trip case per (dialect, resource): how a client reads a record, sends it back, and which
attributes it may change. `resources_in_route_tables()` lists what the dialects serve, so a resource
added without a case here fails the test."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable

from hypothesis import strategies as st
from starlette.routing import Route

from core.events import KINDS as EVENT_KINDS
from dialects.fakturan.parse import LOCALES, TAX_RATES
from dialects.fakturan.routes import routes as fakturan_routes
from dialects.invo.fields import DICTIONARY_COLUMNS
from dialects.invo.resources import REGISTRY
from dialects.invoiceocean.routes import ROUTES
from dialects.invoiceocean.xml import dasherize, parse_xml
from tests.roundtrip.world import Account

Path = tuple[Any, ...]  # keys and list indexes, from the record's top

STAMP = st.just("2001-02-03T04:05:06+01:00")  # a valid dateTime: XML checks a typed value before the dialect reads it
TEXT = st.from_regex(r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż]{1,10}( [A-Za-z0-9]{1,6})?", fullmatch=True)
QUANTITY = st.integers(1, 40)
EMAIL = st.from_regex(r"[a-z]{2,8}@example\.com", fullmatch=True)


@dataclass(frozen=True)
class Mutation:
    """An attribute a client may change: `key` on the record, or `lines`.N.`key` on one of its lines."""

    key: str
    values: st.SearchStrategy[Any]
    priced: bool = False  # the totals may change with it
    read_only: bool = False  # ignored on input: nothing may change
    line: bool = False
    also: tuple[str, ...] = ()  # the same attribute shown another way (vatid and vatname beside vatsm)
    nested: str = ""  # the key of the object the attribute is in (address.city)


@dataclass(frozen=True)
class Case:
    dialect: str
    resource: str
    handles: Callable[[Account], list[Any]]
    fetch: Callable[[Account, Any], Any]  # the raw answer, as a client keeps it
    send: Callable[[Account, Any, Any], tuple[bool, str]]
    parse: Callable[[Any], dict[str, Any]]  # the raw answer as a dict, to compare
    edit: Callable[[Any, Path, Any], Any]  # the raw answer with one value changed
    mutations: tuple[Mutation, ...]
    lines: str = ""  # the key of the record's lines
    line_applies: Callable[[dict[str, Any], dict[str, Any]], bool] = lambda record, line: True
    totals: frozenset[str] = frozenset()  # what a priced change may change besides itself
    volatile: frozenset[str] = frozenset({"updated_at"})

    @property
    def name(self) -> str:
        return f"{self.dialect}:{self.resource}"


def _set(data: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        return [_set(item, rest, value) if i == head else item for i, item in enumerate(data)]
    return {**data, head: _set(data[head], rest, value)}


# -- InvoiceOcean, JSON and XML ------------------------------------------------------------------------
IO_PLURALS = {"invoices": ("invoices", "invoice"), "clients": ("clients", "client"),
              "products": ("products", "product"), "departments": ("departments", "department"),
              "price_lists": ("price_lists", "price_list"), "recurrings": ("recurrings", "recurring"),
              "payments": ("banking/payments", "banking_payment"), "issuers": ("issuers", "issuer"),
              "bank_accounts": ("bank_accounts", "bank_account"),
              "webhooks": ("webhooks", "webhook"), "categories": ("categories", "category"),
              "warehouses": ("warehouses", "warehouse"),
              "warehouse_documents": ("warehouse_documents", "warehouse_document")}
IO_TAXES = st.sampled_from(["23", "8", "5", "0", "zw"])
IO_MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "invoices": (Mutation("description", TEXT), Mutation("place", TEXT), Mutation("buyer_city", TEXT),
                 Mutation("internal_note", TEXT), Mutation("price_gross", st.just("1.00"), read_only=True),
                 Mutation("token", TEXT, read_only=True), Mutation("name", TEXT, line=True),
                 Mutation("quantity", QUANTITY, priced=True, line=True),
                 Mutation("tax", IO_TAXES, priced=True, line=True),
                 Mutation("total_price_tax", st.just("1.00"), read_only=True, line=True)),
    "clients": (Mutation("name", TEXT), Mutation("city", TEXT), Mutation("street", TEXT), Mutation("phone", TEXT),
                Mutation("note", TEXT), Mutation("created_at", STAMP, read_only=True)),
    "products": (Mutation("name", TEXT), Mutation("code", TEXT),
                 Mutation("price_gross", st.integers(1, 999), priced=True),
                 Mutation("tax", IO_TAXES, priced=True)),
    "departments": (Mutation("name", TEXT), Mutation("city", TEXT), Mutation("street", TEXT)),
    "price_lists": (Mutation("name", TEXT), Mutation("description", TEXT)),
    "recurrings": (Mutation("name", TEXT),),
    "payments": (Mutation("name", TEXT), Mutation("description", TEXT), Mutation("created_at", STAMP, read_only=True)),
    "issuers": (Mutation("name", TEXT), Mutation("city", TEXT), Mutation("street", TEXT), Mutation("note", TEXT),
                Mutation("created_at", STAMP, read_only=True)),
    "bank_accounts": (Mutation("name", TEXT), Mutation("bank_name", TEXT), Mutation("bank_swift", TEXT),
                      Mutation("account_description", TEXT), Mutation("bank_account_id", st.integers(1, 99),
                                                                      read_only=True)),
    "webhooks": (Mutation("api_token", TEXT), Mutation("kind", st.sampled_from(EVENT_KINDS)),
                 Mutation("created_at", STAMP, read_only=True)),
    "categories": (Mutation("name", TEXT), Mutation("description", TEXT)),
    "warehouses": (Mutation("name", TEXT), Mutation("kind", TEXT), Mutation("description", TEXT)),
    # The actions' own values are not mutated here: a changed set replaces the actions (new ids), and what that
    # does to stock is tests/dialects/invoiceocean/test_warehouse.py's.
    "warehouse_documents": (Mutation("client_name", TEXT), Mutation("department_name", TEXT),
                            Mutation("description", TEXT), Mutation("number", TEXT),
                            Mutation("created_at", STAMP, read_only=True),
                            Mutation("invoice_id", st.integers(1, 5), read_only=True)),
}
IO_TOTALS = frozenset({"price_net", "price_tax", "price_gross", "total_price_net", "total_price_tax",
                       "total_price_gross", "discount", "status", "paid_date"})


def _io_handles(plural: str) -> Callable[[Account], list[Any]]:
    def handles(account: Account) -> list[Any]:
        response = account.io("GET", f"/{plural}.json", period="all", per_page=100)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]
    return handles


def _io_json(resource: str) -> Case:
    plural, wrapper = IO_PLURALS[resource]

    def fetch(account: Account, record_id: Any) -> Any:
        response = account.io("GET", f"/{plural}/{record_id}.json")
        assert response.status_code == 200, response.text
        return response.json()

    def send(account: Account, record_id: Any, raw: Any) -> tuple[bool, str]:
        response = account.io("PUT", f"/{plural}/{record_id}.json", json.dumps({wrapper: raw}).encode())
        return response.status_code == 200, response.text

    return Case("invoiceocean-json", resource, _io_handles(plural), fetch, send, lambda raw: raw, _set,
                IO_MUTATIONS[resource], lines="positions" if resource == "invoices" else "",
                line_applies=lambda record, line: line.get("kind") == "normal", totals=IO_TOTALS)


def _xml_edit(raw: bytes, path: Path, value: Any) -> bytes:
    """The answer's XML with one element's text replaced, as ActiveResource would send it."""
    root = ET.fromstring(raw)
    node = root
    for step in path:
        node = list(node)[step] if isinstance(step, int) else node.find(dasherize(step))  # type: ignore[assignment]
        assert node is not None, path
    node.text = str(value)
    node.attrib.pop("nil", None)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _io_xml(resource: str) -> Case:
    plural, _wrapper = IO_PLURALS[resource]

    def fetch(account: Account, record_id: Any) -> Any:
        response = account.io("GET", f"/{plural}/{record_id}.xml", xml=True)
        assert response.status_code == 200, response.text
        return response.content

    def send(account: Account, record_id: Any, raw: Any) -> tuple[bool, str]:
        response = account.io("PUT", f"/{plural}/{record_id}.xml", raw, xml=True)
        return response.status_code == 200, response.text

    json_case = _io_json(resource)
    return Case("invoiceocean-xml", resource, json_case.handles, fetch, send, lambda raw: parse_xml(raw)[1],
                _xml_edit, json_case.mutations, lines=json_case.lines, line_applies=json_case.line_applies,
                totals=json_case.totals)


# -- fakturan.nu ---------------------------------------------------------------------------------------
FAKTURAN_TAXES = st.sampled_from(TAX_RATES)
FAKTURAN_MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "clients": (Mutation("phone", TEXT), Mutation("email", EMAIL), Mutation("city", TEXT, nested="address"),
                Mutation("street_address", TEXT, nested="address"),
                Mutation("locale", st.sampled_from(LOCALES), nested="settings"),
                Mutation("name", TEXT, read_only=True)),
    "products": (Mutation("name", TEXT), Mutation("product_code", TEXT), Mutation("unit", TEXT),
                 Mutation("price", st.integers(1, 999), priced=True),
                 Mutation("tax", FAKTURAN_TAXES, priced=True)),
    "invoices": (Mutation("our_reference", TEXT), Mutation("your_reference", TEXT),
                 Mutation("days", st.integers(0, 60)),
                 Mutation("sum", st.just("1.0"), read_only=True),
                 Mutation("city", TEXT, read_only=True, nested="address"),
                 Mutation("product_name", TEXT, line=True), Mutation("amount", QUANTITY, priced=True, line=True),
                 Mutation("product_tax", FAKTURAN_TAXES, priced=True, line=True),
                 Mutation("product_price", st.integers(1, 999), priced=True, line=True)),
}


def _fakturan(resource: str) -> Case:
    def handles(account: Account) -> list[Any]:
        response = account.fakturan("GET", f"{resource}?per_page=100")
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["data"]]

    def fetch(account: Account, record_id: Any) -> Any:
        response = account.fakturan("GET", f"{resource}/{record_id}")
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def send(account: Account, record_id: Any, raw: Any) -> tuple[bool, str]:
        response = account.fakturan("PUT", f"{resource}/{record_id}", raw)
        return response.status_code == 204, response.text

    return Case("fakturan", resource, handles, fetch, send, lambda raw: raw, _set, FAKTURAN_MUTATIONS[resource],
                lines="rows" if resource == "invoices" else "",
                line_applies=lambda record, line: not line["text_row"],
                totals=frozenset({"sum", "net", "tax", "tax_details", "paid_at", "price_inc_tax"}))


# -- INVO ----------------------------------------------------------------------------------------------
INVO_TAXES = st.sampled_from(["23%", "7%", "5%", "0%", "zw"])
INVO_MUTATIONS: dict[str, tuple[Mutation, ...]] = {
    "invoices": (Mutation("notices", TEXT), Mutation("notices_priv", TEXT), Mutation("place", TEXT),
                 Mutation("c1city", TEXT), Mutation("vbrutto", st.just(Decimal("1.00")), read_only=True),
                 Mutation("paid", st.just(Decimal("1.00")), read_only=True),
                 Mutation("product", TEXT, line=True), Mutation("pkwiu", TEXT, line=True),
                 Mutation("count", QUANTITY, priced=True, line=True),
                 Mutation("vatsm", INVO_TAXES, priced=True, line=True, also=("vatid", "vatname"))),
    "customers": (Mutation("name", TEXT), Mutation("city", TEXT), Mutation("street", TEXT), Mutation("sphone", TEXT)),
    "products": (Mutation("name", TEXT), Mutation("symbol", TEXT), Mutation("desc", TEXT),
                 Mutation("pnetto", st.integers(1, 999), priced=True),
                 Mutation("vatsm", INVO_TAXES, priced=True, also=("vatid",))),
    "dictionaries": (Mutation("c3", TEXT),),
}


def _invo(resource: str) -> Case:
    def handles(account: Account) -> list[Any]:
        if resource == "dictionaries":
            return [(what, row["c1"]) for what in DICTIONARY_COLUMNS
                    for row in account.invo(resource, {"action": "list", "what": what})["rows"]]
        return [row["id"] for row in account.invo(resource, {"action": "list", "limit": 1000})["rows"]]

    def fetch(account: Account, handle: Any) -> Any:
        if resource == "dictionaries":
            what, entry_id = handle
            [row] = [r for r in account.invo(resource, {"action": "list", "what": what})["rows"] if r["c1"] == entry_id]
            return row
        q = {"action": "list", "id": handle, **({"items": 1} if resource == "invoices" else {})}
        [row] = account.invo(resource, q)["rows"]
        return row

    def send(account: Account, handle: Any, raw: Any) -> tuple[bool, str]:
        q = {**raw, "action": "edit"}
        if resource == "dictionaries":
            q.update(what=handle[0], id=handle[1])
        answer = account.invo(resource, q)
        return "error" not in answer, str(answer)

    return Case("invo", resource, handles, fetch, send, lambda raw: raw, _set, INVO_MUTATIONS[resource],
                lines="items" if resource == "invoices" else "",
                # A correction's items replace its items whole; text rows (fakturan's text_row) list as
                # items with count 0 and carry no money, so neither takes a line's count or rate.
                line_applies=lambda record, line: record["type2"] != "+KOR" and line["count"] != 0,
                totals=frozenset({"vnetto", "vbrutto", "pnetto", "pbrutto", "status", "pdate", "paid"}),
                volatile=frozenset())


CASES: tuple[Case, ...] = (
    *(_io_json(r) for r in IO_PLURALS), *(_io_xml(r) for r in IO_PLURALS),
    *(_fakturan(r) for r in FAKTURAN_MUTATIONS), *(_invo(r) for r in INVO_MUTATIONS),
)


def resources_in_route_tables() -> set[str]:
    """Every (dialect, resource) a client can read and then update, from the dialects' route tables."""
    io_names = {tuple(name.rsplit(".", 1)) for _m, _p, _h, name in ROUTES}
    readable = {r for r, action in io_names if action == "get"}
    io = {r for r, action in io_names if action == "update" and r in readable}
    found = {f"invoiceocean-{fmt}:{r}" for r in io for fmt in ("json", "xml")}
    for route in fakturan_routes():
        assert isinstance(route, Route)
        match = re.fullmatch(r"/api/v2/(\w+)/\{id:recid\}", route.path)
        if match and "PUT" in (route.methods or ()):
            found.add(f"fakturan:{match.group(1)}")
    found |= {f"invo:{r}" for r, actions in REGISTRY.items() if {"list", "edit"} <= actions.keys()}
    return found


def flat(value: Any, path: Path = ()) -> dict[Path, Any]:
    """Every leaf of an answer under its path; list items by position."""
    if isinstance(value, dict):
        return {p: v for k, item in value.items() for p, v in flat(item, (*path, k)).items()} or {path: {}}
    if isinstance(value, list):
        return {p: v for i, item in enumerate(value) for p, v in flat(item, (*path, i)).items()} or {path: []}
    return {path: value}


def equal(sent: Any, shown: Any) -> bool:
    """A sent value and the one the dialect shows for it: numbers by value ("902" is "902.0"), the rest
    as text (XML reads everything as text)."""
    try:
        left, right = Decimal(str(sent)), Decimal(str(shown))
    except ArithmeticError:
        return str(sent) == str(shown)
    if not (left.is_finite() and right.is_finite()):  # text such as "NaN" or "inf": NaN equals nothing, itself too
        return str(sent) == str(shown)
    return left == right


def differences(before: dict[str, Any], after: dict[str, Any], ignored: Iterable[str] = ()) -> dict[Path, Any]:
    """The paths whose value changed, leaving out those that pass through an ignored key."""
    skip = frozenset(ignored)
    old, new = flat(before), flat(after)
    return {p: (old.get(p), new.get(p)) for p in old.keys() | new.keys()
            if old.get(p) != new.get(p) and not skip & set(k for k in p if isinstance(k, str))}

