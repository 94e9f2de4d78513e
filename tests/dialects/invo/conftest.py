"""INVO test helpers: call /api.json the way the seed's PHP example does."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

import pytest
from starlette.testclient import TestClient

Api = Callable[..., Any]


def decode(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


@pytest.fixture
def api(client: TestClient, account: dict[str, Any]) -> Api:
    """api("invoices", {...}) -> the decoded JSON answer, posted as r=...&q=... with Basic auth."""
    def call(resource: str, q: Any = None, *, auth: tuple[str, str] | None = None, status: int = 200) -> Any:
        creds = auth or (account["invo"]["login"], account["invo"]["password"])
        body = {"r": resource, "q": q if isinstance(q, str) else json.dumps(q or {}, default=str)}
        response = client.post("/api.json", data=body, auth=creds)
        assert response.status_code == status, response.text
        return decode(response.text)
    return call


@pytest.fixture
def other_api(client: TestClient, other_account: dict[str, Any], api: Api) -> Api:
    creds = (other_account["invo"]["login"], other_account["invo"]["password"])

    def call(resource: str, q: Any = None, **kw: Any) -> Any:
        return api(resource, q, auth=creds, **kw)
    return call


@pytest.fixture
def customer_id(api: Api) -> int:
    answer = api("customers", {"action": "add", "symbol": "K1", "name": "Jan Kowalski", "street": "Korfantego 100",
                               "code": "40-154", "city": "Katowice", "taxid": "645-123-45-67", "bname": "mBank",
                               "baccount": "00 1111 2222 3333 4444 5555"})
    return int(answer["id"])
