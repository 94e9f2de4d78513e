"""Failed authentication is rate-limited per credential identifier and per client address, in every dialect."""
from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any, Callable, Iterator

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from gateway.app import create_app
from gateway.ratelimit import AuthLimiter
from gateway.settings import Settings

LIMIT, WINDOW = 3, 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(settings: Settings, clock: Clock) -> Iterator[Any]:
    app = create_app(replace(settings, auth_fail_limit=LIMIT, auth_fail_window=WINDOW))
    app.state.auth_limiter = AuthLimiter(LIMIT, WINDOW, clock=clock)
    with TestClient(app, client=("203.0.113.1", 40000)):  # runs the lifespan once
        yield app


@pytest.fixture
def creds(limited: Any) -> dict[str, Any]:
    return limited.state.ledger.write(create_account, "Acme").as_dict()


def from_address(app: Any, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# Per dialect: a request with the given credentials (None: a wrong one), and the native 401 / 429 checks.
def io_call(client: TestClient, creds: dict[str, Any] | None, user: str = "x") -> Any:
    token = creds["invoiceocean"]["api_token"] if creds else f"wrong-{user}"
    return client.get("/invoices.json", params={"api_token": token})


def io_xml_call(client: TestClient, creds: dict[str, Any] | None, user: str = "x") -> Any:
    token = creds["invoiceocean"]["api_token"] if creds else f"wrong-{user}"
    return client.get("/clients.xml", params={"api_token": token})


def invo_call(client: TestClient, creds: dict[str, Any] | None, user: str = "x") -> Any:
    login, password = (creds["invo"]["login"], creds["invo"]["password"]) if creds else (user, "wrong")
    return client.post("/api.json", data={"r": "login", "q": "{}"}, headers=basic(login, password))


def fakturan_call(client: TestClient, creds: dict[str, Any] | None, user: str = "x") -> Any:
    key, password = (creds["fakturan"]["key_id"], creds["fakturan"]["password"]) if creds else (user, "wrong")
    return client.get("/api/v2/clients", headers=basic(key, password))


def io_limited(response: Any) -> None:
    assert response.json() == {"code": "error", "message": "Too many requests"}


def io_xml_limited(response: Any) -> None:
    assert response.headers["content-type"].startswith("application/xml")
    assert "<message>Too many requests</message>" in response.text


def invo_limited(response: Any) -> None:
    assert response.json() == {"error": 14, "message": "too many requests"}


def fakturan_limited(response: Any) -> None:
    assert response.json() == {"error": "429 Too Many Requests"}


def io_failed(response: Any) -> bool:
    return response.status_code == 401


def invo_failed(response: Any) -> bool:
    return response.status_code == 200 and response.json().get("error") == 1


Call = Callable[..., Any]
DIALECTS: list[tuple[Call, Callable[[Any], None], Callable[[Any], bool]]] = [
    (io_call, io_limited, io_failed), (io_xml_call, io_xml_limited, io_failed),
    (invo_call, invo_limited, invo_failed), (fakturan_call, fakturan_limited, io_failed),
]
IDS = ["invoiceocean-json", "invoiceocean-xml", "invo", "fakturan"]


def ok(response: Any) -> bool:
    return response.status_code == 200 and not (isinstance(body := _json(response), dict) and "error" in body)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return None


@pytest.mark.parametrize(("call", "limited_shape", "failed"), DIALECTS, ids=IDS)
def test_failures_from_one_address_get_429_with_retry_after_and_other_addresses_still_sign_in(
        limited: Any, creds: dict[str, Any], clock: Clock, call: Call, limited_shape: Callable[[Any], None],
        failed: Callable[[Any], bool]) -> None:
    attacker = from_address(limited, "198.51.100.7")
    for attempt in range(LIMIT):  # a different identifier each time: only the address is over the limit
        assert failed(call(attacker, None, user=f"guess{attempt}"))
    refused = call(attacker, None, user="guess-next")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(int(WINDOW))
    limited_shape(refused)
    # While refused, not even a correct credential is checked: no verdict reaches the guesser.
    assert call(attacker, creds).status_code == 429
    # The same credential from another address works at once.
    assert ok(call(from_address(limited, "192.0.2.10"), creds))
    clock.now += 20
    assert call(attacker, None).headers["retry-after"] == str(int(WINDOW - 20))
    clock.now += WINDOW - 20  # the window slides past the failures
    assert ok(call(attacker, creds))


@pytest.mark.parametrize(("call", "limited_shape", "failed"),
                         [d for d in DIALECTS if d[0] in (invo_call, fakturan_call)], ids=["invo", "fakturan"])
def test_failures_for_one_identifier_from_many_addresses_are_limited_per_identifier(
        limited: Any, creds: dict[str, Any], clock: Clock, call: Call, limited_shape: Callable[[Any], None],
        failed: Callable[[Any], bool]) -> None:
    login = creds["invo"]["login"] if call is invo_call else creds["fakturan"]["key_id"]
    for attempt in range(LIMIT):
        assert failed(call(from_address(limited, f"198.51.100.{attempt + 1}"), None, user=login))
    fresh_address = from_address(limited, "198.51.100.99")
    refused = call(fresh_address, None, user=login)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    limited_shape(refused)
    other = limited.state.ledger.write(create_account, "Other Corp").as_dict()
    assert ok(call(fresh_address, other))  # another credential from the same address is not affected
    clock.now += WINDOW
    assert ok(call(fresh_address, creds))


def test_successful_authentication_is_never_limited(limited: Any, creds: dict[str, Any]) -> None:
    client = from_address(limited, "192.0.2.20")
    for _ in range(LIMIT * 5):
        for call in (io_call, invo_call, fakturan_call):
            assert ok(call(client, creds))


def test_a_deactivated_account_is_not_counted_as_a_failed_guess(limited: Any, creds: dict[str, Any]) -> None:
    from sqlalchemy import update

    from core.models import Account
    limited.state.ledger.write(lambda s: s.execute(update(Account).values(active=False)))
    client = from_address(limited, "192.0.2.30")
    for _ in range(LIMIT + 2):
        assert invo_call(client, creds).json() == {"error": 7, "message": "account is not activated"}


def test_the_limit_comes_from_the_settings_and_zero_turns_it_off(settings: Settings, monkeypatch: Any) -> None:
    monkeypatch.setenv("GATEWAY_AUTH_FAIL_LIMIT", "2")
    monkeypatch.setenv("GATEWAY_AUTH_FAIL_WINDOW", "5")
    configured = Settings.from_env()
    assert (configured.auth_fail_limit, configured.auth_fail_window) == (2, 5.0)
    app = create_app(replace(settings, auth_fail_limit=2))
    client = from_address(app, "198.51.100.50")
    assert [io_call(client, None).status_code for _ in range(3)] == [401, 401, 429]
    unlimited = from_address(create_app(replace(settings, auth_fail_limit=0)), "198.51.100.50")
    assert {io_call(unlimited, None).status_code for _ in range(10)} == {401}
