"""`invoice-gateway webhooks list|create|delete`, run as the installed command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("invoice-gateway"))


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
           "GATEWAY_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"}
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=check, env=env)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run("migrate", "--database-url", url)
    run("accounts", "create", "Acme", "--database-url", url)
    return url


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
    assert refused.returncode == 1 and "GATEWAY_WEBHOOK_ALLOW_HOSTS" in refused.stderr
    missing = run("webhooks", "delete", "Nobody", "1", "--database-url", db, check=False)
    assert missing.returncode == 1 and "no account 'Nobody'" in missing.stderr
