"""Routing by dialect first (gateway/routing.py): each request meets only its own dialect's routes."""
from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Match, Mount, Route
from starlette.testclient import TestClient

from gateway.registry import DIALECTS, dialect_for
from gateway.routing import DialectRouter, IndexedRouter


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


def _starlette_choice(router: Any, scope: dict[str, Any]) -> Any:
    """The route Starlette's own loop answers with: the first full match, in route order."""
    return next((route for route in router.routes if route.matches(scope)[0] is Match.FULL), None)


def _probes(path: str) -> list[str]:
    """Paths a route's template stands for, with values each of its parameters takes or refuses."""
    values = ({"recid": "12", "iofmt": "json", "int": "7", "": "abc"},
              {"recid": "x", "iofmt": "xml", "int": "-1", "": "a.b"})
    probes = [re.sub(r"\{[^}:]+(?::([^}]+))?\}", lambda m, chosen=chosen: chosen.get(m.group(1) or "", "zz"), path)
              for chosen in values]
    return probes + [path.rstrip("/") + "/", path + "x"]


def test_each_router_resolves_a_request_to_the_route_starlettes_loop_would_answer_with(app: Any) -> None:
    routers = [app.router.gateway, *app.router.by_dialect.values()]
    methods = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    checked = 0
    for router in routers:
        assert isinstance(router, IndexedRouter) and router.index.by_method  # every route here is indexable
        for route in router.routes:
            for path in _probes(route.path):
                for method in methods:
                    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
                    found = router.index.find(method, path)
                    assert found is _starlette_choice(router, scope), (method, path)
                    checked += found is not None
    assert checked > 300


def test_a_router_with_a_route_the_index_cannot_stand_for_leaves_every_request_to_starlette() -> None:
    async def endpoint(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    router = IndexedRouter([Route("/a/{n:int}", endpoint), Mount("/static", routes=[Route("/x", endpoint)])])
    assert router.index.by_method == {} and router.index.find("GET", "/a/1") is None
    client = TestClient(Starlette(routes=[Mount("", app=router)]))
    assert client.get("/a/1").text == "ok" and client.get("/static/x").text == "ok"
    assert client.post("/a/1").status_code == 405 and client.get("/nothing").status_code == 404


def _starlette_says_nowhere(router: Any, scope: dict[str, Any]) -> bool:
    """Starlette's loop ends in the router's default (a 404): no route matches the path, fully or partly,
    and none matches it with its trailing slash toggled (which would be a redirect)."""
    if any(route.matches(scope)[0] is not Match.NONE for route in router.routes):
        return False
    path = scope["path"]
    if path != "/":
        toggled = {**scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
        if any(route.matches(toggled)[0] is not Match.NONE for route in router.routes):
            return False
    return True


def test_each_router_tells_a_path_no_route_has_exactly_when_starlettes_loop_would_answer_404(app: Any) -> None:
    routers = [app.router.gateway, *app.router.by_dialect.values()]
    nowhere = 0
    for router in routers:
        paths = [p for route in router.routes for p in _probes(route.path)]
        paths += ["/", "/nothing-here", "/nothing-here/", "/invoices.json/", "/api/v2/invoices/", "//", "/a\n"]
        for path in paths:
            for method in ("GET", "POST", "DELETE"):
                scope = {"type": "http", "method": method, "path": path, "root_path": ""}
                said = router.index.nowhere(scope, router.redirect_slashes)
                assert said is _starlette_says_nowhere(router, scope), (method, path)
                nowhere += said
    assert nowhere > 20


def test_an_unknown_path_is_the_dialects_404_without_testing_its_routes_one_by_one(
        client: TestClient, account: dict[str, Any], monkeypatch: Any) -> None:
    token = account["invoiceocean"]["api_token"]
    tested: list[str] = []
    real = Route.matches

    def counted(self: Route, scope: Any) -> Any:
        tested.append(self.path)
        return real(self, scope)

    monkeypatch.setattr(Route, "matches", counted)
    missing = client.get(f"/no-such-thing.json?api_token={token}")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/json")
    assert tested == []
    # a path that is a route's with a slash too many is still Starlette's redirect, as before
    redirected = client.get(f"/invoices.json/?api_token={token}", follow_redirects=False)
    assert redirected.status_code == 307
    assert redirected.headers["location"].endswith(f"/invoices.json?api_token={token}")
    assert len(tested) > 20
