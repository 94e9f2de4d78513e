"""The app factory: one Starlette app, one port, the registered dialects over one ledger."""
from __future__ import annotations

import contextlib
from typing import AsyncIterator, Callable, Sequence

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.delivery import DeliveryWorker
from core.documents.outbox import after_commit_hook, mail_channel
from core.einvoice import outbox as ksef_outbox
from core.ledger import Ledger
from dialects.kit.dialect import Dialect, dialect_of, register
from dialects.kit.http import JSONResponse
from dialects.kit.idempotency import IdempotencyMiddleware
from gateway.access import AccessLog
from gateway.apidocs.routes import routes as apidocs_routes
from gateway.console.routes import routes as console_routes
from gateway.db import make_engine
from gateway.home import routes as home_routes
from gateway.ksef import transport_for
from gateway.memory import MallocTrimmer
from gateway.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from gateway.metrics import GatewayMetrics
from gateway.middleware import GatewayMiddleware
from gateway.proxies import ProxyHeadersMiddleware
from gateway.public import routes as public_routes
from gateway.registry import DIALECTS, resolver, root_owner, routing_order
from gateway.routing import DialectRouter
from gateway.settings import Settings
from gateway.traffic import TrafficRecorder
from gateway.webhooks import install_presenter, webhook_channels


async def healthz(request: Request) -> Response:
    def ping() -> None:
        # A read (plain BEGIN): on SQLite the default BEGIN IMMEDIATE would queue behind writers.
        with request.app.state.engine.connect().execution_options(sqlite_immediate=False) as conn:
            conn.execute(text("select 1"))
    try:
        await run_in_threadpool(ping)
    except Exception as exc:  # the point of the endpoint is to say so, not to crash
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(request.app.state.metrics.render)  # queries the database
    return Response(body, media_type=METRICS_CONTENT_TYPE)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    dialect = dialect_of(request.scope)
    kind = {404: "not_found", 405: "method_not_allowed"}.get(status, "internal")
    if dialect is None:
        return JSONResponse({"error": getattr(exc, "detail", "error")}, status_code=status)
    return dialect.error_response(request, status, kind, str(getattr(exc, "detail", "")))


def create_app(settings: Settings | None = None, dialects: Sequence[Dialect] = DIALECTS,
               started: Sequence[Callable[[], object]] = ()) -> Starlette:
    """`dialects`: the registry this app serves (gateway.registry.DIALECTS unless a test brings its own).
    `started`: called once the app has started (its threads running), before it takes a request: what only
    a serving process does (gateway.asgi freezes the start-up heap)."""
    settings = settings or Settings.from_env()
    dialects = register(dialects)  # a test's own dialects bring their profiles and credential kinds too
    root = root_owner(dialects)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    recorder = TrafficRecorder(engine, retention_days=settings.traffic_retention_days)
    # The outboxes: mail (SMTP, .eml files, the print queue), webhooks and KSeF sends, one worker over all.
    ksef_transport = transport_for(settings)
    ksef = ksef_outbox.ksef_channel(ksef_transport)
    delivery = DeliveryWorker(engine, [mail_channel(settings), *webhook_channels(settings), ksef])
    observed = GatewayMetrics(engine)
    access = AccessLog()  # the access lines, in batches while the app runs (gateway/access.py)
    install_presenter(dialects, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from core.recurring import run_due
        from gateway.scheduler import from_env as recurring_scheduler  # GATEWAY_SCHEDULER=1 only

        recorder.start()
        access.start()
        delivery.start()
        trimmer = MallocTrimmer()  # freed heap back to the OS, so RSS stays flat under load
        trimmer.start()
        scheduler = recurring_scheduler(engine, run=observed.counted(run_due))
        for hook in started:
            hook()
        try:
            yield
        finally:
            trimmer.stop()
            delivery.stop()
            if scheduler is not None:
                scheduler.stop()
            recorder.stop()  # its last rows go through the writer thread: that ends after them
            access.stop()  # every line left, including the requests' that ended during the shutdown
            app.state.ledger.close()

    gateway_routes = [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"]),
                      *public_routes(), *apidocs_routes(), *console_routes(),
                      # API clients at "/" keep the answer of the dialect that owns the root paths
                      *home_routes(not_here=lambda r: root.error_response(r, 404, "not_found", ""))]
    app = Starlette(
        middleware=[Middleware(ProxyHeadersMiddleware, trusted=settings.trusted_proxies),  # before anyone reads them
                    Middleware(GatewayMiddleware, dialect_for=resolver(dialects), max_body=settings.max_body_bytes,
                               recorder=recorder, observer=observed.observe, access=access),
                    Middleware(IdempotencyMiddleware)],  # inside: stores create responses, sends replays
        exception_handlers={HTTPException: _http_error},
    )
    app.router = DialectRouter(gateway_routes, {d.name: d.routes() for d in routing_order(dialects)},
                               lifespan=lifespan)
    app.state.settings = settings
    app.state.dialects = dialects
    app.state.engine = engine
    app.state.ledger = Ledger(engine)
    app.state.ledger.after_commit.append(after_commit_hook(engine, settings, delivery))
    app.state.ledger.after_commit.append(ksef_outbox.after_commit_hook(engine, ksef, delivery))
    app.state.delivery = delivery
    app.state.ksef_transport = ksef_transport
    app.state.traffic = recorder
    app.state.access_log = access
    app.state.metrics = observed
    return app
