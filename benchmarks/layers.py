"""What each layer of the request pipeline costs on a get (issue 20, Deliver 4), in-process.

    .venv/bin/python -m benchmarks.layers [--requests 400] [--rounds 9] [--what get|list|create] [--calls]

The app of benchmarks/profile.py (a migrated SQLite ledger, driven in this thread, logging configured as
`invoice-gateway serve` configures it, to /dev/null) answers the same request with one layer taken away at a
time: each middleware of the app, and inside the gateway middleware the traffic log, the metrics and the access
log, the credential rate limiter, and routing beyond what the reference app B does (its one route matched).
A layer's cost is the CPU per request of the whole pipeline minus that without the layer, the median of the
round-by-round differences; "all layers" takes every one away at once. Shares are of the server's CPU: the
whole, less the in-process client's own (measured against an endpoint answering a constant). Variants
alternate within each round, so a shared machine's drift hits every variant alike, and each round runs them
in another order (rotated), so no variant always follows the same one (a rebuilt middleware stack, logging's
level caches cleared by setLevel). The spread printed is the interquartile range of the round differences:
a layer whose range straddles zero costs less than this machine can tell apart.

On a machine other processes keep busy the CPU figures swing by more than a layer costs. `--calls` counts
instead the function calls (Python and C) each variant makes per request, with a profile hook: the same on
every run, so a change's effect on the work a layer does shows whatever the load. A call is not a unit of
time (a call into sqlite3 does more than a dict lookup), so the CPU table stays the measure of the target.
"""
from __future__ import annotations

import argparse
import contextlib
import logging.config
import os
import statistics
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.profile import Prepared  # noqa: E402
from dialects.kit import ratelimit  # noqa: E402
from dialects.kit.dialect import SCOPE_KEY  # noqa: E402
from gateway.logs import logging_config  # noqa: E402

Variant = Callable[[Any], contextlib.AbstractContextManager[None]]


def _serve_logging() -> None:
    """The server's logging (JSON lines through the redaction filter), written to /dev/null. The in-process
    client's own line per request (httpx's "HTTP Request: ...", redacted like any other) is not the server's:
    off, as it would be in a real client's process."""
    logging.config.dictConfig(logging_config("INFO", json=True))
    sink = open(os.devnull, "w")  # noqa: SIM115  # lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)
    logging.getLogger("httpx").setLevel(logging.WARNING)


@contextlib.contextmanager
def _middleware(app: Any, change: Callable[[list[Any]], list[Any]]) -> Iterator[None]:
    """The app with its user middleware list changed, the stack rebuilt; restored after."""
    kept = list(app.user_middleware)
    app.user_middleware = change(kept)
    app.middleware_stack = None
    try:
        yield
    finally:
        app.user_middleware = kept
        app.middleware_stack = None


class _RoutingOnly:
    """What the gateway middleware must do for routing to work at all: name the request's dialect."""

    def __init__(self, app: Any, dialect_for: Callable[[str], Any], **_ignored: Any) -> None:
        self.app, self.dialect_for = app, dialect_for

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})
            scope[SCOPE_KEY] = self.dialect_for(scope["path"])
        await self.app(scope, receive, send)


def _stripped(items: list[Any], name: str | None = None) -> list[Any]:
    """The list without the named middleware (None: without all), the gateway middleware's routing kept."""
    from starlette.middleware import Middleware
    out = []
    for m in items:
        if name is not None and m.cls.__name__ != name:
            out.append(m)
        elif "dialect_for" in m.kwargs:
            out.append(Middleware(_RoutingOnly, *m.args, **m.kwargs))
    return out


def _without(name: str) -> Variant:
    return lambda app: _middleware(app, lambda items: _stripped(items, name))


def _with_kwargs(name: str, **kwargs: Any) -> Variant:
    def change(items: list[Any]) -> list[Any]:
        from starlette.middleware import Middleware
        return [Middleware(m.cls, *m.args, **{**m.kwargs, **kwargs}) if m.cls.__name__ == name else m
                for m in items]
    return lambda app: _middleware(app, change)


@contextlib.contextmanager
def _access_log_off(_app: Any) -> Iterator[None]:
    access = logging.getLogger("gateway.access")
    level = access.level
    access.setLevel(logging.WARNING)
    try:
        yield
    finally:
        access.setLevel(level)


@contextlib.contextmanager
def _limiter_off(app: Any) -> Iterator[None]:
    limiter = ratelimit.limiter_of(app)
    with contextlib.ExitStack() as stack:
        for method in ("check", "failed"):
            stack.enter_context(_patched(limiter, method, lambda *a, **k: None))
        yield


@contextlib.contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    had = name in vars(target)
    old = vars(target).get(name)
    setattr(target, name, value)
    try:
        yield
    finally:
        if had:
            setattr(target, name, old)
        else:
            delattr(target, name)


@contextlib.contextmanager
def _routing_off(app: Any) -> Iterator[None]:
    """Routing as the reference app B does it: the request's one route, matched once (the route is looked up
    by method and path in a dict filled the first time, by Starlette's own loop over every route)."""
    from starlette.routing import Match

    router = app.router
    known: dict[tuple[str, str], Any] = {}

    async def one_route(scope: Any, receive: Any, send: Any) -> None:
        key = (scope.get("method", ""), scope.get("path", ""))
        route = known.get(key)
        if route is None and scope["type"] == "http":
            route = known[key] = next((r for r in router.routes if r.matches(scope)[0] is Match.FULL), None)
        if route is None:
            await router.app(scope, receive, send)
            return
        match, child_scope = route.matches(scope)
        scope["route"] = route
        scope.update(child_scope)
        await route.handle(scope, receive, send)

    with _patched(router, "middleware_stack", one_route):
        yield


@contextlib.contextmanager
def _all_off(app: Any) -> Iterator[None]:
    with _middleware(app, _stripped), _limiter_off(app), _access_log_off(app), _routing_off(app):
        yield


@contextlib.contextmanager
def _nothing(_app: Any) -> Iterator[None]:
    yield


def variants(app: Any) -> dict[str, Variant]:
    found: dict[str, Variant] = {"whole pipeline": _nothing}
    names = [m.cls.__name__ for m in app.user_middleware]
    for name in names:
        found[f"{name} (whole)"] = _without(name)
    if "GatewayMiddleware" in names:
        found["traffic log"] = _with_kwargs("GatewayMiddleware", recorder=None)
        found["metrics"] = _with_kwargs("GatewayMiddleware", observer=None)
    found["access log line"] = _access_log_off
    found["credential rate limiter"] = _limiter_off
    found["routing (beyond B's one route)"] = _routing_off
    found["all layers"] = _all_off
    return found


def _constant_client() -> tuple[Any, Any]:
    """(client, request): the in-process client (httpx over ASGI) and an app answering a constant."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from benchmarks.harness import Request
    from benchmarks.profile import SyncClient

    async def constant(_request: Any) -> Response:
        return Response(b"{}", media_type="application/json")

    return SyncClient(Starlette(routes=[Route("/x", constant)])), Request("GET", "/x")


def client_floor(requests: int) -> float:
    """CPU per request of the in-process client itself (httpx over ASGI) against an endpoint that answers
    a constant: not the server's, so taken off the whole before shares are computed."""
    import time

    from benchmarks.profile import send

    client, request = _constant_client()
    send(client, request)
    started = time.process_time()
    for _ in range(requests):
        send(client, request)
    return (time.process_time() - started) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--what", default="get", choices=("get", "list", "create"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", action="store_true", help="function calls per request instead of CPU")
    args = parser.parse_args()
    _serve_logging()
    prepared = Prepared()
    if args.calls:
        print_calls(prepared, args.what, args.requests)
        return
    floor = statistics.median(client_floor(args.requests) for _ in range(3))
    print(f"the in-process client's own CPU per request (taken off before shares): {floor:.3f} ms")
    for dialect, make in prepared.work[args.what]:
        request = make()
        found = variants(prepared.app)
        samples: dict[str, list[float]] = {name: [] for name in found}
        names = list(found)
        for round_ in range(args.rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                with found[name](prepared.app):
                    samples[name].append(prepared.cpu_ms(request, args.requests)[0])
        cpu = {name: statistics.median(values) for name, values in samples.items()}
        whole = cpu["whole pipeline"]
        # A layer's cost: the median of its round-by-round differences. Variants of one round run back to back,
        # so a shared machine's slower minutes cancel out of each difference instead of widening the spread.
        differences = {name: [w - v for w, v in zip(samples["whole pipeline"], values, strict=True)]
                       for name, values in samples.items()}
        server = max(whole - floor, 1e-9)
        best_server = max(min(samples["whole pipeline"]) - floor, 1e-9)
        print(f"\n== {args.what} {dialect}: {whole:.3f} ms CPU per request in all, {server:.3f} ms the server's "
              f"(median of {args.rounds} rounds of {args.requests}; the whole's own rounds "
              f"{min(samples['whole pipeline']):.3f}..{max(samples['whole pipeline']):.3f})")
        print(f"{'layer':<34}{'ms without':>11}{'cost ms':>10}{'share':>8}{'share p25..p75':>18}{'best-of':>9}")
        for name, value in cpu.items():
            if name == "whole pipeline":
                continue
            cost = statistics.median(differences[name])
            low, high = quartiles(differences[name])
            # best-of: the fastest round with the layer against the fastest without, as timeit's min does: the
            # rounds a busy machine slowed (other processes evicting the caches) leave it alone.
            best = (min(samples["whole pipeline"]) - min(samples[name])) / best_server
            print(f"{name:<34}{value:>11.3f}{cost:>10.3f}{cost / server:>8.1%}"
                  f"{f'{low / server:.1%}..{high / server:.1%}':>18}{best:>9.1%}")


def calls_per_request(client: Any, request: Any, requests: int) -> float:
    """Function calls (Python and C, a coroutine's every resumption included) made per request on this thread,
    the in-process client's own among them; reads run on this thread too (benchmarks.profile.Prepared)."""
    from benchmarks.profile import send

    send(client, request)  # first-use caches (templates, metric children, routes) are not per request
    counted = [0]

    def hook(_frame: Any, event: str, _arg: Any) -> None:
        if event == "call" or event == "c_call":
            counted[0] += 1

    sys.setprofile(hook)
    try:
        for _ in range(requests):
            send(client, request)
    finally:
        sys.setprofile(None)
    return counted[0] / requests


def print_calls(prepared: Prepared, what: str, requests: int) -> None:
    requests = min(requests, 100)  # the count is the same for every request; the hook is slow
    floor = calls_per_request(*_constant_client(), requests)
    print(f"the in-process client's own function calls per request (taken off before shares): {floor:.0f}")
    for dialect, make in prepared.work[what]:
        request = make()
        found = variants(prepared.app)
        calls = {}
        for name, variant in found.items():
            with variant(prepared.app):
                prepared.app.state.traffic.flush()
                calls[name] = calls_per_request(prepared.client, request, requests)
        whole = calls["whole pipeline"]
        server = whole - floor
        print(f"\n== {what} {dialect}: {whole:.0f} function calls per request in all, {server:.0f} the server's")
        print(f"{'layer':<34}{'calls without':>14}{'its calls':>10}{'share':>8}")
        for name, value in calls.items():
            if name != "whole pipeline":
                print(f"{name:<34}{value:>14.0f}{whole - value:>10.0f}{(whole - value) / server:>8.1%}")


def quartiles(values: list[float]) -> tuple[float, float]:
    """The 25th and 75th percentiles (both the value itself when there is one)."""
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


if __name__ == "__main__":
    main()
