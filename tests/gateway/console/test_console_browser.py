"""The console in headless Chromium against a real server: sign in, see mixed-dialect traffic
counted, find one invoice's number in all four Rosetta panes, translate a request. Screenshots
go to the test's tmp_path (their paths are printed); no console errors are allowed."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NUMBER = 1042
INVO_ADD = json.dumps({"action": "add", "type2": "+FV", "c1name": "Kund AB", "mdate": "2025-05-01",
                       "items": [{"product": "Konsulttimme", "count": 2, "pnetto": "500.00", "vatsm": "23%"}]})


def _traffic(base: str, creds: dict[str, Any]) -> dict[str, int]:
    """Mixed-dialect requests: fakturan 3 (one create), InvoiceOcean 2, INVO 4."""
    fk = (creds["fakturan"]["key_id"], creds["fakturan"]["password"])
    invo = (creds["invo"]["login"], creds["invo"]["password"])
    with httpx.Client(base_url=base, timeout=30) as http:
        created = http.post("/api/v2/invoices", auth=fk, json={
            "number": NUMBER, "date": "2025-05-01", "client": {"company": "Kund AB"},
            "rows": [{"product_name": "Konsulttimme", "amount": "2", "product_price": "500", "product_tax": 25}]})
        assert created.status_code == 201, created.text
        for _ in range(2):
            assert http.get("/api/v2/invoices", auth=fk).status_code == 200
            assert http.get("/invoices.json",
                            params={"api_token": creds["invoiceocean"]["api_token"]}).status_code == 200
        for _ in range(4):
            assert http.post("/api.json", auth=invo,
                             data={"r": "invoices", "q": '{"action":"list"}'}).status_code == 200
    return {"fakturan": 3, "invoiceocean": 2, "invo": 4}


def test_console_in_a_browser(live_server: Any, browser_page: Any, tmp_path: Path) -> None:
    made = live_server.run_cli("accounts", "create", "Svensk AB", "--profile", "fakturan", "--json")
    assert made.returncode == 0, made.stderr
    creds = json.loads(made.stdout)
    expected = _traffic(live_server.base_url, creds)
    shots: list[Path] = []
    page = browser_page.page

    browser_page.goto(f"{live_server.base_url}/console")
    assert "Sign in to the migration console" in browser_page.text()
    shots.append(browser_page.screenshot(tmp_path / "1-signin.png"))
    form = page.locator('[data-testid="signin-invo"]')
    form.locator('input[name="identity"]').fill(creds["invo"]["login"])
    form.locator('input[name="secret"]').fill(creds["invo"]["password"])
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/console/traffic")

    deadline = time.monotonic() + 10  # the traffic log is written in batches, once a second
    while True:
        counts = {d: page.locator(f'[data-testid="count-{d}-hour"]').inner_text() for d in expected}
        if counts == {d: str(n) for d, n in expected.items()} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
        page.reload()
    assert counts == {d: str(n) for d, n in expected.items()}, live_server.log()
    assert page.locator('[data-testid="total-hour"]').inner_text() == str(sum(expected.values()))
    assert page.locator("svg.chart rect").count() >= 3
    shots.append(browser_page.screenshot(tmp_path / "2-traffic.png"))

    page.click("text=Invoices")
    page.wait_for_url("**/console/invoices")
    page.click(f"text={NUMBER}")
    page.wait_for_url("**/console/invoices/*")
    panes = {key: page.locator(f'[data-testid="pane-{key}"] .code').inner_text()
             for key in ("invoiceocean", "invoiceocean_xml", "invo", "fakturan")}
    assert f'"number": "{NUMBER}"' in panes["invoiceocean"]
    assert f"<number>{NUMBER}</number>" in panes["invoiceocean_xml"]
    assert f'"nrdoc": "{NUMBER}"' in panes["invo"]
    assert f'"number": {NUMBER}' in panes["fakturan"]
    assert page.locator(".pane .lossylist li").count() > 0  # the fidelity table's notes are listed
    shots.append(browser_page.screenshot(tmp_path / "3-rosetta.png"))

    page.click("text=Translate")
    page.wait_for_url("**/console/translate")
    page.select_option("#from", "invo")
    page.fill("#r", "invoices")
    page.fill("#q", INVO_ADD)
    page.click('[data-testid="translate-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="translated-fakturan"]')
    curl = page.locator('[data-testid="translated-fakturan"] pre').inner_text()
    assert curl.startswith("curl ") and "/api/v2/invoices" in curl and "Konsulttimme" in curl
    assert "/invoices.json" in page.locator('[data-testid="translated-invoiceocean"] pre').inner_text()
    shots.append(browser_page.screenshot(tmp_path / "4-translate.png"))

    page.click("text=Credentials")
    page.wait_for_url("**/console/credentials")
    assert creds["invo"]["login"] in browser_page.text()
    shots.append(browser_page.screenshot(tmp_path / "5-credentials.png"))

    print("console screenshots:", *[str(s) for s in shots], sep="\n  ")
    assert browser_page.console_errors == []
