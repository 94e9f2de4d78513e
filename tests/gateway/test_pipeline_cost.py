"""What the request pipeline does per request, by structure (issue 20, Deliver 4; benchmarks/layers.py measures
the cost): requests without an Idempotency-Key pass the idempotency layer untouched, the router runs one route's
match, metrics children are made once per label set, the access record is the one logging would make, the
traffic row is the table's, and a request's credentials are only expanded when a log line needs them."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session
from starlette.routing import Route
from starlette.testclient import TestClient

from core.clock import now_utc
from core.models import TrafficEntry
from dialects.kit.idempotency import IdempotencyMiddleware
from dialects.kit.request_secrets import RequestSecrets
from gateway.logs import quick_record
from gateway.metrics import GatewayMetrics
from gateway.traffic import COLUMNS, TrafficRecorder


def _sends_seen(method: str, headers: list[tuple[bytes, bytes]]) -> tuple[Any, Any]:
    """(the send the app was called with, the send the inner app got)."""
    seen: list[Any] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(send)

    async def send(message: Any) -> None:
        pass

    scope = {"type": "http", "method": method, "path": "/invoices.json", "headers": headers, "state": {}}
    asyncio.run(IdempotencyMiddleware(inner)(scope, None, send))  # type: ignore[arg-type]
    return send, seen[0]


def test_requests_without_an_idempotency_key_pass_the_idempotency_layer_with_their_own_send() -> None:
    for method, headers in (("GET", [(b"idempotency-key", b"k1")]), ("GET", []), ("POST", []),
                            ("POST", [(b"content-type", b"application/json")])):
        original, inner = _sends_seen(method, headers)
        assert inner is original, (method, headers)
    original, inner = _sends_seen("POST", [(b"idempotency-key", b"k1")])
    assert inner is not original  # a create with a key: its answer is captured to be stored


def test_a_routed_request_runs_the_match_of_its_own_route_only(client: TestClient, fakturan_account: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    matched: list[str] = []
    original = Route.matches

    def counted(self: Route, scope: Any) -> Any:
        matched.append(self.path)
        return original(self, scope)

    monkeypatch.setattr(Route, "matches", counted)
    fk = fakturan_account["fakturan"]
    answer = client.get("/api/v2/invoices/999999", auth=(fk["key_id"], fk["password"]))
    assert answer.status_code == 404  # routed: the endpoint's own not-found, not the router's
    assert matched == ["/api/v2/invoices/{id:recid}"]  # the thirteenth fakturan route, and nothing before it


def test_metrics_children_are_made_once_per_label_set(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    metrics = GatewayMetrics(app.state.engine)
    made: list[tuple[str, ...]] = []
    labels = metrics.requests.labels

    def spy(*values: str) -> Any:
        made.append(values)
        return labels(*values)

    monkeypatch.setattr(metrics.requests, "labels", spy)
    for _ in range(3):
        metrics.observe("invo", "GET", 200, 0.002)
    metrics.observe("invo", "BREW", 418, 0.002)
    metrics.observe("invo", "BREW", 418, 0.002)
    assert made == [("invo", "GET", "200"), ("invo", "OTHER", "418"), ("invo", "OTHER", "418")]
    assert metrics.requests.labels("invo", "GET", "200")._value.get() == 3
    assert metrics.requests.labels("invo", "OTHER", "418")._value.get() == 2
    assert len(metrics._children) == 1  # a method outside the named ones keeps no entry of its own


def test_the_access_record_is_the_record_logging_would_make() -> None:
    logger = logging.getLogger("gateway.access")
    extra = {"method": "GET", "path": "/x", "status": 200}
    made = logger.makeRecord(logger.name, logging.INFO, __file__, 0, "%s %s", ("GET", "/x"), None, extra=extra)
    quick = quick_record(logger, logging.INFO, "%s %s", ("GET", "/x"), extra)
    assert type(quick) is logging.LogRecord and set(vars(quick)) == set(vars(made))
    timed = {"created", "msecs", "relativeCreated", "pathname", "filename", "module"}  # this file is not logs.py
    assert {k: v for k, v in vars(quick).items() if k not in timed} == {k: v for k, v in vars(made).items()
                                                                         if k not in timed}
    assert abs(quick.created - made.created) < 5 and quick.getMessage() == "GET /x"


def test_a_requests_credentials_are_expanded_only_when_a_line_needs_them() -> None:
    calls: list[int] = []

    def sources() -> list[str]:
        calls.append(1)
        return ["Pa+ss/word123", "plainsecret"]

    bag = RequestSecrets(sources)
    bag.add("remembered1")
    assert calls == []  # nothing looked at until a line asks
    # a credential with "+" cannot be in text without one, nor its quoted forms
    assert set(bag.literals("no escapes here")) == {"remembered1", "plainsecret"}
    # quoted forms only for text that could hold one (the TOKEN part "Pa+ss" is too short to mask)
    assert set(bag.literals("a%2Bb")) == {"Pa+ss/word123", "Pa%2Bss%2Fword123", "remembered1", "plainsecret"}
    assert calls == [1]
    literals = bag.literals("x+y")
    assert literals == sorted(literals, key=len, reverse=True)  # longest first: a longer one may hold a shorter


def test_a_request_row_reads_back_as_the_row_of_the_same_fields(app: Any) -> None:
    table = [c.name for c in TrafficEntry.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    assert list(COLUMNS) == table
    recorder = TrafficRecorder(app.state.engine)
    when = now_utc() - timedelta(seconds=5)
    values = (3, 4, None, "fakturan", "GET", "/api/v2/invoices/1", "fk:invoices.get", 200, 1.25, "rid-1", when)
    recorder.record_request(*values)
    recorder.record(**dict(zip(COLUMNS, values, strict=True)) | {"request_id": "rid-2"})
    assert recorder.flush() == 2
    with Session(app.state.engine) as session:
        rows = session.execute(select(TrafficEntry).order_by(TrafficEntry.request_id)).scalars().all()  # type: ignore[arg-type]
        got = [{c: getattr(row, c) for c in COLUMNS if c != "request_id"} for row in rows]
    assert [row.request_id for row in rows] == ["rid-1", "rid-2"] and got[0] == got[1]
