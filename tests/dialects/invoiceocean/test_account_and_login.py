"""GET /account.json and POST /login.json (README "Logowanie i pobranie danych przez API", "Pobranie informacji
o koncie"): the login answers the documented keys with a working token; failures are throttled without locking
the owner out, cost what a wrong password costs, and say nothing about which logins exist."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from core.accounts import LOGIN_TOKENS_KEPT, create_account
from core.credentials import list_credentials
from dialects.kit.ratelimit import AuthLimiter
from gateway.app import create_app
from gateway.settings import Settings
from tests.dialects.invoiceocean.conftest import post_json

# The README's request, verbatim (its tab too) but for the login and password.
LOGIN = """{
            "login": "LOGIN",
            "password": "PASSWORD",
\t    "integration_token": ""
    }"""
LIMIT, WINDOW, SPRAY = 3, 60.0, 7


def sign_in(client: TestClient, login: str, password: str, fmt: str = "json") -> Any:
    return post_json(client, f"/login.{fmt}", LOGIN.replace("LOGIN", login).replace("PASSWORD", password).encode())


def test_login_answers_the_documented_keys_with_a_token_that_works(client: TestClient,
                                                                   account: dict[str, Any]) -> None:
    creds = account["invo"]
    answer = sign_in(client, creds["login"], creds["password"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {"login": creds["login"], "email": "", "prefix": account["prefix"],
                    "url": f"http://{account['prefix']}.testserver", "first_name": "", "last_name": "",
                    "api_token": body["api_token"]}
    # The token is new (tokens are kept as digests), works alone and on the account's own host.
    assert body["api_token"] != account["invoiceocean"]["api_token"].partition("/")[0]
    assert client.get(f"/invoices.json?api_token={body['api_token']}").status_code == 200
    on_host = client.get(f"/account.json?api_token={body['api_token']}",
                         headers={"host": f"{account['prefix']}.testserver"})
    assert on_host.json()["prefix"] == account["prefix"]


def test_each_login_adds_a_token_and_only_the_newest_login_tokens_stay_live(client: TestClient, ledger: Any,
                                                                            account: dict[str, Any]) -> None:
    creds = account["invo"]
    tokens = [sign_in(client, creds["login"], creds["password"]).json()["api_token"]
              for _ in range(LOGIN_TOKENS_KEPT + 2)]
    assert [client.get(f"/clients.json?api_token={t}").status_code for t in tokens] == \
        [401, 401] + [200] * LOGIN_TOKENS_KEPT
    # The console's own token is never revoked by sign-ins.
    assert client.get(f"/clients.json?api_token={account['invoiceocean']['api_token']}").status_code == 200
    live = [c for c in ledger.read(list_credentials, account["account_id"]) if c.active and c.label == "login.json"]
    assert len(live) == LOGIN_TOKENS_KEPT


def test_unknown_login_and_wrong_password_get_one_answer(client: TestClient, account: dict[str, Any]) -> None:
    wrong = sign_in(client, account["invo"]["login"], "wrong")
    unknown = sign_in(client, account["invo"]["login"] + "-nobody", "wrong")
    missing = post_json(client, "/login.json", {"login": account["invo"]["login"]})
    assert (wrong.status_code, wrong.text) == (unknown.status_code, unknown.text) == (missing.status_code,
                                                                                      missing.text)
    assert wrong.json() == {"code": "error", "message": "You must be logged in to gain access to the site"}
    assert sign_in(client, "nobody", "wrong", "xml").text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<hash>\n  <code>error</code>\n'
        '  <message>You must be logged in to gain access to the site</message>\n</hash>\n')


def test_unknown_login_costs_one_verification_as_a_wrong_password_does(client: TestClient, account: dict[str, Any],
                                                                        verifications: list[str]) -> None:
    sign_in(client, account["invo"]["login"], "wrong-1")
    assert verifications == ["wrong-1"]
    sign_in(client, account["invo"]["login"] + "-nobody", "wrong-2")
    assert verifications == ["wrong-1", "wrong-2"]


def test_another_accounts_host_does_not_sign_a_user_in(client: TestClient, account: dict[str, Any],
                                                       other_account: dict[str, Any]) -> None:
    creds = account["invo"]
    answer = post_json(client, "/login.json", {"login": creds["login"], "password": creds["password"]})
    assert answer.status_code == 200
    foreign = client.post("/login.json", json={"login": creds["login"], "password": creds["password"]},
                          headers={"host": f"{other_account['prefix']}.testserver"})
    assert (foreign.status_code, foreign.json()["message"]) == (401, "You must be logged in to gain access to the site")


@pytest.fixture
def limited(settings: Settings) -> Iterator[Any]:
    app = create_app(replace(settings, auth_fail_limit=LIMIT, auth_fail_window=WINDOW))
    app.state.auth_limiter = AuthLimiter(LIMIT, WINDOW, clock=lambda: 1000.0, spray_limit=SPRAY)
    with TestClient(app, client=("203.0.113.1", 40000)):
        yield app


def test_login_failures_are_throttled_without_locking_the_owner_out(limited: Any) -> None:
    creds = limited.state.ledger.write(create_account, "Acme").as_dict()["invo"]
    stranger = TestClient(limited, client=("198.51.100.7", 40000))
    answers = [sign_in(stranger, creds["login"], f"guess-{i}").status_code for i in range(LIMIT + 1)]
    assert answers == [401] * LIMIT + [429]
    throttled = sign_in(stranger, creds["login"], creds["password"])  # refused before the password is checked
    assert throttled.status_code == 429 and throttled.headers["Retry-After"]
    owner = TestClient(limited, client=("192.0.2.10", 40000))
    assert sign_in(owner, creds["login"], creds["password"]).status_code == 200


def test_account_json_answers_the_callers_account_and_user(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    answer = client.get(f"/account.json?api_token={token}&integration_token=")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {"id": account["account_id"], "name": "Acme", "prefix": account["prefix"],
                    "url": f"http://{account['prefix']}.testserver", "lang": "pl", "currency": "PLN",
                    "timezone": "Europe/Warsaw", "active": True, "created_at": body["created_at"],
                    "login": account["invo"]["login"], "email": "", "first_name": "", "last_name": ""}
    assert token.partition("/")[0] not in answer.text
    assert client.get("/account.json?api_token=wrong").status_code == 401
    xml = client.get(f"/account.xml?api_token={token}")
    assert xml.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<account>\n')


def test_the_account_url_is_the_prefix_on_the_public_host(settings: Settings) -> None:
    """As the README's https://YYYYYYY.fakturownia.pl: the vendor's cross-account host app.* gives way to the
    prefix; a configured base keeps its own host and path."""
    for base, expected in (("https://app.fakturownia.pl", "https://acme.fakturownia.pl"),
                           ("https://invoices.example.com/gw", "https://acme.invoices.example.com/gw"),
                           ("http://127.0.0.1:8000", "http://127.0.0.1:8000")):
        app = create_app(replace(settings, public_base_url=base))
        with TestClient(app) as client:
            creds = app.state.ledger.write(create_account, f"Acme {len(base)}").as_dict()
            answer = sign_in(client, creds["invo"]["login"], creds["invo"]["password"]).json()
            assert answer["url"] == expected.replace("acme", creds["prefix"])
