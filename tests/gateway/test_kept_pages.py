"""List pages written from what was presented of each unchanged invoice before (dialects.kit.kept, migration 0021).

A page reads each invoice's version and presents again only the invoices that changed since this process last
presented them. What these tests hold: a warm page reads no invoice's rows; its bytes are the bytes of a page
presented afresh; and every change to a row an invoice's answer is made from (its lines, a recurring definition
made through another dialect, a payment, the account's settings, the public host) shows on the very next page,
whoever made the change.
"""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from core.invoice_versions import Kept
from dialects.kit.kept import KEPT
from tests.gateway.conftest import Statements
from tests.gateway.test_read_hops import POSITIONS

FK_ROWS = [{"product_name": "Tjänst", "amount": "3", "product_price": "100.00", "product_tax": 25},
           {"product_name": "Tjänst 2", "amount": "1", "product_price": "10.00", "product_tax": 12}]


class Parties:
    """One account with each dialect's credentials, three invoices made through each, and each dialect's list."""

    def __init__(self, client: TestClient, account: dict[str, Any]) -> None:
        self.client = client
        self.token = account["invoiceocean"]["api_token"]
        self.invo_auth = (account["invo"]["login"], account["invo"]["password"])
        self.key = (account["fakturan"]["key_id"], account["fakturan"]["password"])
        buyer = client.post("/api/v2/clients", auth=self.key, json={"company": "Kund AB"}).json()["data"]["id"]
        self.io_ids, self.fk_ids = [], []
        for _ in range(3):
            made = client.post(f"/invoices.json?api_token={self.token}", json={"invoice": {
                "kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}})
            assert made.status_code == 201, made.text
            self.io_ids.append(made.json()["id"])
            made = client.post("/api/v2/invoices", auth=self.key, json={"client_id": buyer, "rows": FK_ROWS})
            assert made.status_code == 201, made.text
            self.fk_ids.append(made.json()["data"]["id"])

    def invo(self, q: dict[str, Any]) -> Any:
        return self.client.post("/api.json", auth=self.invo_auth, data={"r": "invoices", "q": json.dumps(q)})

    def reads(self) -> dict[str, Callable[[], Any]]:
        """Every list, and a get of an invoice made through each dialect in each dialect."""
        client, token = self.client, self.token
        gets: dict[str, Callable[[], Any]] = {}
        for made_by, invoice_id in (("invoiceocean", self.io_ids[0]), ("fakturan", self.fk_ids[0])):
            gets |= {
                f"invoiceocean get of {made_by}'s": lambda i=invoice_id: client.get(
                    f"/invoices/{i}.json?api_token={token}"),
                f"invoiceocean xml get of {made_by}'s": lambda i=invoice_id: client.get(
                    f"/invoices/{i}.xml?api_token={token}"),
                f"invo get of {made_by}'s": lambda i=invoice_id: self.invo({"action": "list", "id": i, "items": 1}),
                f"invo row of {made_by}'s": lambda i=invoice_id: self.invo({"action": "list", "id": i}),
                f"fakturan get of {made_by}'s": lambda i=invoice_id: client.get(f"/api/v2/invoices/{i}", auth=self.key),
            }
        return self.lists() | gets

    def lists(self) -> dict[str, Callable[[], Any]]:
        client, token = self.client, self.token
        return {
            "invoiceocean": lambda: client.get(f"/invoices.json?api_token={token}&per_page=25&page=1"),
            "invoiceocean with positions": lambda: client.get(
                f"/invoices.json?api_token={token}&include_positions=true"),
            "invo": lambda: client.post("/api.json", auth=self.invo_auth, data={
                "r": "invoices", "q": json.dumps({"action": "list", "page": 1, "cpp": 25})}),
            "fakturan": lambda: client.get("/api/v2/invoices?per_page=25", auth=self.key),
        }

    def fakturan_item(self, invoice_id: int) -> dict[str, Any]:
        page = self.client.get("/api/v2/invoices?per_page=25", auth=self.key)
        assert page.status_code == 200, page.text
        return next(item for item in page.json()["data"] if item["id"] == invoice_id)

    def io_item(self, invoice_id: int, **headers: str) -> dict[str, Any]:
        page = self.client.get(f"/invoices.json?api_token={self.token}&include_positions=true", headers=headers)
        assert page.status_code == 200, page.text
        return next(item for item in page.json() if item["id"] == invoice_id)


@pytest.fixture
def parties(client: TestClient, account: dict[str, Any]) -> Parties:
    KEPT.clear()
    return Parties(client, account)


def test_a_warm_page_reads_no_invoice_columns_and_no_lines_in_any_dialect(
        statements: Statements, parties: Parties) -> None:
    """The second list of the same page reads keys and the total only: no invoice's ~90 columns, no line."""
    for name, call in parties.lists().items():
        reads = statements.reads_of(call)
        assert not [sql for sql in reads if "invoice_lines" in sql or "buyer_name" in sql], (name, reads)


def test_a_page_or_a_get_written_from_kept_json_is_byte_equal_to_one_presented_afresh(parties: Parties) -> None:
    for name, call in parties.reads().items():
        KEPT.clear()
        fresh = call()
        warm = call()
        assert fresh.status_code == warm.status_code == 200, name
        assert warm.content == fresh.content, name
        if "json" in warm.headers["content-type"]:
            assert json.loads(warm.content), name  # the fragments make valid JSON


# Changes written past the gateway (a hand-run UPDATE, another process): only the triggers of 0018, 0019 and 0021
# can tell a reader of them.
CHANGES = {
    "a line": "UPDATE invoice_lines SET name = name || ' (zmiana)', price_net = '99.5'",
    "an invoice": "UPDATE invoices SET description = 'Zmienione', buyer_name = 'Nowak'",
    "the account's settings": "UPDATE accounts SET settings = json_set(settings, '$.invoice_template', 'sweden')",
    "a dictionary entry": "UPDATE dictionary_entries SET data = json_set(data, '$.name', 'Zmieniona')",
}


@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_every_get_and_list_answers_what_a_fresh_one_does(
        parties: Parties, app: Any, change: str) -> None:
    """Each read warm, the change, then each read: byte for byte what it answers with nothing kept."""
    reads = parties.reads()
    before = {name: call().content for name, call in reads.items()}
    with app.state.engine.begin() as conn:
        conn.execute(text(CHANGES[change]))

    after = {name: call().content for name, call in reads.items()}
    fresh = {}
    for name, call in reads.items():
        KEPT.clear()
        fresh[name] = call().content

    assert after == fresh
    assert after != before  # the change shows somewhere


def test_a_changed_row_shows_on_the_next_fakturan_page_and_the_others_stay_as_they_were(parties: Parties) -> None:
    invoice_id, other_id = parties.fk_ids[0], parties.fk_ids[1]
    before, other = parties.fakturan_item(invoice_id), parties.fakturan_item(other_id)
    changed = parties.client.put(f"/api/v2/invoices/{invoice_id}", auth=parties.key, json={"rows": [
        {"id": before["rows"][0]["id"], "product_name": "Konsult", "amount": "2", "product_price": "50.00",
         "product_tax": 25}]})
    assert changed.status_code == 204, changed.text

    after = parties.fakturan_item(invoice_id)

    assert after == parties.client.get(f"/api/v2/invoices/{invoice_id}", auth=parties.key).json()["data"]
    assert after["rows"][0]["product_name"] == "Konsult" and after != before
    assert parties.fakturan_item(other_id) == other


def test_a_recurring_definition_made_through_invoiceocean_shows_on_the_next_fakturan_page(
        parties: Parties) -> None:
    """Only the recurrings table changes: the invoice's version rises by its trigger, not by an invoice update."""
    invoice_id = parties.fk_ids[1]
    assert "interval_period" not in parties.fakturan_item(invoice_id)

    made = parties.client.post("/recurrings.json", json={"api_token": parties.token, "recurring": {
        "name": "Co kwartał", "invoice_id": invoice_id, "every": "3m", "start_date": "2027-01-01",
        "send_email": False, "buyer_email": ""}})
    assert made.status_code == 201, made.text

    assert parties.fakturan_item(invoice_id)["interval_period"] == 3


def test_a_line_changed_by_any_writer_outside_the_gateway_shows_on_the_next_page(
        parties: Parties, app: Any) -> None:
    """Another process (or a hand-run UPDATE) changing only a line: the line's trigger raises the invoice's version."""
    invoice_id = parties.fk_ids[2]
    assert parties.fakturan_item(invoice_id)["rows"][0]["product_name"] == "Tjänst"
    io_id = parties.io_ids[0]
    assert parties.io_item(io_id)["positions"][0]["name"] == "Usługa"

    with app.state.engine.begin() as conn:
        conn.execute(text("UPDATE invoice_lines SET name = 'Renamed' WHERE invoice_id IN (:a, :b)"),
                     {"a": invoice_id, "b": io_id})

    assert parties.fakturan_item(invoice_id)["rows"][0]["product_name"] == "Renamed"
    assert parties.io_item(io_id)["positions"][0]["name"] == "Renamed"


def test_a_payment_shows_on_the_next_invoiceocean_page(parties: Parties) -> None:
    io_id = parties.io_ids[1]
    assert parties.io_item(io_id)["paid"] == "0.00"
    paid = parties.client.post("/banking/payments.json", json={"api_token": parties.token, "banking_payment": {
        "name": "Wpłata", "price": "100.00", "invoice_id": io_id, "paid": True, "kind": "api"}})
    assert paid.status_code == 201, paid.text

    assert parties.io_item(io_id)["paid"] == "100.00"


def test_the_account_settings_a_fakturan_invoice_shows_are_part_of_what_it_is_kept_under(
        parties: Parties, app: Any) -> None:
    """An invoice made through InvoiceOcean has no template of its own: fakturan shows the account's default."""
    invoice_id = parties.io_ids[0]
    assert parties.fakturan_item(invoice_id)["settings"]["invoice_template"] == "croatia"
    with app.state.engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET settings = :s"), {"s": json.dumps({"invoice_template": "sweden"})})

    assert parties.fakturan_item(invoice_id)["settings"]["invoice_template"] == "sweden"


def test_links_follow_the_host_each_page_is_asked_through(parties: Parties) -> None:
    """The public links are the request's own: a page kept for one host is not another host's."""
    io_id = parties.io_ids[2]
    first = parties.io_item(io_id)["view_url"]
    other = parties.io_item(io_id, host="localhost")["view_url"]

    assert first.startswith("http://testserver/f/")
    assert other.startswith("http://localhost/f/")


def test_kept_values_are_bounded_in_bytes_least_recently_used_first() -> None:
    kept = Kept(budget=8)
    engine: Any = type("Engine", (), {})()
    kept.keep(engine, "k", [(1, 1, b"1111"), (2, 1, b"2222")])
    assert kept.found(engine, "k", [(1, 1)]) == {1: b"1111"}  # 1 is now the most recently used
    kept.keep(engine, "k", [(3, 1, b"33")])  # 10 bytes: 2, the least recently used, goes

    assert kept.found(engine, "k", [(1, 1), (2, 1), (3, 1)]) == {1: b"1111", 3: b"33"}
    assert kept.found(engine, "k", [(1, 2)]) == {}  # another version is another invoice state
    assert kept.found(engine, "other key", [(1, 1)]) == {}
    kept.keep(engine, "k", [(1, 2, b"11")])  # a new version replaces the old: 4 bytes in all, nothing goes
    assert kept.found(engine, "k", [(1, 2), (3, 1)]) == {1: b"11", 3: b"33"}


def test_a_client_paging_through_everything_once_reads_each_page_in_one_statement_after_two(
        statements: Statements, parties: Parties) -> None:
    """An export finds nothing kept on any page: after two pages read keys first (core.invoice_versions.COLD_PAGES),
    each page reads its rows with their versions in the page's own statement, as before anything was kept; a page
    that finds something kept again goes back to reading keys first."""
    def page(number: int) -> list[str]:
        statements.texts.clear()
        answer = parties.invo({"action": "list", "page": number, "cpp": 2})
        assert answer.status_code == 200 and "error" not in answer.json(), answer.text
        return [text for text in statements.texts if text.lstrip().upper().startswith("SELECT")
                and "invoices" in text and "users" not in text]

    def shape(reads: list[str]) -> list[str]:
        return ["keys" if "buyer_name" not in sql else "rows with versions" if "invoice_versions" in sql else "rows"
                for sql in reads]

    assert shape(page(1)) == ["keys", "rows"]
    assert shape(page(2)) == ["keys", "rows"]
    assert shape(page(3)) == ["rows with versions"]  # the export's pages from here on: one statement each
    assert shape(page(1)) == ["rows with versions"]  # finds page 1 kept...
    assert shape(page(1)) == ["keys"]  # ...so keys first again, and nothing else


def test_an_invoice_kept_for_its_account_is_still_not_found_by_another(
        parties: Parties, other_account: dict[str, Any]) -> None:
    """The invoice's key is read within the caller's account before anything kept is looked at."""
    io_id, fk_id = parties.io_ids[0], parties.fk_ids[0]
    assert parties.client.get(f"/invoices/{io_id}.json?api_token={parties.token}").status_code == 200
    assert parties.client.get(f"/api/v2/invoices/{fk_id}", auth=parties.key).status_code == 200
    assert parties.invo({"action": "list", "id": io_id, "items": 1}).json()["rows"]  # all three kept now

    other_token = other_account["invoiceocean"]["api_token"]
    other_invo = (other_account["invo"]["login"], other_account["invo"]["password"])
    other_key = (other_account["fakturan"]["key_id"], other_account["fakturan"]["password"])
    assert parties.client.get(f"/invoices/{io_id}.json?api_token={other_token}").status_code == 404
    assert parties.client.get(f"/invoices/{io_id}.xml?api_token={other_token}").status_code == 404
    assert parties.client.get(f"/api/v2/invoices/{fk_id}", auth=other_key).status_code == 404
    assert parties.client.post("/api.json", auth=other_invo, data={"r": "invoices", "q": json.dumps(
        {"action": "list", "id": io_id, "items": 1})}).json()["error"] == 6
    assert parties.client.get(f"/invoices.json?api_token={other_token}").json() == []
