"""The create path's structure, over HTTP in each dialect: how many statements a 5-line create runs, that it
builds no ORM instance (core.storage.writes writes plain records), and that its answer is what a GET shows.

Statements are counted on SQLite's own trace (sqlite3's set_trace_callback on every connection of the
engine), so the plain writes that bypass SQLAlchemy count as much as its statements do.
"""
from __future__ import annotations

import base64
import json
import threading
from typing import Any, Callable

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Mapper
from starlette.testclient import TestClient

from core.ledger import Ledger
from tests.core.sql_trace import Trace

LINES = 5


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _invoiceocean(account: dict[str, Any], client_id: int) -> tuple[str, dict[str, str], dict[str, Any]]:
    positions = [{"name": f"Usługa {i}", "tax": 23, "price_net": "100.00", "quantity": 3, "quantity_unit": "szt."}
                 for i in range(LINES)]
    token = account["invoiceocean"]["api_token"]
    return (f"/invoices.json?api_token={token}", {},
            {"invoice": {"kind": "vat", "client_id": client_id, "positions": positions}})


def _fakturan(account: dict[str, Any], client_id: int) -> tuple[str, dict[str, str], dict[str, Any]]:
    rows = [{"product_name": f"Tjänst {i}", "product_unit": "st", "product_tax": 25, "product_price": "100.00",
             "amount": "3"} for i in range(LINES)]
    auth = basic(account["fakturan"]["key_id"], account["fakturan"]["password"])
    return "/api/v2/invoices", auth, {"client_id": client_id, "rows": rows}


def _invo_form(account: dict[str, Any], client_id: int) -> tuple[str, dict[str, str], dict[str, str]]:
    items = [{"product": f"Usługa {i}", "count": 3, "pnetto": "100.00", "vatsm": "23%", "unitsm": "szt."}
             for i in range(LINES)]
    auth = basic(account["invo"]["login"], account["invo"]["password"])
    return "/api.json", auth, {"r": "invoices", "q": json.dumps({"action": "add", "c1id": client_id, "items": items})}


def _creates(client: TestClient, account: dict[str, Any], fakturan_account: dict[str, Any]
             ) -> dict[str, Callable[[], Any]]:
    io_token = account["invoiceocean"]["api_token"]
    io_client = client.post(f"/clients.json?api_token={io_token}", json={"client": {"name": "Klient"}}).json()["id"]
    fk_auth = basic(fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    fk_client = client.post("/api/v2/clients", headers=fk_auth, json={"company": "Kund AB"}).json()["data"]["id"]

    def io() -> Any:
        path, headers, body = _invoiceocean(account, io_client)
        return client.post(path, headers=headers, json=body)

    def invo() -> Any:
        path, headers, form = _invo_form(account, io_client)
        return client.post(path, headers=headers, data=form)

    def fk() -> Any:
        path, headers, body = _fakturan(fakturan_account, fk_client)
        return client.post(path, headers=headers, json=body)

    return {"invoiceocean": io, "invo": invo, "fakturan": fk}


# The write transaction of a 5-line create, statement by statement. Adding one fails this test: say why here.
WRITER = [
    # The account's number (0019): its settings (numbering pattern, timezone, currency), whether webhooks listen,
    # its departments (the seller) and their bank accounts come from memory while it is the one they were read at.
    "SELECT reference_versions",
    "SELECT clients",  # the client by id, within the account
    "INSERT number_counters",  # the counter bumped and returned, with whether its number is stored (issue 24)
    "INSERT invoices_fts_deferred",  # the search document waits for the invoice and its lines (0015, 0016) ...
    "INSERT invoices",  # the header, with its number and totals
    "INSERT invoice_lines",  # all lines, one multi-row INSERT
    "INSERT events",  # the InvoiceCreated row
    # ... and is written once, with every line, not once more per line: after the batch's last job, with every
    # other document of the batch, in this one statement (core.storage.writes._write_batch_documents)
    "DELETE invoices_fts_deferred",
]


# What a create reads in the write's own job before its statements above, where the dialect signs its caller in
# there (dialects.kit.context.execute_signed): on the event loop's connection each of these read its pages again
# after every commit.
SIGNED_IN_THE_WRITE = {
    "invoiceocean": ["SELECT credentials"],
    # fakturan's create also reads the account's settings and the client's (their defaults fill the invoice) to
    # make its command; the handler then resolves the client as every create does
    "fakturan": ["SELECT credentials", "SELECT accounts", "SELECT clients"],
    # INVO's: the login, and the dictionaries' version (the dictionaries its header is judged by come from memory
    # while it is the one they were read at)
    "invo": ["SELECT users", "SELECT dictionary_versions"],
}


@pytest.mark.parametrize("dialect", ["invoiceocean", "invo", "fakturan"])
def test_a_five_line_create_runs_exactly_its_statements_in_the_write_transaction(
        trace: Trace, app: Any, client: TestClient, account: dict[str, Any], fakturan_account: dict[str, Any],
        dialect: str) -> None:
    # `trace` first: it hooks the engine before any connection the test's writes use is made (the group
    # committer keeps its connection from one batch to the next)
    create = _creates(client, account, fakturan_account)[dialect]
    assert create().status_code in (200, 201)  # the first create of a series makes its counter row
    # the first use of a password checks it with argon2, in the thread pool, and signs in before the write: the
    # second signs in in the write, and finds what its connection remembers (core.storage.sqlite.has_tables)
    assert create().status_code in (200, 201)
    app.state.traffic.flush()
    trace.on = True
    answer = create()
    trace.on = False
    assert answer.status_code in (200, 201), answer.text
    assert trace.writer() == SIGNED_IN_THE_WRITE.get(dialect, []) + WRITER, trace.writer()
    # One savepoint level, the batch's (core.storage.group_commit): the create's unit of work takes none.
    assert trace.savepoints() == (1, 1)


def test_a_five_line_create_writes_its_search_document_once_and_every_line_is_found(
        trace: Trace, app: Any, client: TestClient, account: dict[str, Any]) -> None:
    """FTS5 rewrites a document by deleting its old text from the index's content table first: the trace shows
    that step once per rewrite. Migration 0015's mark makes it one rewrite for the create, not one per line."""
    token = account["invoiceocean"]["api_token"]
    positions = [{"name": f"Zegarmistrzostwo {n}", "tax": 23, "price_net": "10.00", "quantity": 1}
                 for n in range(1, LINES + 1)]
    app.state.traffic.flush()
    trace.on = True
    created = client.post(f"/invoices.json?api_token={token}", json={"invoice": {"buyer_name": "Klient",
                                                                                  "positions": positions}})
    trace.on = False
    assert created.status_code == 201, created.text
    rewrites = [sql for sql in trace.raw if sql.startswith("-- DELETE FROM") and "invoices_fts_content" in sql]
    assert len(rewrites) == 1, rewrites
    auth = basic(account["invo"]["login"], account["invo"]["password"])
    for n in range(1, LINES + 1):  # the first line and the last alike: the one rewrite had them all
        found = client.post("/api.json", headers=auth, data={"r": "invoices", "q": json.dumps(
            {"action": "list", "search": f"Zegarmistrzostwo {n}"})}).json()
        assert [row["id"] for row in found["rows"]] == [created.json()["id"]], (n, found)
    with app.state.engine.connect() as connection:  # the mark went with the write
        assert connection.exec_driver_sql("SELECT count(*) FROM invoices_fts_deferred").scalar() == 0


@pytest.mark.parametrize("dialect", ["invoiceocean", "invo", "fakturan"])
def test_a_create_builds_no_orm_instance(client: TestClient, account: dict[str, Any],
                                         fakturan_account: dict[str, Any], dialect: str) -> None:
    create = _creates(client, account, fakturan_account)[dialect]
    create()
    built: list[str] = []

    def init(target: Any, _args: Any, _kwargs: Any) -> None:
        built.append(type(target).__name__)

    event.listen(Mapper, "init", init)
    try:
        answer = create()
    finally:
        event.remove(Mapper, "init", init)
    assert answer.status_code in (200, 201), answer.text
    assert built == []


@pytest.mark.parametrize("dialect", ["invoiceocean", "invo", "fakturan"])
def test_a_create_opens_no_sqlalchemy_session(client: TestClient, account: dict[str, Any],
                                              fakturan_account: dict[str, Any], dialect: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The create runs on the writer thread's connection (core.unit_of_work.PlainSession): no Session is made,
    so none begins, flushes, commits or takes a savepoint of its own."""
    create = _creates(client, account, fakturan_account)[dialect]
    create()
    opened = _count_sessions(monkeypatch)
    answer = create()
    assert answer.status_code in (200, 201), answer.text
    assert opened == []


@pytest.mark.parametrize("buyer", [{"buyer_name": "Klient Stały"},
                                   {"buyer_name": "Klient Stały", "buyer_tax_no": "PL 525-244-57-67"},
                                   {"buyer_name": "Klient Stały", "buyer_email": "staly@example.com"}],
                         ids=["name", "tax_no", "email"])
def test_a_create_whose_buyer_matches_a_client_reads_it_without_a_session(
        client: TestClient, account: dict[str, Any], monkeypatch: pytest.MonkeyPatch, buyer: dict[str, str]) -> None:
    """InvoiceOcean matches a buyer given without client_id to an existing client (core.handlers.parties
    .match_client): a plain read, so the create stays on the plain path; the invoice names the oldest match."""
    token = account["invoiceocean"]["api_token"]
    fields = {"name": buyer["buyer_name"], "tax_no": buyer.get("buyer_tax_no", ""), "email": buyer.get("buyer_email")}
    made = [client.post(f"/clients.json?api_token={token}", json={"client": fields}).json()["id"] for _ in range(2)]
    body = {"invoice": {**buyer, "positions": [{"name": "A", "tax": 23, "total_price_gross": 10}]}}
    client.post(f"/invoices.json?api_token={token}", json=body)  # the series' counter row
    opened = _count_sessions(monkeypatch)
    answer = client.post(f"/invoices.json?api_token={token}", json=body)
    assert answer.status_code == 201, answer.text
    assert opened == []
    assert answer.json()["client_id"] == min(made)
    listed = client.get(f"/clients.json?api_token={token}").json()
    assert sorted(c["id"] for c in listed) == sorted(made)  # matched, not created again


def test_an_idempotent_create_claims_its_key_without_a_session_and_replays_it(
        client: TestClient, account: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The Idempotency-Key is claimed and tied to the invoice as plain rows, in the create's own savepoint."""
    token = account["invoiceocean"]["api_token"]
    client_id = client.post(f"/clients.json?api_token={token}", json={"client": {"name": "Klient"}}).json()["id"]
    body = {"invoice": {"client_id": client_id, "positions": [{"name": "A", "tax": 23, "total_price_gross": 10}]}}
    headers = {"Idempotency-Key": "create-path-1"}
    client.post(f"/invoices.json?api_token={token}", json=body)  # the series' counter row
    opened = _count_sessions(monkeypatch)
    claimed = Ledger._claimed
    in_create: list[int] = []

    def watched(self: Ledger, *args: Any) -> Any:  # sessions the create's job opens, not the answer's store
        before = len(opened)
        try:
            return claimed(self, *args)
        finally:
            in_create.append(len(opened) - before)

    monkeypatch.setattr(Ledger, "_claimed", watched)
    first = client.post(f"/invoices.json?api_token={token}", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert in_create == [0]
    again = client.post(f"/invoices.json?api_token={token}", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_the_session_watch_sees_a_create_that_needs_the_orm(client: TestClient, account: dict[str, Any],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch above can fail: a create with an inline new client writes the client through the ORM, which
    the plain unit of work opens a Session for, on the same connection; the client and invoice are both there."""
    token = account["invoiceocean"]["api_token"]
    opened = _count_sessions(monkeypatch)
    answer = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "client_id": -1, "buyer_name": "Nowy Klient", "buyer_tax_no": "5252445767",
        "positions": [{"name": "A", "tax": 23, "total_price_gross": 10}]}})
    assert answer.status_code == 201, answer.text
    assert opened
    client_id = answer.json()["client_id"]
    assert client.get(f"/clients/{client_id}.json?api_token={token}").json()["name"] == "Nowy Klient"
    assert client.get(f"/invoices/{answer.json()['id']}.json?api_token={token}").json()["client_id"] == client_id


def _count_sessions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQLAlchemy Session made from here on, by the thread that made it."""
    from sqlalchemy.orm import Session

    opened: list[str] = []
    made = Session.__init__

    def counting(self: Session, *args: Any, **kwargs: Any) -> None:
        opened.append(threading.current_thread().name)
        made(self, *args, **kwargs)

    monkeypatch.setattr(Session, "__init__", counting)
    return opened


def test_the_orm_init_watch_sees_a_create_that_keeps_the_orm(client: TestClient, account: dict[str, Any]) -> None:
    """The watch above can fail: an invoice created paid keeps the ORM (its payment), and it is seen."""
    token = account["invoiceocean"]["api_token"]
    built: list[str] = []

    def init(target: Any, _args: Any, _kwargs: Any) -> None:
        built.append(type(target).__name__)

    event.listen(Mapper, "init", init)
    try:
        answer = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
            "buyer_name": "Klient", "status": "paid",
            "positions": [{"name": "A", "tax": 23, "total_price_gross": 10}]}})
    finally:
        event.remove(Mapper, "init", init)
    assert answer.status_code == 201, answer.text
    assert "Invoice" in built and "Payment" in built


def test_a_created_invoice_answers_as_its_get_does(client: TestClient, account: dict[str, Any]) -> None:
    """The answer is built from the values just written (no re-read); a GET reads them back from the database:
    every field, with its type on the wire, is the same."""
    token = account["invoiceocean"]["api_token"]
    created = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "buyer_name": "Klient", "buyer_tax_no": "5252445767", "exchange_currency": "EUR", "exchange_kind": "own",
        "exchange_currency_rate": "4.2512", "positions": [
            {"name": "A", "tax": 23, "price_net": "100.10", "quantity": "2.5", "quantity_unit": "h"},
            {"name": "B", "tax": "zw", "total_price_gross": 50, "discount_percent": "10"}]}})
    assert created.status_code == 201, created.text
    shown = client.get(f"/invoices/{created.json()['id']}.json?api_token={token}")
    assert shown.status_code == 200
    assert created.json() == shown.json()


def test_a_create_with_products_a_price_list_and_department_bank_accounts_builds_no_orm_instance(
        client: TestClient, account: dict[str, Any]) -> None:
    """The common path's other readers stay plain too: the products a position names, the price list that
    reprices them, and the department's bank accounts the invoice carries copies of."""
    token = account["invoiceocean"]["api_token"]

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(f"{path}?api_token={token}", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    department = post("/departments.json", {"department": {"name": "Dział B"}})["id"]
    post("/bank_accounts.json", {"bank_account": {
        "name": "Rachunek główny PLN", "bank_account_number": "PL61 1090 1014 0000 0712 1981 2874",
        "bank_account_version_departments": [
            {"department_id": department, "show_on_invoice": True, "main_on_department": True}]}})
    product = post("/products.json", {"product": {"name": "PoroductAA", "code": "A001", "price_net": "100",
                                                  "tax": "23"}})["id"]
    price_list = post("/price_lists.json", {"price_list": {"name": "Cennik", "currency": "PLN",
                                                           "price_list_positions_attributes": {"0": {
                                                               "priceable_id": product, "priceable_type": "Product",
                                                               "use_percentage": "0", "price_net": "111.0",
                                                               "price_gross": "136.53", "use_tax": "1",
                                                               "tax": "23"}}}})["id"]
    body = {"invoice": {"buyer_name": "Klient", "department_id": department, "price_list_id": price_list,
                        "positions": [{"product_id": product, "quantity": 2}]}}
    post("/invoices.json", body)  # the series' first number makes its counter row
    built: list[str] = []

    def init(target: Any, _args: Any, _kwargs: Any) -> None:
        built.append(type(target).__name__)

    event.listen(Mapper, "init", init)
    try:
        created = post("/invoices.json", body)
    finally:
        event.remove(Mapper, "init", init)
    assert built == []
    assert [(p["product_id"], p["price_net"], p["quantity"]) for p in created["positions"]] == [
        (product, "111.00", "2.0")]
    assert [b["bank_account_number"] for b in created["bank_accounts"]] == ["PL61 1090 1014 0000 0712 1981 2874"]
    shown = client.get(f"/invoices/{created['id']}.json?api_token={token}").json()
    assert created == shown


def test_a_create_renders_its_number_from_pieces_remembered_for_its_pattern_and_day(
        client: TestClient, account: dict[str, Any], fakturan_account: dict[str, Any]) -> None:
    """The pattern is scanned and its date parts formatted once per (pattern, day), not on every create (they
    were a tenth of a millisecond of each): later creates of the day find them remembered."""
    from core import numbering

    creates = _creates(client, account, fakturan_account)
    for create in creates.values():
        assert create().status_code in (200, 201)
    numbering._pieces.cache_clear()
    numbering.period_key.cache_clear()
    for _ in range(3):
        for create in creates.values():
            assert create().status_code in (200, 201)
    for remembered in (numbering._pieces, numbering.period_key):
        info = remembered.cache_info()
        assert info.misses <= len(creates) and info.hits >= 2 * len(creates), (remembered, info)
