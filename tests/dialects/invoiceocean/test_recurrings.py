"""Recurring definitions through InvoiceOcean: what the seed examples do not cover."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.dialects.invoiceocean import seed_payloads as seed
from tests.dialects.invoiceocean.conftest import create_invoice, post_json, seed_body


@pytest.mark.parametrize("whose", ["unknown", "another account's"])
def test_a_recurring_update_naming_an_invoice_not_the_callers_is_a_422_and_changes_nothing(
        client: TestClient, token: str, other_token: str, whose: str) -> None:
    """Found by the long schemathesis profile: the PUT used to flush the foreign key before checking it (500)."""
    invoice = create_invoice(client, token)
    created = post_json(client, "/recurrings.json", seed_body(seed.RECURRING, token, invoice_id=invoice["id"])).json()
    foreign = 99999999 if whose == "unknown" else create_invoice(client, other_token)["id"]

    response = post_json(client, f"/recurrings/{created['id']}.json",
                         {"api_token": token, "recurring": {"invoice_id": foreign}}, "PUT")

    assert response.status_code == 422, response.text
    assert set(response.json()["message"]) == {"invoice_id"}
    assert client.get(f"/recurrings/{created['id']}.json?api_token={token}").json()["invoice_id"] == invoice["id"]
