"""Fixtures for the InvoiceOcean dialect: the account's token and payloads built from the seed text."""
from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient


@pytest.fixture
def token(account: dict[str, Any]) -> str:
    return str(account["invoiceocean"]["api_token"])


@pytest.fixture
def other_token(other_account: dict[str, Any]) -> str:
    return str(other_account["invoiceocean"]["api_token"])


def seed_body(text: str, token: str, **ids: int) -> bytes:
    """A seed document's -d payload, verbatim except API_TOKEN and the ids named in `ids`
    (written as "key": value in the seed)."""
    body = (text.replace("YOUR_TOKEN_FROM_APP_SETTINGS", token).replace("API_TOKEN", token)
            .replace("#{api_token}", token))
    for key, value in ids.items():
        for old in (f'"{key}": 1', f'"{key}":1', f'"{key}": 2', f'"{key}":2'):
            body = body.replace(old, f'"{key}": {value}')
    json.loads(body)  # the payload must stay valid JSON
    return body.encode()


def post_json(client: TestClient, path: str, body: bytes | dict[str, Any], method: str = "POST") -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.request(method, path, content=data,
                          headers={"Accept": "application/json", "Content-Type": "application/json"})


def create_invoice(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    invoice = {"kind": "vat", "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767",
               "positions": [{"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}
    invoice.update(fields)
    response = post_json(client, "/invoices.json", {"api_token": token, "invoice": invoice})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def through_gateway(client: TestClient) -> httpx.MockTransport:
    """A client library's HTTPS requests, answered in process by the gateway (Host header as sent)."""
    def answer(request: httpx.Request) -> httpx.Response:
        got = client.request(request.method, request.url.path, params=request.url.params, content=request.content,
                             headers=request.headers)
        headers = {k: v for k, v in got.headers.items() if k not in ("content-length", "content-encoding")}
        return httpx.Response(got.status_code, headers=headers, content=got.content)
    return httpx.MockTransport(answer)
