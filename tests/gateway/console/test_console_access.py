"""Who may see what: no session, another account's session, forged cookies, missing CSRF tokens."""
from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.gateway.console.helpers import create_invoice, credentials_for, csrf_of, sign_in, sign_in_as

PAGES = ["/console/traffic", "/console/traffic?window=week", "/console/invoices", "/console/invoices/1",
         "/console/invoices/1.pdf", "/console/translate", "/console/credentials"]
API_GETS = ["/console/api/traffic", "/console/api/credentials"]
API_POSTS = ["/console/api/translate", "/console/api/credentials", "/console/api/credentials/api_token-1/revoke",
             "/console/api/credentials/api_token-1/rotate"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_visitor_without_a_session_to_sign_in(client: TestClient, account: dict[str, Any],
                                                           path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/signin?next=/console/")
    assert "Acme" not in response.text


def test_the_console_root_leads_to_the_sign_in_form(client: TestClient) -> None:
    response = client.get("/console")
    assert response.status_code == 200 and "Sign in to the migration console" in response.text
    assert response.url.path == "/console/signin"
    assert "script-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", API_GETS)
def test_api_reads_answer_401_without_a_session(client: TestClient, account: dict[str, Any], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert "not signed in" in response.json()["error"]


@pytest.mark.parametrize("path", API_POSTS)
def test_api_writes_answer_401_without_a_session(client: TestClient, account: dict[str, Any], path: str) -> None:
    response = client.post(path, json={"from": "invo", "request": {"r": "invoices", "q": "{}"}, "kind": "api_token"},
                           headers={"X-CSRF-Token": "anything"})
    assert response.status_code == 401


def test_a_tampered_or_foreign_cookie_is_no_session(client: TestClient, account: dict[str, Any]) -> None:
    sign_in_as(client, account)
    good = client.cookies.get("gw_console")
    assert good
    payload, _, signature = good.partition(".")
    client.cookies.clear()
    client.cookies.set("gw_console", payload + "." + signature[::-1])
    assert client.get("/console/api/traffic").status_code == 401
    client.cookies.clear()
    client.cookies.set("gw_console", good)  # the same jar handling with the genuine cookie: signed in
    assert client.get("/console/api/traffic").status_code == 200
    from itsdangerous import URLSafeTimedSerializer  # signed with another secret: still no session
    forged = URLSafeTimedSerializer("not-the-secret", salt="console-session").dumps(
        {"aid": account["account_id"], "ref": "api_token-1", "fp": "", "csrf": "x"})
    client.cookies.clear()
    client.cookies.set("gw_console", forged)
    assert client.get("/console/api/traffic").status_code == 401


def test_the_session_cookie_is_httponly_samesite_lax_and_scoped_to_the_console(client: TestClient,
                                                                               account: dict[str, Any]) -> None:
    form = client.get("/console/signin")
    response = client.post("/console/signin", data={"csrf_token": csrf_of(form.text), "method": "api_token",
                                                    "secret": account["invoiceocean"]["api_token"]},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie


@pytest.mark.parametrize("method", ["api_token", "invo", "fakturan"])
def test_each_dialects_credential_signs_in(client: TestClient, account: dict[str, Any], other_account: dict[str, Any],
                                           method: str) -> None:
    sign_in_as(client, account, method)
    page = client.get("/console/traffic")
    assert page.status_code == 200
    assert 'data-testid="account-name">Acme<' in page.text
    assert "Other Corp" not in page.text


@pytest.mark.parametrize("method", ["api_token", "invo", "fakturan"])
def test_a_wrong_secret_does_not_sign_in(client: TestClient, account: dict[str, Any], method: str) -> None:
    identity, secret = credentials_for(account, method)
    sign_in(client, method, identity, secret + "x", expect=401)
    assert client.get("/console/api/traffic").status_code == 401


def test_a_deactivated_account_cannot_sign_in(client: TestClient, account: dict[str, Any], ledger: Any) -> None:
    from core.accounts import set_active
    ledger.write(set_active, "Acme", False)
    sign_in(client, "api_token", *credentials_for(account, "api_token"), expect=401)


def test_sign_in_without_its_csrf_token_is_forbidden(client: TestClient, account: dict[str, Any]) -> None:
    client.get("/console/signin")
    response = client.post("/console/signin", data={"method": "api_token",
                                                    "secret": account["invoiceocean"]["api_token"]},
                           follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/console/api/traffic").status_code == 401


def test_sign_in_only_returns_to_console_pages(client: TestClient, account: dict[str, Any]) -> None:
    form = client.get("/console/signin")
    response = client.post("/console/signin", data={"csrf_token": csrf_of(form.text), "method": "api_token",
                                                    "secret": account["invoiceocean"]["api_token"],
                                                    "next": "https://evil.example/console"}, follow_redirects=False)
    assert response.headers["location"] == "/console/traffic"


FORM_POSTS = [("/console/credentials", {"kind": "api_token", "label": "sneaky"}),
              ("/console/credentials/api_token-1/revoke", {}),
              ("/console/credentials/api_token-1/rotate", {}),
              ("/console/translate", {"from": "invo", "r": "invoices", "q": "{}"}),
              ("/console/signout", {})]


@pytest.mark.parametrize("path,data", FORM_POSTS)
def test_form_posts_without_the_right_csrf_token_are_forbidden(client: TestClient, account: dict[str, Any],
                                                               path: str, data: dict[str, str]) -> None:
    sign_in_as(client, account)
    before = client.get("/console/api/credentials").json()
    for token in (None, "wrong-token"):
        body = {**data, **({"csrf_token": token} if token else {})}
        response = client.post(path, data=body, follow_redirects=False)
        assert response.status_code == 403
        assert client.get("/console/api/credentials").json() == before  # nothing created, revoked or rotated
        assert client.get("/console/api/traffic").status_code == 200  # and still signed in


@pytest.mark.parametrize("path", API_POSTS)
def test_api_posts_without_the_right_csrf_header_are_forbidden(client: TestClient, account: dict[str, Any],
                                                               path: str) -> None:
    sign_in_as(client, account)
    before = client.get("/console/api/credentials").json()
    for headers in ({}, {"X-CSRF-Token": "wrong-token"}):
        response = client.post(path, json={"kind": "api_token", "from": "invo",
                                           "request": {"r": "invoices", "q": "{}"}}, headers=headers)
        assert response.status_code == 403
        assert client.get("/console/api/credentials").json() == before


def test_the_form_token_of_one_session_is_worthless_in_the_next(client: TestClient, account: dict[str, Any]) -> None:
    first = sign_in_as(client, account)
    client.cookies.clear()
    second = sign_in_as(client, account, "fakturan")
    assert first != second
    response = client.post("/console/credentials", data={"csrf_token": first, "kind": "api_token"})
    assert response.status_code == 403


def test_sign_out_ends_the_session(client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    response = client.post("/console/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/console/api/traffic").status_code == 401


def test_another_accounts_invoice_is_not_found_and_never_shown(client: TestClient, account: dict[str, Any],
                                                               other_account: dict[str, Any]) -> None:
    theirs = create_invoice(client, account, buyer="Secret Buyer of Acme")
    sign_in_as(client, other_account, "invo")
    for path in (f"/console/invoices/{theirs['id']}", f"/console/invoices/{theirs['id']}.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Secret Buyer" not in response.text and theirs["number"] not in response.text
    listing = client.get("/console/invoices")
    assert "Secret Buyer" not in listing.text
    found = client.get("/console/invoices", params={"number": theirs["number"]})
    assert "Secret Buyer" not in found.text and "No invoices with that number" in found.text


def test_another_accounts_traffic_and_credentials_are_never_shown(client: TestClient, account: dict[str, Any],
                                                                  other_account: dict[str, Any], app: Any) -> None:
    for _ in range(3):
        client.get("/api/v2/invoices", auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]))
    app.state.traffic.flush()
    csrf = sign_in_as(client, other_account)
    report = client.get("/console/api/traffic").json()
    assert report["account"] == "Other Corp"
    assert report["total"]["week"]["requests"] == 0
    assert account["fakturan"]["key_id"] not in client.get("/console/traffic").text
    mine = {c["ref"] for c in client.get("/console/api/credentials").json()}
    acme_key = next(c for c in _credentials(app, account["account_id"]) if c.kind == "fakturan_key")
    assert str(acme_key.ref) not in mine
    # Revoking another account's credential by its ref: not found, and it keeps working.
    response = client.post(f"/console/api/credentials/{acme_key.ref}/revoke", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 404
    form = client.post(f"/console/credentials/{acme_key.ref}/revoke", data={"csrf_token": csrf})
    assert form.status_code == 404
    again = client.get("/api/v2/invoices", auth=(account["fakturan"]["key_id"], account["fakturan"]["password"]))
    assert again.status_code == 200


def _credentials(app: Any, account_id: int) -> list[Any]:
    from core.credentials import list_credentials
    return app.state.ledger.read(list_credentials, account_id)  # type: ignore[no-any-return]


def test_failed_sign_ins_are_rate_limited_together_with_the_same_credentials_api_failures(
        settings: Any) -> None:
    """The console is one more door to the dialects' credentials: its failures count in the same limiter,
    per (address, credential), and over the limit it answers 429 with Retry-After, even to the right
    secret, until the window passes."""
    from dataclasses import replace

    from core.accounts import create_account
    from dialects.kit.ratelimit import AuthLimiter
    from gateway.app import create_app

    app = create_app(replace(settings, auth_fail_limit=3, auth_fail_window=60.0))
    now = [1000.0]
    app.state.auth_limiter = AuthLimiter(3, 60.0, clock=lambda: now[0])
    account = app.state.ledger.write(create_account, "Limited").as_dict()
    login, password = account["invo"]["login"], account["invo"]["password"]
    with TestClient(app, client=("203.0.113.9", 40000)) as client:
        sign_in(client, "invo", login, "wrong-1", expect=401)
        sign_in(client, "invo", login, "wrong-2", expect=401)
        # the third failure comes through INVO's API from the same address: the counter is shared
        api = TestClient(app, client=("203.0.113.9", 40000))
        assert api.post("/api.json", auth=(login, "wrong-3"),
                        data={"r": "invoices", "q": "{\"action\": \"list\"}"}).json()["error"] == 1
        form = client.get("/console/signin")
        limited = client.post("/console/signin", data={"csrf_token": csrf_of(form.text), "method": "invo",
                                                        "identity": login, "secret": password},
                              follow_redirects=False)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert "Too many failed sign-in attempts" in limited.text
        # nothing is keyed on the login alone: its owner, elsewhere, signs in while the guesser is refused
        with TestClient(app, client=("192.0.2.44", 40000)) as elsewhere:
            sign_in(elsewhere, "invo", login, password)
        now[0] += 61  # the window passes: the right secret signs in
        sign_in(client, "invo", login, password)
