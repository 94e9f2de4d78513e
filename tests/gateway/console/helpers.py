"""Signing in to the console as a browser would: fetch the form, post it with its CSRF token."""
from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, method: str, identity: str, secret: str, expect: int = 303) -> str:
    """Signs in and returns the session's CSRF token (read from a signed-in page)."""
    form = client.get("/console/signin")
    response = client.post("/console/signin", data={"csrf_token": csrf_of(form.text), "method": method,
                                                     "identity": identity, "secret": secret},
                           follow_redirects=False)
    assert response.status_code == expect, response.text[:500]
    if expect != 303:
        return ""
    page = client.get("/console/credentials")
    assert page.status_code == 200
    return csrf_of(page.text)


def credentials_for(account: dict[str, Any], method: str) -> tuple[str, str]:
    if method == "api_token":
        return "", account["invoiceocean"]["api_token"]
    if method == "invo":
        return account["invo"]["login"], account["invo"]["password"]
    return account["fakturan"]["key_id"], account["fakturan"]["password"]


def sign_in_as(client: TestClient, account: dict[str, Any], method: str = "api_token") -> str:
    return sign_in(client, method, *credentials_for(account, method))


def create_invoice(client: TestClient, account: dict[str, Any], buyer: str = "Klient1 Sp. z o.o.") -> dict[str, Any]:
    response = client.post("/invoices.json", json={
        "api_token": account["invoiceocean"]["api_token"],
        "invoice": {"kind": "vat", "buyer_name": buyer, "buyer_tax_no": "5252445767",
                    "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1},
                                  {"name": "Produkt A2", "tax": 0, "total_price_gross": 50, "quantity": 3}]}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def io_get(client: TestClient, account: dict[str, Any], path: str) -> Any:
    return client.get(path, params={"api_token": account["invoiceocean"]["api_token"]})


def invo_call(client: TestClient, account: dict[str, Any], r: str, q: str, auth: tuple[str, str] | None = None) -> Any:
    return client.post("/api.json", data={"r": r, "q": q},
                       auth=auth or (account["invo"]["login"], account["invo"]["password"]))


def fakturan_get(client: TestClient, account: dict[str, Any], path: str, auth: tuple[str, str] | None = None) -> Any:
    return client.get(path, auth=auth or (account["fakturan"]["key_id"], account["fakturan"]["password"]))
