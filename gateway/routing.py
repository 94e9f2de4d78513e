"""Routing by dialect first: a request is matched only against its own dialect's routes.

Starlette's Router tries every route in turn, and one dialect alone mounts over a hundred (JSON and XML,
every resource), so a request of another dialect used to be tested against all of them. The middleware
has already decided the request's dialect from its path and kept it in the scope, so each dialect gets a
Router of its own and the gateway's pages (health, console, docs, public links) another. `routes` still
lists every route, for url_for and for the tests that compare the mounted routes with the OpenAPI documents.
"""
from __future__ import annotations

from typing import Any, Sequence

from starlette.routing import BaseRoute, Router
from starlette.types import Receive, Scope, Send

from dialects.kit.dialect import dialect_of


class DialectRouter(Router):
    def __init__(self, gateway_routes: Sequence[BaseRoute], dialect_routes: dict[str, list[BaseRoute]],
                 **kwargs: Any) -> None:
        super().__init__(routes=[*gateway_routes, *(r for group in dialect_routes.values() for r in group)], **kwargs)
        self.by_dialect = {name: Router(routes=group) for name, group in dialect_routes.items()}
        self.gateway = Router(routes=list(gateway_routes))

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets: the whole router, as Starlette does it
            await super().app(scope, receive, send)
            return
        dialect = dialect_of(scope)
        router = self.gateway if dialect is None else self.by_dialect[dialect.name]
        await router.app(scope, receive, send)
