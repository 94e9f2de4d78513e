"""`invoice-gateway backup` of a live database under writes, its restore check, `backup --check`
and `restore`, as an operator runs them."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Callable

import httpx
from click.testing import CliRunner

from gateway.cli import main
from tests.support.live_server import LiveServer

INVOICE = {"buyer_name": "Klient", "issue_date": "2026-05-04",
           "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]}


def _invoice_ids(http: httpx.Client, token: str) -> set[int]:
    ids: set[int] = set()
    for page in range(1, 1000):
        batch = http.get("/invoices.json", params={"api_token": token, "period": "all", "per_page": 100,
                                                   "page": page}).json()
        if not batch:
            return ids
        ids.update(invoice["id"] for invoice in batch)
    raise AssertionError("paging never ended")


def test_backup_under_writes_restores_with_every_committed_invoice(
        live_server_factory: Callable[..., LiveServer], tmp_path: Path) -> None:
    server = live_server_factory()
    token = json.loads(server.run_cli("accounts", "create", "Acme", "--json").stdout)["invoiceocean"]["api_token"]
    committed: list[tuple[float, int]] = []  # (when the 201 arrived, invoice id)
    failures: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(base_url=server.base_url, timeout=60) as http:
            while not stop.is_set():
                response = http.post("/invoices.json", json={"api_token": token, "invoice": INVOICE})
                if response.status_code != 201:
                    failures.append(response.text)
                    return
                committed.append((time.monotonic(), response.json()["id"]))
                stop.wait(0.02)  # a steady stream, not a CPU hog: the backup must still get its turn

    threads = [threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    try:
        while len(committed) < 10 and not failures:
            time.sleep(0.05)
        backup_file = tmp_path / "backup.sqlite3"
        started = time.monotonic()
        result = server.run_cli("backup", str(backup_file))
        finished = time.monotonic()
        time.sleep(0.3)  # and the writers go on after it
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert not failures, failures
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restore check of" in result.stdout and ": OK" in result.stdout
    assert "integrity_check         ok" in result.stdout and "alembic revision" in result.stdout
    before = {invoice_id for answered, invoice_id in committed if answered < started}
    during = [invoice_id for answered, invoice_id in committed if started <= answered < finished]
    assert len(before) >= 10 and during, "the backup must run while invoices are being written"
    printed = {line.split()[0]: int(line.split()[1]) for line in result.stdout.splitlines()
               if line.strip().endswith("row(s)")}

    with closing(sqlite3.connect(backup_file)) as db:
        in_backup = {row[0] for row in db.execute("SELECT id FROM invoices")}
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert before <= in_backup, f"missing committed invoices: {sorted(before - in_backup)}"
    assert printed["invoices"] == len(in_backup)  # the report counts the copy, not the moving source
    assert not list(tmp_path.glob(".*.partial"))

    check = _run("backup", "--check", str(backup_file), "--json")
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["counts"]["invoices"] == len(in_backup)

    # Restore into a fresh location and serve it: the committed invoices are there, over HTTP.
    restored_url = f"sqlite:///{tmp_path / 'restored' / 'gateway.sqlite3'}"
    restored = _run("restore", str(backup_file), "--database-url", restored_url)
    assert restored.exit_code == 0, restored.output
    second = live_server_factory(database_url=restored_url)
    with httpx.Client(base_url=second.base_url, timeout=30) as http:
        served = _invoice_ids(http, token)
    assert before <= served and served == in_backup


def _run(*args: str) -> Any:
    """The CLI in-process (click's runner): the same commands without a new interpreter each time."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _small_database(database_url: str) -> Path:
    """A migrated database holding one account."""
    assert _run("accounts", "create", "Acme", "--json", "--database-url", database_url).exit_code == 0
    return Path(database_url.removeprefix("sqlite:///"))


def test_backup_check_fails_on_a_damaged_file_and_on_a_foreign_schema(database_url: str, tmp_path: Path) -> None:
    _small_database(database_url)
    good = tmp_path / "good.sqlite3"
    assert _run("backup", str(good), "--database-url", database_url).exit_code == 0

    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    page = 4096
    data[2 * page:len(data) - page] = b"\xa5" * (len(data) - 3 * page)  # every page but the first two, last
    damaged.write_bytes(bytes(data))
    result = _run("backup", "--check", str(damaged))
    assert result.exit_code == 1 and "FAILED" in result.stdout

    foreign = tmp_path / "foreign.sqlite3"
    foreign.write_bytes(good.read_bytes())
    with closing(sqlite3.connect(foreign)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
        db.commit()
    result = _run("backup", "--check", str(foreign), "--json")
    assert result.exit_code == 1
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["integrity"] == ["ok"] and report["revision"] == "9999"
    assert any("schema revision 9999" in problem for problem in report["problems"])

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database")
    result = _run("backup", "--check", str(not_sqlite))
    assert result.exit_code == 1 and "cannot be read as a SQLite database" in result.stdout


def test_backup_refuses_postgresql_with_a_pointer_to_pg_dump_and_never_overwrites(database_url: str,
                                                                                  tmp_path: Path) -> None:
    result = _run("backup", str(tmp_path / "x"), "--database-url", "postgresql://gateway:pw@127.0.0.1/gateway")
    assert result.exit_code == 1 and "pg_dump" in result.stderr
    _small_database(database_url)
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("keep me")
    result = _run("backup", str(existing), "--database-url", database_url)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert existing.read_text() == "keep me"
    folder = tmp_path / "backups"
    folder.mkdir()
    assert _run("backup", str(folder), "--database-url", database_url).exit_code == 0  # a timestamped file
    assert len(list(folder.glob("gateway-*.sqlite3"))) == 1
    assert _run("backup", "--database-url", database_url).exit_code == 2  # neither DEST nor --check


def test_restore_keeps_the_database_it_replaces_and_only_with_force(database_url: str, tmp_path: Path) -> None:
    _small_database(database_url)
    backup_file = tmp_path / "b.sqlite3"
    assert _run("backup", str(backup_file), "--database-url", database_url).exit_code == 0
    target = tmp_path / "target.sqlite3"
    target_url = f"sqlite:///{target}"
    assert _run("migrate", "--database-url", target_url).exit_code == 0  # an empty database is in the way
    refused = _run("restore", str(backup_file), "--database-url", target_url)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    done = _run("restore", str(backup_file), "--force", "--database-url", target_url)
    assert done.exit_code == 0, done.output
    kept = list(tmp_path.glob("target.sqlite3.before-restore-*"))
    assert len(kept) == 1 and f"previous database kept as {kept[0]}" in done.stdout
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("SELECT count(*) FROM accounts").fetchone() == (1,)
    with closing(sqlite3.connect(kept[0])) as db:
        assert db.execute("SELECT count(*) FROM accounts").fetchone() == (0,)
