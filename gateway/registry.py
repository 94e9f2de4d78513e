"""The composition root: the dialects this gateway serves, in the order people see them (docs, charts,
legends, sign-in forms, credential kinds, translate choices). The only gateway module that names a dialect;
every feature loops over DIALECTS (or the app's own tuple, app.state.dialects, which create_app may be given).
Importing it registers what the dialects bring to core (account profiles, credential kinds), in this order."""
from __future__ import annotations

from typing import Callable, Sequence

from dialects.fakturan.dialect import DIALECT as FAKTURAN
from dialects.invo.dialect import DIALECT as INVO
from dialects.invoiceocean.dialect import DIALECT as INVOICEOCEAN
from dialects.kit.dialect import Dialect, register

DIALECTS: tuple[Dialect, ...] = register((INVOICEOCEAN, INVO, FAKTURAN))
GATEWAY_PATHS = ("/healthz", "/metrics", "/console", "/openapi", "/docs", "/static", "/invoice/", "/f/")


def names(dialects: Sequence[Dialect] = DIALECTS) -> tuple[str, ...]:
    return tuple(d.name for d in dialects)


def root_owner(dialects: Sequence[Dialect]) -> Dialect:
    """The dialect that owns the root paths: it answers what no other dialect claims."""
    return next(d for d in dialects if d.owns_root)


def routing_order(dialects: Sequence[Dialect]) -> tuple[Dialect, ...]:
    """The order dialects are asked whether a path is theirs: the one owning the root paths last, since it
    claims them all."""
    return (*(d for d in dialects if not d.owns_root), *(d for d in dialects if d.owns_root))


def resolver(dialects: Sequence[Dialect]) -> Callable[[str], Dialect | None]:
    """path -> the dialect that serves it, or None for the gateway's own pages."""
    ordered = routing_order(dialects)

    def dialect_for(path: str) -> Dialect | None:
        # Once per request: a plain loop, as next() over a generator built a generator object and a frame for it.
        if path == "/" or path.startswith(GATEWAY_PATHS):
            return None
        for dialect in ordered:
            if dialect.owns(path):
                return dialect
        return None
    return dialect_for


dialect_for = resolver(DIALECTS)
