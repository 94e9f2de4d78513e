"""Reads leave the event loop at most once: a get or a list of any dialect, sign-in included, costs at most
one trip to the thread pool (a hop and back cost more than a point read on SQLite).

Every hop of the app goes through anyio.to_thread.run_sync (Starlette's run_in_threadpool, sync endpoints),
so counting calls to it counts hops, whichever module makes them.
"""
from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import anyio.to_thread
import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from core.credentials import create_credential
from dialects.kit.kept import KEPT
from gateway.app import create_app
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.gateway.conftest import Statements

POSITIONS = [{"name": "Usługa", "tax": 23, "price_net": "100.00", "quantity": 3},
             {"name": "Zwolniona", "tax": "zw", "price_net": "50", "quantity": 1}]


class Hops:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hops]:
    counted = Hops()
    original = anyio.to_thread.run_sync

    async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        counted.count += 1
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", run_sync)
    yield counted


def _hops_of(hops: Hops, call: Callable[[], Any]) -> int:
    """Hops of one request, after the same request once more (a warm password cache: argon2 runs in the pool
    on a credential's first use, by design)."""
    first = call()
    assert first.status_code == 200, first.text
    hops.count = 0
    again = call()
    assert again.status_code == 200, again.text
    assert again.content == first.content or "json" not in again.headers.get("content-type", "json")
    return hops.count


class _Parties:
    """Two accounts (fakturan's profile is its own), their credentials, an INVO customer and a fakturan client."""

    def __init__(self, client: TestClient, ledger: Any) -> None:
        account = ledger.write(create_account, "Acme", profile="invoiceocean").as_dict()
        fk = ledger.write(create_account, "Svensk AB", profile="fakturan").as_dict()
        self.fk_account_id: int = fk["account_id"]
        self.token: str = account["invoiceocean"]["api_token"]
        self.invo_auth = (account["invo"]["login"], account["invo"]["password"])
        self.key = (fk["fakturan"]["key_id"], fk["fakturan"]["password"])
        self.customer: int = client.post("/api.json", auth=self.invo_auth, data={"r": "customers", "q": json.dumps(
            {"action": "add", "symbol": "K1", "name": "Jan Kowalski", "city": "Katowice"})}).json()["id"]
        self.buyer: int = client.post("/api/v2/clients", auth=self.key,
                                      json={"company": "Kund AB"}).json()["data"]["id"]


def _reads(client: TestClient, ledger: Any) -> dict[str, Callable[[], Any]]:
    """Three invoices in each dialect (two accounts: fakturan's profile is its own), and the gets and lists
    that read them, by name: every way a client reads an invoice or a page, each credential scheme."""
    parties = _Parties(client, ledger)
    token, invo_auth, key, customer, buyer = (parties.token, parties.invo_auth, parties.key, parties.customer,
                                              parties.buyer)
    fk_token = ledger.write(create_credential, parties.fk_account_id, "fakturan_token").secrets["token"]
    by_token = {"Authorization": f'Token token="{fk_token}"'}

    def invo(q: dict[str, Any]) -> Any:
        return client.post("/api.json", auth=invo_auth, data={"r": "invoices", "q": json.dumps(q)})

    for _ in range(3):
        io = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
            "kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}})
        assert io.status_code == 201, io.text
        made = invo({"action": "add", "c1id": customer, "items": [
            {"product": "Usługa", "count": 3, "pnetto": "100.00", "vatsm": "23%"}]})
        assert made.status_code == 200, made.text
        fk_made = client.post("/api/v2/invoices", auth=key, json={"client_id": buyer, "rows": [
            {"product_name": "Tjänst", "amount": "3", "product_price": "100.00", "product_tax": 25}]})
        assert fk_made.status_code == 201, fk_made.text
    io_id, invo_id, fk_id = io.json()["id"], made.json()["id"], fk_made.json()["data"]["id"]
    login = "Basic " + base64.b64encode(":".join(invo_auth).encode()).decode()
    return {
        "invoiceocean get": lambda: client.get(f"/invoices/{io_id}.json?api_token={token}"),
        "invoiceocean get xml": lambda: client.get(f"/invoices/{io_id}.xml?api_token={token}"),
        "invoiceocean get by login": lambda: client.get(f"/invoices/{io_id}.json", headers={"Authorization": login}),
        "invoiceocean list": lambda: client.get(f"/invoices.json?api_token={token}&per_page=25&page=1"),
        "invoiceocean list with positions": lambda: client.get(
            f"/invoices.json?api_token={token}&include_positions=true"),
        "invo get": lambda: invo({"action": "list", "id": invo_id, "items": 1}),
        "invo list": lambda: invo({"action": "list", "page": 1, "cpp": 25}),
        "fakturan get": lambda: client.get(f"/api/v2/invoices/{fk_id}", auth=key),
        "fakturan list": lambda: client.get("/api/v2/invoices?per_page=25", auth=key),
        "fakturan get by token": lambda: client.get(f"/api/v2/invoices/{fk_id}", headers=by_token),
        "fakturan list by token": lambda: client.get("/api/v2/invoices?per_page=25", headers=by_token),
        "fakturan client's list": lambda: client.get(f"/api/v2/clients/{buyer}/invoices", auth=key),
    }


def test_a_get_or_a_list_leaves_the_event_loop_at_most_once_in_every_dialect(
        client: TestClient, ledger: Any, hops: Hops) -> None:
    """On SQLite a get is a point read on the event loop (no hop); a list is one hop, sign-in included."""
    counted = {name: _hops_of(hops, call) for name, call in _reads(client, ledger).items()}
    assert counted == {name: 0 if " get" in name else 1 for name in counted}


def test_on_postgresql_a_get_or_a_list_is_one_hop_with_its_sign_in(
        postgres_url: str, tmp_path: Path, hops: Hops) -> None:
    """The credential is looked up in the read's own transaction, in the same trip to the thread pool
    (signing in on one trip and reading on another cost two)."""
    upgrade(postgres_url)
    app = create_app(Settings(database_url=postgres_url, outbox_dir=tmp_path / "outbox",
                              allowed_hosts=Settings().allowed_hosts + ", testserver"))
    try:
        with TestClient(app, base_url="http://testserver") as client:
            counted = {name: _hops_of(hops, call) for name, call in _reads(client, app.state.ledger).items()}
    finally:
        app.state.engine.dispose()
    assert counted == {name: 1 for name in counted}


def test_a_page_of_invoices_costs_the_same_statements_whatever_its_length_in_every_dialect(
        statements: Statements, client: TestClient, account: dict[str, Any], ledger: Any) -> None:
    """Lines, bank accounts and KSeF documents of a page are read for the whole page at once (fakturan's list
    carries every row of every invoice): three invoices and nine cost the same statements."""
    io_token = account["invoiceocean"]["api_token"]
    invo_auth = (account["invo"]["login"], account["invo"]["password"])
    fk = ledger.write(create_account, "Svensk AB", profile="fakturan").as_dict()
    fk_key = (fk["fakturan"]["key_id"], fk["fakturan"]["password"])
    buyer = client.post("/api/v2/clients", auth=fk_key, json={"company": "Kund AB"}).json()["data"]["id"]

    def make(count: int) -> None:
        for _ in range(count):
            assert client.post(f"/invoices.json?api_token={io_token}", json={"invoice": {
                "kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}}).status_code == 201
            assert client.post("/api/v2/invoices", auth=fk_key, json={"client_id": buyer, "rows": [
                {"product_name": "Tjänst", "amount": "3", "product_price": "100.00", "product_tax": 25},
                {"product_name": "Tjänst 2", "amount": "1", "product_price": "10.00", "product_tax": 12}]}
                               ).status_code == 201

    lists = {
        "invoiceocean": lambda: client.get(f"/invoices.json?api_token={io_token}&include_positions=true"),
        "invo": lambda: client.post("/api.json", auth=invo_auth, data={
            "r": "invoices", "q": json.dumps({"action": "list", "page": 1, "cpp": 25})}),
        "fakturan": lambda: client.get("/api/v2/invoices?per_page=25", auth=fk_key),
    }
    make(3)
    few = {name: statements.reads_of(call) for name, call in lists.items()}
    make(6)
    many = {name: statements.reads_of(call) for name, call in lists.items()}
    assert {name: len(texts) for name, texts in many.items()} == {name: len(texts) for name, texts in few.items()}
    assert all(texts for texts in many.values())


def test_a_get_or_a_list_signs_in_and_reads_in_one_transaction_in_every_dialect(
        statements: Statements, client: TestClient, ledger: Any) -> None:
    """One BEGIN ... ROLLBACK per request: the credential's lookup and the read share it."""
    def begins(call: Callable[[], Any]) -> int:
        assert call().status_code == 200
        statements.texts.clear()
        assert call().status_code == 200
        return sum(1 for text in statements.texts if text.strip().upper() == "BEGIN")

    counted = {name: begins(call) for name, call in _reads(client, ledger).items()}
    assert counted == {name: 1 for name in counted}


# Statements per request, its transaction's BEGIN and ROLLBACK included, when what is kept of each invoice at its
# version is still current (dialects.kit.kept). A get: the credential and the invoice's key (id, version, whether
# it has KSeF documents), read with what else its kept JSON depends on: fakturan's account settings, INVO's
# dictionaries' version (items show them). A list: the credential, the page's keys and, on INVO and fakturan, its
# total in one statement, fakturan's account (with whether it has any recurring definition). InvoiceOcean's
# default period finds the first id in it within the page's own statement (core.queries._from_first_dated_id),
# and /clients/{id}/invoices first checks the client.
STATEMENTS = {
    "invoiceocean get": 4, "invoiceocean get xml": 4, "invoiceocean get by login": 4,
    "invoiceocean list": 4, "invoiceocean list with positions": 4,
    "invo get": 4, "invo list": 4,
    "fakturan get": 4, "fakturan get by token": 4,
    "fakturan list": 5, "fakturan list by token": 5, "fakturan client's list": 6,
}
# What a request reads besides, when nothing is kept of its invoices (or they all changed). A get: the invoice
# (with whether it has payments, bank accounts, KSeF documents or a recurring definition, and fakturan's account
# record) and its lines, and for INVO's items the dictionaries' version once more (they are kept per version,
# core.versioned). A page:
# its invoices' rows (with whether each has bank accounts) in one statement, and their lines in one more when it
# shows them. A lookup of what no invoice on the page has (KSeF documents, recurring definitions) costs no
# statement.
FRESH = {"invoiceocean get": 2, "invoiceocean get xml": 2, "invoiceocean get by login": 2,
         "invoiceocean list": 1, "invoiceocean list with positions": 2, "invo get": 3, "invo list": 1,
         "fakturan get": 2, "fakturan get by token": 2,
         "fakturan list": 2, "fakturan list by token": 2, "fakturan client's list": 2}


def _fresh(call: Callable[[], Any]) -> Callable[[], Any]:
    """The call with nothing kept of any page before it."""
    def fresh() -> Any:
        KEPT.clear()
        return call()
    return fresh


def _statements_of(statements: Statements, call: Callable[[], Any]) -> int:
    reads = statements.reads_of(call)
    return len(reads) + sum(1 for text in statements.texts if text.strip().upper() in ("BEGIN", "ROLLBACK"))


def test_a_get_or_a_list_runs_exactly_its_statements_in_every_dialect(
        statements: Statements, client: TestClient, ledger: Any) -> None:
    assert {name: _statements_of(statements, call) for name, call in _reads(client, ledger).items()} == STATEMENTS


def test_a_get_or_a_list_of_invoices_nothing_is_kept_of_reads_their_rows_and_lines_besides(
        statements: Statements, client: TestClient, ledger: Any) -> None:
    counted = {name: _statements_of(statements, _fresh(call)) - STATEMENTS[name]
               for name, call in _reads(client, ledger).items()}
    assert counted == FRESH


def test_on_sqlite_a_get_or_a_list_opens_no_sqlalchemy_connection_in_every_dialect(
        client: TestClient, ledger: Any) -> None:
    """A read's BEGIN ... ROLLBACK is raw on a DBAPI connection held outside the engine's pool (core.reader
    PointReads): checking a pooled connection out through a SQLAlchemy Connection, its begin event and its
    reset on return cost a list more than the sign-in statement itself. Connections opened by background
    threads (the traffic log's writes) are not the request's."""
    from sqlalchemy import event

    opened: list[str] = []

    def connected(_connection: Any) -> None:
        opened.append(threading.current_thread().name)

    reads = _reads(client, ledger)
    event.listen(ledger.engine, "engine_connect", connected)
    try:
        counted = {}
        for name, call in reads.items():
            assert call().status_code == 200
            opened.clear()
            assert call().status_code == 200
            counted[name] = sum(1 for thread in opened if thread not in _BACKGROUND)
    finally:
        event.remove(ledger.engine, "engine_connect", connected)
    assert counted == {name: 0 for name in counted}


_BACKGROUND = frozenset({"traffic-log", "group-commit", "recurring-scheduler", "malloc-trim"})


def test_lines_of_a_get_or_a_page_come_in_document_order_from_the_index_without_a_sort(
        statements: Statements, client: TestClient, ledger: Any) -> None:
    """ORDER BY invoice_id, position, id is the order of ix_invoice_lines_order (migration 0017): SQLite reads
    the lines sorted instead of sorting each invoice's in a temporary b-tree."""
    plans: dict[str, list[str]] = {}
    for name, call in _reads(client, ledger).items():
        lines = [text for text in statements.reads_of(_fresh(call)) if " FROM invoice_lines " in text]
        with ledger.engine.connect() as connection:
            for text in lines:  # the traced text carries its parameters' values
                plans[f"{name}: {text[-60:]}"] = [row[-1] for row in connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {text}").fetchall()]
    assert len({name.partition(":")[0] for name in plans}) == 10  # every get, and every list that shows lines
    assert {name: plan for name, plan in plans.items() if any("TEMP B-TREE" in step for step in plan)} == {}
    assert all(any("ix_invoice_lines_order" in step for step in plan) for plan in plans.values())


def test_a_create_signs_in_and_reads_what_it_needs_in_its_write_in_every_dialect(
        statements: Statements, client: TestClient, ledger: Any) -> None:
    """A create reads nothing before its write, in any dialect: the credential is looked up, and what the command
    is made from read (INVO's dictionaries and parties, fakturan's account and the client the body names), in the
    write's own job (dialects.kit.context.execute_signed). Where that cannot be (a first-use password, an
    idempotency key, PostgreSQL) they share the sign-in's one BEGIN ... ROLLBACK. (The write's own transaction is
    the writer's BEGIN IMMEDIATE, not counted here.)"""
    parties = _Parties(client, ledger)
    token, invo_auth, key, customer, buyer = (parties.token, parties.invo_auth, parties.key, parties.customer,
                                              parties.buyer)
    creates = {
        "invoiceocean": lambda: client.post(f"/invoices.json?api_token={token}", json={"invoice": {
            "kind": "vat", "buyer_name": "Kowalski", "client_id": None, "positions": POSITIONS}}),
        "invo": lambda: client.post("/api.json", auth=invo_auth, data={"r": "invoices", "q": json.dumps(
            {"action": "add", "c1id": customer, "items": [
                {"product": "Usługa", "count": 3, "pnetto": "100.00", "vatsm": "23%"}]})}),
        "fakturan": lambda: client.post("/api/v2/invoices", auth=key, json={"client_id": buyer, "rows": [
            {"product_name": "Tjänst", "amount": "3", "product_price": "100.00", "product_tax": 25}]}),
    }

    def begins(call: Callable[[], Any]) -> int:
        assert call().status_code in (200, 201)
        statements.texts.clear()
        answer = call()
        assert answer.status_code in (200, 201), answer.text
        return sum(1 for text in statements.texts if text.strip().upper() == "BEGIN")

    assert {name: begins(call) for name, call in creates.items()} == {"invoiceocean": 0, "invo": 0, "fakturan": 0}
