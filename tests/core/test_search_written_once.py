"""A create writes its invoice's full-text document once (migration 0016): not once for the header by the
invoice's INSERT trigger and again with the lines when 0015's mark is deleted.

Counted on SQLite's own trace: FTS5 reports each statement it runs on its shadow tables, and every document
it writes is one row inserted into `invoices_fts_content` (a rewrite deletes the old row first).
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from core.storage import writes
from tests.core.sql_trace import Trace
from tests.core.test_create_path import basic

LINES = 5


def _documents_written(trace: Trace) -> list[str]:
    return [sql for sql in trace.raw if sql.startswith("-- INSERT INTO") and "invoices_fts_content" in sql]


def _search(client: TestClient, account: dict[str, Any], needle: str) -> list[int]:
    auth = basic(account["invo"]["login"], account["invo"]["password"])
    found = client.post("/api.json", headers=auth, data={"r": "invoices", "q": json.dumps(
        {"action": "list", "search": needle})}).json()
    return [int(row["id"]) for row in found["rows"]]


def test_a_five_line_create_inserts_one_search_document_with_its_header_and_every_line(
        trace: Trace, app: Any, client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    positions = [{"name": f"Zegarmistrzostwo {n}", "tax": 23, "price_net": "10.00", "quantity": 1}
                 for n in range(1, LINES + 1)]
    app.state.traffic.flush()
    trace.on = True
    created = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "buyer_name": "Klient Jednorazowy", "positions": positions}})
    trace.on = False
    assert created.status_code == 201, created.text
    assert len(_documents_written(trace)) == 1
    invoice_id = int(created.json()["id"])
    # The one document has the header (number, buyer) and the lines, first to last.
    for needle in ["Klient Jednorazowy", str(created.json()["number"]),
                   *(f"Zegarmistrzostwo {n}" for n in range(1, LINES + 1))]:
        assert _search(client, account, needle) == [invoice_id], needle
    with app.state.engine.connect() as connection:  # no mark outlives the write, pending or claimed
        assert connection.execute(text(f"SELECT count(*) FROM {writes.SEARCH_DEFERRED}")).scalar() == 0


def test_a_create_refused_after_its_mark_leaves_no_mark_and_the_next_create_is_indexed(
        app: Any, client: TestClient, account: dict[str, Any]) -> None:
    """A number already taken fails the invoice's INSERT inside the marked block: the pending mark goes with
    the failure, so the next invoice's own trigger (or mark) still writes its document."""
    token = account["invoiceocean"]["api_token"]

    def create(number: str, name: str) -> Any:
        return client.post(f"/invoices.json?api_token={token}", json={"invoice": {
            "number": number, "buyer_name": "Klient", "positions": [
                {"name": name, "tax": 23, "price_net": "10.00", "quantity": 1}]}})

    first = create("FV/UNIQUE/1", "Pierwsza pozycja")
    assert first.status_code == 201, first.text
    refused = create("FV/UNIQUE/1", "Odrzucona pozycja")
    assert refused.status_code == 422, refused.text
    second = create("FV/UNIQUE/2", "Druga pozycja")
    assert second.status_code == 201, second.text
    assert _search(client, account, "Odrzucona") == []
    assert _search(client, account, "Druga pozycja") == [int(second.json()["id"])]
    with app.state.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {writes.SEARCH_DEFERRED}")).scalar() == 0


def test_an_invoice_inserted_without_a_mark_still_gets_its_document(app: Any, client: TestClient,
                                                                    account: dict[str, Any]) -> None:
    """Writers that set no mark (the ORM path: a create that is paid at once) are indexed by the triggers as
    before 0016."""
    token = account["invoiceocean"]["api_token"]
    created = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "buyer_name": "Klient Opłacony", "status": "paid", "positions": [
            {"name": "Opłacona pozycja", "tax": 23, "price_net": "10.00", "quantity": 1}]}})
    assert created.status_code == 201, created.text
    assert _search(client, account, "Klient Opłacony") == [int(created.json()["id"])]
    assert _search(client, account, "Opłacona pozycja") == [int(created.json()["id"])]
