"""Issue 24 items 1, 2 and the numbering decisions: numbers and ids as every dialect's client meets them, on
SQLite and on PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from gateway.app import create_app
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.parity.harness import Wire

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
POSITION = {"name": "Usługa", "quantity": 1, "tax": 23, "price_net": "100.00"}


@pytest.fixture(params=BACKENDS)
def gateway(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    url = database_url
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        upgrade(url)
    app = create_app(Settings(database_url=url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app, base_url="http://testserver") as client:
        yield client, app
    app.state.engine.dispose()


def wire_for(gateway: tuple[TestClient, Any], profile: str = "invoiceocean") -> Wire:
    client, app = gateway
    ledger = app.state.ledger
    return Wire(client, ledger, ledger.write(create_account, "Acme", profile=profile).as_dict())


def create(w: Wire, via: str, issue_date: str, number: str | None = None) -> dict[str, Any]:
    """An invoice through `via`, automatic unless `number` is given; the answer's id and InvoiceOcean's number."""
    if via == "invoiceocean":
        invoice = {"kind": "vat", "issue_date": issue_date, "buyer_name": "Klient1", "positions": [POSITION]}
        invoice_id = w.io("POST", "/invoices.json", {"invoice": {**invoice, **({"number": number} if number else {})}},
                          status=201)["id"]
    elif via == "invo":
        q = {"action": "add", "type2": "+FV", "mdate": issue_date, "c1name": "Klient1",
             "items": [{"product": "Usługa", "count": 1, "vatsm": "23%", "pnetto": "100.00"}]}
        invoice_id = w.invo("invoices", {**q, **({"nrdoc": number} if number else {})})["id"]
    else:
        body = {"date": issue_date, "client": {"company": "Klient1"},
                "rows": [{"product_name": "Usługa", "amount": "1", "product_price": "100.00", "product_tax": 25}]}
        invoice_id = w.fk("POST", "/invoices", {**body, **({"number": int(number)} if number else {})},
                          status=201)["data"]["id"]
    return {"id": invoice_id, "number": w.io("GET", f"/invoices/{invoice_id}.json")["number"]}


def refused_as_taken(w: Wire, via: str, issue_date: str, number: str) -> None:
    if via == "invoiceocean":
        answer = w.io("POST", "/invoices.json", {"invoice": {"kind": "vat", "issue_date": issue_date, "number": number,
                                                             "buyer_name": "Klient1", "positions": [POSITION]}},
                      status=422)
        assert "number" in answer["message"]
    else:
        w.invo("invoices", {"action": "add", "type2": "+FV", "mdate": issue_date, "c1name": "Klient1", "nrdoc": number,
                            "items": [{"product": "Usługa", "count": 1, "vatsm": "23%", "pnetto": "1"}]}, error=8)


# -- item 1: a number of another period moves that period's counter -------------------------------
@pytest.mark.parametrize("auto_via", ["invoiceocean", "invo", "fakturan"])
@pytest.mark.parametrize("stray_via", ["invoiceocean", "invo"])
def test_a_stray_number_first_never_blocks_its_series(gateway: Any, stray_via: str, auto_via: str) -> None:
    w = wire_for(gateway)
    assert create(w, stray_via, "2026-06-30", "3/09/2026")["number"] == "3/09/2026"
    made = [create(w, auto_via, "2026-09-10")["number"] for _ in range(3)]
    assert made == ["4/09/2026", "5/09/2026", "6/09/2026"]
    assert create(w, auto_via, "2026-06-30")["number"] == "1/06/2026"


@pytest.mark.parametrize("auto_via", ["invoiceocean", "invo", "fakturan"])
@pytest.mark.parametrize("stray_via", ["invoiceocean", "invo"])
def test_automatic_numbers_first_then_a_stray_one_continue_after_it(gateway: Any, stray_via: str,
                                                                    auto_via: str) -> None:
    w = wire_for(gateway)
    first = [create(w, auto_via, "2026-09-10")["number"] for _ in range(2)]
    refused_as_taken(w, stray_via, "2026-06-30", "2/09/2026")
    create(w, stray_via, "2026-06-30", "5/09/2026")
    assert first + [create(w, auto_via, "2026-09-11")["number"]] == ["1/09/2026", "2/09/2026", "6/09/2026"]


# -- item 2: ids are never reused -----------------------------------------------------------------
def test_an_id_deleted_is_never_given_again_in_any_resource(gateway: Any) -> None:
    w = wire_for(gateway)
    resources = {
        "invoices": {"invoice": {"kind": "vat", "buyer_name": "Klient1", "positions": [POSITION]}},
        "clients": {"client": {"name": "Klient2", "tax_no": "5252445767"}},
        "products": {"product": {"name": "Gizmo", "tax": 23, "price_net": "10.00"}},
        "banking/payments": {"banking_payment": {"name": "Payment 001", "price": 100.05, "kind": "api"}},
        "departments": {"department": {"name": "Dział", "shortcut": "D1", "tax_no": "5252445767"}},
        "price_lists": {"price_list": {"name": "Hurt", "currency": "PLN"}},
    }
    for resource, body in resources.items():
        newest = w.io("POST", f"/{resource}.json", body, status=201)["id"]
        w.io("DELETE", f"/{resource}/{newest}.json")
        again = w.io("POST", f"/{resource}.json", body, status=201)["id"]
        assert again > newest, resource
        w.io("GET", f"/{resource}/{newest}.json", status=404)


def test_a_retried_delete_of_a_gone_invoice_touches_no_other_in_any_dialect(gateway: Any) -> None:
    w = wire_for(gateway)
    gone = create(w, "invoiceocean", "2026-03-01")["id"]
    w.invo("invoices", {"action": "delete", "id": gone})
    newer = create(w, "fakturan", "2026-03-01")["id"]
    assert newer != gone
    w.io("DELETE", f"/invoices/{gone}.json", status=404)
    w.invo("invoices", {"action": "delete", "id": gone}, error=6)
    w.fk("GET", f"/invoices/{newer}")


# -- item 8: the numbering decisions ----------------------------------------------------------------
@pytest.mark.parametrize("via", ["invoiceocean", "invo"])
def test_deleting_the_newest_invoice_leaves_its_number_unused(gateway: Any, via: str) -> None:
    w = wire_for(gateway)
    made = [create(w, "invoiceocean", "2026-03-01") for _ in range(2)]
    numbers, newest = [m["number"] for m in made], made[-1]["id"]
    if via == "invoiceocean":
        w.io("DELETE", f"/invoices/{newest}.json")
    else:
        w.invo("invoices", {"action": "delete", "id": newest})
    assert numbers + [create(w, "fakturan", "2026-03-02")["number"]] == ["1/03/2026", "2/03/2026", "3/03/2026"]


@pytest.mark.parametrize("via", ["invoiceocean", "invo", "fakturan"])
def test_moving_the_issue_date_into_another_month_keeps_the_number(gateway: Any, via: str) -> None:
    w = wire_for(gateway)
    invoice_id = create(w, "invoiceocean", "2026-03-31")["id"]
    if via == "invoiceocean":
        w.io("PUT", f"/invoices/{invoice_id}.json", {"invoice": {"issue_date": "2026-04-01"}})
    elif via == "invo":
        w.invo("invoices", {"action": "edit", "id": invoice_id, "mdate": "2026-04-01"})
    else:
        w.fk("PUT", f"/invoices/{invoice_id}", {"date": "2026-04-01"}, status=204)
    shown = w.io("GET", f"/invoices/{invoice_id}.json")
    assert (shown["issue_date"], shown["number"]) == ("2026-04-01", "1/03/2026")
    assert [create(w, "invoiceocean", d)["number"] for d in ("2026-03-31", "2026-04-01")] == ["2/03/2026", "1/04/2026"]


def test_an_explicit_fakturan_number_moves_the_counter_past_it(gateway: Any) -> None:
    w = wire_for(gateway, profile="fakturan")
    assert w.fk("POST", "/invoices", {"date": "2026-03-01", "number": 500, "client": {"company": "Kund AB"},
                                      "rows": [{"product_name": "Tjänst", "amount": "1", "product_price": "100"}]},
                status=201)["data"]["number"] == 500
    made = w.fk("POST", "/invoices", {"date": "2026-03-02", "client": {"company": "Kund AB"},
                                      "rows": [{"product_name": "Tjänst", "amount": "1", "product_price": "100"}]},
                status=201)["data"]
    assert made["number"] == 501


def test_invo_default_offers_the_number_the_next_create_gives_past_a_stored_one(gateway: Any) -> None:
    from sqlalchemy import update

    from core.models import NumberCounter

    w = wire_for(gateway)
    create(w, "invoiceocean", "2026-09-10")
    w.ledger.write(lambda s: s.execute(update(NumberCounter).values(last_seq=0)))  # a row stored around the counter
    peeked = w.invo("invoices", {"action": "default", "type2": "+FV", "mdate": "2026-09-10"})["nrdoc"]
    assert peeked == create(w, "invo", "2026-09-10")["number"] == "2/09/2026"
