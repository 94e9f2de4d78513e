"""What the request pipeline does per request, by structure (issue 20, Deliver 4; benchmarks/layers.py measures
the cost): requests without an Idempotency-Key pass the idempotency layer untouched, the router runs one route's
match, metrics children are made once per label set (and count as prometheus would), the rate limiter hashes no
good token from a clean address, the dialect is found without a generator, the access record is the one logging
would make, the traffic row is the table's, and a request's credentials are only expanded when a log line needs
them."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import types
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Histogram
from sqlalchemy import select
from sqlmodel import Session
from starlette.routing import Route
from starlette.testclient import TestClient

from core.clock import now_utc
from core.models import TrafficEntry
from dialects.kit import ratelimit
from dialects.kit.auth import by_api_token
from dialects.kit.idempotency import IdempotencyMiddleware
from dialects.kit.request_secrets import RequestSecrets
from gateway import registry
from gateway.logs import quick_record
from gateway.metrics import LATENCY_BUCKETS, GatewayMetrics
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


class _CountedSha256:
    """hashlib as dialects.kit.ratelimit sees it, counting sha256 calls."""

    def __init__(self) -> None:
        self.calls = 0

    def sha256(self, data: bytes) -> Any:
        self.calls += 1
        return hashlib.sha256(data)


def test_a_good_token_from_an_address_without_failures_is_not_hashed_by_the_rate_limiter(
        client: TestClient, account: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    counted = _CountedSha256()
    monkeypatch.setattr(ratelimit, "hashlib", counted)
    token = account["invoiceocean"]["api_token"]
    for _ in range(3):
        assert client.get(f"/invoices/999999.json?api_token={token}").status_code == 404
    assert counted.calls == 0  # the database lookup hashes the token (core.security); the limiter does not
    assert client.get("/invoices/999999.json?api_token=wrong-token").status_code == 401
    assert counted.calls == 1  # a failure is recorded under the token's digest
    # From an address with failures on record, each attempt's own pair is looked up: its digest is made.
    assert client.get(f"/invoices/999999.json?api_token={token}").status_code == 404
    assert counted.calls == 2


def test_a_token_identity_is_keyed_by_its_digest_and_never_shows_the_token() -> None:
    identity = ratelimit.identity_of(by_api_token, ("secret-token-123/acme",))
    digest = "token:" + hashlib.sha256(b"secret-token-123").hexdigest()
    assert identity == digest and str(identity) == digest and hash(identity) == hash(digest)
    assert "secret-token-123" not in repr(identity)
    limiter = ratelimit.AuthLimiter(2, 60.0, clock=lambda: 1000.0, spray_limit=0)  # the address limit off
    for _ in range(2):
        limiter.check("10.0.0.1", identity)
        limiter.failed("10.0.0.1", ratelimit.identity_of(by_api_token, ("secret-token-123",)))
    with pytest.raises(ratelimit.RateLimited):  # the pair is limited though no address is tracked
        limiter.check("10.0.0.1", identity)
    limiter.check("10.0.0.1", ratelimit.identity_of(by_api_token, ("another-token-456",)))


def test_the_dialect_of_a_path_is_found_without_a_generator() -> None:
    dialect_for = registry.resolver(registry.DIALECTS)
    nested = [c for c in dialect_for.__code__.co_consts if isinstance(c, types.CodeType)]
    assert nested == []  # a generator expression or comprehension would be a code object of its own
    owner = registry.root_owner(registry.DIALECTS)
    assert dialect_for("/healthz") is None and dialect_for("/") is None
    for dialect in registry.DIALECTS:
        if not dialect.owns_root:
            claimed = next(p for p in ("/api.json", "/api/v2/invoices/1") if dialect.owns(p))
            assert dialect_for(claimed) is dialect
    assert dialect_for("/invoices/1.json") is owner


def test_request_latencies_fall_in_the_buckets_prometheus_own_observe_puts_them(app: Any) -> None:
    metrics = GatewayMetrics(app.state.engine)
    reference_registry = CollectorRegistry()
    reference = Histogram("reference_seconds", "", buckets=LATENCY_BUCKETS, registry=reference_registry)
    durations = [0.0, 0.001, 0.005, 0.0050001, 0.01, 0.3, 2.5, 29.9, 30.0, 31.0, 1e9]
    for seconds in durations:
        metrics.observe("invo", "GET", 200, seconds)
        reference.observe(seconds)

    def buckets(registry: Any, name: str) -> list[tuple[str, float]]:
        return [(sample.labels["le"], sample.value) for metric in registry.collect() for sample in metric.samples
                if sample.name == f"{name}_bucket"]

    assert buckets(metrics.registry, "gateway_http_request_duration_seconds") == buckets(reference_registry,
                                                                                         "reference_seconds")
    assert metrics.requests.labels("invo", "GET", "200")._value.get() == len(durations)
    assert metrics.latency.labels("invo")._sum.get() == pytest.approx(sum(durations))
