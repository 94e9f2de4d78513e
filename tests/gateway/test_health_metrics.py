"""/healthz and /metrics as a monitoring system sees them: the health answer follows the database,
and the Prometheus exposition moves with the requests, the outbox and the recurring engine."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from core.accounts import create_account
from core.clock import now_utc
from core.models import OutboxMessage
from core.recurring import today_in
from gateway.app import create_app
from gateway.settings import Settings
from tests.support import free_port
from tests.support.live_server import LiveServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _invoice(client: TestClient, token: str, email: str = "") -> dict[str, Any]:
    response = client.post("/invoices.json", json={"api_token": token, "invoice": {
        "buyer_name": "Klient", "buyer_email": email, "issue_date": "2026-05-04",
        "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# -- /healthz -----------------------------------------------------------------------------------
def test_healthz_is_ok_while_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("unreachable", ["postgres_port_closed", "sqlite_path_is_a_folder"])
def test_healthz_is_503_and_metrics_say_database_down_when_the_database_is_unreachable(
        unreachable: str, tmp_path: Path) -> None:
    url = (f"postgresql://gateway:s3cretPassw0rd@127.0.0.1:{free_port()}/gateway"
           if unreachable == "postgres_port_closed" else f"sqlite:///{tmp_path}")
    app = create_app(Settings(database_url=url, outbox_dir=tmp_path / "outbox"))
    client = TestClient(app)  # no lifespan: the background workers would only retry the same failure
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "s3cretPassw0rd" not in response.text
    samples = scrape(client)  # the scrape still answers, and says why the figures are missing
    assert value(samples, "gateway_database_up") == 0
    assert value(samples, "gateway_http_requests_total", dialect="gateway", method="GET", status="503") == 1


# -- /metrics: requests -------------------------------------------------------------------------
def test_metrics_count_requests_per_dialect_and_status_with_latency_histograms(
        client: TestClient, account: dict[str, Any]) -> None:
    token, invo, fk = account["invoiceocean"]["api_token"], account["invo"], account["fakturan"]
    before = scrape(client)
    assert client.get("/invoices.json", params={"api_token": token}).status_code == 200
    assert client.get("/invoices.json", params={"api_token": "not-a-token"}).status_code == 401
    assert client.post("/invoices.json", json={"api_token": token, "invoice": {}}).status_code == 422
    assert client.post("/api.json", data={"r": "login", "q": "{}"},
                       auth=(invo["login"], invo["password"])).json()["cid"] == account["account_id"]
    assert client.post("/api.json", data={"r": "login", "q": "{}"},
                       auth=(invo["login"], "wrong")).json()["error"] == 1  # INVO says so with HTTP 200
    assert client.get("/api/v2/invoices", auth=(fk["key_id"], fk["password"])).status_code == 200
    assert client.get("/api/v2/invoices", auth=(fk["key_id"], "wrong")).status_code == 401
    assert client.get("/healthz").status_code == 200
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "gateway_http_requests_total"
    assert moved(requests, dialect="invoiceocean", method="GET", status="200") == 1
    assert moved(requests, dialect="invoiceocean", method="GET", status="401") == 1
    assert moved(requests, dialect="invoiceocean", method="POST", status="422") == 1
    assert moved(requests, dialect="invo", method="POST", status="200") == 2
    assert moved(requests, dialect="fakturan", method="GET", status="200") == 1
    assert moved(requests, dialect="fakturan", method="GET", status="401") == 1
    assert moved(requests, dialect="gateway", method="GET", status="200") == 2  # /healthz and the first scrape
    histogram = "gateway_http_request_duration_seconds"
    for dialect, count in {"invoiceocean": 3, "invo": 2, "fakturan": 2}.items():
        assert moved(f"{histogram}_count", dialect=dialect) == count
        assert moved(f"{histogram}_bucket", dialect=dialect, le="+Inf") == count
        assert moved(f"{histogram}_sum", dialect=dialect) > 0


def test_each_app_has_its_own_registry(client: TestClient, settings: Settings, account: dict[str, Any]) -> None:
    client.get("/invoices.json", params={"api_token": account["invoiceocean"]["api_token"]})
    with TestClient(create_app(settings)) as other:
        samples = scrape(other)
    assert value(samples, "gateway_http_requests_total", dialect="invoiceocean", method="GET", status="200") == 0


# -- /metrics: read from the database at scrape time ---------------------------------------------
def test_outbox_backlog_is_read_from_the_database_at_scrape_time(
        database_url: str, tmp_path: Path, account: dict[str, Any]) -> None:
    # An SMTP server nobody listens on: the message stays queued for a retry, i.e. backlog.
    settings = Settings(database_url=database_url, outbox_dir=tmp_path / "outbox",
                        smtp_url=f"smtp://127.0.0.1:{free_port()}")
    app = create_app(settings)
    with TestClient(app, base_url="http://localhost") as client:  # a host mail links may name by default
        token = account["invoiceocean"]["api_token"]
        assert value(scrape(client), "gateway_outbox_messages", status="queued") == 0
        invoice = _invoice(client, token, email="buyer@example.com")
        sent = client.post(f"/invoices/{invoice['id']}/send_by_email.json", params={"api_token": token})
        assert sent.status_code == 200, sent.text
        app.state.ledger.write(lambda s: s.add(OutboxMessage(account_id=account["account_id"], status="failed",
                                                             subject="gave up", created_at=now_utc())))
        samples = scrape(client)
    assert value(samples, "gateway_outbox_messages", status="queued") == 1
    assert value(samples, "gateway_outbox_messages", status="failed") == 1
    assert value(samples, "gateway_outbox_oldest_queued_age_seconds") >= 0
    assert value(samples, "gateway_database_up") == 1


def _wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_recurring_runs_are_counted_by_the_scheduler_and_in_the_database(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_SCHEDULER", "1")
    monkeypatch.setenv("GATEWAY_SCHEDULER_INTERVAL", "0.05")
    app = create_app(Settings(database_url=database_url, outbox_dir=tmp_path / "outbox"))
    token = app.state.ledger.write(create_account, "Acme").as_dict()["invoiceocean"]["api_token"]
    with TestClient(app) as client:
        template = _invoice(client, token)
        _wait_for(lambda: value(scrape(client), "gateway_recurring_scheduler_runs_total", outcome="ok") >= 1)
        assert value(scrape(client), "gateway_recurring_invoices_issued") == 0
        created = client.post("/recurrings.json", json={"api_token": token, "recurring": {
            "name": "Hosting", "invoice_id": template["id"], "every": "1m",
            "start_date": today_in("Europe/Warsaw").isoformat()}})
        assert created.status_code == 201, created.text
        _wait_for(lambda: value(scrape(client), "gateway_recurring_scheduler_invoices_total") == 1)
        samples = scrape(client)
    assert value(samples, "gateway_recurring_invoices_issued") == 1
    assert value(samples, "gateway_recurring_last_issued_timestamp_seconds") > time.time() - 60
    assert value(samples, "gateway_recurring_scheduler_runs_total", outcome="failed") == 0


def test_a_failed_recurring_pass_is_counted_as_failed(client: TestClient, app: Any) -> None:
    def broken(*_: object) -> list[Any]:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        app.state.metrics.counted(broken)()
    samples = scrape(client)
    assert value(samples, "gateway_recurring_scheduler_runs_total", outcome="failed") == 1
    assert value(samples, "gateway_recurring_scheduler_runs_total", outcome="ok") == 0


# -- several workers ------------------------------------------------------------------------------
@pytest.mark.slow
def test_with_several_workers_every_scrape_reports_the_sum_over_all_workers(
        live_server_factory: Callable[..., LiveServer], tmp_path: Path) -> None:
    samples_dir = tmp_path / "prometheus"
    samples_dir.mkdir()
    server = live_server_factory(workers=2, env={"PROMETHEUS_MULTIPROC_DIR": str(samples_dir)})
    for _ in range(20):  # a new connection each time, so the kernel spreads them over the workers
        assert httpx.get(f"{server.base_url}/api/v2/invoices", timeout=30).status_code == 401
    assert len(list(samples_dir.glob("counter_*.db"))) == 2  # both workers write their samples there
    for _ in range(4):  # whichever worker answers the scrape, it reports all 20
        text = httpx.get(f"{server.base_url}/metrics", timeout=30).text
        samples = {(s.name, frozenset(s.labels.items())): s.value
                   for family in text_string_to_metric_families(text) for s in family.samples}
        assert value(samples, "gateway_http_requests_total", dialect="fakturan", method="GET", status="401") == 20
        assert value(samples, "gateway_http_request_duration_seconds_count", dialect="fakturan") == 20
        assert value(samples, "gateway_database_up") == 1


# -- the deployment examples the README points to -------------------------------------------------
DEPLOY = Path(__file__).resolve().parents[2] / "examples" / "deploy"


def test_the_systemd_unit_runs_commands_and_flags_the_cli_has() -> None:
    from gateway.cli import main

    lines = (DEPLOY / "invoice-gateway.service").read_text().splitlines()
    commands = [line.split("=", 1)[1].split() for line in lines if line.startswith(("ExecStart=", "ExecStartPre="))]
    assert [c[1] for c in commands] == ["migrate", "serve"]
    for binary, name, *args in commands:
        assert binary.endswith("/.venv/bin/invoice-gateway")
        command = main.commands[name]
        command.make_context(name, args)  # raises on an unknown option or a bad value
    assert "EnvironmentFile=/etc/invoice-gateway/env" in lines


def test_every_setting_in_the_example_env_file_is_documented_and_read() -> None:
    readme = (DEPLOY.parents[1] / "README.md").read_text()
    sources = "".join(p.read_text() for p in (DEPLOY.parents[1] / "gateway").rglob("*.py"))
    names = [line.split("=", 1)[0] for line in (DEPLOY / "invoice-gateway.env").read_text().splitlines()
             if line and not line.startswith("#")]
    assert "GATEWAY_DATABASE_URL" in names
    for name in names:
        assert f"| `{name}` |" in readme, f"{name} is missing from the README's configuration table"
        assert f'"{name}"' in sources, f"{name} is read nowhere"
    nginx = "\n".join(line.split("#")[0] for line in (DEPLOY / "nginx.conf").read_text().splitlines())
    assert "$request " not in nginx and "$uri" in nginx  # the access log never holds ?api_token=
