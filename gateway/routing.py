"""Routing by dialect first, then by one regular expression per method.

Starlette's Router tries every route in turn, and one dialect alone mounts over a hundred (JSON and XML,
every resource), so a request of another dialect used to be tested against all of them. The middleware
has already decided the request's dialect from its path and kept it in the scope, so each dialect gets a
Router of its own and the gateway's pages (health, console, docs, public links) another. `routes` still
lists every route, for url_for and for the tests that compare the mounted routes with the OpenAPI documents.

Within a router, Starlette still matched route after route in Python, about a microsecond each: one
dialect's get is its thirteenth route. Each router therefore also joins, per method, the patterns of the routes
that take that method into one alternation, in route order; the regex engine finds the first route whose path
matches, which is the route Starlette's loop would answer with (the first full match). Only that route's
own `matches()` then runs, to fill the scope exactly as Starlette does. Anything the alternation does not
answer (no route for this method: a 405, a redirect, a 404; a route that is not a plain Route) goes
through Starlette's own loop, unchanged, with one exception: a path no route's pattern matches under any
method, nor with its trailing slash added or taken away, is the router's 404 (Starlette's loop would test
all of one dialect's routes (93 for the largest) twice to say so: ~150 µs a request, five times a get, for
every scanner's probe of a path that does not exist).
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

from dialects.kit.dialect import dialect_of

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_UNSAFE = re.compile(r"\(\?P=|\(\?\(|\\[1-9]|\(\?[aiLmsux]")  # named/numbered back-references, inline flags


class MethodIndex:
    """method -> one compiled alternation over the paths of the routes that take it, in route order, and
    the route each alternative stands for. None for a router it cannot stand in for."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.by_method: dict[str, tuple[re.Pattern[str], dict[str, Route]]] = {}
        # Whether any route's path matches, whatever the method: no match is Match.NONE from every route.
        self.any_path: re.Pattern[str] | None = None
        methods: set[str] = set()
        for route in routes:
            if type(route) is not Route or not route.methods or _UNSAFE.search(route.path_regex.pattern):
                return  # anything else (mounts, hosts, any-method routes): Starlette's loop decides everything
            methods |= route.methods
        for method in methods:
            alternatives, owners = [], {}
            for position, route in enumerate(routes):
                assert isinstance(route, Route) and route.methods is not None
                if method in route.methods:
                    name = f"r{position}"
                    # The route's own pattern, its groups made anonymous (names may repeat across routes):
                    # which alternative matched is all that is asked of it.
                    alternatives.append(f"(?P<{name}>{_NAMED_GROUP.sub('(?:', route.path_regex.pattern)})")
                    owners[name] = route
            self.by_method[method] = (re.compile("|".join(alternatives)), owners)
        if routes:
            self.any_path = re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', route.path_regex.pattern)})"
                                                for route in routes if isinstance(route, Route)))

    def nowhere(self, scope: Scope, redirect_slashes: bool) -> bool:
        """No route matches this request's path under any method, nor (when the router redirects slashes)
        the path with its trailing slash toggled as Starlette's Router toggles it: the answer is its 404."""
        if self.any_path is None:
            return False
        route_path = get_route_path(scope)
        if self.any_path.match(route_path) is not None:
            return False
        if redirect_slashes and route_path != "/":
            toggled = dict(scope)
            toggled["path"] = scope["path"].rstrip("/") if route_path.endswith("/") else scope["path"] + "/"
            if self.any_path.match(get_route_path(toggled)) is not None:
                return False
        return True

    def find(self, method: str, route_path: str) -> Route | None:
        entry = self.by_method.get(method)
        if entry is None:
            return None
        found = entry[0].match(route_path)
        return None if found is None or found.lastgroup is None else entry[1][found.lastgroup]


class IndexedRouter(Router):
    """A Router that finds a request's route with its MethodIndex, and falls back to Starlette's loop."""

    def __init__(self, routes: Sequence[BaseRoute], **kwargs: Any) -> None:
        super().__init__(routes=list(routes), **kwargs)
        self.index = MethodIndex(self.routes)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = self.index.find(scope["method"], get_route_path(scope))
            if route is not None:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    if "router" not in scope:
                        scope["router"] = self
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
            elif self.index.nowhere(scope, self.redirect_slashes):
                if "router" not in scope:
                    scope["router"] = self
                await self.default(scope, receive, send)
                return
        await super().app(scope, receive, send)


class DialectRouter(Router):
    def __init__(self, gateway_routes: Sequence[BaseRoute], dialect_routes: dict[str, list[BaseRoute]],
                 **kwargs: Any) -> None:
        super().__init__(routes=[*gateway_routes, *(r for group in dialect_routes.values() for r in group)], **kwargs)
        self.by_dialect = {name: IndexedRouter(group) for name, group in dialect_routes.items()}
        self.gateway = IndexedRouter(gateway_routes)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets: the whole router, as Starlette does it
            await super().app(scope, receive, send)
            return
        dialect = dialect_of(scope)
        router = self.gateway if dialect is None else self.by_dialect[dialect.name]
        await router.app(scope, receive, send)
