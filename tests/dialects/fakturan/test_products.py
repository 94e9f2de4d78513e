"""Products: computed price_inc_tax, default tax, update and delete."""
from __future__ import annotations

from tests.dialects.fakturan.conftest import Api


def test_create_product_computes_price_inc_tax(api: Api) -> None:
    response = api.post("/api/v2/products", {"name": "Test", "price": "150.3", "tax": 12, "unit": "h",
                                             "product_code": "XYZ"})
    assert response.status_code == 201
    body = response.json()
    pid = body["data"]["id"]
    assert response.headers["location"] == f"http://testserver/api/v2/products/{pid}"
    assert body == {"data": {"id": pid, "product_code": "XYZ", "name": "Test", "unit": "h", "price": "150.3",
                             "price_inc_tax": "168.34", "tax": 12}}


def test_default_tax_is_25(api: Api) -> None:
    created = api.created("/api/v2/products", {"name": "Plain", "price": "100"})
    assert (created["tax"], created["price_inc_tax"]) == (25, "125.0")


def test_update_is_204_and_recomputes(api: Api) -> None:
    created = api.created("/api/v2/products", {"name": "Test", "price": "100"})
    response = api.put(f"/api/v2/products/{created['id']}", {"price": "200", "tax": 6, "price_inc_tax": "1"})
    assert (response.status_code, response.content) == (204, b"")
    shown = api.get(f"/api/v2/products/{created['id']}").json()["data"]
    assert (shown["price"], shown["tax"], shown["price_inc_tax"]) == ("200.0", 6, "212.0")


def test_delete_is_204_then_404(api: Api) -> None:
    created = api.created("/api/v2/products", {"name": "Gone", "price": "1"})
    response = api.delete(f"/api/v2/products/{created['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert api.get(f"/api/v2/products/{created['id']}").status_code == 404


def test_product_validation(api: Api) -> None:
    response = api.post("/api/v2/products", {"price": "ten", "tax": 7, "product_code": "c" * 31})
    assert response.status_code == 422
    assert response.json() == {"errors": {"product_code": [{"error": "too_long", "count": 30}],
                                          "price": [{"error": "not_a_number"}],
                                          "tax": [{"error": "inclusion", "value": 7}],
                                          "name": [{"error": "blank"}]}}


def test_product_filters(api: Api) -> None:
    api.created("/api/v2/products", {"name": "Alfa", "product_code": "A1", "price": "1"})
    api.created("/api/v2/products", {"name": "Beta", "product_code": "B1", "price": "1"})
    assert [p["name"] for p in api.get("/api/v2/products?product_code=B1").json()["data"]] == ["Beta"]
    assert [p["name"] for p in api.get("/api/v2/products?name=Alfa").json()["data"]] == ["Alfa"]
