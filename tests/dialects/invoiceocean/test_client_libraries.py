"""The Python client libraries on PyPI named in the public notes (§1.14b), driven against the gateway.

Each test runs one step of a payment flow through the library's own code, so what is checked is what the
library sends and how it parses the answer. The libraries' HTTP goes to the in-process app: the httpx-based
ones through a mock transport, the requests-based one through a requests adapter.
Coverage per library:
- fakturownia-client / invoiceocean-client: every payment call (list with include=invoices, page walk, get,
  create, update, delete) and the invoice status change that settles an invoice;
- fakturownia-mcp / invoiceocean-mcp (tools built on fakturownia-client's async client): the payment tools
  and change_invoice_status, called through a real MCP client session;
- fakturownia (wooyek): no payment calls; its mark-paid step (PUT status=paid) and reading the invoice back;
- fakturownia-python (an older release of the same `fakturownia` package), fakturownia-sdk (Python >= 3.12)
  and fakturownia-python-api (clients and products only) are not installed here: README, "Client libraries".
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any

import anyio
import fakturownia.core
import fakturownia_mcp.config
import pytest
import requests
from fakturownia_client import AsyncFakturowniaClient, FakturowniaClient
from fakturownia_mcp.server import mcp
from invoiceocean_client import InvoiceOceanClient
from mcp.shared.memory import create_connected_server_and_client_session
from requests.adapters import BaseAdapter
from starlette.testclient import TestClient

from tests.dialects.invoiceocean.conftest import create_invoice, post_json, through_gateway


@pytest.fixture
def library(client: TestClient, token: str) -> Iterator[FakturowniaClient]:
    """fakturownia-client as its README sets it up: account domain and the bare API code."""
    secret, _, prefix = token.partition("/")
    with FakturowniaClient(f"{prefix}.fakturownia.pl", secret, transport=through_gateway(client),
                           max_retries=0) as opened:
        yield opened


def _invoices(client: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    first = create_invoice(client, token, positions=[{"name": "A", "tax": "23", "total_price_gross": "100"}])
    second = create_invoice(client, token, positions=[{"name": "B", "tax": "23", "total_price_gross": "200"}])
    return first, second


def _read(client: TestClient, token: str, invoice_id: int) -> dict[str, Any]:
    return client.get(f"/invoices/{invoice_id}.json", params={"api_token": token}).json()  # type: ignore[no-any-return]


# -- fakturownia-client / invoiceocean-client ---------------------------------------------------------------

def test_fakturownia_client_creates_a_payment_that_settles_invoices_in_order(client: TestClient, token: str,
                                                                           library: FakturowniaClient) -> None:
    first, second = _invoices(client, token)
    payment = library.create_payment({"name": "Przelew", "price": "250.00", "invoice_ids": [first["id"], second["id"]],
                                      "paid": True, "kind": "api"})
    assert (payment.name, payment.price, payment.paid, payment.invoice_id) == ("Przelew", "250.00", True, first["id"])
    assert [(i["status"], i["paid"]) for i in (_read(client, token, first["id"]), _read(client, token, second["id"]))
            ] == [("paid", "100.00"), ("partial", "150.00")]


def test_fakturownia_client_creates_a_payment_for_one_invoice_from_a_float_price(client: TestClient, token: str,
                                                                               library: FakturowniaClient) -> None:
    first, _ = _invoices(client, token)
    payment = library.create_payment({"price": 40.5, "invoice_id": first["id"], "currency": "PLN", "paid": True,
                                      "kind": "api"})
    assert (payment.price, payment.currency, payment.invoice_id) == ("40.50", "PLN", first["id"])
    assert _read(client, token, first["id"])["paid"] == "40.50"


def test_fakturownia_client_lists_payments_with_their_invoices(client: TestClient, token: str,
                                                              library: FakturowniaClient) -> None:
    first, second = _invoices(client, token)
    allocated = library.create_payment({"price": "250.00", "invoice_ids": [first["id"], second["id"]]})
    loose = library.create_payment({"name": "Unassigned", "price": "10.00"})
    listed = library.list_payments(include_invoices=True)
    assert [p.id for p in listed] == [allocated.id, loose.id]
    assert listed[0].invoices is not None and listed[1].invoices == []
    assert [(i.id, i.number, i.status, i.price_gross, i.paid) for i in listed[0].invoices] == [
        (first["id"], first["number"], "paid", "100.00", "100.00"),
        (second["id"], second["number"], "partial", "200.00", "150.00")]
    assert all(p.invoices is None for p in library.list_payments())


def test_fakturownia_client_walks_payment_pages_with_their_invoices(client: TestClient, token: str,
                                                                   library: FakturowniaClient) -> None:
    first, _ = _invoices(client, token)
    # One more than the library's page size (100), so the walk needs a second, short page.
    created = [post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "price": "0.50", "invoice_id": first["id"]}}).json()["id"] for _ in range(101)]
    walked = list(library.iter_payments(include_invoices=True))
    assert [p.id for p in walked] == created
    assert all([i.id for i in p.invoices or []] == [first["id"]] for p in walked)


def test_fakturownia_client_gets_one_payment_with_its_invoice_ids(client: TestClient, token: str,
                                                                 library: FakturowniaClient) -> None:
    first, second = _invoices(client, token)
    created = library.create_payment({"price": "300.00", "invoice_ids": [first["id"], second["id"]]})
    got = library.get_payment(created.id)
    assert (got.id, got.price, got.invoice_id, got.invoices) == (created.id, "300.00", first["id"], None)
    assert got.model_extra is not None and got.model_extra["invoice_ids"] == [first["id"], second["id"]]


def test_fakturownia_client_updates_a_payment_by_patch_and_the_invoice_follows(client: TestClient, token: str,
                                                                              library: FakturowniaClient) -> None:
    first, _ = _invoices(client, token)
    created = library.create_payment({"price": "100.00", "invoice_id": first["id"]})
    updated = library.update_payment(created.id, {"name": "Korekta", "price": "60.00"})
    assert (updated.id, updated.name, updated.price) == (created.id, "Korekta", "60.00")
    assert [(i.status, i.paid) for i in library.list_payments(include_invoices=True)[0].invoices or []] == [
        ("partial", "60.00")]


def test_fakturownia_client_deletes_a_payment_and_the_invoice_is_unpaid_again(client: TestClient, token: str,
                                                                             library: FakturowniaClient) -> None:
    first, _ = _invoices(client, token)
    created = library.create_payment({"price": "100.00", "invoice_id": first["id"]})
    assert library.delete_payment(created.id) is None
    assert library.list_payments(include_invoices=True) == []
    assert (_read(client, token, first["id"])["status"], _read(client, token, first["id"])["paid"]) == (
        "issued", "0.00")


def test_fakturownia_client_marks_an_invoice_paid_and_reads_it_back(client: TestClient, token: str,
                                                                   library: FakturowniaClient) -> None:
    created = library.create_invoice({"buyer_name": "Klient1 Sp. z o.o.", "positions": [
        {"name": "Produkt A1", "quantity": 1, "tax": 23, "total_price_gross": "10.23"}]})
    assert library.change_invoice_status(created.id, "paid") == {"code": "success",
                                                                 "message": "Status changed to paid"}
    invoice = library.get_invoice(created.id)
    assert (invoice.status, invoice.price_gross, invoice.paid_date is not None) == ("paid", "10.23", True)


def test_invoiceocean_client_alias_records_and_lists_a_payment_on_an_invoiceocean_domain(
        client: TestClient, token: str) -> None:
    first, _ = _invoices(client, token)
    secret, _, prefix = token.partition("/")
    with InvoiceOceanClient(f"{prefix}.invoiceocean.com", secret, transport=through_gateway(client),
                            max_retries=0) as alias:
        created = alias.create_payment({"price": "100.00", "invoice_id": first["id"]})
        assert [(p.id, [i.status for i in p.invoices or []]) for p in alias.list_payments(include_invoices=True)
                ] == [(created.id, ["paid"])]


def test_fakturownia_async_client_lists_payments_with_their_invoices(client: TestClient, token: str) -> None:
    first, second = _invoices(client, token)
    secret, _, prefix = token.partition("/")

    async def flow() -> list[list[int]]:
        async with AsyncFakturowniaClient(f"{prefix}.fakturownia.pl", secret, transport=through_gateway(client),
                                          max_retries=0) as library:
            await library.create_payment({"price": "120.00", "invoice_ids": [first["id"], second["id"]]})
            return [[i.id for i in p.invoices or []] for p in await library.list_payments(include_invoices=True)]

    assert anyio.run(flow) == [[first["id"], second["id"]]]


# -- fakturownia-mcp / invoiceocean-mcp ---------------------------------------------------------------------

def _mcp_calls(client: TestClient, token: str, *calls: tuple[str, dict[str, Any]]) -> list[Any]:
    """Calls fakturownia-mcp's tools through an MCP client session, the server's API client pointed at the
    gateway. Writes carry confirm=true: the in-memory client offers no elicitation, so this is the
    two-phase confirmation the server documents."""
    secret, _, prefix = token.partition("/")

    async def session() -> list[Any]:
        async with AsyncFakturowniaClient(f"{prefix}.fakturownia.pl", secret, transport=through_gateway(client),
                                          max_retries=0) as library:
            fakturownia_mcp.config.set_client(library)
            try:
                async with create_connected_server_and_client_session(mcp) as mcp_client:
                    answers = []
                    for name, arguments in calls:
                        result = await mcp_client.call_tool(name, arguments)
                        text = "".join(getattr(part, "text", "") for part in result.content)
                        assert not result.isError, f"{name}: {text}"
                        answers.append(json.loads(text))
                    return answers
            finally:
                fakturownia_mcp.config.set_client(None)

    return anyio.run(session)


def test_fakturownia_mcp_records_a_payment_and_lists_it_with_its_invoices(client: TestClient, token: str) -> None:
    first, second = _invoices(client, token)
    created, listed = _mcp_calls(client, token, ("create_payment", {
        "price": "250.00", "invoice_ids": [first["id"], second["id"]], "name": "Przelew mBank", "confirm": True}),
        ("list_payments", {"include_invoices": True}))
    assert (created["name"], created["price"], created["invoice_id"]) == ("Przelew mBank", "250.00", first["id"])
    assert listed["payments"] == [{**created, "invoices": [
        {"id": first["id"], "number": first["number"], "price_gross": "100.00"},
        {"id": second["id"], "number": second["number"], "price_gross": "200.00"}]}]
    assert listed["has_more"] is False


def test_fakturownia_mcp_deletes_a_payment_after_reading_it(client: TestClient, token: str) -> None:
    first, _ = _invoices(client, token)
    payment_id = post_json(client, "/banking/payments.json", {"api_token": token, "banking_payment": {
        "price": "100.00", "invoice_id": first["id"]}}).json()["id"]
    deleted, listed = _mcp_calls(client, token, ("delete_payment", {"payment_id": payment_id, "confirm": True}),
                                 ("list_payments", {"include_invoices": True}))
    assert deleted == {"deleted_payment_id": payment_id}
    assert listed["payments"] == []
    assert _read(client, token, first["id"])["status"] == "issued"


def test_fakturownia_mcp_marks_an_invoice_paid(client: TestClient, token: str) -> None:
    first, _ = _invoices(client, token)
    (changed,) = _mcp_calls(client, token, ("change_invoice_status", {
        "invoice_id": first["id"], "status": "paid", "confirm": True}))
    assert changed == {"invoice_id": first["id"], "status": "paid"}
    assert _read(client, token, first["id"])["status"] == "paid"


def test_invoiceocean_mcp_runs_the_same_server_as_fakturownia_mcp() -> None:
    """invoiceocean-mcp ships no code of its own, only this console script: the tests above cover it."""
    (script,) = entry_points(group="console_scripts", name="invoiceocean-mcp")
    assert (script.value, script.dist.name if script.dist else None) == ("fakturownia_mcp.server:main",
                                                                         "invoiceocean-mcp")


# -- fakturownia (wooyek) -----------------------------------------------------------------------------------

class _GatewayAdapter(BaseAdapter):
    """requests' transport seam: the prepared request goes to the in-process app."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:  # type: ignore[override]
        got = self.client.request(str(request.method), str(request.url), content=request.body,
                                  headers=dict(request.headers))
        response = requests.Response()
        response.status_code, response._content = got.status_code, got.content
        response.headers.update(got.headers)
        response.url, response.request, response.encoding = str(request.url), request, got.encoding
        return response

    def close(self) -> None:
        pass


class _ApiClientThroughGateway(fakturownia.core.ApiClient):  # type: ignore[misc]
    session: requests.Session

    def request_factory(self, *args: Any, **kwargs: Any) -> requests.Response:
        return self.session.request(*args, **kwargs)


def test_fakturownia_library_marks_an_invoice_paid_and_reads_it_back(client: TestClient, token: str) -> None:
    api = _ApiClientThroughGateway(token)  # https://{prefix}.fakturownia.pl/, from the prefixed token
    api.session = requests.Session()
    api.session.mount("https://", _GatewayAdapter(client))
    invoice = api.invoices.create(seller_name="Kabaret Starszych Panów", buyer_name="Odrażający drab",
                                  positions=[{"name": "Smolna szczapa", "quantity": 5, "total_price_gross": 7.33}])
    invoice.get().mark_paid()
    assert (invoice.status, invoice.price_gross) == ("paid", "7.33")
    again = api.invoices[invoice.id]
    assert (again.status, Decimal(again.paid)) == ("paid", Decimal("7.33"))
