"""A hypothesis fuzzer over INVO's one endpoint, POST /api.json with r and q.

It throws real resources and actions (from the registry, so a new one is fuzzed without
editing this file) and junk at the gateway, with q documents that range from valid
templates with a few fields broken to arbitrary nested JSON, in every body encoding the
protocol accepts (form, PHP's raw CURLOPT_POSTFIELDS, JSON, multipart) and some it must
refuse. Every answer must be a documented {"error":N,"message":...} (README table) or a
success shape, never a 5xx, and afterwards the server still answers and another account's
data is untouched.

FUZZ_PROFILE=short (default, in `make test`) runs a few hundred cases; FUZZ_PROFILE=long
(`make fuzz`) thousands. The counts are printed at the end of the module (`-s` shows them).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from core.accounts import create_account
from dialects.invo.errors import ERRORS
from dialects.invo.fields import (
    CUSTOMER,
    DICTIONARY_COLUMNS,
    INVOICE_EXTRA,
    INVOICE_FIELDS,
    ITEM_EXTRA,
    ITEM_FIELDS,
    PRODUCT,
    TYPE2,
)
from dialects.invo.resources import REGISTRY
from gateway.app import create_app
from gateway.settings import Settings

PROFILE = os.environ.get("FUZZ_PROFILE", "short")
# Cases per test. The short profile keeps the module within ~20 s on a busy 2-core machine.
EXAMPLES = {"short": 150, "long": 3000}[PROFILE]
MAX_BODY = 64 * 1024  # small, so the fuzzer reaches the 413 path cheaply

OUTCOMES: Counter[str] = Counter()
# The app's outbox thread builds MIME mail after a commit, and email.generator draws its boundaries
# from the global `random`; hypothesis sees that state change during the next draw and calls it a
# strategy using `random`. It is the server's thread, not the strategies, so that one note is muted.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

# ---- the vocabulary ------------------------------------------------------------------------------
RESOURCES = sorted(REGISTRY)
ACTIONS = sorted({action for actions in REGISTRY.values() for action in actions})
# Every field name the dialect knows, whatever resource it belongs to, plus the protocol's own.
PROTOCOL_FIELDS = ("action", "id", "value", "items", "what", "did", "bef", "page", "cpp", "limit", "sortby",
                   "search", "icase", "include_customer", "include_product", "type2", "buy", "status", "nrx",
                   "c2id", "email", "fname", "ftype", "file", "idate", "columns", "date", "ptid", "bank_id",
                   "dptype", "vatid", "unitid", "lang", "kid")
KNOWN_FIELDS = sorted({*PROTOCOL_FIELDS, *INVOICE_FIELDS, *INVOICE_EXTRA, *CUSTOMER.by_wire(), *PRODUCT.by_wire(),
                       *(f"c{i}" for i in range(1, 8)), *(f"c2{name}" for name in ("name", "street", "code", "city")),
                       *(key for columns in DICTIONARY_COLUMNS.values() for key in columns)})
ITEM_KEYS = sorted({*ITEM_FIELDS, *ITEM_EXTRA, "before", "id", "kid"})
DICTIONARY_WHATS = [*DICTIONARY_COLUMNS, "currencies"]


@dataclass(frozen=True)
class Raw:
    """JSON text written as is: numbers Python's json cannot produce (1e400, NaN, -0, 30 digits)."""
    text: str


def dump(value: Any) -> str:
    """JSON text of a generated value, with Raw pieces spliced in verbatim."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


RAW_NUMBERS = st.sampled_from([
    "1e400", "-1e400", "1E-400", "NaN", "Infinity", "-Infinity", "-0", "-0.0", "0.000000001",
    "123456789012345678901234567890.123456789", "99999999999999999999", "-99999999999999999999", "1.5e3",
    "2.675", "0.005", "1e2", "10.00", "-10.00", "1e-7",
    # issue 17: exponents whose int() or arithmetic explodes, numbers past int()'s 4,300-digit limit
    "1e999999999", "-1e999999999", "1e-999999999", "0e999999999", "9" * 5000, "1." + "1" * 500,
]).map(Raw)
# Issue 17: JSON strings no database stores (NUL, lone surrogates; a pair is fine) and digits that
# str.isdigit() or int() read but ASCII does not, or signs int() refuses.
ODD_TEXT = st.one_of(
    st.sampled_from(['"\\ud800"', '"x\\udfffy"', '"\\u0000"', '"a\\u0000b"', '"\\ud83d\\ude00"',
                     '"\\ude00\\ud83d"']).map(Raw),
    st.sampled_from(["²", "¹", "٣", "３", "--5", "+-5", "1_0", " 5 ", "5\x00", "\x00", "1e999999999", "٣.٥"]),
)
DATES = st.one_of(
    st.sampled_from(["2024-01-01", "2024-02-30", "0000-00-00", "2024-13-01", "9999-12-31", "0001-01-01",
                     "2024-01-01|2024-12-31", "2024-12-31|2024-01-01", "|", "2024-01-01|", "|2024-01-01",
                     "2024-1-1", "01.02.2024", "2024-01-01T10:00:00", " 2024-01-01 ", "2024-01-01|x|y"]),
    st.dates().map(str),
)
DOMAIN_TEXT = st.sampled_from([
    "+FV", "+KOR", "+PRO", "FV", " FV", "+XX", "23%", "23", "zw", "np", "oo", "-5%", "100%", "0%", "8%",
    "PLN", "EUR", "XXX", "", " ", "desc", "id desc", "nrdoc, mdate desc", "mdate sideways", "%", "%a%",
    "a@b.pl", "a@b.pl;c@d.pl", "not-an-email", ".pdf", ".exe", "pl", "EN", "sales", "purchases", "zus",
    "taxrates", "units", "currencies", "null", "0", "1", "-1", "true", "{}", "[]", *TYPE2,
])
TEXT = st.one_of(st.text(max_size=40), DOMAIN_TEXT, st.text(alphabet="ąęłńóśźżĄŁ€ß🙂\u202e\x00\t\n\"'\\<>&%+²٣",
                                                                 max_size=12), ODD_TEXT)
INTS = st.one_of(st.integers(min_value=-3, max_value=40), st.integers(), st.just(2**63), st.just(-(2**63) - 1),
                 st.just(10**30))
SCALARS = st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=False, allow_infinity=False), RAW_NUMBERS,
                    TEXT, DATES, INTS.map(str))
WILD = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KNOWN_FIELDS), st.text(max_size=8)), inner, max_size=4),
), max_leaves=8)
WILD_ITEM = st.dictionaries(st.sampled_from(ITEM_KEYS), st.one_of(SCALARS, WILD), max_size=8)


# ---- the server under test -----------------------------------------------------------------------
@dataclass
class Target:
    client: TestClient
    creds: tuple[str, str]
    other_creds: tuple[str, str]
    ids: dict[str, int] = field(default_factory=dict)
    canary: dict[str, Any] = field(default_factory=dict)

    def call(self, resource: str, q: dict[str, Any], creds: tuple[str, str] | None = None) -> Any:
        response = self.client.post("/api.json", data={"r": resource, "q": dump(q)}, auth=creds or self.creds)
        assert response.status_code == 200, response.text
        answer = json.loads(response.text, parse_float=Decimal)
        assert "error" not in answer, (resource, q, answer)
        return answer


ITEM = {"product": "Fuzz widget", "count": 2, "pnetto": 10.5, "vatsm": "23%"}


def _seed(target: Target) -> None:
    """Real records for the fuzzer's ids to hit: a customer, a product, invoices, a correction, a scan."""
    customer = target.call("customers", {"action": "add", "name": "Fuzz Buyer", "taxid": "5252445767"})["id"]
    product = target.call("products", {"action": "add", "name": "Fuzz product", "pnetto": 10, "vatsm": "23%"})["id"]
    invoice = target.call("invoices", {"action": "add", "c1id": customer, "items": [ITEM, {**ITEM, "vatsm": "8%"}]})
    target.call("invoices", {"action": "add", "type2": "+KOR", "kid": invoice["id"], "c1id": customer, "items": [
        {**ITEM, "count": 1, "before": ITEM}]})
    unit = target.call("dictionaries", {"action": "add", "what": "units", "c3": "Kilogram", "c4": "kg", "c5": 3})
    scan = target.call("files", {"action": "cost", "id": invoice["id"], "fname": "scan.pdf", "ftype": ".pdf",
                                 "file": base64.b64encode(b"%PDF-1.4 fuzz").decode()})
    target.ids.update(customer=customer, product=product, invoice=invoice["id"], unit=unit["id"], scan=scan["id"])
    # Account B's invoice: the fuzzer never has B's credentials for writes, so it must come out unchanged.
    other_customer = target.call("customers", {"action": "add", "name": "Canary Customer"}, target.other_creds)["id"]
    made = target.call("invoices", {"action": "add", "c1id": other_customer, "notices": "canary",
                                    "items": [ITEM]}, target.other_creds)
    target.canary = target.call("invoices", {"action": "list", "id": made["id"], "items": 1}, target.other_creds)


@pytest.fixture(scope="module")
def target(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One app and database for the whole module: state accumulates across cases, as on a real server."""
    folder = tmp_path_factory.mktemp("invo-fuzz")
    shutil.copyfile(migrated_template, folder / "gateway.sqlite3")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'gateway.sqlite3'}", outbox_dir=folder / "outbox",
                              max_body_bytes=MAX_BODY, auth_fail_limit=0,
                              auth_spray_limit=0))  # wrong passwords are fuzzed too: no throttling here
    ledger = app.state.ledger
    mine = ledger.write(create_account, "Fuzz A", profile="invoiceocean").as_dict()
    other = ledger.write(create_account, "Fuzz B", profile="invoiceocean").as_dict()
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        found = Target(client, (mine["invo"]["login"], mine["invo"]["password"]),
                       (other["invo"]["login"], other["invo"]["password"]))
        _seed(found)
        yield found
        _assert_healthy(found)
    print(f"\nINVO fuzz ({PROFILE}): {sum(OUTCOMES.values())} cases; " +
          ", ".join(f"{key}={count}" for key, count in sorted(OUTCOMES.items())))


def _assert_healthy(target: Target) -> None:
    assert target.client.get("/healthz").status_code == 200
    assert target.call("login", {}).keys() == {"cid", "uid"}
    invoice_id = target.canary["rows"][0]["id"]
    after = target.call("invoices", {"action": "list", "id": invoice_id, "items": 1}, target.other_creds)
    assert after == target.canary, "account B's invoice changed during the fuzz run"


# ---- what a documented answer is -----------------------------------------------------------------
SUCCESS_KEYS = {
    "login": {"cid", "uid"},
    "add": {"id"}, "edit": {"id"}, "delete": {"id"}, "status": {"id", "status"},
    "send": {"id", "email"}, "cost": {"id", "did", "size"}, "get": {"id", "fname", "ftype", "file"},
}


def assert_documented(response: Any, resource: Any = None, action: Any = None, method: str = "POST") -> str:
    """The answer is one the README documents; returns its outcome label for the counts."""
    status = response.status_code
    assert status < 500, f"{status} for r={resource!r} action={action!r}: {response.text[:500]}"
    if method == "HEAD":
        assert status == 405
        return "error 12"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = json.loads(response.text, parse_float=Decimal)
    assert isinstance(body, dict), body
    if "error" in body:
        code = body["error"]
        assert code in ERRORS, body
        assert set(body) <= {"error", "message", "fields"}, body
        assert status == ERRORS[code][1], (status, body)
        assert isinstance(body["message"], str) and body["message"], body
        if code not in (8, 9):  # 9 carries the core's reason; the others may add detail after a colon
            assert body["message"].partition(":")[0] == ERRORS[code][0], body
        if "fields" in body:
            assert code == 8 and body["fields"], body
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in body["fields"].items()), body
        return f"error {code}"
    assert status == 200, (status, body)
    assert resource in REGISTRY, f"success for an unknown resource {resource!r}: {body}"
    expected = SUCCESS_KEYS.get("login" if resource == "login" else str(action))
    if expected is not None:
        assert expected <= set(body), (resource, action, body)
    if "rows" in body:
        assert isinstance(body["rows"], list) and body["count"] == len(body["rows"]), body
    if "id" in body:
        assert isinstance(body["id"], int) and body["id"] >= 1, body
    return f"ok {resource}.{action}" if resource != "login" else "ok login"


# ---- strategies: r, q and how they are sent --------------------------------------------------------
def templates(ids: dict[str, int]) -> list[dict[str, Any]]:
    """A valid q per action, so that small mutations reach deep into parsing and the core."""
    inv, cust, prod = ids["invoice"], ids["customer"], ids["product"]
    return [
        {"r": "login", "q": {}},
        {"r": "invoices", "q": {"action": "add", "c1id": cust, "type2": "+FV", "mdate": "2024-05-01",
                                "items": [dict(ITEM), {**ITEM, "vatsm": "zw", "discount": 5}]}},
        {"r": "invoices", "q": {"action": "add", "c1name": "Loose Buyer", "brutto": 1, "currency": "EUR",
                                "currval": 4.2, "items": [{"product": "x", "count": 1, "pbrutto": 12.3,
                                                           "vatsm": "8%"}]}},
        {"r": "invoices", "q": {"action": "add", "type2": "+KOR", "kid": inv, "c1id": cust,
                                "items": [{**ITEM, "count": 1, "before": dict(ITEM)}]}},
        {"r": "invoices", "q": {"action": "add", "buy": 1, "nrdoc": "S/1/2024", "c1name": "Supplier",
                                "items": [dict(ITEM)]}},
        {"r": "invoices", "q": {"action": "edit", "id": inv, "notices": "edited", "items": [dict(ITEM)]}},
        {"r": "invoices", "q": {"action": "status", "id": inv, "value": 3}},
        {"r": "invoices", "q": {"action": "list", "id": inv, "items": 1}},
        {"r": "invoices", "q": {"action": "list", "mdate": "2020-01-01|2030-01-01", "sortby": "nrdoc desc",
                                "page": 1, "cpp": 5, "search": "Fuzz"}},
        {"r": "invoices", "q": {"action": "default", "type2": "+FV", "mdate": "2024-05-01", "currency": "EUR"}},
        {"r": "invoices", "q": {"action": "delete", "id": inv + 100}},
        {"r": "items", "q": {"action": "list", "did": inv, "bef": 0}},
        {"r": "customers", "q": {"action": "add", "name": "Nowy", "taxid": "645-123-45-67", "c1": 1, "group": 0}},
        {"r": "customers", "q": {"action": "edit", "id": cust, "city": "Katowice"}},
        {"r": "customers", "q": {"action": "list", "name": "%Fuzz%", "icase": 1, "limit": 10}},
        {"r": "products", "q": {"action": "add", "name": "P", "pbrutto": 12.3, "vatsm": "23%", "type": 1}},
        {"r": "products", "q": {"action": "edit", "id": prod, "pnetto": 11}},
        {"r": "products", "q": {"action": "list", "search": "Fuzz", "sortby": "id desc"}},
        {"r": "dictionaries", "q": {"action": "list", "what": "taxrates"}},
        {"r": "dictionaries", "q": {"action": "list", "what": "currencies", "date": "2024-01-01|2024-02-01"}},
        {"r": "dictionaries", "q": {"action": "add", "what": "paytypes", "c3": "Przelew 21", "c4": 21}},
        {"r": "dictionaries", "q": {"action": "edit", "what": "units", "id": ids["unit"], "c4": "kg"}},
        {"r": "files", "q": {"action": "get", "id": inv}},
        {"r": "files", "q": {"action": "get", "id": ids["scan"], "what": 1}},
        {"r": "files", "q": {"action": "send", "id": inv, "email": "buyer@example.com"}},
        {"r": "files", "q": {"action": "cost", "fname": "a.png", "ftype": ".png",
                             "file": base64.b64encode(b"\x89PNG\r\n\x1a\nfuzz").decode()}},
        {"r": "files", "q": {"action": "list", "idate": "2000-01-01|2100-01-01"}},
        {"r": "bookkeeping", "q": {"action": "list", "what": "sales", "mdate": "2024-01-01|2030-12-31"}},
        {"r": "reports", "q": {"action": "list"}},
        {"r": "reports", "q": {"action": "get", "id": 1}},
        # Deletes aim past the seeded records, so the other templates keep finding theirs; mutated ids hit.
        {"r": "customers", "q": {"action": "delete", "id": cust + 50}},
        {"r": "products", "q": {"action": "delete", "id": prod + 50}},
        {"r": "dictionaries", "q": {"action": "delete", "what": "units", "id": ids["unit"] + 50}},
    ]


@st.composite
def mutated(draw: st.DrawFn, ids: dict[str, int]) -> tuple[Any, Any]:
    """A valid request with a few fields replaced by wrong types, dropped, or added."""
    chosen = draw(st.sampled_from(templates(ids)))
    resource, q = chosen["r"], json.loads(json.dumps(chosen["q"]))
    fields = sorted(set(q) - {"action"})
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        how = draw(st.sampled_from(["replace", "replace", "drop", "add", "add", "item", "item", "action"]))
        if how == "replace" and fields:
            q[draw(st.sampled_from(fields))] = draw(WILD)
        elif how == "drop" and fields:
            q.pop(draw(st.sampled_from(fields)), None)
        elif how == "action":
            q["action"] = draw(st.one_of(st.sampled_from(ACTIONS), WILD))
        elif how == "add":
            q[draw(st.sampled_from(KNOWN_FIELDS))] = draw(WILD)
        elif how == "item" and isinstance(q.get("items"), list) and q["items"]:
            item = q["items"][0]
            if isinstance(item, dict):
                key = draw(st.sampled_from(ITEM_KEYS))
                item[key] = draw(st.one_of(WILD, WILD_ITEM))
    if draw(st.integers(min_value=0, max_value=9)) == 7:  # not 0: hypothesis favours the bounds
        resource = draw(st.one_of(st.sampled_from(RESOURCES), TEXT))
    return resource, q


@st.composite
def arbitrary(draw: st.DrawFn) -> tuple[Any, Any]:
    """Any resource (real or junk), any action, any shape of q, including not an object at all."""
    # Weights by an explicit pick: one_of flattens nested one_ofs, so repeating a branch does not weigh it.
    resource = draw({"real": st.sampled_from(RESOURCES), "text": TEXT, "scalar": SCALARS}[
        draw(st.sampled_from(["real"] * 6 + ["text", "scalar"]))])
    own = sorted(REGISTRY.get(resource, {})) if isinstance(resource, str) else []
    action = draw({"own": st.sampled_from(own or ACTIONS), "any": st.sampled_from(ACTIONS), "text": TEXT,
                   "scalar": SCALARS}[draw(st.sampled_from(["own"] * 6 + ["any", "text", "scalar"]))])
    q = draw(st.dictionaries(st.sampled_from(KNOWN_FIELDS), WILD, max_size=6))
    if draw(st.sampled_from([True] * 4 + [False])):
        q["action"] = action
    if draw(st.booleans()):
        q["items"] = draw(st.lists(st.one_of(WILD_ITEM, WILD), max_size=4))
    if draw(st.integers(min_value=0, max_value=7)) == 5:
        q["what"] = draw(st.sampled_from(DICTIONARY_WHATS))
    shape = draw(st.sampled_from(["object"] * 6 + ["wild", "list"]))
    if shape == "wild":
        return resource, draw(WILD)
    if shape == "list":
        return resource, [q]
    return resource, q


ENCODINGS = ["form", "php", "json", "json-string-q", "multipart", "truncated", "no-r", "no-q", "junk", "big",
             "odd-charset"]
# Issue 17: the same JSON in an encoding other than UTF-8, declared or not
ODD_CHARSETS = ["utf-16", "utf-16-le", "utf-32", "latin-1", "utf-7", "cp1250"]


@dataclass(frozen=True)
class Sent:
    method: str
    content: bytes | None
    headers: dict[str, str]
    multipart: dict[str, str] | None = None


@st.composite
def encoded(draw: st.DrawFn, resource: Any, q: Any) -> Sent:
    """The request as bytes on the wire, in one of the encodings clients really use (or break)."""
    how = draw(st.sampled_from(ENCODINGS))
    text = dump(q)
    r_text = resource if isinstance(resource, str) else dump(resource)
    form = {"content-type": "application/x-www-form-urlencoded"}
    if how == "form":
        return Sent("POST", urlencode({"r": r_text, "q": text}).encode(), form)
    if how == "php":  # CURLOPT_POSTFIELDS with a string: nothing is encoded
        return Sent("POST", f"r={r_text}&q={text}".encode(), form)
    if how in ("json", "json-string-q"):
        q_part = json.dumps(text) if how == "json-string-q" else text
        content_type = draw(st.sampled_from(["application/json", "text/plain", ""]))
        return Sent("POST", f'{{"r":{dump(resource)},"q":{q_part}}}'.encode(), {"content-type": content_type})
    if how == "multipart":
        return Sent("POST", None, {}, {"r": r_text, "q": text})
    if how == "truncated":
        cut = draw(st.integers(min_value=0, max_value=max(0, len(text) - 1)))
        return Sent("POST", urlencode({"r": r_text, "q": text[:cut]}).encode(), form)
    if how == "no-r":
        return Sent("POST", urlencode({"q": text}).encode(), form)
    if how == "no-q":
        return Sent("POST", urlencode({"r": r_text}).encode(), form)
    if how == "odd-charset":
        charset = draw(st.sampled_from(ODD_CHARSETS))
        body = f'{{"r":{dump(resource)},"q":{text}}}'.encode(charset, "replace")
        declared = draw(st.sampled_from([f"application/json; charset={charset}", "application/json", "text/plain"]))
        return Sent("POST", body, {"content-type": declared})
    if how == "big":
        padding = "x" * draw(st.integers(min_value=MAX_BODY - 100, max_value=MAX_BODY + 100))
        return Sent("POST", urlencode({"r": r_text, "q": text, "pad": padding}).encode(), form)
    method = draw(st.sampled_from(["POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]))
    junk = draw(st.binary(max_size=200))
    content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                                         "multipart/form-data", "multipart/form-data; boundary=xx",
                                         "text/xml", "", "application/json; charset=latin-1"]))
    return Sent(method, junk, {"content-type": content_type} if content_type else {})


@st.composite
def credentials(draw: st.DrawFn, target: Target) -> dict[str, str]:
    choice = draw(st.sampled_from(["mine"] * 12 + ["none", "wrong", "garbage", "no-colon", "unicode"]))
    if choice == "mine":
        raw = f"{target.creds[0]}:{target.creds[1]}".encode()
    elif choice == "none":
        return {}
    elif choice == "wrong":
        raw = f"{target.creds[0]}:{target.creds[1]}x".encode()
    elif choice == "garbage":
        return {"authorization": draw(st.sampled_from(["Basic", "Basic !!!", "Bearer x", "Basic " + "A" * 5000,
                                                       "basic ////"]))}
    elif choice == "no-colon":
        raw = target.creds[0].encode()
    else:
        raw = draw(st.text(max_size=20)).encode() + b":\xff\xfe"
    return {"authorization": "Basic " + base64.b64encode(raw).decode()}


def send(target: Target, sent: Sent, auth: dict[str, str]) -> Any:
    headers = {**sent.headers, **auth}
    if sent.multipart is not None:
        return target.client.post("/api.json", data=sent.multipart, files={"note": ("n.txt", b"x")}, headers=auth)
    return target.client.request(sent.method, "/api.json", content=sent.content, headers=headers)


def _fuzz_settings(examples: int) -> Any:
    return settings(max_examples=examples, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# ---- the fuzz tests ------------------------------------------------------------------------------
@_fuzz_settings(EXAMPLES)
@given(data=st.data())
def test_mutated_valid_requests_get_documented_answers(target: Target, data: st.DataObject) -> None:
    resource, q = data.draw(mutated(target.ids), label="request")
    response = target.client.post("/api.json", data={"r": resource if isinstance(resource, str) else dump(resource),
                                                     "q": dump(q)}, auth=target.creds)
    OUTCOMES[assert_documented(response, resource, q.get("action") if isinstance(q, dict) else None)] += 1


@_fuzz_settings(EXAMPLES)
@given(data=st.data())
def test_arbitrary_r_and_q_get_documented_answers(target: Target, data: st.DataObject) -> None:
    resource, q = data.draw(arbitrary(), label="request")
    response = target.client.post("/api.json", data={"r": resource if isinstance(resource, str) else dump(resource),
                                                     "q": dump(q)}, auth=target.creds)
    OUTCOMES[assert_documented(response, resource, q.get("action") if isinstance(q, dict) else None)] += 1


@_fuzz_settings(EXAMPLES)
@given(data=st.data())
def test_every_body_encoding_and_credential_gets_documented_answers(target: Target, data: st.DataObject) -> None:
    resource, q = data.draw(st.one_of(mutated(target.ids), arbitrary()), label="request")
    sent = data.draw(encoded(resource, q), label="wire")
    auth = data.draw(credentials(target), label="auth")
    response = send(target, sent, auth)
    action = q.get("action") if isinstance(q, dict) else None
    OUTCOMES[assert_documented(response, resource, action, sent.method)] += 1


def test_the_fuzzer_knows_every_registered_resource_and_action() -> None:
    """A resource or action added to the registry is fuzzed by name, and has a valid template."""
    ids = {"invoice": 1, "customer": 1, "product": 1, "unit": 1, "scan": 1}
    covered = {(t["r"], t["q"].get("action", "check")) for t in templates(ids)}
    registered = {(resource, action) for resource, actions in REGISTRY.items() for action in actions}
    assert registered - covered == set(), "give the new action a template in templates()"


# ---- regressions: each failure the fuzzer found, by name ------------------------------------------
def test_decimal_seed_extras_are_stored_and_listed_back(target: Target) -> None:
    """Found by the fuzzer: "netweight": 12.5 (a seed field kept in invoice.extra) reached the JSON
    column as a Decimal and the insert crashed with a 500."""
    made = target.call("invoices", {"action": "add", "c1name": "Regression Buyer", "netweight": Decimal("12.5"),
                                    "grossweight": 13, "items": [{**ITEM, "cartons": Decimal("2.25")}]})
    listed = target.call("invoices", {"action": "list", "id": made["id"], "items": 1})["rows"][0]
    assert (listed["netweight"], listed["grossweight"]) == (Decimal("12.5"), 13)
    assert listed["items"][0]["cartons"] == Decimal("2.25")


@pytest.mark.parametrize("number", ["1e400", "NaN", "Infinity", "123456789012345678901234567890.5",
                                    "99999999999999999999999"])
def test_seed_extras_that_cannot_be_stored_exactly_are_a_validation_error(target: Target, number: str) -> None:
    """Found by the fuzzer: NaN, Infinity and numbers beyond a float crashed the insert (NaN is not JSON
    PostgreSQL accepts), and integers beyond 64 bits crashed every later list (orjson refuses them);
    now they are code 8 naming the field, and nothing is written."""
    before = target.call("invoices", {"action": "list"})["total"]
    q = '{"action":"add","c1name":"B","netweight":%s,"items":[{"product":"x","count":1,"pnetto":1,"vatsm":"23%%"}]}'
    response = target.client.post("/api.json", data={"r": "invoices", "q": q % number},
                                  auth=target.creds)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["error"], list(answer["fields"])) == (8, ["netweight"])
    assert target.call("invoices", {"action": "list"})["total"] == before


@pytest.mark.parametrize("field, value", [("c1id", "9223372036854775808"), ("c1id", "1e400"),
                                          ("nrx", str(10**30)), ("kid", "Infinity")])
def test_integers_beyond_64_bits_are_a_validation_error(target: Target, field: str, value: str) -> None:
    """Found by the fuzzer: c1id 2**63 overflowed the SQLite driver (a 500), and Infinity as an id
    overflowed int(); no record can have such an id, so it is code 8 naming the field."""
    q = '{"action":"add","%s":%s,"c1name":"B","items":[{"product":"x","count":1,"pnetto":1,"vatsm":"23%%"}]}'
    response = target.client.post("/api.json", data={"r": "invoices", "q": q % (field, value)}, auth=target.creds)
    answer = response.json()
    assert (response.status_code, answer["error"], list(answer["fields"])) == (200, 8, [field])
    listed = target.client.post("/api.json", data={"r": "invoices", "q": '{"action":"list","nrx":%s}' % value},
                                auth=target.creds).json()
    assert listed["error"] == 8


@pytest.mark.parametrize("content, content_type", [
    (b"", "multipart/form-data"), (b"r=login&q={}", "multipart/form-data"), (b"--xx\r\nbroken", "multipart/form-data"),
    (b"r=login&q={}", "multipart/form-data; boundary=xx")])
def test_a_body_that_is_not_multipart_under_a_multipart_type_is_code_3(target: Target, content: bytes,
                                                                       content_type: str) -> None:
    """Found by the fuzzer: multipart/form-data without a boundary (or with one the body lacks) made
    starlette raise a 400, which came out as {"error":13,"message":"internal error"} with HTTP 400."""
    response = target.client.post("/api.json", content=content, auth=target.creds,
                                  headers={"content-type": content_type})
    assert (response.status_code, response.json()) == (200, {"error": 3, "message": "invalid JSON format"})
