"""A page of InvoiceOcean invoices shows each one's KSeF fields as its own get does: the page's statement says
which invoices have a KSeF document (their own, or a correction's corrected invoice's), and only those are
looked up."""
from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.einvoice.conftest import QUICK_START, post, quick_start_correction, settled, wait_for
from tests.einvoice.test_ksef_invoiceocean import GOV_FIELDS


def _gov(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in GOV_FIELDS}


def test_a_page_shows_the_ksef_fields_of_sent_invoices_of_corrections_and_of_unsent_ones_as_their_gets_do(
        client: TestClient, token: str) -> None:
    unsent = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START}).json()
    original = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                               "invoice": QUICK_START}).json()
    sent = wait_for(client, token, original["id"], settled)
    correction = post(client, "/invoices.json", {"api_token": token,  # not sent itself
                                                 "invoice": quick_start_correction(original["id"])}).json()
    assert sent["gov_id"] and correction["gov_corrected_invoice_number"] == sent["gov_id"]
    ids = [unsent["id"], original["id"], correction["id"]]
    gets = {i: _gov(client.get(f"/invoices/{i}.json", params={"api_token": token}).json()) for i in ids}
    for query in ({}, {"include_positions": "true"}, {"order": "id.desc"}, {"per_page": "1", "page": "2"}):
        listed = client.get("/invoices.json", params={"api_token": token, "period": "all", **query}).json()
        assert listed and {body["id"]: _gov(body) for body in listed} == {
            body["id"]: gets[body["id"]] for body in listed}
    assert gets[unsent["id"]] == dict.fromkeys(GOV_FIELDS)
