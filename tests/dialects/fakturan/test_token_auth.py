"""The fakturan.nu gem's token authentication (`Fakturan.use_token_auth`, Faraday's token_auth)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.accounts import set_active
from core.credentials import CredentialRef, create_credential, revoke_credential
from core.ledger import Ledger
from core.models import Credential
from core.security import token_digest
from dialects.kit.auth import by_fakturan_token, parse_token
from dialects.kit.ratelimit import identity_of


def _token(ledger: Ledger, account: dict[str, Any]) -> tuple[str, str]:
    made = ledger.write(create_credential, account["account_id"], "fakturan_token", label="gem")
    return made.secrets["token"], str(made.info.ref)


def _gem(token: str) -> dict[str, str]:
    return {"Authorization": f'Token token="{token}"'}


def _is_rails_401(response: Any) -> bool:
    return (response.status_code, response.content, response.headers.get("www-authenticate")) == (
        401, b"HTTP Basic: Access denied.\n", 'Basic realm="Application"')


def test_token_auth_as_the_gem_sends_it_reads_and_writes(client: TestClient, ledger: Ledger,
                                                         fakturan_account: dict[str, Any]) -> None:
    token, _ref = _token(ledger, fakturan_account)
    made = client.post("/api/v2/clients", headers=_gem(token), json={"company": "Imagine it AB"})
    assert made.status_code == 201, made.text
    listed = client.get("/api/v2/clients", headers=_gem(token))
    assert [c["name"] for c in listed.json()["data"]] == ["Imagine it AB"]
    basic = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    assert client.get(f"/api/v2/clients/{made.json()['data']['id']}", auth=basic).status_code == 200
    assert client.get("/api/v2/clients", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_token_is_stored_only_as_its_digest(ledger: Ledger, fakturan_account: dict[str, Any]) -> None:
    token, ref = _token(ledger, fakturan_account)
    row = ledger.read(lambda s: s.execute(select(Credential).where(
        Credential.id == CredentialRef.parse(ref).id)).scalars().one())
    assert (row.kind, row.key_id, row.secret_hash) == ("fakturan_token", token_digest(token), "")
    assert token not in repr(row.model_dump())


@pytest.mark.parametrize("header", ['Token token="not-a-token"', 'Token token=""', "Token", "Token nope=x",
                                    'Basic token="x"'])
def test_a_failed_token_gets_rails_basic_auth_401(client: TestClient, fakturan_account: dict[str, Any],
                                                  header: str) -> None:
    assert _is_rails_401(client.get("/api/v2/invoices", headers={"Authorization": header}))


def test_a_revoked_token_or_deactivated_account_is_refused_at_once(client: TestClient, ledger: Ledger,
                                                                   fakturan_account: dict[str, Any]) -> None:
    token, ref = _token(ledger, fakturan_account)
    assert client.get("/api/v2/invoices", headers=_gem(token)).status_code == 200
    ledger.write(revoke_credential, fakturan_account["account_id"], CredentialRef.parse(ref))
    assert _is_rails_401(client.get("/api/v2/invoices", headers=_gem(token)))
    other, _ = _token(ledger, fakturan_account)
    ledger.write(set_active, "Svensk AB", False)
    assert _is_rails_401(client.get("/api/v2/invoices", headers=_gem(other)))


def test_an_invoiceocean_token_is_not_a_fakturan_token(client: TestClient, fakturan_account: dict[str, Any]) -> None:
    api_token = fakturan_account["invoiceocean"]["api_token"].partition("/")[0]
    assert _is_rails_401(client.get("/api/v2/invoices", headers=_gem(api_token)))


def test_token_header_forms_rails_accepts() -> None:
    assert parse_token('Token token="abc"') == "abc"
    assert parse_token('Token token="abc", nonce="def"') == "abc"
    assert parse_token("Token token=abc") == "abc"
    assert parse_token("Bearer abc") == "abc"
    assert parse_token('token token="a\\"b"') == 'a"b'
    assert [parse_token(h) for h in (None, "", "Token", "Basic abc", 'Token other="abc"')] == [None] * 5


def test_failed_tokens_are_limited_by_their_digest_never_kept_in_clear() -> None:
    assert identity_of(by_fakturan_token, ("guessed-token",)) == "token:" + token_digest("guessed-token")
