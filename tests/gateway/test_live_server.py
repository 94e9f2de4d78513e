"""The real CLI serving over real HTTP: `make run`'s demo credentials work in every dialect, and
SQLite holds up under 64 concurrent requests without `database is locked`."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.support.live_server import LiveServer


def _json(result: Any) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_demo_credentials_work_in_all_three_dialects(live_server: LiveServer, tmp_path: Path) -> None:
    creds = _json(live_server.run_cli("demo", "--if-empty", "--json", "--credentials-file",
                                      str(tmp_path / "demo.json")))
    base = live_server.base_url
    with httpx.Client(base_url=base, timeout=30) as http:
        invoices = http.get("/invoices.json", params={"api_token": creds["invoiceocean"]["api_token"],
                                                      "period": "all"})
        assert invoices.status_code == 200 and len(invoices.json()) == 14
        login = http.post("/api.json", data={"r": "login", "q": "{}"},
                          auth=(creds["invo"]["login"], creds["invo"]["password"]))
        assert login.json() == {"cid": creds["account_id"], "uid": 0}
        fakturan = http.get("/api/v2/invoices", auth=(creds["fakturan"]["key_id"], creds["fakturan"]["password"]))
        assert fakturan.status_code == 200 and fakturan.json()["paging"]["total_pages"] == 1
        assert len(fakturan.json()["data"]) == 14
        assert http.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_sixty_four_concurrent_requests_on_sqlite_never_lock(live_server: LiveServer) -> None:
    creds = _json(live_server.run_cli("accounts", "create", "Acme", "--json"))
    token = creds["invoiceocean"]["api_token"]
    body = {"api_token": token, "invoice": {"buyer_name": "Klient", "issue_date": "2026-05-04", "positions": [
        {"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]}}

    def one(i: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server.base_url, timeout=60) as http:
            if i % 4 == 3:
                response = http.get("/invoices.json", params={"api_token": token, "period": "all"})
            else:
                response = http.post("/invoices.json", json=body)
            return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(one, range(64)))
    assert all("database is locked" not in text for _, text in results)
    assert sorted({status for status, _ in results}) == [200, 201]
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        numbers = [i["number"] for i in http.get("/invoices.json", params={
            "api_token": token, "period": "all", "per_page": 100}).json()]
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 49))
