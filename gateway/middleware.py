"""One pure-ASGI middleware: request id, early body-size refusal, crash containment in the
dialect's own error format, and the traffic log entry."""
from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.clock import now_utc
from gateway.dialect import Dialect
from gateway.http import BodyTooLarge

log = logging.getLogger("gateway.request")


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, dialect_for: Callable[[str], Dialect | None], max_body: int,
                 recorder: Any) -> None:
        self.app, self.dialect_for, self.max_body, self.recorder = app, dialect_for, max_body, recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        dialect = self.dialect_for(scope["path"])
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
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id, "path": scope["path"]})
            await self._error(scope, receive, send_wrapper, dialect, 500, "internal", "internal server error",
                              status_holder)
        finally:
            self._record(scope, dialect, status_holder["status"], started, request_id)

    async def _error(self, scope: Scope, receive: Receive, send: Send, dialect: Dialect | None, status: int,
                     kind: str, message: str, holder: dict[str, Any]) -> None:
        if holder["started"]:
            return  # too late to answer differently; the client sees a cut response
        request = Request(scope, receive)
        if dialect is None:
            from gateway.http import JSONResponse
            response = JSONResponse({"error": message}, status_code=status)
        else:
            response = dialect.error_response(request, status, kind, message)
        await response(scope, receive, send)

    def _record(self, scope: Scope, dialect: Dialect | None, status: int, started: float, request_id: str) -> None:
        if self.recorder is None or dialect is None:
            return
        state = scope.get("state", {})
        auth = state.get("auth")
        route = scope.get("route")
        self.recorder.record(
            account_id=getattr(auth, "account_id", None), credential_id=getattr(auth, "credential_id", None),
            dialect=dialect.name, method=scope["method"], path=scope["path"][:500],
            endpoint=state.get("endpoint") or getattr(route, "path", "") or "", status=status,
            latency_ms=round((time.perf_counter() - started) * 1000, 3), request_id=request_id, created_at=now_utc(),
        )
