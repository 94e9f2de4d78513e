"""A create's answer carries its KSeF fields without looking for KSeF documents an invoice made just now cannot
have. Only a correction (its corrected invoice's document) and a gov_save_and_send create (its own, queued in the
same transaction) read them; so does a replayed Idempotency-Key whose answer was not stored (its invoice re-read).
"""
from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

import dialects.invoiceocean.ksef
from tests.einvoice.conftest import QUICK_START, post, quick_start_correction, settled, wait_for
from tests.einvoice.test_ksef_invoiceocean import GOV_FIELDS


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many invoices each KSeF document read of an answer asked about."""
    seen: list[int] = []
    original = dialects.invoiceocean.ksef.documents_for

    def counted(reader: Any, account_id: int, views: Any) -> Any:
        seen.append(len(views))
        return original(reader, account_id, views)

    monkeypatch.setattr(dialects.invoiceocean.ksef, "documents_for", counted)
    return seen


def _gov(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in GOV_FIELDS}


def test_a_plain_create_answers_its_ksef_fields_without_reading_ksef_documents(
        client: TestClient, token: str, lookups: list[int]) -> None:
    made = post(client, "/invoices.json", {"api_token": token, "invoice": QUICK_START})
    assert made.status_code == 201, made.text
    assert lookups == []
    assert _gov(made.json()) == dict.fromkeys(GOV_FIELDS)
    assert _gov(client.get(f"/invoices/{made.json()['id']}.json", params={"api_token": token}).json()) == _gov(
        made.json())


def test_a_correction_and_a_save_and_send_create_still_read_their_documents(
        client: TestClient, token: str, lookups: list[int]) -> None:
    original = post(client, "/invoices.json", {"api_token": token, "gov_save_and_send": True,
                                               "invoice": QUICK_START})
    assert original.status_code == 201, original.text
    assert lookups == [1] and original.json()["gov_status"]
    sent = wait_for(client, token, original.json()["id"], settled)
    lookups.clear()
    correction = post(client, "/invoices.json", {"api_token": token,
                                                 "invoice": quick_start_correction(original.json()["id"])})
    assert correction.status_code == 201, correction.text
    assert lookups == [1]
    assert sent["gov_id"] and correction.json()["gov_corrected_invoice_number"] == sent["gov_id"]
