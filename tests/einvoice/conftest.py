"""KSeF test helpers: the guide's payloads, and reading what the gateway sent."""
from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any, Callable
from xml.etree import ElementTree as ET

import pytest
from starlette.testclient import TestClient

from core.einvoice.service import SetKsefMode
from core.ledger import Ledger

FA = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
SELLER = {"seller_name": "Moja Firma Sp. z o.o.", "seller_tax_no": "5252445767", "seller_street": "ul. Przykładowa 10",
          "seller_post_code": "00-001", "seller_city": "Warszawa"}
# The guide's Quick Start invoice, verbatim.
QUICK_START = {"kind": "vat", **SELLER, "buyer_name": "Klient ABC Sp. z o.o.", "buyer_tax_no": "9876543210",
               "buyer_company": True,
               "positions": [{"name": "Usługa", "quantity": 1, "total_price_gross": 1230.00, "tax": 23}]}



def quick_start_correction(invoice_id: int) -> dict[str, Any]:
    """A correction that takes the Quick Start invoice's one line back to nothing."""
    return {"kind": "correction", "correction_reason": "Zła ilość", "invoice_id": invoice_id,
            "from_invoice_id": invoice_id, "positions": [{
                "name": "Usługa", "kind": "correction", "quantity": -1, "total_price_gross": -1230, "tax": 23,
                "correction_before_attributes": {"name": "Usługa", "quantity": 1, "total_price_gross": 1230,
                                                 "tax": 23, "kind": "correction_before"},
                "correction_after_attributes": {"name": "Usługa", "quantity": 0, "total_price_gross": 0, "tax": 23,
                                                "kind": "correction_after"}}]}


def post(client: TestClient, path: str, body: dict[str, Any], method: str = "POST") -> Any:
    return client.request(method, path, content=json.dumps(body).encode(),
                          headers={"Accept": "application/json", "Content-Type": "application/json"})


def wait_for(client: TestClient, token: str, invoice_id: int, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The invoice once `done` holds for it (the send queue works beside the request), within 10 s."""
    deadline = time.monotonic() + 10
    while True:
        body: dict[str, Any] = client.get(f"/invoices/{invoice_id}.json", params={"api_token": token}).json()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def settled(body: dict[str, Any]) -> bool:
    return not str(body.get("gov_status") or "").endswith("processing")


def fa3_amounts(xml: bytes) -> dict[str, Decimal]:
    root = ET.fromstring(xml)
    fa = root.find(f"{FA}Fa")
    assert fa is not None
    return {child.tag[len(FA):]: Decimal(child.text or "0") for child in fa
            if child.tag[len(FA):].startswith(("P_13", "P_14", "P_15"))}


@pytest.fixture
def token(account: dict[str, Any]) -> str:
    return str(account["invoiceocean"]["api_token"])


@pytest.fixture
def set_mode(ledger: Ledger, account: dict[str, Any]) -> Callable[..., None]:
    def change(mode: str, validate: bool | None = None) -> None:
        ledger.execute(SetKsefMode(int(account["account_id"]), mode, validate))
    return change


@pytest.fixture
def other_token(other_account: dict[str, Any]) -> str:
    return str(other_account["invoiceocean"]["api_token"])
