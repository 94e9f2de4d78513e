"""The real `invoice-gateway` console script, run as a subprocess the way operators run it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("invoice-gateway"))


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=check)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert run("migrate", "--database-url", url).stdout.strip() == "migrations applied"
    return url


def test_accounts_create_json_prints_exactly_one_object_with_all_three_dialects(db: str) -> None:
    out = run("accounts", "create", "Acme Corp", "--json", "--database-url", db).stdout
    created = json.loads(out)
    assert out.count("\n") == 1
    assert set(created) == {"account_id", "prefix", "invoiceocean", "invo", "fakturan"}
    assert created["account_id"] == 1 and created["prefix"] == "acme-corp"
    assert created["invoiceocean"]["api_token"].endswith("/acme-corp")
    assert set(created["invo"]) == {"login", "password"} and set(created["fakturan"]) == {"key_id", "password"}


def test_accounts_create_refuses_a_taken_name(db: str) -> None:
    run("accounts", "create", "Acme", "--database-url", db)
    again = run("accounts", "create", "Acme", "--database-url", db, check=False)
    assert again.returncode != 0 and "exists" in again.stderr


def test_secrets_are_stored_hashed_never_in_clear(db: str) -> None:
    created = json.loads(run("accounts", "create", "Acme", "--json", "--database-url", db).stdout)
    raw = Path(db.removeprefix("sqlite:///")).read_bytes()
    for secret in (created["invoiceocean"]["api_token"].split("/")[0], created["invo"]["password"],
                   created["fakturan"]["password"]):
        assert secret.encode() not in raw


def test_deactivate_and_activate_need_an_existing_account(db: str) -> None:
    run("accounts", "create", "Acme", "--database-url", db)
    assert "deactivated" in run("accounts", "deactivate", "Acme", "--database-url", db).stdout
    assert "activated" in run("accounts", "activate", "Acme", "--database-url", db).stdout
    assert run("accounts", "deactivate", "Nobody", "--database-url", db, check=False).returncode != 0


def test_negative_stock_is_forbidden_and_allowed_per_account(db: str) -> None:
    import sqlite3

    run("accounts", "create", "Acme", "--database-url", db)
    assert "forbidden" in run("accounts", "negative-stock", "Acme", "--forbid", "--database-url", db).stdout

    def settings() -> dict[str, object]:
        with sqlite3.connect(db.removeprefix("sqlite:///")) as raw:
            return dict(json.loads(raw.execute("SELECT settings FROM accounts").fetchone()[0]))

    assert settings()["negative_stock"] is False
    assert "allowed" in run("accounts", "negative-stock", "Acme", "--allow", "--database-url", db).stdout
    assert settings()["negative_stock"] is True
    assert run("accounts", "negative-stock", "Nobody", "--database-url", db, check=False).returncode != 0


def test_demo_seeds_once_and_shows_the_same_credentials_again(db: str, tmp_path: Path) -> None:
    creds_file = str(tmp_path / "demo.json")
    first = json.loads(run("demo", "--if-empty", "--json", "--credentials-file", creds_file, "--database-url",
                           db).stdout)
    second = json.loads(run("demo", "--if-empty", "--json", "--credentials-file", creds_file, "--database-url",
                            db).stdout)
    assert first == second and first["prefix"] == "demo"
    assert (Path(creds_file).stat().st_mode & 0o777) == 0o600


def test_invoices_rotate_link_gives_a_new_public_link(db: str, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from gateway.app import create_app
    from gateway.settings import Settings

    created = json.loads(run("accounts", "create", "Acme", "--json", "--database-url", db).stdout)
    with TestClient(create_app(Settings(database_url=db, outbox_dir=tmp_path / "outbox"))) as client:
        made = client.post("/invoices.json", json={"api_token": created["invoiceocean"]["api_token"], "invoice": {
            "buyer_name": "Klient", "positions": [{"name": "A", "tax": 23, "total_price_gross": "1.23",
                                                   "quantity": 1}]}}).json()
        old_link = made["view_url"].replace("http://testserver", "")
        assert client.get(old_link).status_code == 200
        new_link = run("invoices", "rotate-link", "acme", str(made["id"]), "--database-url", db).stdout.strip()
        assert new_link.startswith(f"/f/{made['number'].replace('/', '-')}/") and new_link != old_link
        assert client.get(old_link).status_code == 404
        assert client.get(new_link).status_code == 200
    unknown = run("invoices", "rotate-link", "acme", "999999", "--database-url", db, check=False)
    assert unknown.returncode != 0 and "no invoice" in unknown.stderr


def test_accounts_ksef_shows_demo_by_default_and_sets_the_mode(db: str) -> None:
    run("accounts", "create", "Acme", "--database-url", db)
    assert run("accounts", "ksef", "Acme", "--database-url", db).stdout.strip() == \
        "ksef mode demo, validate_invoices_for_gov on"
    changed = run("accounts", "ksef", "Acme", "--mode", "production", "--no-validate", "--database-url", db)
    assert changed.stdout.strip() == "ksef mode production, validate_invoices_for_gov off"
    assert run("accounts", "ksef", "Acme", "--mode", "sideways", "--database-url", db, check=False).returncode != 0
