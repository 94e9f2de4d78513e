"""Save and send on a plain create (core.storage.writes): what KSeF's document completes on the invoice is
stored with it, as it was when the create went through the ORM."""
from __future__ import annotations

from starlette.testclient import TestClient

from tests.einvoice.conftest import QUICK_START, SELLER, post


def test_seller_fields_completed_for_ksef_on_a_save_and_send_create_are_stored_as_answered(
        client: TestClient, token: str) -> None:
    department = post(client, "/departments.json", {"api_token": token, "department": {
        "name": SELLER["seller_name"], "tax_no": SELLER["seller_tax_no"], "street": SELLER["seller_street"],
        "post_code": SELLER["seller_post_code"], "city": SELLER["seller_city"]}})
    assert department.status_code == 201, department.text
    invoice = {key: value for key, value in QUICK_START.items()
               if key not in ("seller_tax_no", "seller_street", "seller_post_code", "seller_city")}
    created = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True, "invoice": invoice})
    assert created.status_code == 201, created.text
    answered = created.json()
    assert (answered["seller_tax_no"], answered["seller_city"]) == (SELLER["seller_tax_no"], SELLER["seller_city"])
    shown = client.get(f"/invoices/{answered['id']}.json", params={"api_token": token}).json()
    assert {name: shown[name] for name in SELLER} == {name: answered[name] for name in SELLER}
