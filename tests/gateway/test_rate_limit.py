"""Failed authentication is rate-limited per (client address, credential identifier) and, higher, per client
address, in every dialect; who the client is comes from proxy headers only when a trusted proxy sends them."""
from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any, Callable, Iterator

import pytest
from starlette.testclient import TestClient

from core.accounts import create_account
from dialects.kit.ratelimit import AuthLimiter
from gateway.app import create_app
from gateway.settings import Settings

LIMIT, WINDOW, SPRAY = 3, 60.0, 7


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
    app.state.auth_limiter = AuthLimiter(LIMIT, WINDOW, clock=clock, spray_limit=SPRAY)
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
def test_one_identifier_failing_from_one_address_is_throttled_while_other_credentials_from_it_are_served(
        limited: Any, creds: dict[str, Any], clock: Clock, call: Call, limited_shape: Callable[[Any], None],
        failed: Callable[[Any], bool]) -> None:
    """A stale credential in a script behind a NAT: it is throttled, its neighbours are not."""
    nat = from_address(limited, "198.51.100.7")
    for _ in range(LIMIT):
        assert failed(call(nat, None, user="stale"))
    refused = call(nat, None, user="stale")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(int(WINDOW))
    limited_shape(refused)
    assert ok(call(nat, creds))  # a valid credential from the same address is served
    assert failed(call(from_address(limited, "192.0.2.10"), None, user="stale"))  # elsewhere, not throttled
    clock.now += 20
    assert call(nat, None, user="stale").headers["retry-after"] == str(int(WINDOW - 20))
    clock.now += WINDOW - 20  # the window slides past the failures
    assert failed(call(nat, None, user="stale"))


@pytest.mark.parametrize(("call", "limited_shape", "failed"), DIALECTS, ids=IDS)
def test_spraying_many_identifiers_from_one_address_is_throttled_at_a_higher_threshold(
        limited: Any, creds: dict[str, Any], clock: Clock, call: Call, limited_shape: Callable[[Any], None],
        failed: Callable[[Any], bool]) -> None:
    sprayer = from_address(limited, "198.51.100.8")
    for attempt in range(SPRAY):  # a new identifier each time: no (address, identifier) is over LIMIT
        assert failed(call(sprayer, None, user=f"guess{attempt}")), attempt
    refused = call(sprayer, None, user="guess-next")
    assert refused.status_code == 429 and refused.headers["retry-after"] == str(int(WINDOW))
    limited_shape(refused)
    assert call(sprayer, creds).status_code == 429  # while refused, no verdict reaches the sprayer
    assert ok(call(from_address(limited, "192.0.2.11"), creds))
    clock.now += WINDOW
    assert ok(call(sprayer, creds))


@pytest.mark.parametrize(("call", "limited_shape", "failed"),
                         [d for d in DIALECTS if d[0] in (invo_call, fakturan_call)], ids=["invo", "fakturan"])
def test_a_login_failing_from_many_addresses_is_still_served_to_its_owner(
        limited: Any, creds: dict[str, Any], call: Call, limited_shape: Callable[[Any], None],
        failed: Callable[[Any], bool]) -> None:
    """INVO logins are the account prefix, easy to guess: strangers failing with it lock nobody out."""
    login = creds["invo"]["login"] if call is invo_call else creds["fakturan"]["key_id"]
    for attempt in range(LIMIT * 3):
        assert failed(call(from_address(limited, f"198.51.100.{attempt + 1}"), None, user=login))
    assert ok(call(from_address(limited, "192.0.2.99"), creds))


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


def test_the_spray_limit_comes_from_the_settings(settings: Settings, monkeypatch: Any) -> None:
    monkeypatch.setenv("GATEWAY_AUTH_SPRAY_LIMIT", "4")
    assert Settings.from_env().auth_spray_limit == 4
    client = from_address(create_app(replace(settings, auth_fail_limit=10, auth_spray_limit=4)), "198.51.100.51")
    assert [io_call(client, None, user=f"u{i}").status_code for i in range(5)] == [401] * 4 + [429]


@pytest.mark.parametrize("call", [invo_call, fakturan_call], ids=["invo", "fakturan"])
def test_unknown_login_takes_as_long_as_a_wrong_password(client: TestClient, account: dict[str, Any],
                                                         call: Call, verifications: list[str]) -> None:
    """Known with a wrong password and unknown alike cost one argon2 verification (the unknown one against
    a dummy hash), so timing does not tell which logins exist. Counted, not timed: the suite's one timing
    assertion is the liveness bound."""
    verified = verifications
    known = account["invo"]["login"] if call is invo_call else account["fakturan"]["key_id"]
    known_answer = call(client, None, user=known)
    assert verified == ["wrong"]
    unknown_answer = call(client, None, user=known + "-nobody")
    assert verified == ["wrong", "wrong"]
    assert (unknown_answer.status_code, unknown_answer.text) == (known_answer.status_code, known_answer.text)


def test_forwarded_for_from_an_untrusted_peer_does_not_choose_the_counted_address(limited: Any) -> None:
    attacker = from_address(limited, "198.51.100.9")
    for attempt in range(LIMIT):  # a new X-Forwarded-For each time: ignored, all count for 198.51.100.9
        assert attacker.get("/invoices.json", params={"api_token": "stale"},
                            headers={"X-Forwarded-For": f"10.0.0.{attempt}"}).status_code == 401
    assert attacker.get("/invoices.json", params={"api_token": "stale"},
                        headers={"X-Forwarded-For": "10.0.0.99"}).status_code == 429


def test_forwarded_headers_from_a_trusted_proxy_name_the_client_and_the_host(limited: Any,
                                                                              creds: dict[str, Any]) -> None:
    proxy = from_address(limited, "127.0.0.1")  # GATEWAY_TRUSTED_PROXIES' default
    for _ in range(LIMIT):
        assert proxy.get("/invoices.json", params={"api_token": "stale"},
                         headers={"X-Forwarded-For": "198.51.100.10"}).status_code == 401
    assert proxy.get("/invoices.json", params={"api_token": "stale"},
                     headers={"X-Forwarded-For": "198.51.100.10"}).status_code == 429
    # Another client behind the same proxy is another address: not throttled.
    assert proxy.get("/invoices.json", params={"api_token": "stale"},
                     headers={"X-Forwarded-For": "198.51.100.11"}).status_code == 401
    token = creds["invoiceocean"]["api_token"]
    # X-Forwarded-Host names the account prefix only when a trusted proxy sends it.
    assert proxy.get("/invoices.json", params={"api_token": token},
                     headers={"X-Forwarded-Host": "evil.localhost"}).status_code == 401
    direct = from_address(limited, "198.51.100.12")  # not a proxy: its X-Forwarded-Host is dropped
    assert direct.get("/invoices.json", params={"api_token": token},
                      headers={"X-Forwarded-Host": "evil.localhost"}).status_code == 200


def test_a_client_behind_a_trusted_proxy_cannot_pick_its_address_with_a_forged_hop(limited: Any) -> None:
    """nginx appends the real peer to whatever X-Forwarded-For the client sent: the nearest untrusted hop counts."""
    proxy = from_address(limited, "127.0.0.1")
    for attempt in range(LIMIT):
        assert proxy.get("/invoices.json", params={"api_token": "stale"},
                         headers={"X-Forwarded-For": f"10.0.0.{attempt}, 198.51.100.20"}).status_code == 401
    assert proxy.get("/invoices.json", params={"api_token": "stale"},
                     headers={"X-Forwarded-For": "10.0.0.99, 198.51.100.20"}).status_code == 429


def test_trusted_proxies_come_from_the_settings(monkeypatch: Any) -> None:
    from gateway.proxies import TrustedHosts

    assert Settings().trusted_proxies == "127.0.0.1"
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    trusted = TrustedHosts.parse(Settings.from_env().trusted_proxies)
    assert "10.1.2.3" in trusted and "192.0.2.1" in trusted
    assert "127.0.0.1" not in trusted and "testclient" not in trusted
    assert "203.0.113.5" in TrustedHosts.parse("*")
