"""One pure-ASGI middleware: request id, early body-size refusal, crash containment in the
dialect's own error format, and the traffic log entry."""
from __future__ import annotations

import itertools
import logging
import secrets
import time
from typing import Any, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.clock import now_utc
from dialects.kit.dialect import SCOPE_KEY, Dialect
from dialects.kit.http import BodyTooLarge, Refused
from gateway.logs import (
    SAFE_BY_CONSTRUCTION,
    bind_request,
    query_pairs,
    redacted_path,
    redacted_target,
    unbind_request,
)

log = logging.getLogger("gateway.request")
# Request ids: a random per-process prefix and a counter. Unique across workers and restarts without
# a getrandom() call per request; they identify, they are not secrets.
_REQUEST_ID_PREFIX = secrets.token_hex(8)
_request_counter = itertools.count(1)
CLIENT_CLOSED_REQUEST = 499
access_log = logging.getLogger("gateway.access")


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, dialect_for: Callable[[str], Dialect | None], max_body: int,
                 recorder: Any, observer: Callable[[str, str, int, float], None] | None = None) -> None:
        self.app, self.dialect_for, self.max_body, self.recorder = app, dialect_for, max_body, recorder
        self.observer = observer  # metrics: (dialect, method, status, seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        request_id = (headers.get(b"x-request-id", b"").decode("latin-1")[:64]
                      or f"{_REQUEST_ID_PREFIX}{next(_request_counter):016x}")
        scope.setdefault("state", {})["request_id"] = request_id
        # Log records from here on carry the request id, and this request's credentials are masked.
        query = scope.get("query_string", b"")
        pairs = query_pairs(query)  # parsed once, for the secrets to mask and for the access line
        bound = bind_request(request_id, headers, query, scope["path"], pairs)
        dialect = scope[SCOPE_KEY] = self.dialect_for(scope["path"])
        status_holder = {"status": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"], status_holder["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            declared = headers.get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.max_body:
                raise BodyTooLarge(self.max_body)
            await self.app(scope, receive, send_wrapper)
        except BodyTooLarge as exc:
            await self._error(scope, receive, send_wrapper, dialect, 413, "too_large", str(exc), status_holder)
        except Refused as exc:  # rate limited (429 + Retry-After), body timeout (408)
            await self._error(scope, receive, send_wrapper, dialect, exc.status, exc.kind, exc.message,
                              status_holder, exc.headers)
        except ClientDisconnect:
            # The client hung up mid-request: nobody is left to answer, and it is not a server error.
            # Recorded as 499, nginx's "client closed request", unless an answer had already started.
            if not status_holder["started"]:
                status_holder["status"] = CLIENT_CLOSED_REQUEST
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id, "path": redacted_path(scope["path"])})
            await self._error(scope, receive, send_wrapper, dialect, 500, "internal", "internal server error",
                              status_holder)
        finally:
            self._record(scope, dialect, status_holder["status"], started, request_id)
            self._observe(scope, dialect, status_holder["status"], started, pairs)
            unbind_request(bound)

    def _observe(self, scope: Scope, dialect: Dialect | None, status: int, started: float,
                 pairs: list[tuple[str, str]]) -> None:
        """Metrics and the access log line (query string redacted; uvicorn's own access log is off)."""
        seconds = time.perf_counter() - started
        name = dialect.name if dialect is not None else "gateway"
        if self.observer is not None:
            self.observer(name, scope["method"], status, seconds)
        if access_log.isEnabledFor(logging.INFO):
            target = redacted_target(scope["path"], scope.get("query_string", b""), pairs)
            client = (scope.get("client") or ("", 0))[0]
            # Every part is redacted already (the target) or cannot hold a secret, so the filter and
            # formatters skip their regexes for this line. Made and handled here rather than through
            # info(): that walks the stack for a caller no formatter prints, a fifth of the line's cost.
            access_log.handle(access_log.makeRecord(
                access_log.name, logging.INFO, __file__, 0, "%s %s %s %.1fms",
                (scope["method"], target, status, seconds * 1000), None, extra={
                    "method": scope["method"], "path": target, "status": status,
                    "latency_ms": round(seconds * 1000, 3), "dialect": name, "client": client,
                    SAFE_BY_CONSTRUCTION: True}))

    async def _error(self, scope: Scope, receive: Receive, send: Send, dialect: Dialect | None, status: int,
                     kind: str, message: str, holder: dict[str, Any],
                     headers: dict[str, str] | None = None) -> None:
        if holder["started"]:
            return  # too late to answer differently; the client sees a cut response
        request = Request(scope, receive)
        response: Response
        if dialect is None:
            from dialects.kit.http import JSONResponse
            response = JSONResponse({"error": message}, status_code=status)
        else:
            response = dialect.error_response(request, status, kind, message)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        await response(scope, receive, send)

    def _record(self, scope: Scope, dialect: Dialect | None, status: int, started: float, request_id: str) -> None:
        if self.recorder is None or dialect is None:
            return
        state = scope.get("state", {})
        auth = state.get("auth")
        route = scope.get("route")
        self.recorder.record(
            account_id=getattr(auth, "account_id", None), credential_id=getattr(auth, "credential_id", None),
            user_id=getattr(auth, "user_id", None),
            dialect=dialect.name, method=scope["method"], path=scope["path"][:500],
            endpoint=state.get("endpoint") or getattr(route, "path", "") or "", status=status,
            latency_ms=round((time.perf_counter() - started) * 1000, 3), request_id=request_id, created_at=now_utc(),
        )
