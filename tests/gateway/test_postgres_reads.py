"""The plain-SQL read paths (core/reader.py: records, point reads, lists) over PostgreSQL, through HTTP in
all three dialects: psycopg's placeholders and types, and the same answers as SQLite gives."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from core.credentials import CredentialRef, revoke_credential
from gateway.app import create_app
from gateway.migrations import upgrade
from gateway.settings import Settings

pytestmark = pytest.mark.postgres
POSITIONS = [{"name": "Usługa ąę", "tax": 23, "price_net": "100.00", "quantity": 3},
             {"name": "Zwolniona", "tax": "zw", "price_net": "50", "quantity": 1}]


def _walk(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """One invoice made and read every way; what each answer says, minus what differs by nature (ids, times)."""
    app = create_app(Settings(database_url=database_url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app, base_url="http://testserver") as client:
        account = app.state.ledger.write(create_account, "PG Reads").as_dict()
        token = account["invoiceocean"]["api_token"]
        invo_auth = (account["invo"]["login"], account["invo"]["password"])
        created = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
            "kind": "vat", "buyer_name": "Kowalski", "issue_date": "2026-03-01", "positions": POSITIONS}})
        assert created.status_code == 201, created.text
        invoice_id = created.json()["id"]
        got = client.get(f"/invoices/{invoice_id}.json?api_token={token}").json()
        xml = client.get(f"/invoices/{invoice_id}.xml?api_token={token}").text
        listed = client.get(f"/invoices.json?api_token={token}&period=more&date_from=2026-02-01"
                            f"&date_to=2026-03-31").json()
        invo = client.post("/api.json", auth=invo_auth, data={
            "r": "invoices", "q": json.dumps({"action": "list", "id": invoice_id, "items": 1})}).json()
        invo_all = client.post("/api.json", auth=invo_auth, data={
            "r": "invoices", "q": json.dumps({"action": "list", "mdate": "2026-03-01|2026-03-01"})}).json()
        pdf = client.get(f"/invoices/{invoice_id}.pdf?api_token={token}")
        app.state.ledger.write(revoke_credential, account["account_id"],
                               CredentialRef("api_token", _credential_id(app, token)))
        revoked = client.get(f"/invoices/{invoice_id}.json?api_token={token}")
    app.state.engine.dispose()
    return {"got": _stable(got), "xml_has_number": f"<number>{got['number']}</number>" in xml,
            "listed": [_stable(i) for i in listed], "invo": _stable(invo), "invo_all_count": invo_all["count"],
            "pdf": (pdf.status_code, pdf.content[:5]), "revoked": revoked.status_code}


def _credential_id(app: Any, token: str) -> int:
    from core.reader import read_plain
    from dialects.kit.auth import by_api_token
    context = read_plain(app.state.engine, by_api_token, token)
    assert context is not None and context.credential_id is not None
    return context.credential_id


def _stable(value: Any) -> Any:
    volatile = {"id", "invoice_id", "account_id", "created_at", "updated_at", "token", "view_url", "payment_url",
                "did", "client_id", "c1id", "user_id", "uid"}
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_every_dialect_reads_the_same_from_postgresql_as_from_sqlite(postgres_url: str, database_url: str,
                                                                     tmp_path: Path) -> None:
    upgrade(postgres_url)
    on_postgres = _walk(postgres_url, tmp_path / "pg")
    on_sqlite = _walk(database_url, tmp_path / "sqlite")
    assert on_postgres["got"]["price_gross"] == "419.00" and on_postgres["got"]["positions"][0]["name"] == "Usługa ąę"
    assert on_postgres["xml_has_number"] and len(on_postgres["listed"]) == 1
    assert on_postgres["invo"]["count"] == 1 and len(on_postgres["invo"]["rows"][0]["items"]) == 2
    assert on_postgres["invo_all_count"] == 1
    assert on_postgres["pdf"] == (200, b"%PDF-")
    assert on_postgres["revoked"] == 401
    assert on_postgres == on_sqlite


def _fakturan_walk(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """A fakturan token, a recurring invoice read back and listed per client, and INVO's include_product
    matching an item by the product's name."""
    from core.credentials import create_credential
    from core.recurring import run_due

    app = create_app(Settings(database_url=database_url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app, base_url="http://testserver") as client:
        ledger = app.state.ledger
        account = ledger.write(create_account, "PG Fakturan", profile="fakturan").as_dict()
        token = ledger.write(create_credential, account["account_id"], "fakturan_token").secrets["token"]
        gem = {"Authorization": f'Token token="{token}"'}
        buyer = client.post("/api/v2/clients", headers=gem, json={"company": "Imagine it AB"}).json()["data"]
        made = client.post("/api/v2/invoices", headers=gem, json={
            "client_id": buyer["id"], "date": "2024-01-10", "recurring": True, "last_day_of_month": True,
            "rows": [{"product_name": "Gizmo 3000", "amount": 1, "product_price": 100, "product_tax": 25}]})
        assert made.status_code == 201, made.text
        issued = run_due(app.state.engine, date(2024, 2, 29), account_id=account["account_id"])
        listed = client.get(f"/api/v2/clients/{buyer['id']}/invoices", headers=gem).json()
        invo_auth = (account["invo"]["login"], account["invo"]["password"])
        product = client.post("/api.json", auth=invo_auth, data={
            "r": "products", "q": json.dumps({"action": "add", "name": "gizmo 3000", "pnetto": 1, "vatsm": "23%"})})
        found = client.post("/api.json", auth=invo_auth, data={"r": "invoices", "q": json.dumps(
            {"action": "list", "include_product": product.json()["id"]})}).json()
    app.state.engine.dispose()
    return {"issued": [i.period_date for i in issued], "found": found["count"],
            "listed": [(i["date"], {k: i.get(k) for k in ("recurring", "start_recurring_from", "last_day_of_month")})
                       for i in listed["data"]]}


def test_fakturan_tokens_recurring_invoices_and_include_product_read_the_same_from_postgresql(
        postgres_url: str, database_url: str, tmp_path: Path) -> None:
    upgrade(postgres_url)
    on_postgres = _fakturan_walk(postgres_url, tmp_path / "pg")
    assert on_postgres == _fakturan_walk(database_url, tmp_path / "sqlite")
    assert on_postgres == {"issued": [date(2024, 2, 29)], "found": 2, "listed": [
        ("2024-01-10", {"recurring": True, "start_recurring_from": "2024-02-29", "last_day_of_month": True}),
        ("2024-02-29", {"recurring": None, "start_recurring_from": None, "last_day_of_month": None})]}
