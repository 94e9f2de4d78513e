"""Routing by dialect first (gateway/routing.py): each request meets only its own dialect's routes."""
from __future__ import annotations

from typing import Any

from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.registry import DIALECTS, dialect_for
from gateway.routing import DialectRouter


def _paths(routes: Any) -> set[str]:
    return {r.path for r in routes if isinstance(r, Route)}


def test_each_dialect_router_holds_exactly_its_routes_and_the_app_still_lists_them_all(app: Any) -> None:
    router = app.router
    assert isinstance(router, DialectRouter)
    for dialect in DIALECTS:
        mine = _paths(router.by_dialect[dialect.name].routes)
        assert mine == _paths(dialect.routes())
        # every route of a dialect router is one its dialect owns (InvoiceOcean owns what others don't)
        for path in mine:
            probe = path.replace("{id:recid}", "1").replace("{fmt:iofmt}", "json").replace("{id}", "1")
            owner = dialect_for(probe)
            assert owner is not None and owner.name == dialect.name, (dialect.name, path)
    everything = _paths(router.routes)
    assert everything == _paths(router.gateway.routes) | set().union(
        *(_paths(r.routes) for r in router.by_dialect.values()))
    assert app.url_path_for("io:invoices.get:GET", id="7", fmt="json") == "/invoices/7.json"


def test_unknown_paths_get_each_dialects_own_not_found_and_gateway_pages_still_answer(
        client: TestClient, account: dict[str, Any], fakturan_account: dict[str, Any]) -> None:
    token = account["invoiceocean"]["api_token"]
    io = client.get(f"/no-such-thing.json?api_token={token}")
    assert io.status_code == 404 and io.headers["content-type"].startswith("application/json")
    fk = client.get("/api/v2/no-such-thing", auth=(fakturan_account["fakturan"]["key_id"],
                                                    fakturan_account["fakturan"]["password"]))
    assert (fk.status_code, fk.json()) == (404, {"error": "404 Not Found"})
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert client.get("/openapi/fakturan.json").status_code == 200
    # a wrong method on a dialect's path is that dialect's 405, not a gateway one
    assert client.delete("/api/v2/invoices", auth=(fakturan_account["fakturan"]["key_id"],
                                                   fakturan_account["fakturan"]["password"])).status_code == 405
