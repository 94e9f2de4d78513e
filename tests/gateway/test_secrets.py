"""No secret appears in the logs, the traffic log or an error body: requests carry credentials in
every form the three dialects accept (right and wrong, in URLs, bodies, XML and headers, and
inside crashes), and every place the gateway writes to is searched for them afterwards."""
from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from contextlib import closing
from typing import Any, Callable

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.models import TrafficEntry
from dialects.fakturan import auth as fakturan_auth
from dialects.invo import auth as invo_auth
from dialects.invoiceocean import auth as invoiceocean_auth
from tests.gateway.test_logging import Captured, captured  # noqa: F401  (the fixture)
from tests.support.live_server import LiveServer

XML = {"Content-Type": "application/xml"}
INVOICE = {"buyer_name": "Klient", "issue_date": "2026-05-04",
           "positions": [{"name": "Usługa", "tax": 23, "total_price_gross": "123.00", "quantity": 1}]}


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


class Secrets:
    """The account's real credentials plus made-up wrong ones, and every encoding of them."""

    def __init__(self, creds: dict[str, Any]) -> None:
        self.creds = creds
        self.token = creds["invoiceocean"]["api_token"]  # TOKEN/prefix
        self.invo_login, self.invo_password = creds["invo"]["login"], creds["invo"]["password"]
        self.key_id, self.key_password = creds["fakturan"]["key_id"], creds["fakturan"]["password"]
        tag = uuid.uuid4().hex[:10]
        self.wrong_token, self.wrong_password = f"WrongTok{tag}", f"WrongPw{tag}"
        self.client_password = f"ClientPw{tag}"

    def all(self) -> list[str]:
        plain = [self.token, self.token.partition("/")[0], self.invo_password, self.key_password,
                 self.wrong_token, self.wrong_password, self.client_password]
        return plain + [_basic(self.invo_login, self.invo_password), _basic(self.key_id, self.key_password),
                        _basic(self.invo_login, self.wrong_password), _basic(self.key_id, self.wrong_password)]


def exercise(http: Any, s: Secrets) -> list[tuple[str, int, str]]:
    """Every way a credential reaches the gateway; returns (request id, status, response text)."""
    answers: list[tuple[str, int, str]] = []

    def call(method: str, url: str, **kw: Any) -> None:
        request_id = f"sec-{len(answers)}"
        response = http.request(method, url, headers={"X-Request-Id": request_id, **kw.pop("headers", {})}, **kw)
        answers.append((request_id, response.status_code, response.text + json.dumps(dict(response.headers))))

    wrong_invo, wrong_fk = (s.invo_login, s.wrong_password), (s.key_id, s.wrong_password)
    # InvoiceOcean: token in the query, the JSON body, XML, a Bearer header; wrong ones; a client's password.
    call("GET", f"/invoices.json?api_token={s.token}&period=all")
    call("GET", f"/invoices.json?api_token={s.wrong_token}")
    call("POST", "/invoices.json", json={"api_token": s.token, "invoice": INVOICE})
    call("POST", "/invoices.json", json={"api_token": s.token, "invoice": {"positions": "none"}})
    call("POST", "/invoices.json", json={"api_token": s.wrong_token, "invoice": INVOICE})
    call("POST", "/invoices.xml", content=f"<invoice><api-token>{s.token}</api-token><buyer-name>X</buyer-name>"
                                          "</invoice>".encode(), headers=XML)
    call("POST", "/invoices.xml", content=f"<invoice><api-token>{s.wrong_token}</api-token></invoice>".encode(),
         headers=XML)
    call("GET", "/invoices.json", headers={"Authorization": f"Bearer {s.token}"})
    call("GET", "/invoices.json", headers={"Authorization": f"Bearer {s.wrong_token}"})
    call("GET", f"/clients/check.json?api_token={s.token}&email=a@example.com&password={s.client_password}")
    # INVO: Basic auth, the login resource with a password in q, wrong credentials.
    call("POST", "/api.json", data={"r": "login", "q": "{}"}, auth=(s.invo_login, s.invo_password))
    call("POST", "/api.json",
         data={"r": "login", "q": json.dumps({"login": s.invo_login, "password": s.invo_password})},
         auth=(s.invo_login, s.invo_password))
    call("POST", "/api.json", data={"r": "login", "q": "{}"}, auth=wrong_invo)
    call("POST", "/api.json", json={"r": "invoices", "q": {"action": "list", "password": s.wrong_password}},
         auth=wrong_invo)
    call("POST", "/api.json", data={"r": "invoices", "q": "{not json"}, auth=(s.invo_login, s.invo_password))
    # fakturan: Basic key id + password, right and wrong, and a validation error.
    call("GET", "/api/v2/invoices", auth=(s.key_id, s.key_password))
    call("GET", "/api/v2/invoices", auth=wrong_fk)
    call("POST", "/api/v2/invoices", json={"invoice": {"client_id": "nope"}}, auth=(s.key_id, s.key_password))
    call("POST", "/api/v2/invoices", json={"invoice": {}}, auth=wrong_fk)
    return answers


def assert_clean(secrets: list[str], where: str, text: str) -> None:
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"{where} leaks {leaked}"


def _crash_with(real: Callable[..., Any]) -> Callable[..., Any]:
    """A credential lookup that fails after seeing the secret, with the secret in its message."""
    def broken(reader: Any, *credentials: Any, **options: Any) -> Any:
        real(reader, *credentials, **options)
        raise RuntimeError(f"credential store failed for {credentials!r}")
    return broken


def test_no_secret_reaches_the_logs_the_traffic_log_or_an_error_body(
        client: TestClient, app: Any, account: dict[str, Any], captured: Captured,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    s = Secrets(account)
    answers = exercise(client, s)
    # Crashes whose exception text holds the credential, in each dialect: 500s, logged with a traceback.
    monkeypatch.setattr(invoiceocean_auth, "by_api_token", _crash_with(invoiceocean_auth.by_api_token))
    monkeypatch.setattr(invo_auth, "by_login", _crash_with(invo_auth.by_login))
    monkeypatch.setattr(fakturan_auth, "by_fakturan_key", _crash_with(fakturan_auth.by_fakturan_key))
    crashes = [client.get(f"/invoices.json?api_token={s.token}"),
               client.post("/invoices.json", json={"api_token": s.wrong_token, "invoice": INVOICE}),
               client.post("/api.json", data={"r": "login", "q": "{}"}, auth=(s.invo_login, s.invo_password)),
               client.get("/api/v2/invoices", auth=(s.key_id, s.key_password))]
    assert [r.status_code for r in crashes] == [500, 500, 500, 500]
    app.state.traffic.flush()
    app.state.access_log.flush()  # the access lines are written in batches (gateway/access.py): the rest of them

    statuses = {status for _, status, _ in answers}
    assert {200, 201, 401, 422}.issubset(statuses), statuses  # right, wrong and invalid were all exercised
    log_text = captured.stream.getvalue()
    lines = captured.lines()
    assert {line["request_id"] for line in lines if line["logger"] == "gateway.access"} >= {a[0] for a in answers}
    tracebacks = [line["exc"] for line in lines if "exc" in line]
    assert len(tracebacks) == 4 and all("credential store failed" in tb for tb in tracebacks)
    rows = app.state.ledger.read(lambda session: session.execute(select(TrafficEntry)).scalars().all())
    assert len(rows) >= len(answers) + len(crashes)

    secrets = s.all()
    assert_clean(secrets, "the log", log_text)
    assert_clean(secrets, "the traffic log", json.dumps([r.model_dump(mode="json") for r in rows]))
    for request_id, status, text in answers:
        assert_clean(secrets, f"the answer to {request_id} ({status})", text)
    for crash in crashes:
        assert_clean(secrets, "a 500 body", crash.text + json.dumps(dict(crash.headers)))


@pytest.mark.slow
def test_a_live_server_logs_json_lines_and_no_secret(live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory(env={"GATEWAY_LOG_LEVEL": "DEBUG"})
    created = server.run_cli("accounts", "create", "Acme", "--json")
    assert created.returncode == 0, created.stderr
    s = Secrets(json.loads(created.stdout))
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        answers = exercise(http, s)
    server.stop()  # SIGTERM: the lifespan flushes the traffic log
    log = server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is one JSON object
    access = {line["request_id"]: line for line in lines if line["logger"] == "gateway.access"}
    for request_id, status, _ in answers:
        assert access[request_id]["status"] == status
    assert {line["logger"] for line in lines} >= {"gateway.access", "uvicorn.error"}  # uvicorn's own lines too

    secrets = s.all()
    assert_clean(secrets, "the server log", log)
    db_path = server.database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(db_path)) as db:
        rows = db.execute("SELECT * FROM traffic_log").fetchall()
    assert len(rows) >= len(answers)
    assert_clean(secrets, "the traffic log", repr(rows))
    for request_id, status, text in answers:
        assert_clean(secrets, f"the answer to {request_id} ({status})", text)


def test_public_link_tokens_never_reach_the_access_log(client: TestClient, app: Any, account: dict[str, Any],
                                                       captured: Captured) -> None:  # noqa: F811
    """The token in a public link is a capability, masked like a credential, on every public route (the
    routes come from gateway.public, so a new one is covered), for hits and misses alike."""
    from gateway.public import routes as public_routes

    made = client.post("/invoices.json", json={"api_token": account["invoiceocean"]["api_token"],
                                               "invoice": INVOICE}).json()
    number = made["number"].replace("/", "-")
    misses = "Zz" + made["token"][2:]  # well-formed, but nobody's
    paths = []
    for route in public_routes():
        for token in (made["token"], misses):
            paths.append(route.path.replace("{number}", number).replace("{token}", token))
    answers = [client.get(path).status_code for path in paths]
    assert 200 in answers and 404 in answers
    app.state.access_log.flush()
    access = [line for line in captured.lines() if line["logger"] == "gateway.access"]
    logged = [line["path"] for line in access if line["path"].startswith(("/invoice/", "/f/"))]
    assert len(logged) == len(paths)
    assert all("[REDACTED]" in path for path in logged), logged
    server_side = [line for line in captured.lines() if not line["logger"].startswith("httpx")]  # not the client's
    assert_clean([made["token"], misses], "the gateway's log", json.dumps(server_side))
