"""GET /: a person opening the gateway's address gets a page saying what runs and where to go next;
API clients at the root keep InvoiceOcean's own answers."""
from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.apidocs.routes import DOCUMENTS

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _links(page: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', page))


def test_root_page_in_a_browser_says_what_runs_and_links_docs_console_openapi_and_health(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Invoice Gateway is running" in response.text
    expected = {"/docs", "/console", "/healthz", *(f"/openapi/{name}.json" for name in DOCUMENTS)}
    assert expected <= _links(response.text)
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_root_page_links_only_to_addresses_that_answer(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"}).text
    for link in _links(page) - {"data:,"}:
        assert client.get(link, follow_redirects=True).status_code == 200, link


def test_root_page_for_curl_without_an_accept_preference(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "*/*"})
    assert response.status_code == 200 and "Invoice Gateway is running" in response.text


@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_root_for_an_api_client_keeps_invoiceoceans_not_found(client: TestClient, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.json() == {"code": "error", "message": "Not found"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_root_with_another_method_keeps_invoiceoceans_not_found(client: TestClient, method: str) -> None:
    response = client.request(method, "/", json={"invoice": {}}, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.json() == {"code": "error", "message": "Not found"}


def test_invoiceocean_root_level_paths_still_answer_beside_the_page(client: TestClient,
                                                                    account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    for path in ("/invoices.json", "/clients.json", "/products.json"):
        response = client.get(path, params={"api_token": token}, headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 200, path
        assert isinstance(response.json(), list), path
    assert client.get("/invoices.xml", params={"api_token": token}).text.startswith("<?xml")


@pytest.mark.browser
@pytest.mark.slow
def test_root_page_renders_in_headless_chromium(live_server: Any, browser_page: Any) -> None:
    response = browser_page.goto(f"{live_server.base_url}/")
    assert response is not None and response.status == 200
    assert browser_page.title() == "Invoice Gateway"
    assert "Invoice Gateway is running" in browser_page.text()
    browser_page.page.click("text=API documentation")
    assert browser_page.page.url.endswith("/docs")
    assert browser_page.console_errors == []
