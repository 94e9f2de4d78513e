"""Paging, sorting, filters, and list parameters read from a JSON body on GET."""
from __future__ import annotations

from typing import Any

from tests.dialects.fakturan.conftest import Api

BASE = "http://testserver/api/v2/clients"


def _clients(api: Api, names: list[str]) -> list[dict[str, Any]]:
    return [api.created("/api/v2/clients", {"company": name}) for name in names]


def test_paging_links_walk_three_pages(api: Api) -> None:
    _clients(api, [f"Client {i}" for i in range(5)])
    first = api.get("/api/v2/clients?per_page=2").json()
    assert first["paging"] == {"total_pages": 3, "current_page": 1, "next": f"{BASE}?page=2&per_page=2",
                               "previous": None}
    second = api.get(first["paging"]["next"]).json()
    assert second["paging"] == {"total_pages": 3, "current_page": 2, "next": f"{BASE}?page=3&per_page=2",
                                "previous": f"{BASE}?page=1&per_page=2"}
    third = api.get(second["paging"]["next"]).json()
    assert third["paging"] == {"total_pages": 3, "current_page": 3, "next": None,
                               "previous": f"{BASE}?page=2&per_page=2"}
    names = [c["name"] for page in (first, second, third) for c in page["data"]]
    assert names == [f"Client {i}" for i in range(5)]


def test_links_carry_filters_and_sort(api: Api) -> None:
    _clients(api, ["A", "B", "C"])
    body = api.get("/api/v2/clients", params={"per_page": "1", "sort": "-name"}).json()
    assert body["paging"]["next"] == f"{BASE}?page=2&per_page=1&sort=-name"
    assert [c["name"] for c in body["data"]] == ["C"]


def test_empty_list_has_one_page(api: Api) -> None:
    assert api.get("/api/v2/invoices").json() == {
        "data": [], "paging": {"total_pages": 1, "current_page": 1, "next": None, "previous": None}}


def test_per_page_defaults_to_30_and_stops_at_100(api: Api) -> None:
    _clients(api, [f"C{i:03}" for i in range(31)])
    default = api.get("/api/v2/clients").json()
    assert (len(default["data"]), default["paging"]["total_pages"]) == (30, 2)
    capped = api.get("/api/v2/clients?per_page=500").json()
    assert (len(capped["data"]), capped["paging"]["total_pages"]) == (31, 1)


def test_list_params_come_from_a_json_body_on_get(api: Api) -> None:
    _clients(api, ["A", "B", "C"])
    body = api.get("/api/v2/clients", content=b'{"per_page": 1, "page": 2, "sort": "-number"}',
                   headers={"content-type": "application/json"}).json()
    assert [c["name"] for c in body["data"]] == ["B"]
    assert body["paging"]["current_page"] == 2


def test_clients_sort_by_name_in_both_directions(api: Api) -> None:
    _clients(api, ["Beta", "Alfa", "Gamma"])
    ascending = api.get("/api/v2/clients?sort=%2Bname").json()["data"]
    descending = api.get("/api/v2/clients?sort=-name").json()["data"]
    assert [c["name"] for c in ascending] == ["Alfa", "Beta", "Gamma"]
    assert [c["name"] for c in descending] == ["Gamma", "Beta", "Alfa"]


def test_unknown_sort_field_is_422(api: Api) -> None:
    response = api.get("/api/v2/clients?sort=email")
    assert response.status_code == 422
    assert response.json() == {"errors": {"sort": [{"error": "inclusion", "value": "email"}]}}


def test_client_filters(api: Api) -> None:
    api.created("/api/v2/clients", {"company": "A", "org_number": "556000-0001", "email": "a@example.se"})
    api.created("/api/v2/clients", {"company": "B", "org_number": "556000-0002", "email": "b@example.se"})
    assert [c["name"] for c in api.get("/api/v2/clients?number=2").json()["data"]] == ["B"]
    assert [c["name"] for c in api.get("/api/v2/clients?org_number=556000-0001").json()["data"]] == ["A"]
    assert [c["name"] for c in api.get("/api/v2/clients?email=b@example.se").json()["data"]] == ["B"]


def test_products_sort_by_price_numerically(api: Api) -> None:
    for name, price in (("Nine", "9"), ("Hundred", "100"), ("Twenty", "20.5")):
        api.created("/api/v2/products", {"name": name, "price": price})
    ascending = api.get("/api/v2/products?sort=price").json()["data"]
    descending = api.get("/api/v2/products?sort=-price,name").json()["data"]
    assert [p["name"] for p in ascending] == ["Nine", "Twenty", "Hundred"]
    assert [p["name"] for p in descending] == ["Hundred", "Twenty", "Nine"]


def test_invoice_filters_and_sorting(api: Api, google: dict[str, Any], today: str) -> None:
    row = {"product_name": "X", "product_price": "10", "amount": "1"}
    other = api.created("/api/v2/clients", {"company": "Other"})
    for day, client_id in (("2021-01-10", google["id"]), ("2021-03-01", other["id"]), (today, google["id"])):
        api.created("/api/v2/invoices", {"client_id": client_id, "date": day, "rows": [row]})

    def numbers(query: str) -> list[int]:
        return [i["number"] for i in api.get(f"/api/v2/invoices?{query}").json()["data"]]

    assert numbers("sort=-number") == [3, 2, 1]
    assert numbers("sort=date") == [1, 2, 3]
    assert numbers(f"client_id={google['id']}") == [1, 3]
    assert numbers("number=2") == [2]
    assert numbers("start_date=2021-02-01") == [2, 3]  # runs to today
    assert numbers("end_date=2021-02-01") == [1]
    assert numbers("start_date=2021-01-01&end_date=2021-02-01") == [1]


def test_a_clients_invoices_are_its_own_in_the_list_envelope(api: Api, client: Any, ledger: Any) -> None:
    from core.accounts import create_account
    from tests.dialects.fakturan.conftest import Api as Other

    google, other = _clients(api, ["Google Inc", "Other AB"])
    row = {"product_name": "Timme", "amount": "1", "product_price": "100", "product_tax": 25}
    mine = [api.created("/api/v2/invoices", {"client_id": google["id"], "date": f"2024-01-0{d}", "rows": [row]})
            for d in (1, 2, 3)]
    api.created("/api/v2/invoices", {"client_id": other["id"], "rows": [row]})
    base = f"http://testserver/api/v2/clients/{google['id']}/invoices"

    first = api.get(f"/api/v2/clients/{google['id']}/invoices", params={"per_page": "2", "sort": "-date"}).json()
    assert [i["id"] for i in first["data"]] == [mine[2]["id"], mine[1]["id"]]
    assert first["data"][0] == api.get(f"/api/v2/invoices/{mine[2]['id']}").json()["data"]
    assert first["paging"] == {"total_pages": 2, "current_page": 1, "next": f"{base}?page=2&per_page=2&sort=-date",
                               "previous": None}
    assert [i["id"] for i in api.get(first["paging"]["next"]).json()["data"]] == [mine[0]["id"]]
    # a client_id parameter cannot widen the list to another client
    assert [i["client_id"] for i in api.get(f"/api/v2/clients/{google['id']}/invoices",
                                            params={"client_id": other["id"]}).json()["data"]] == [google["id"]] * 3

    stranger = Other(client, ledger.write(create_account, "Annan AB", profile="fakturan").as_dict())
    for response in (stranger.get(f"/api/v2/clients/{google['id']}/invoices"),
                     api.get("/api/v2/clients/999999/invoices")):
        assert (response.status_code, response.json()) == (404, {"error": "404 Not Found"})
    fresh = _clients(api, ["Ny kund"])[0]
    assert api.get(f"/api/v2/clients/{fresh['id']}/invoices").json() == {
        "data": [], "paging": {"total_pages": 1, "current_page": 1, "next": None, "previous": None}}
