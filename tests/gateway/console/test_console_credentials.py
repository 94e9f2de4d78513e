"""Credentials from the console and the CLI: created secrets work at once, revoked ones stop at
once (in every dialect, past the argon2 cache, and in the console), rotation swaps them."""
from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from gateway.cli import main
from tests.gateway.console.helpers import invo_call, sign_in, sign_in_as


def _works(client: TestClient, dialect: str, secrets: dict[str, str]) -> bool:
    if dialect == "invoiceocean":
        return client.get("/invoices.json", params={"api_token": secrets["api_token"]}).status_code == 200
    if dialect == "invo":
        answer = client.post("/api.json", data={"r": "login", "q": "{}"}, auth=(secrets["login"], secrets["password"]))
        return answer.status_code == 200 and "cid" in answer.json()
    if "token" in secrets:  # the fakturan gem's token auth
        return client.get("/api/v2/invoices", headers={"Authorization": f'Token token="{secrets["token"]}"'}
                          ).status_code == 200
    return client.get("/api/v2/invoices", auth=(secrets["key_id"], secrets["password"])).status_code == 200


def _secrets_of(account: dict[str, Any], dialect: str) -> dict[str, str]:
    return dict(account[dialect])


@pytest.mark.parametrize("kind,dialect", [("api_token", "invoiceocean"), ("invo_login", "invo"),
                                          ("fakturan_key", "fakturan"), ("fakturan_token", "fakturan")])
def test_a_credential_created_in_the_console_works_and_its_secret_is_shown_once(
        client: TestClient, account: dict[str, Any], kind: str, dialect: str) -> None:
    csrf = sign_in_as(client, account)
    page = client.post("/console/credentials", data={"csrf_token": csrf, "kind": kind, "label": "new ERP"})
    assert page.status_code == 200
    shown = dict(re.findall(r'data-testid="secret-([a-z_]+)">([^<]+)<', page.text))
    assert shown and _works(client, dialect, shown)
    listing = client.get("/console/credentials").text
    assert "new ERP" in listing
    secret = {"api_token": "api_token", "fakturan_token": "token"}.get(kind, "password")
    assert shown[secret] not in listing  # never again


@pytest.mark.parametrize("method,dialect", [("api_token", "invoiceocean"), ("invo", "invo"),
                                            ("fakturan", "fakturan")])
def test_a_revoked_credential_stops_at_once_in_its_dialect_and_in_the_console(
        client: TestClient, account: dict[str, Any], method: str, dialect: str) -> None:
    secrets = _secrets_of(account, dialect)
    assert _works(client, dialect, secrets) and _works(client, dialect, secrets)  # the second hit is cached
    csrf = sign_in_as(client, account, "fakturan" if method != "fakturan" else "api_token")
    ref = next(c["ref"] for c in client.get("/console/api/credentials").json()
               if c["dialect"] == dialect and c["active"])
    response = client.post(f"/console/credentials/{ref}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 200 and f"Revoked {ref}" in response.text
    assert not _works(client, dialect, secrets)
    identity = secrets.get("login") or secrets.get("key_id") or ""
    sign_in(client, method, identity, secrets.get("password") or secrets["api_token"], expect=401)
    revoked = next(c for c in client.get("/console/api/credentials").json() if c["ref"] == ref)
    assert revoked["active"] is False and revoked["revoked_at"]


def test_revoking_the_sessions_own_credential_ends_the_session(client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account, "fakturan")
    own = next(c["ref"] for c in client.get("/console/api/credentials").json() if c["dialect"] == "fakturan")
    response = client.post(f"/console/credentials/{own}/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/signin"
    assert client.get("/console/api/traffic").status_code == 401


def test_a_session_ends_when_its_credential_is_revoked_elsewhere(client: TestClient, account: dict[str, Any],
                                                                 ledger: Any) -> None:
    from core.credentials import CredentialRef, list_credentials, revoke_credential
    sign_in_as(client, account, "api_token")
    assert client.get("/console/api/traffic").status_code == 200
    token = next(c for c in ledger.read(list_credentials, account["account_id"]) if c.kind == "api_token")
    ledger.write(revoke_credential, account["account_id"], CredentialRef.parse(str(token.ref)))
    assert client.get("/console/api/traffic").status_code == 401


@pytest.mark.parametrize("dialect", ["invoiceocean", "invo", "fakturan"])
def test_rotation_through_the_api_swaps_the_secret(client: TestClient, account: dict[str, Any],
                                                   dialect: str) -> None:
    old = _secrets_of(account, dialect)
    assert _works(client, dialect, old)
    csrf = sign_in_as(client, account, "fakturan" if dialect != "fakturan" else "invo")
    ref = next(c["ref"] for c in client.get("/console/api/credentials").json()
               if c["dialect"] == dialect and c["active"])
    response = client.post(f"/console/api/credentials/{ref}/rotate", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text
    rotated = response.json()
    assert rotated["replaces"] == ref
    assert _works(client, dialect, rotated["secrets"])
    assert not _works(client, dialect, old)


def test_rotating_an_invo_password_ends_sessions_opened_with_the_old_one(client: TestClient,
                                                                       account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account, "invo")
    ref = next(c["ref"] for c in client.get("/console/api/credentials").json() if c["dialect"] == "invo")
    page = client.post(f"/console/credentials/{ref}/rotate", data={"csrf_token": csrf})
    assert page.status_code == 200
    password = re.search(r'data-testid="secret-password">([^<]+)<', page.text)
    assert password
    assert client.get("/console/api/traffic").status_code == 401
    sign_in(client, "invo", account["invo"]["login"], password.group(1))
    assert client.get("/console/api/traffic").status_code == 200


def test_the_api_creates_lists_and_refuses_unknown_kinds(client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in_as(client, account)
    bad = client.post("/console/api/credentials", json={"kind": "telnet"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422
    huge = client.post("/console/api/credentials/api_token-99999999999999999999999/revoke",
                       headers={"X-CSRF-Token": csrf})
    assert huge.status_code == 422
    made = client.post("/console/api/credentials", json={"kind": "invo", "login": "erp", "label": "ERP"},
                       headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert made.json()["secrets"]["login"] == "acme.erp"
    taken = client.post("/console/api/credentials", json={"kind": "invo", "login": "acme.erp"},
                        headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 422
    listed = client.get("/console/api/credentials").json()
    assert {c["dialect"] for c in listed} == {"invoiceocean", "invo", "fakturan"}
    assert all("secrets" not in c and "password" not in orjson.dumps(c).decode() for c in listed)
    login = invo_call(client, account, "login", "{}", auth=("acme.erp", made.json()["secrets"]["password"]))
    assert login.json()["uid"] == 1


def test_a_chosen_login_never_reveals_whether_another_accounts_login_exists(
        client: TestClient, account: dict[str, Any], other_account: dict[str, Any]) -> None:
    """Logins are unique across accounts; a chosen one is kept under the account's prefix, so asking for
    another account's login creates one's own instead of answering "taken"."""
    csrf = sign_in_as(client, other_account)
    asked = {"kind": "invo", "login": account["invo"]["login"]}
    made = client.post("/console/api/credentials", json=asked, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert made.json()["secrets"]["login"] == f"{other_account['prefix']}.{account['invo']['login']}"
    unused = client.post("/console/api/credentials", json={"kind": "invo", "login": "nobody-has-this"},
                         headers={"X-CSRF-Token": csrf})
    assert unused.status_code == 201


# --- the CLI ------------------------------------------------------------------------------

def _cli(database_url: str, *args: str) -> Any:
    result = CliRunner().invoke(main, ["accounts", "credentials", *args, "--database-url", database_url])
    return result


def test_cli_creates_lists_rotates_and_revokes(client: TestClient, account: dict[str, Any],
                                               database_url: str) -> None:
    made = _cli(database_url, "create", "Acme", "--kind", "fakturan", "--label", "legacy", "--json")
    assert made.exit_code == 0, made.output
    created = orjson.loads(made.output)
    assert _works(client, "fakturan", created["secrets"])

    listed = orjson.loads(_cli(database_url, "list", "acme", "--json").output)  # by prefix too
    assert created["ref"] in {c["ref"] for c in listed}
    assert created["secrets"]["password"] not in _cli(database_url, "list", "Acme").output

    rotated = _cli(database_url, "rotate", "Acme", created["ref"], "--json")
    assert rotated.exit_code == 0, rotated.output
    new = orjson.loads(rotated.output)
    assert _works(client, "fakturan", new["secrets"]) and not _works(client, "fakturan", created["secrets"])

    revoked = _cli(database_url, "revoke", "Acme", new["ref"])
    assert revoked.exit_code == 0 and f"revoked {new['ref']}" in revoked.output
    assert not _works(client, "fakturan", new["secrets"])
    active = orjson.loads(_cli(database_url, "list", "Acme", "--active", "--json").output)
    assert new["ref"] not in {c["ref"] for c in active} and created["ref"] not in {c["ref"] for c in active}


def test_cli_creates_a_fakturan_token_that_works_until_revoked(client: TestClient, account: dict[str, Any],
                                                              database_url: str) -> None:
    made = _cli(database_url, "create", "Acme", "--kind", "fakturan_token", "--label", "ruby gem", "--json")
    assert made.exit_code == 0, made.output
    created = orjson.loads(made.output)
    assert (created["kind"], created["dialect"], list(created["secrets"])) == ("fakturan_token", "fakturan", ["token"])
    assert _works(client, "fakturan", created["secrets"])
    listed = _cli(database_url, "list", "Acme").output
    assert created["ref"] in listed and created["secrets"]["token"] not in listed
    rotated = orjson.loads(_cli(database_url, "rotate", "Acme", created["ref"], "--json").output)
    assert _works(client, "fakturan", rotated["secrets"]) and not _works(client, "fakturan", created["secrets"])
    assert _cli(database_url, "revoke", "Acme", rotated["ref"]).exit_code == 0
    assert not _works(client, "fakturan", rotated["secrets"])


def test_cli_refuses_another_accounts_credential_and_bad_refs(client: TestClient, account: dict[str, Any],
                                                              other_account: dict[str, Any], database_url: str) -> None:
    theirs = next(c["ref"] for c in orjson.loads(_cli(database_url, "list", "Other Corp", "--json").output)
                  if c["dialect"] == "invoiceocean")
    refused = _cli(database_url, "revoke", "Acme", theirs)
    assert refused.exit_code != 0 and "no credential" in refused.output
    assert _works(client, "invoiceocean", other_account["invoiceocean"])
    assert _cli(database_url, "revoke", "Acme", "nonsense").exit_code != 0
    assert _cli(database_url, "list", "Nobody").exit_code != 0


def test_cli_rotating_an_invo_login_keeps_the_login(client: TestClient, account: dict[str, Any],
                                                    database_url: str) -> None:
    listed = orjson.loads(_cli(database_url, "list", "Acme", "--json").output)
    ref = next(c["ref"] for c in listed if c["dialect"] == "invo")
    rotated = orjson.loads(_cli(database_url, "rotate", "Acme", ref, "--json").output)
    assert rotated["secrets"]["login"] == account["invo"]["login"] and rotated["ref"] == ref
    assert _works(client, "invo", rotated["secrets"]) and not _works(client, "invo", account["invo"])
    # InvoiceOcean's Basic login uses the same user: the old password is refused there too.
    old = client.get("/invoices.json", auth=(account["invo"]["login"], account["invo"]["password"]))
    assert old.status_code == 401

