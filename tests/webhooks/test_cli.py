"""`invoice-gateway webhooks list|create|delete`."""
from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from core.accounts import create_account
from gateway.cli import main


def run(*args: str, check: bool = True) -> Result:
    result = CliRunner().invoke(main, list(args), env={"GATEWAY_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"})
    assert result.exit_code == 0 or not check, result.output
    return result


@pytest.fixture
def db(database_url: str, ledger: Any) -> str:
    ledger.write(create_account, "Acme")
    return database_url


def test_webhooks_are_created_listed_and_deleted_from_the_command_line(db: str) -> None:
    made = json.loads(run("webhooks", "create", "Acme", "invoice:create", "http://127.0.0.1:9/hook",
                          "--api-token", "RECEIVER", "--json", "--database-url", db).stdout)
    assert made["secret"].startswith("whsec_")
    listed = json.loads(run("webhooks", "list", "Acme", "--json", "--database-url", db).stdout)
    assert listed == [{"id": made["id"], "kind": "invoice:create", "url": "http://127.0.0.1:9/hook",
                       "api_token": "RECEIVER", "active": True}]
    assert run("webhooks", "delete", "Acme", str(made["id"]), "--database-url", db).stdout.strip() == (
        f"webhook {made['id']} deleted")
    assert json.loads(run("webhooks", "list", "Acme", "--json", "--database-url", db).stdout) == []


def test_the_command_line_refuses_a_private_target_and_an_unknown_account(db: str) -> None:
    refused = run("webhooks", "create", "Acme", "invoice:create", "http://10.1.2.3/hook", "--database-url", db,
                  check=False)
    assert refused.exit_code == 1 and "GATEWAY_WEBHOOK_ALLOW_HOSTS" in refused.output
    missing = run("webhooks", "delete", "Nobody", "1", "--database-url", db, check=False)
    assert missing.exit_code == 1 and "no account 'Nobody'" in missing.output
