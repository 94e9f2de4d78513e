"""A fourth dialect is one folder (this one) and one registration line (conftest.py): it serves its own
paths over the same ledger, and the gateway's features list it without naming it."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from gateway import fidelity
from tests.fourth_dialect.dialect import DIALECT as MINI
from tests.gateway.console.helpers import sign_in, sign_in_as


def _bearer(account: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['invoiceocean']['api_token']}"}


def test_an_invoice_made_through_invoiceocean_reads_back_through_the_fourth_dialect(
        client: TestClient, account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    made = client.post(f"/invoices.json?api_token={token}", json={"invoice": {
        "buyer_name": "Klient1 Sp. z o.o.", "positions": [
            {"name": "Produkt A1", "tax": 23, "total_price_gross": "10.23", "quantity": 1}]}})
    assert made.status_code == 201, made.text
    listed = client.get("/min/invoices", headers=_bearer(account))
    assert listed.status_code == 200
    assert listed.json() == [{"id": made.json()["id"], "number": made.json()["number"], "buyer": "Klient1 Sp. z o.o.",
                              "gross": "10.23", "currency": made.json()["currency"]}]


def test_an_invoice_made_through_the_fourth_dialect_reads_back_through_invoiceocean(
        client: TestClient, account: dict[str, Any]) -> None:
    made = client.post("/min/invoices", headers=_bearer(account),
                       json={"buyer": "Mini Buyer", "lines": [{"name": "Widget", "quantity": 2, "gross": "12.30"}]})
    assert made.status_code == 201, made.text
    token = account["invoiceocean"]["api_token"]
    seen = client.get(f"/invoices/{made.json()['id']}.json?api_token={token}").json()
    assert (seen["buyer_name"], seen["price_gross"]) == ("Mini Buyer", "24.60")


def test_the_fourth_dialect_answers_gateway_failures_in_its_own_format(client: TestClient) -> None:
    missing = client.get("/min/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.delete("/min/invoices")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert client.get("/min/invoices").json()["error"] == "unauthorized"


def test_the_fourth_dialect_is_in_docs_and_the_consoles_charts_and_translate_choices(
        client: TestClient, account: dict[str, Any]) -> None:
    docs = client.get("/docs").text
    assert "Mini (a plain JSON API)" in docs and "/min/invoices" in docs
    client.get("/min/invoices", headers=_bearer(account))
    sign_in_as(client, account)
    traffic = client.get("/console/traffic?window=hour").text
    assert "#7a4fd0" in traffic and "Mini" in traffic
    translate = client.get("/console/translate").text
    assert 'value="mini"' in translate


def test_the_fourth_dialect_brings_its_own_console_sign_in_form_and_rosetta_pane(
        client: TestClient, account: dict[str, Any]) -> None:
    form = client.get("/console/signin").text
    assert 'data-testid="signin-mini"' in form and "Sign in with bearer token" in form
    made = client.post("/min/invoices", headers=_bearer(account),
                       json={"buyer": "Mini Buyer", "lines": [{"name": "Widget", "gross": "12.30"}]}).json()
    sign_in(client, "mini", "", account["invoiceocean"]["api_token"])
    page = client.get(f"/console/invoices/{made['id']}")
    assert page.status_code == 200 and 'data-testid="pane-mini"' in page.text
    pane = html.unescape(page.text.split('data-testid="pane-mini"', 1)[1].split("</section>", 1)[0])
    assert f'"number": "{made["number"]}"' in pane and '"buyer": "Mini Buyer"' in pane


def test_a_revoked_token_cannot_sign_in_through_the_fourth_dialects_form(
        client: TestClient, account: dict[str, Any]) -> None:
    csrf = sign_in(client, "mini", "", account["invoiceocean"]["api_token"])
    listed = client.get("/console/api/credentials", headers={"X-CSRF-Token": csrf}).json()
    ref = next(c["ref"] for c in listed if c["kind"] == "api_token")
    revoked = client.post(f"/console/api/credentials/{ref}/revoke", headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 200, revoked.text
    sign_in(client, "mini", "", account["invoiceocean"]["api_token"], expect=401)


def test_nothing_outside_the_fourth_dialects_folder_names_it() -> None:
    """Its wiring is the one line in this folder's conftest.py; code, templates and settings never name it."""
    root = Path(__file__).resolve().parents[2]
    own = Path(__file__).resolve().parent
    names = {MINI.name, MINI.label, own.name}
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])", re.IGNORECASE)
    suffixes = {".py", ".html", ".toml", ".cfg", ".ini", ".js", ".css", ".yml", ".yaml", ".json", ".txt"}
    naming = []
    for path in root.rglob("*"):
        parts = set(path.relative_to(root).parts)
        if parts & {".venv", ".git", "__pycache__", "node_modules", "var"} or own in path.parents:
            continue
        if path.is_file() and (path.suffix in suffixes or path.name == "Makefile"):
            if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                naming.append(str(path.relative_to(root)))
    assert naming == []


def test_the_fourth_dialect_has_its_column_in_the_fidelity_table(app: Any) -> None:
    served = app.state.dialects
    table = {rule.name: rule for rule in fidelity.build(served)}
    assert (table["totals"].wire["mini"], table["totals"].fidelity["mini"]) == ("gross", "approximate")
    assert (table["number"].wire["mini"], table["number"].fidelity["mini"]) == ("number", "exact")
    assert table["sell_date"].fidelity["mini"] == "absent"
    assert table["buyer"].fidelity["invoiceocean"] == "exact"  # the registered dialects' columns stay
    markdown = fidelity.render_markdown(served)
    assert markdown.splitlines()[0] == "| field | InvoiceOcean | INVO | fakturan.nu | Mini |"
    assert "| net, tax and gross totals |" in markdown and "`gross` **approximate**: the gross total only" in markdown
    simple = next(s for s in fidelity.scenarios(served) if s.name == "simple_vat")
    assert "mini" in simple.creators()
