"""/docs and the INVO reference: generated from the route tables and the resource registry, so they list
exactly what the gateway serves; and the endpoints they call "not built" really are refused."""
from __future__ import annotations

import html
import re
from typing import Any

from click.testing import CliRunner
from starlette.testclient import TestClient

from dialects.fakturan.openapi import NOT_BUILT as FAKTURAN_NOT_BUILT
from dialects.fakturan.openapi import mounted
from dialects.invo.openapi import REFERENCE_PATH, render, resources
from dialects.invo.resources import REGISTRY
from dialects.invoiceocean.openapi import NOT_BUILT as IO_NOT_BUILT
from dialects.invoiceocean.openapi import document as invoiceocean_document
from dialects.invoiceocean.routes import ROUTES
from gateway.cli import main


def _rows(page: str, css: str) -> list[tuple[str, str, str]]:
    """(dialect, first cell, second cell) of every row with the given class."""
    found = []
    for row in re.findall(rf'<tr class="{css}" data-dialect="(\w+)">(.*?)</tr>', page, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]
        found.append((row[0], cells[0], cells[1]))
    return found


def test_docs_page_lists_every_endpoint_of_the_three_dialects(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    endpoints = _rows(response.text, "endpoint")
    io = {(method, path) for dialect, method, path in endpoints if dialect == "invoiceocean"}
    assert io == {(method, path.replace("{fmt}", "{json|xml}")) for method, path, _h, _n in ROUTES}
    fakturan = {(method, path) for dialect, method, path in endpoints if dialect == "fakturan"}
    assert fakturan == {(method, path) for method, path, _name in mounted()}
    invo = {path for dialect, _method, path in endpoints if dialect == "invo"}
    assert invo == {f"/api.json r={r} action={a}" for r, actions in REGISTRY.items() for a in actions}


def test_docs_page_shows_support_status_and_what_is_not_built(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "not available (code 10)" in page  # INVO reports
    not_built = _rows(page, "not-built")
    assert {(d, p) for d, p, _ in not_built} == {("invoiceocean", p) for p, _ in IO_NOT_BUILT} | {
        ("fakturan", p) for p, _ in FAKTURAN_NOT_BUILT}
    assert 'href="/openapi/invoiceocean.json"' in page and 'href="/openapi/fakturan.json"' in page


def test_docs_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    response = client.get("/docs")
    assert "<script" not in response.text
    assert not re.search(r'(src|href)="(https?:)?//', response.text)
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_invoiceocean_endpoints_listed_as_not_built_answer_404(client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    documented = invoiceocean_document()["paths"]
    for path, _what in IO_NOT_BUILT:
        response = client.get(path, params={"api_token": token})
        assert response.status_code == 404, path
        assert response.json() == {"code": "error", "message": "Not found"}, path
        assert path not in documented


def test_fakturan_features_listed_as_not_built_are_refused(client: TestClient,
                                                           fakturan_account: dict[str, Any]) -> None:
    auth = (fakturan_account["fakturan"]["key_id"], fakturan_account["fakturan"]["password"])
    made = client.post("/api/v2/clients", auth=auth, json={"company": "Google Inc"}).json()["data"]
    assert client.delete(f"/api/v2/clients/{made['id']}", auth=auth).status_code == 405
    assert client.post("/api/v2/accounts", auth=auth, json={}).status_code == 404


def test_committed_invo_reference_is_what_the_generator_writes() -> None:
    assert REFERENCE_PATH.read_text(encoding="utf-8") == render(), \
        "dialects/invo/REFERENCE.md is stale: run `invoice-gateway docs invo`"


def test_invo_reference_covers_every_registered_action_and_error_code() -> None:
    text = render()
    for resource in resources():
        assert f"## `r={resource.name}`" in text
        for action in resource.actions:
            assert re.search(rf"\| `{action.name}` \| (supported|not available) \|", text), (resource.name, action)
    assert "| 13 | internal error | 500 |" in text


def test_docs_invo_cli_prints_or_writes_the_reference(tmp_path: Any) -> None:
    runner = CliRunner()
    printed = runner.invoke(main, ["docs", "invo", "--output", "-"])
    assert printed.exit_code == 0 and printed.output == render()
    target = tmp_path / "REFERENCE.md"
    written = runner.invoke(main, ["docs", "invo", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == render()
