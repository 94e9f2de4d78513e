"""The access lines are written in batches by a thread of their own while the app runs (gateway/access.py):
not on the request path, still redacted with each request's own credentials, in order, and none lost when the
app stops."""
from __future__ import annotations

import io
import json
import logging
import threading
import time
from datetime import datetime
from typing import Any

from starlette.testclient import TestClient

from core.accounts import create_account
from dialects.kit.request_secrets import RequestSecrets
from gateway import access
from gateway.access import AccessLog, Entry
from gateway.app import create_app
from gateway.logs import REDACTED, GatewayLogFilter, JsonFormatter
from gateway.settings import Settings
from tests.gateway.test_logging import Captured, captured  # noqa: F401  (the fixture)


def _entry(n: int, *, path: str = "/invoices.json", secrets: RequestSecrets | None = None,
           ended: float | None = None) -> Entry:
    return (ended or time.time(), "GET", path, b"", [], 200, 0.002, "invoiceocean", "127.0.0.1", f"req-{n}", secrets)


def _access_lines(captured: Captured) -> list[dict[str, Any]]:  # noqa: F811
    return [line for line in captured.lines() if line["logger"] == "gateway.access"]


def test_a_running_app_writes_the_access_line_off_the_request_path_within_the_flush_interval(
        settings: Settings, captured: Captured, monkeypatch: Any) -> None:  # noqa: F811
    writers: list[str] = []
    real = access.write_all

    def write_all(entries: list[Entry]) -> int:
        writers.extend(threading.current_thread().name for _ in entries)
        return real(entries)

    monkeypatch.setattr(access, "write_all", write_all)
    app = create_app(settings)
    with TestClient(app) as client:
        made = app.state.ledger.write(create_account, "Acme", profile="invoiceocean")
        token = made.as_dict()["invoiceocean"]["api_token"]
        started = time.time()
        # the token also in the path: masked there too, with the request's own credentials, by the writer thread
        response = client.get(f"/invoices/{token}.json?api_token={token}", headers={"X-Request-Id": "req-path"})
        assert response.status_code in (401, 404)
        deadline = time.monotonic() + 5
        while not _access_lines(captured) and time.monotonic() < deadline:
            time.sleep(0.02)
        (line,) = _access_lines(captured)
    assert writers == ["access-log"]  # the app's writer thread, not the request's
    assert line["request_id"] == "req-path" and line["status"] == response.status_code
    assert line["path"] == f"/invoices/{REDACTED}.json?api_token={REDACTED}"
    assert token not in str(line)
    assert started <= _seconds(line["ts"]) <= started + 5  # the time the request ended, not the time of writing


def _seconds(ts: str) -> float:
    return datetime.fromisoformat(ts).timestamp()


def test_stopping_the_app_writes_every_line_left(settings: Settings, captured: Captured) -> None:  # noqa: F811
    app = create_app(settings)
    app_log: AccessLog = app.state.access_log
    app_log.interval = 3600  # the thread would not write them in this test's lifetime
    with TestClient(app) as client:
        ids = [f"req-stop-{n}" for n in range(5)]
        for request_id in ids:
            client.get("/healthz", headers={"X-Request-Id": request_id})
        assert len(app_log) == 5 and _access_lines(captured) == []
    assert [line["request_id"] for line in _access_lines(captured)] == ids  # in the order the requests ended
    assert len(app_log) == 0


def test_before_the_app_starts_each_line_is_written_at_once(captured: Captured) -> None:  # noqa: F811
    log = AccessLog()
    log.add(_entry(1))
    assert [line["request_id"] for line in _access_lines(captured)] == ["req-1"] and len(log) == 0


def test_lines_carry_their_requests_credentials_to_the_writer_thread(captured: Captured) -> None:  # noqa: F811
    """The writer runs outside every request's context: each line is redacted with its own request's bag."""
    first, second = RequestSecrets(lambda: ["AlphaSecret111"]), RequestSecrets(lambda: ["BravoSecret222"])
    log = AccessLog(interval=3600)
    log.start()
    try:
        log.add(_entry(1, path="/x/AlphaSecret111/BravoSecret222", secrets=first))
        log.add(_entry(2, path="/x/AlphaSecret111/BravoSecret222", secrets=second))
    finally:
        log.stop()
    paths = [line["path"] for line in _access_lines(captured)]
    assert paths == [f"/x/{REDACTED}/BravoSecret222", f"/x/AlphaSecret111/{REDACTED}"]


def test_lines_from_many_threads_are_all_written_once_each(captured: Captured) -> None:  # noqa: F811
    log = AccessLog(interval=0.001)
    log.start()

    def requests(worker: int) -> None:
        for n in range(200):
            log.add(_entry(worker * 1000 + n))

    workers = [threading.Thread(target=requests, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    log.stop()
    ids = [line["request_id"] for line in _access_lines(captured)]
    assert sorted(ids) == sorted(f"req-{w * 1000 + n}" for w in range(4) for n in range(200))
    for w in range(4):  # each thread's lines in the order it added them
        own = [i for i in ids if i.startswith(f"req-{w}") and len(i) == len(f"req-{w * 1000}")]
        assert own == sorted(own, key=lambda i: int(i.removeprefix("req-")))


def test_a_backlog_past_the_cap_is_written_by_the_request_path(monkeypatch: Any, captured: Captured) -> None:  # noqa: F811
    monkeypatch.setattr(access, "MAX_PENDING", 3)
    log = AccessLog(interval=3600)
    log.start()
    try:
        for n in range(3):
            log.add(_entry(n))
        assert len(_access_lines(captured)) == 3 and len(log) == 0  # the third add wrote all three
    finally:
        log.stop()


def test_a_line_that_fails_to_write_does_not_stop_the_others(monkeypatch: Any, captured: Captured) -> None:  # noqa: F811
    real = access.redacted_target

    def broken(path: str, *args: Any) -> str:  # what both the record and the JSON line are made with
        if path == "/broken":
            raise RuntimeError("boom")
        return real(path, *args)

    monkeypatch.setattr(access, "redacted_target", broken)
    log = AccessLog(interval=3600)
    log.start()
    for n in range(1, 4):
        log.add(_entry(n, path="/broken" if n == 2 else "/invoices.json"))
    log.stop()
    assert [line["request_id"] for line in _access_lines(captured)] == ["req-1", "req-3"]
    failure = [line for line in captured.lines() if line["logger"] == "gateway.access_writer"]
    assert failure and "boom" in failure[0]["exc"]


class _CountedStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_a_flush_writes_its_lines_to_a_stream_handler_in_one_write_and_each_to_any_other_handler() -> None:
    stream, seen = _CountedStream(), []
    plain = logging.StreamHandler(stream)
    plain.setFormatter(JsonFormatter())
    plain.addFilter(GatewayLogFilter())

    class Each(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.request_id)  # type: ignore[attr-defined]

    other = Each()
    access.ACCESS.addHandler(plain)
    access.ACCESS.addHandler(other)
    try:
        log = AccessLog(interval=3600)
        log.start()
        for n in range(50):
            log.add(_entry(n, path=f"/invoices/{n}.json"))
        assert log.flush() == 50
        log.stop()
    finally:
        access.ACCESS.removeHandler(plain)
        access.ACCESS.removeHandler(other)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert stream.writes == 1
    assert [line["request_id"] for line in lines] == [f"req-{n}" for n in range(50)] == seen
    assert [line["path"] for line in lines] == [f"/invoices/{n}.json" for n in range(50)]


def _secrets(*values: str) -> RequestSecrets:
    found = RequestSecrets()
    for value in values:
        found.add(value)
    return found


_ENTRIES = [
    _entry(1),
    (1765150000.9995, "POST", "/invoices.json", b"api_token=T0kenT0ken&page=2",
     [("api_token", "T0kenT0ken"), ("page", "2")], 201, 0.0123456, "invoiceocean", "10.0.0.7", "abc", None),
    (1765150001.25, "GET", "/invoice/Zs9kPq2LmN4bVx7cRt1w.pdf", b"", [], 404, 1.5, "invoiceocean", "", "r\u00e9q",
     None),
    (1765150002.0, "GET", "/api/v2/invoices", b"q=%C5%BC%C3%B3%C5%82w&x", [("q", "\u017c\u00f3\u0142w"), ("x", "")],
     200, 0.0, "fakturan", "::1", "id-\u2603", _secrets("Secr3tPassw0rd")),
    (1765150002.5, "GET", "/api/v2/clients", b"search=Secr3tPassw0rd", [("search", "Secr3tPassw0rd")], 200, 0.01,
     "fakturan", "::1", "id-2", _secrets("Secr3tPassw0rd")),
    (1765150003.5, "POST", "/api.json", b"", [], 200, 0.00049, "invo", "127.0.0.1", "x" * 64,
     _secrets("api")),
]


def test_the_json_access_line_is_the_text_the_json_formatter_writes_for_the_access_record() -> None:
    formatter, scrub = JsonFormatter(), GatewayLogFilter()
    for entry in _ENTRIES:
        record = access.access_record(entry)
        scrub.filter(record)
        assert access.access_json(entry) == formatter.format(record)
    assert "Secr3tPassw0rd" not in access.access_json(_ENTRIES[4])


def test_a_json_stream_handler_gets_the_access_lines_without_a_log_record_made(monkeypatch: Any) -> None:
    def no_record(entry: Entry) -> logging.LogRecord:
        raise AssertionError("a record was made")

    stream = _CountedStream()
    plain = logging.StreamHandler(stream)
    plain.setFormatter(JsonFormatter())
    plain.addFilter(GatewayLogFilter())
    formatter, scrub = JsonFormatter(), GatewayLogFilter()
    expected = []
    for entry in _ENTRIES:
        record = access.access_record(entry)
        scrub.filter(record)
        expected.append(formatter.format(record))
    monkeypatch.setattr(access, "access_record", no_record)
    access.ACCESS.addHandler(plain)
    monkeypatch.setattr(access.ACCESS, "propagate", False)
    try:
        assert access.write_all(_ENTRIES) == len(_ENTRIES)
    finally:
        access.ACCESS.removeHandler(plain)
    assert stream.getvalue().splitlines() == expected and stream.writes == 1


def test_a_stream_handler_with_another_formatter_or_filter_still_gets_records(monkeypatch: Any) -> None:
    texts, filtered = io.StringIO(), io.StringIO()
    text = logging.StreamHandler(texts)
    text.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    only_posts = logging.StreamHandler(filtered)
    only_posts.setFormatter(JsonFormatter())
    only_posts.addFilter(lambda record: record.method == "POST")  # type: ignore[attr-defined]
    monkeypatch.setattr(access.ACCESS, "propagate", False)
    for handler in (text, only_posts):
        access.ACCESS.addHandler(handler)
    try:
        access.write_all(_ENTRIES[:2])
    finally:
        for handler in (text, only_posts):
            access.ACCESS.removeHandler(handler)
    assert texts.getvalue().splitlines() == [
        "INFO GET /invoices.json 200 2.0ms", "INFO POST /invoices.json?api_token=[REDACTED]&page=2 201 12.3ms"]
    assert [json.loads(line)["request_id"] for line in filtered.getvalue().splitlines()] == ["abc"]
