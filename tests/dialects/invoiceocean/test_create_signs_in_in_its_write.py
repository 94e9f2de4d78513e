"""An InvoiceOcean create looks its caller up in the write's own job (dialects.kit.context.execute_signed,
core.ledger.Ledger.submit_signed): no read before the write, and everything a sign-in decides still holds,
whoever answers it (a refused token, a deactivated account, a password argon2 has not checked yet, a key to
replay, the traffic log's attribution, another account's client)."""
from __future__ import annotations

import base64
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.accounts import set_active
from core.ledger import Ledger
from core.models import Invoice, TrafficEntry
from dialects.invoiceocean.errors import UNAUTHORIZED
from dialects.kit import auth

POSITIONS = [{"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]
BODY = {"invoice": {"kind": "vat", "buyer_name": "Kowalski", "positions": POSITIONS}}


def _invoices(ledger: Ledger) -> int:
    return int(ledger.read(lambda s: s.execute(select(func.count()).select_from(Invoice)).scalar_one()))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read transaction the ledger runs, by kind (a point read on the event loop, a pooled one)."""
    seen: list[str] = []
    for name in ("read_point", "read_plain", "read"):
        original = getattr(Ledger, name)

        def counted(self: Ledger, *args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Ledger, name, counted)
    return seen


def test_a_create_reads_nothing_before_its_write_and_the_traffic_log_names_its_credential(
        client: TestClient, app: Any, token: str, reads: list[str]) -> None:
    made = client.post(f"/invoices.json?api_token={token}", json=BODY, headers={"X-Request-Id": "r-made"})
    assert made.status_code == 201, made.text
    assert made.json()["price_gross"] == "123.00" and made.json()["positions"][0]["name"] == "Usługa"
    assert reads == []
    app.state.traffic.flush()
    (row,) = app.state.ledger.read(lambda s: s.execute(
        select(TrafficEntry).where(TrafficEntry.request_id == "r-made")).scalars().all())
    assert (row.status, row.account_id is not None, row.credential_id is not None) == (201, True, True)


def test_a_refused_token_is_a_401_in_invoiceoceans_words_and_nothing_is_written(
        client: TestClient, ledger: Ledger, token: str) -> None:
    before = _invoices(ledger)
    refused = client.post("/invoices.json?api_token=not-a-token", json=BODY)
    assert (refused.status_code, refused.json()) == (401, {"code": "error", "message": UNAUTHORIZED})
    deactivated_before = client.post(f"/invoices.json?api_token={token}", json=BODY)
    assert deactivated_before.status_code == 201
    ledger.write(set_active, "Acme", False)
    deactivated = client.post(f"/invoices.json?api_token={token}", json=BODY)
    assert (deactivated.status_code, deactivated.json()) == (401, {"code": "error",
                                                                   "message": "Account is deactivated"})
    assert _invoices(ledger) == before + 1


def test_a_login_argon2_has_not_checked_yet_is_checked_off_the_writer_and_the_create_goes_on(
        client: TestClient, ledger: Ledger, account: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer never runs argon2 (every create waits on it): the first use of a password falls back to the
    sign-in in the thread pool, then writes; the next create finds it checked and signs in in its write."""
    checked_in: list[str] = []
    original = auth.verify_password

    def watched(stored_hash: str, password: str) -> bool:
        checked_in.append(threading.current_thread().name)
        return original(stored_hash, password)

    monkeypatch.setattr(auth, "verify_password", watched)
    login = "Basic " + base64.b64encode(f"{account['invo']['login']}:{account['invo']['password']}".encode()).decode()
    before = _invoices(ledger)
    first = client.post("/invoices.json", json=BODY, headers={"Authorization": login})
    second = client.post("/invoices.json", json=BODY, headers={"Authorization": login})
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert len(checked_in) == 1 and "group-commit" not in checked_in[0]
    wrong = "Basic " + base64.b64encode(f"{account['invo']['login']}:wrong".encode()).decode()
    assert client.post("/invoices.json", json=BODY, headers={"Authorization": wrong}).status_code == 401
    assert "group-commit" not in checked_in[-1]
    assert _invoices(ledger) == before + 2


def test_a_create_with_an_idempotency_key_still_replays_its_first_answer(client: TestClient, token: str) -> None:
    headers = {"Idempotency-Key": "create-once-1"}
    first = client.post(f"/invoices.json?api_token={token}", json=BODY, headers=headers)
    again = client.post(f"/invoices.json?api_token={token}", json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"] and again.headers.get("idempotent-replayed") == "true"


def test_a_create_is_its_callers_and_names_no_other_accounts_client(
        client: TestClient, token: str, other_token: str) -> None:
    mine = client.post(f"/clients.json?api_token={token}", json={"client": {"name": "Mój klient"}}).json()["id"]
    theirs = client.post(f"/invoices.json?api_token={other_token}",
                         json={"invoice": {**BODY["invoice"], "client_id": mine}})
    assert (theirs.status_code, theirs.json()) == (422, {"code": "error", "message": {"client_id": ["no such client"]}})
    made = client.post(f"/invoices.json?api_token={other_token}", json=BODY)
    assert made.status_code == 201
    assert client.get(f"/invoices/{made.json()['id']}.json?api_token={token}").status_code == 404
    assert client.get(f"/invoices/{made.json()['id']}.json?api_token={other_token}").status_code == 200
