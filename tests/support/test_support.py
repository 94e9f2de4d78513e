"""Self-tests: each real component starts here, answers, and cleans up after itself."""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support.browser import BrowserPage
from tests.support.live_server import LiveServer
from tests.support.postgres import (
    CLUSTER_PREFIX,
    OWNER_FILE,
    PostgresServer,
    find_bin_dir,
    postgres_available,
    sweep_orphans,
)
from tests.support.smtp import SmtpServer

# -- PostgreSQL -------------------------------------------------------------------


def _scalar(url: str, statement: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(statement)).scalar()
    finally:
        engine.dispose()


def _execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_postgres_answers_select_1_through_sqlalchemy(postgres_url: str) -> None:
    assert _scalar(postgres_url, "select 1") == 1


def test_postgres_url_names_the_unix_socket_folder_and_port(postgres_server: PostgresServer) -> None:
    assert postgres_server.url("ledger") == (
        f"postgresql+psycopg://gw@/ledger?host={postgres_server.socket_dir}&port={postgres_server.port}"
    )


def test_postgres_fresh_databases_are_independent(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database("independence_a")
    second = postgres_server.create_database("independence_b")
    _execute(first, "create table invoice (id int primary key)")
    _execute(first, "insert into invoice values (7)")

    assert _scalar(first, "select id from invoice") == 7
    assert _scalar(second, "select to_regclass('public.invoice')") is None


@pytest.mark.postgres
@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL binaries not installed")
def test_postgres_server_stops_and_removes_its_folder_on_exit() -> None:
    with PostgresServer() as server:
        folder = server.socket_dir
        assert folder is not None
        assert _scalar(server.url("postgres"), "select current_user") == "gw"

    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=str(folder), port=server.port, user="gw", dbname="postgres", connect_timeout=2)


@pytest.mark.postgres
@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL binaries not installed")
def test_a_cluster_whose_test_process_was_killed_is_stopped_by_the_next_start(tmp_path: Path) -> None:
    """A pytest killed by a timeout never stops its cluster; the next PostgresServer start sweeps it."""
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", "import time\nfrom tests.support.postgres import PostgresServer\n"
         "s = PostgresServer(); s.start(); print(s.socket_dir, s.port, flush=True); time.sleep(600)"],
        cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        folder_text, port = child.stdout.readline().split()
    finally:
        child.kill()
        child.wait(timeout=30)
    folder = Path(folder_text)
    assert (folder / "data" / "postmaster.pid").exists()  # the orphan still runs
    psycopg.connect(host=folder_text, port=int(port), user="gw", dbname="postgres", connect_timeout=5).close()

    bin_dir = find_bin_dir()
    assert bin_dir is not None
    assert folder in sweep_orphans(bin_dir)

    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=folder_text, port=int(port), user="gw", dbname="postgres", connect_timeout=2)


def test_the_sweep_leaves_clusters_of_live_processes_and_folders_without_an_owner(tmp_path: Path) -> None:
    live = tmp_path / f"{CLUSTER_PREFIX}live"
    live.mkdir()
    (live / OWNER_FILE).write_text(str(os.getpid()))
    unowned = tmp_path / f"{CLUSTER_PREFIX}unowned"
    unowned.mkdir()
    gone = tmp_path / f"{CLUSTER_PREFIX}gone"
    gone.mkdir()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    (gone / OWNER_FILE).write_text(finished.stdout.strip())  # a process that has exited

    removed = sweep_orphans(tmp_path / "no-binaries-needed", parent=tmp_path)

    assert removed == [gone]
    assert live.exists() and unowned.exists() and not gone.exists()


# -- SMTP -------------------------------------------------------------------------


def test_smtp_server_records_message_sent_with_smtplib(smtp_server: SmtpServer) -> None:
    outgoing = EmailMessage()
    outgoing["From"] = "faktury@example.pl"
    outgoing["To"] = "klient@example.pl, ksiegowa@example.pl"
    outgoing["Subject"] = "Faktura FV 1/2024 – zażółć"
    outgoing.set_content("Kwota do zapłaty: 123,00 zł\n")

    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.send_message(outgoing)
    received = smtp_server.wait_for(1)

    assert smtp_server.url == f"smtp://127.0.0.1:{smtp_server.port}"
    assert len(received) == 1
    assert received[0].mail_from == "faktury@example.pl"
    assert received[0].rcpt_tos == ["klient@example.pl", "ksiegowa@example.pl"]
    assert received[0].message["Subject"] == "Faktura FV 1/2024 – zażółć"
    assert received[0].message.get_content() == "Kwota do zapłaty: 123,00 zł\n"
    assert received[0].raw.startswith(b"From: faktury@example.pl")


def test_smtp_wait_for_raises_when_too_few_messages_arrive(smtp_server: SmtpServer) -> None:
    with pytest.raises(TimeoutError, match=r"expected 1 message\(s\) within 0.2s, got 0"):
        smtp_server.wait_for(1, timeout=0.2)


# -- Chromium ---------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Faktura FV 1/2024</title>
<link rel="icon" href="data:,"></head>
<body><h1>Zażółć gęślą jaźń</h1><p>Do zapłaty: 123,00 zł</p>
<script>console.error("logged by page"); throw new Error("boom from page");</script>
</body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        """Access lines would only clutter pytest's captured output."""


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_chromium_renders_title_and_text_of_served_page(browser_page: BrowserPage, static_site: str) -> None:
    response = browser_page.goto(static_site)

    assert response is not None and response.status == 200
    assert browser_page.title() == "Faktura FV 1/2024"
    assert browser_page.text() == "Zażółć gęślą jaźń\n\nDo zapłaty: 123,00 zł"


def test_chromium_collects_console_errors_and_thrown_exceptions(browser_page: BrowserPage, static_site: str) -> None:
    browser_page.goto(static_site)

    assert browser_page.console_errors == ["logged by page", "Error: boom from page"]


def test_chromium_screenshot_is_a_png_file(browser_page: BrowserPage, static_site: str, tmp_path: Path) -> None:
    browser_page.goto(static_site)
    shot = browser_page.screenshot(tmp_path / "page.png")

    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- The gateway as a process -----------------------------------------------------

# Stands in for the console script so LiveServer's process handling is tested even
# before (and independently of) the real CLI: it answers /healthz and echoes argv.
# A shebang line cannot hold an interpreter path with a space, so the script starts as sh and execs the
# interpreter on itself, as pip's own console scripts do (the quotes make the first lines a no-op string).
FAKE_CLI = """#!/bin/sh
'''exec' "{python}" "$0" "$@"
' '''
import http.server, json, os, sys
args = sys.argv[1:]
if args[0] == "serve":
    host, port = args[args.index("--host") + 1], int(args[args.index("--port") + 1])
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()
            self.wfile.write(args[args.index("--database-url") + 1].encode())
    http.server.HTTPServer((host, port), Health).serve_forever()
print(json.dumps({{"args": args, "env": {{k: v for k, v in os.environ.items() if k.startswith("GATEWAY_")}}}}))
"""


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.fixture
def fake_cli(tmp_path: Path) -> Path:
    script = tmp_path / "invoice-gateway"
    script.write_text(FAKE_CLI.format(python=sys.executable))
    script.chmod(0o755)
    return script


def test_live_server_migrates_then_serves_and_appends_database_url(fake_cli: Path) -> None:
    with LiveServer(cli=fake_cli) as server:
        assert _get(f"{server.base_url}/healthz") == (200, server.database_url)
        result = server.run_cli("accounts", "create", "acme", "--json")

    assert server.database_url.startswith("sqlite:///") and server.database_url.endswith("/gateway.sqlite3")
    assert json.loads(result.stdout)["args"] == [
        "accounts", "create", "acme", "--json", "--database-url", server.database_url
    ]
    assert not server.tmp_dir.exists()


def test_live_server_comes_back_on_the_same_port_after_kill(fake_cli: Path) -> None:
    with LiveServer(cli=fake_cli) as server:
        server.kill()
        with pytest.raises(urllib.error.URLError):
            _get(f"{server.base_url}/healthz")
        server.restart()

        assert server.running
        assert _get(f"{server.base_url}/healthz")[0] == 200


def test_live_server_passes_extra_settings_but_not_inherited_ones(
    fake_cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_SECRET_KEY", "from-the-developer-shell")
    with LiveServer(cli=fake_cli, env={"GATEWAY_SMTP_URL": "smtp://127.0.0.1:2525"}) as server:
        result = server.run_cli("demo")

    assert json.loads(result.stdout)["env"] == {
        "GATEWAY_DATABASE_URL": server.database_url,
        "GATEWAY_OUTBOX_DIR": str(server.tmp_dir / "outbox"),
        "GATEWAY_SMTP_URL": "smtp://127.0.0.1:2525",
    }


def test_live_server_runs_the_real_cli(live_server: LiveServer) -> None:
    assert _get(f"{live_server.base_url}/healthz")[0] == 200
    created = live_server.run_cli("accounts", "create", "acme", "--json")

    assert created.returncode == 0, created.stderr
    assert isinstance(json.loads(created.stdout), dict)
