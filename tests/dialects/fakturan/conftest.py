"""Helpers for the fakturan dialect tests: a signed-in client and the seed's fixtures."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

GOOGLE = {"company": "Google Inc", "org_number": "556677-8899",
          "address": {"street_address": "1600 Amphitheatre Parkway", "zip_code": "94043",
                      "city": "Mountain View", "country": "SE"}}


class Api:
    """The TestClient with an account's Basic credentials on every call."""

    def __init__(self, client: TestClient, account: dict[str, Any]) -> None:
        self.client = client
        self.auth = (account["fakturan"]["key_id"], account["fakturan"]["password"])

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.request("GET", path, auth=self.auth, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.post(path, json=body, auth=self.auth, **kw) if body is not None else \
            self.client.post(path, auth=self.auth, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.client.put(path, json=body, auth=self.auth, **kw)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, auth=self.auth)

    def created(self, path: str, body: Any) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()["data"]  # type: ignore[no-any-return]


@pytest.fixture
def api(client: TestClient, fakturan_account: dict[str, Any]) -> Api:
    return Api(client, fakturan_account)


@pytest.fixture
def google(api: Api) -> dict[str, Any]:
    """The seed's "Google Inc" client."""
    return api.created("/api/v2/clients", GOOGLE)


@pytest.fixture
def today() -> str:
    return datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat()


def without_ids(value: Any) -> Any:
    """The body with every "id" blanked: ids depend on what else the database holds."""
    if isinstance(value, dict):
        return {k: (None if k == "id" else without_ids(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value
