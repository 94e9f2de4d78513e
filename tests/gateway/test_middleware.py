"""The gateway middleware: request ids, and a traffic log entry for every dialect request."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from core.models import TrafficEntry


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    generated = client.get("/healthz")
    assert given.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32


def test_every_dialect_request_lands_in_the_traffic_log(client: TestClient, app: Any, account: dict[str, Any]) -> None:
    client.get(f"/invoices.json?api_token={account['invoiceocean']['api_token']}", headers={"X-Request-Id": "r-io"})
    client.post("/api.json", data={"r": "login", "q": "{}"},
                auth=(account["invo"]["login"], account["invo"]["password"]), headers={"X-Request-Id": "r-invo"})
    client.get("/api/v2/invoices", auth=(account["fakturan"]["key_id"], "wrong"), headers={"X-Request-Id": "r-fk"})
    app.state.traffic.flush()
    rows = app.state.ledger.read(lambda s: s.execute(select(TrafficEntry).order_by(TrafficEntry.id)).scalars().all())
    seen = {(r.request_id, r.dialect, r.method, r.path, r.status, r.account_id is not None) for r in rows}
    assert seen == {("r-io", "invoiceocean", "GET", "/invoices.json", 200, True),
                    ("r-invo", "invo", "POST", "/api.json", 200, True),
                    ("r-fk", "fakturan", "GET", "/api/v2/invoices", 401, False)}
    assert all(r.latency_ms > 0 and r.endpoint for r in rows)
    used = [r for r in rows if r.credential_id is not None]
    assert [r.request_id for r in used] == ["r-io"]  # INVO signs in with a login, not a stored key


def test_a_client_hanging_up_mid_body_is_recorded_as_499_not_as_a_server_error(
        app: Any, account: dict[str, Any], caplog: Any) -> None:
    import anyio

    token = account["invoiceocean"]["api_token"]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/invoices.json", "raw_path": b"/invoices.json",
             "query_string": f"api_token={token}".encode(), "root_path": "", "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8000),
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"500"),
                         (b"x-request-id", b"r-gone")]}
    messages = [{"type": "http.request", "body": b'{"invoice": {', "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    app.state.traffic.flush()
    rows = app.state.ledger.read(lambda s: s.execute(
        select(TrafficEntry).where(TrafficEntry.request_id == "r-gone")).scalars().all())
    assert [r.status for r in rows] == [499]
    assert not [m for m in sent if m["type"] == "http.response.start" and m["status"] >= 500]
    assert "unhandled error" not in caplog.text
