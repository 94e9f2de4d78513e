"""Structured logs: one JSON object per line with the request id (also from the threadpool), an
access line per request, and the redaction of secrets in every shape they come in."""
from __future__ import annotations

import io
import json
import logging
from typing import Any, Iterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.logs import REDACTED, GatewayLogFilter, JsonFormatter, TextFormatter, logging_config, redact
from gateway.middleware import GatewayMiddleware


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """The handler `serve` installs (filter + JSON formatter), on the root logger at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(GatewayLogFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _sync_endpoint(request: Request) -> Response:
    # A sync endpoint runs in the threadpool: the request id must follow it there.
    logging.getLogger("tests.handler").info("handling order %s", 42, extra={"order": {"id": 42, "token": "t0ps3cret"}})
    return PlainTextResponse("ok")


def _crash(request: Request) -> Response:
    raise RuntimeError("exploded while holding api_token=CrashT0ken99 and password=Hunter2Hunter2")


@pytest.fixture
def tiny_client() -> Iterator[TestClient]:
    app = Starlette(routes=[Route("/work", _sync_endpoint), Route("/crash", _crash)],
                    middleware=[Middleware(GatewayMiddleware, dialect_for=lambda path: None, max_body=1000,
                                           recorder=None)])
    with TestClient(app) as client:
        yield client


def test_every_line_is_one_json_object_with_the_request_id_even_from_the_threadpool(
        captured: Captured, tiny_client: TestClient) -> None:
    response = tiny_client.get("/work?api_token=Qw3rtyUiop99&page=2", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 200
    lines = captured.lines()
    handler_line = next(line for line in lines if line["logger"] == "tests.handler")
    assert handler_line["request_id"] == "req-42"
    assert handler_line["message"] == "handling order 42"
    assert handler_line["level"] == "info" and handler_line["ts"].endswith("+00:00")
    assert handler_line["order"] == {"id": 42, "token": REDACTED}
    access = next(line for line in lines if line["logger"] == "gateway.access")
    assert access["request_id"] == "req-42"
    assert access["method"] == "GET" and access["status"] == 200 and access["dialect"] == "gateway"
    assert access["path"] == f"/work?api_token={REDACTED}&page=2"
    assert access["latency_ms"] > 0
    assert "Qw3rtyUiop99" not in captured.stream.getvalue()


def test_a_crash_is_logged_with_its_traceback_redacted_and_answered_without_details(
        captured: Captured, tiny_client: TestClient) -> None:
    response = tiny_client.get("/crash", headers={"X-Request-Id": "req-crash"})
    assert response.status_code == 500
    assert "CrashT0ken99" not in response.text
    crash = next(line for line in captured.lines() if line["logger"] == "gateway.request")
    assert crash["request_id"] == "req-crash" and crash["level"] == "error"
    assert "RuntimeError" in crash["exc"] and f"api_token={REDACTED}" in crash["exc"]
    output = captured.stream.getvalue()
    assert "CrashT0ken99" not in output and "Hunter2Hunter2" not in output


def test_log_records_outside_a_request_have_no_request_id(captured: Captured) -> None:
    logging.getLogger("tests.outside").warning("nothing to do with a request")
    (line,) = [line for line in captured.lines() if line["logger"] == "tests.outside"]
    assert line["request_id"] is None and line["level"] == "warning"


@pytest.mark.parametrize(("raw", "secret"), [
    ("GET /invoices.json?api_token=AbC123xyz/acme&period=all", "AbC123xyz"),
    ('{"api_token": "Tok3nInJs0n", "invoice": {}}', "Tok3nInJs0n"),
    ("{'password': 'Pyth0nRepr!', 'login': 'bob'}", "Pyth0nRepr!"),
    ('r=login&q={"login":"bob","password":"In q w1th spaces"}', "In q w1th spaces"),
    ("<invoice><api-token>Xml70ken/acme</api-token></invoice>", "Xml70ken"),
    ("headers: Authorization: Basic Ym9iOmh1bnRlcjIy", "Ym9iOmh1bnRlcjIy"),
    ("Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
    ("smtp://mailer:Sm7pPass@mail.example.com:587?starttls=1", "Sm7pPass"),
    ("retrying with key=Fakturan5ecret&x=1", "Fakturan5ecret"),
    ("pass=Pa55word key_id=Visible1", "Pa55word"),
    ('"secret_key": 123456789', "123456789"),
])
def test_redaction_masks_each_shape_a_secret_comes_in(raw: str, secret: str) -> None:
    cleaned = redact(raw)
    assert secret not in cleaned and REDACTED in cleaned


def test_redaction_leaves_ordinary_text_alone() -> None:
    text = "key_id=Visible1 created invoice 12/05/2026 for basic hosting; period=all"
    assert redact(text) == text


def test_text_format_is_redacted_too() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login with password=%s", ("S3cr3tPw",), None)
    line = TextFormatter().format(record)
    assert "S3cr3tPw" not in line and "[-]" in line


def test_serve_logging_config_routes_everything_through_the_filter_and_keeps_uvicorns_access_log_off() -> None:
    config = logging_config("debug", json=True)
    assert config["root"] == {"level": "DEBUG", "handlers": ["default"]}
    assert config["handlers"]["default"]["filters"] == ["gateway"]
    assert config["formatters"]["default"]["()"] == "gateway.logs.JsonFormatter"
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
    assert logging_config("info", json=False)["formatters"]["default"]["()"] == "gateway.logs.TextFormatter"


def test_an_operators_filter_and_handler_on_the_access_logger_see_the_access_line(
        tiny_client: TestClient, captured: Captured) -> None:
    access = logging.getLogger("gateway.access")
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    own = Keep()
    access.addHandler(own)
    try:
        tiny_client.get("/work?api_token=Sup3rSecretTok")
        assert [r.getMessage().split(" ")[:2] for r in seen] == [["GET", f"/work?api_token={REDACTED}"]]
        dropped = logging.Filter("somewhere.else")  # passes no gateway.access record
        access.addFilter(dropped)
        try:
            tiny_client.get("/work")
        finally:
            access.removeFilter(dropped)
    finally:
        access.removeHandler(own)
    assert len(seen) == 1  # the logger's own filter dropped the second line before any handler
    lines = [line for line in captured.lines() if line["logger"] == "gateway.access"]
    assert [line["path"] for line in lines] == [f"/work?api_token={REDACTED}"]
