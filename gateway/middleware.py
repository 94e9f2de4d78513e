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
from gateway.access import ACCESS, AccessLog
from gateway.logs import bind_request, current_secrets, query_pairs, redacted_path, unbind_request

log = logging.getLogger("gateway.request")
# Request ids: a random per-process prefix and a counter. Unique across workers and restarts without
# a getrandom() call per request; they identify, they are not secrets.
_REQUEST_ID_PREFIX = secrets.token_hex(8)
_request_counter = itertools.count(1)
CLIENT_CLOSED_REQUEST = 499


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, dialect_for: Callable[[str], Dialect | None], max_body: int,
                 recorder: Any, observer: Callable[[str, str, int, float], None] | None = None,
                 access: AccessLog | None = None) -> None:
        self.app, self.dialect_for, self.max_body, self.recorder = app, dialect_for, max_body, recorder
        self.observer = observer  # metrics: (dialect, method, status, seconds)
        # The access lines: the app's (written in batches once it has started), or written at once
        self.access = access if access is not None else AccessLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or ())
        request_id = (headers.get(b"x-request-id", b"").decode("latin-1")[:64]
                      or f"{_REQUEST_ID_PREFIX}{next(_request_counter):016x}")
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state["request_id"] = request_id
        # Log records from here on carry the request id, and this request's credentials are masked.
        path, query = scope["path"], scope.get("query_string", b"")
        pairs = query_pairs(query) if query else []  # once: for the credentials to mask and the access target
        bound = bind_request(request_id, headers, query, path, pairs)
        dialect = scope[SCOPE_KEY] = self.dialect_for(path)
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        status, answered = 500, False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            declared = headers.get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.max_body:
                raise BodyTooLarge(self.max_body)
            await self.app(scope, receive, send_wrapper)
        except BodyTooLarge as exc:
            await self._error(scope, receive, send_wrapper, dialect, 413, "too_large", str(exc), answered)
        except Refused as exc:  # rate limited (429 + Retry-After), body timeout (408)
            await self._error(scope, receive, send_wrapper, dialect, exc.status, exc.kind, exc.message,
                              answered, exc.headers)
        except ClientDisconnect:
            # The client hung up mid-request: nobody is left to answer, and it is not a server error.
            # Recorded as 499, nginx's "client closed request", unless an answer had already started.
            if not answered:
                status = CLIENT_CLOSED_REQUEST
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id, "path": redacted_path(path)})
            await self._error(scope, receive, send_wrapper, dialect, 500, "internal", "internal server error",
                              answered)
        finally:
            seconds = time.perf_counter() - started
            if dialect is not None and self.recorder is not None:
                self._record(scope, state, dialect, status, seconds, request_id)
            self._observe(scope, dialect, status, seconds, query, pairs, request_id)
            unbind_request(bound)

    def _observe(self, scope: Scope, dialect: Dialect | None, status: int, seconds: float, query: bytes,
                 pairs: list[tuple[str, str]], request_id: str) -> None:
        """Metrics and the access line (gateway.access: its target redacted with this request's credentials,
        which go along with it; uvicorn's own access log is off)."""
        name = dialect.name if dialect is not None else "gateway"
        if self.observer is not None:
            self.observer(name, scope["method"], status, seconds)
        if ACCESS.isEnabledFor(logging.INFO):
            client = scope.get("client")
            self.access.add((time.time(), scope["method"], scope["path"], query, pairs, status, seconds, name,
                             client[0] if client else "", request_id, current_secrets()))

    async def _error(self, scope: Scope, receive: Receive, send: Send, dialect: Dialect | None, status: int,
                     kind: str, message: str, answered: bool,
                     headers: dict[str, str] | None = None) -> None:
        if answered:
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

    def _record(self, scope: Scope, state: dict[str, Any], dialect: Dialect, status: int, seconds: float,
                request_id: str) -> None:
        auth = state.get("auth")
        if auth is None:
            account_id = credential_id = user_id = None
        else:
            account_id, credential_id, user_id = (getattr(auth, "account_id", None),
                                                  getattr(auth, "credential_id", None), getattr(auth, "user_id", None))
        route = scope.get("route")
        self.recorder.record_request(
            account_id, credential_id, user_id, dialect.name, scope["method"], scope["path"][:500],
            state.get("endpoint") or getattr(route, "path", "") or "", status, round(seconds * 1000, 3),
            request_id, now_utc())
