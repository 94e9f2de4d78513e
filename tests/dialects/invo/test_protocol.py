"""The envelope: r/q in three body shapes, HTTP Basic, and the seed's error codes 1, 2, 3, 5, 7."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from core.accounts import add_user
from gateway.app import create_app
from gateway.settings import Settings
from tests.dialects.invo.conftest import Api, decode

CLI = str(Path(sys.executable).with_name("invoice-gateway"))  # this checkout's, not another one's


def creds(account: dict[str, Any]) -> tuple[str, str]:
    return account["invo"]["login"], account["invo"]["password"]


def test_login_answers_account_and_owner_uid(api: Api, account: dict[str, Any]) -> None:
    assert api("login", {}) == {"cid": account["account_id"], "uid": 0}


def test_login_of_sub_user_answers_its_uid(api: Api, account: dict[str, Any], ledger: Any) -> None:
    ledger.write(add_user, account["account_id"], "kasia", "s3cret-pass")
    assert api("login", {}, auth=("kasia", "s3cret-pass")) == {"cid": account["account_id"], "uid": 1}


def test_raw_php_postfields_body_is_understood(client: TestClient, account: dict[str, Any], api: Api) -> None:
    """CURLOPT_POSTFIELDS sends "r=...&q={...}" without url-encoding: "+FV" and "%" arrive raw."""
    api("customers", {"action": "add", "name": "Drutex & Syn s.c.", "city": "Bytów"})
    raw = 'r=customers&q={"action":"list","name":"%drutex & syn%","icase":1}'
    response = client.post("/api.json", content=raw.encode(), auth=creds(account),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert decode(response.text)["rows"][0]["name"] == "Drutex & Syn s.c."
    raw = 'r=invoices&q={"action":"default","type2":"+FV","mdate":"2015-03-25"}'
    response = client.post("/api.json", content=raw.encode(), auth=creds(account),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert decode(response.text)["type2s"] == "+FV"


def test_the_seed_login_body_verbatim(client: TestClient, account: dict[str, Any]) -> None:
    response = client.post("/api.json", content=b"r=login&q={}", auth=creds(account),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert (response.status_code, decode(response.text)) == (200, {"cid": account["account_id"], "uid": 0})


def test_multipart_form_is_accepted(client: TestClient, account: dict[str, Any]) -> None:
    response = client.post("/api.json", data={"r": "login", "q": "{}"}, files={"x": ("x.txt", b"x")},
                           auth=creds(account))
    assert decode(response.text) == {"cid": account["account_id"], "uid": 0}


def test_json_body_with_q_as_object_or_string(client: TestClient, account: dict[str, Any]) -> None:
    for q in ({"action": "list", "what": "units"}, json.dumps({"action": "list", "what": "units"})):
        response = client.post("/api.json", json={"r": "dictionaries", "q": q}, auth=creds(account))
        assert decode(response.text)["count"] == 3


def test_error_1_without_credentials(client: TestClient) -> None:
    response = client.post("/api.json", data={"r": "login", "q": "{}"})
    assert (response.status_code, response.json()) == (200, {"error": 1, "message": "authentication error"})


def test_error_1_with_a_wrong_password(api: Api, account: dict[str, Any]) -> None:
    assert api("login", {}, auth=(account["invo"]["login"], "wrong")) == {
        "error": 1, "message": "authentication error"}


def test_error_2_for_an_unknown_resource(api: Api) -> None:
    assert api("invoicez", {"action": "list"}) == {"error": 2, "message": "incorrect resource"}


def test_error_3_for_broken_json(api: Api) -> None:
    assert api("invoices", '{"action":"list",') == {"error": 3, "message": "invalid JSON format"}


def test_error_3_for_json_that_is_not_an_object(api: Api) -> None:
    assert api("invoices", "[1,2]") == {"error": 3, "message": "invalid JSON format"}


def test_error_5_for_an_unknown_or_missing_action(api: Api) -> None:
    assert api("invoices", {"action": "explode"}) == {"error": 5, "message": "incorrect action"}
    assert api("customers", {}) == {"error": 5, "message": "incorrect action"}


def test_get_is_405_in_invo_format(client: TestClient) -> None:
    response = client.get("/api.json")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {"error": 12, "message": "method not allowed"}


def test_too_large_body_is_413_in_invo_format(settings: Settings, account: dict[str, Any]) -> None:
    small = create_app(dataclasses.replace(settings, max_body_bytes=2000))
    with TestClient(small) as client:
        response = client.post("/api.json", data={"r": "login", "q": json.dumps({"pad": "x" * 5000})},
                               auth=creds(account))
    assert response.status_code == 413
    assert response.json() == {"error": 11, "message": "request too large"}


def _cli(*args: str) -> str:
    done = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_error_7_for_an_account_deactivated_with_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    _cli("migrate", "--database-url", url)
    created = json.loads(_cli("accounts", "create", "Kowalski sp. z o.o.", "--json", "--database-url", url))
    auth = (created["invo"]["login"], created["invo"]["password"])
    app = create_app(Settings(database_url=url, outbox_dir=tmp_path / "outbox"))
    with TestClient(app) as client:
        def login() -> Any:
            return client.post("/api.json", data={"r": "login", "q": "{}"}, auth=auth).json()

        assert login() == {"cid": created["account_id"], "uid": 0}
        _cli("accounts", "deactivate", "Kowalski sp. z o.o.", "--database-url", url)
        assert login() == {"error": 7, "message": "account is not activated"}
        _cli("accounts", "activate", "Kowalski sp. z o.o.", "--database-url", url)
        assert login() == {"cid": created["account_id"], "uid": 0}
