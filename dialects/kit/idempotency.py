"""The HTTP side of idempotency keys (core/idempotency.py keeps the rows and the rules).

A create that carries `Idempotency-Key: <1-255 printable ASCII>` runs at most once per account, dialect
and key for 24 hours:

- first time: the key is claimed in the create's own transaction; the response the dialect renders is
  stored on the key (IdempotencyMiddleware, before the client sees it);
- same key, same request (method, path, query without api_token, body: SHA-256): the stored response is
  answered again, status, body and headers (Location, Content-Type), plus `Idempotent-Replayed: true`;
  if none was stored (the winner of a race has not stored it yet, or the process died in between), the
  created record is read again and rendered by the same endpoint;
- same key, another request: the dialect's own conflict error (core.idempotency.KeyReused);
- a create that fails keeps no key, so it may be retried with the same key.
"""
from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import idempotency as core_keys
from core.errors import Invalid
from dialects.kit.dialect import dialect_of
from dialects.kit.http import read_body

HEADER = "idempotency-key"
_HEADER_BYTES = HEADER.encode("latin-1")
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Headers that belong to one delivery, not to the answer, are not stored.
UNSTORED_HEADERS = frozenset({b"content-length", b"x-request-id", b"date", b"server", b"connection",
                              b"transfer-encoding"})
PRUNE_EVERY_SECONDS = 600.0

_PENDING = "idempotency_key_id"  # request.state: the key the rendered response is stored on
_REPLAYED = "idempotency_replayed"  # request.state: the answer is a replay (re-rendered)
_USED = "idempotency_used"  # request.state: a request's key covers its first create only


class StoredReplay(Exception):
    """Raised from an endpoint to answer with a stored response instead; IdempotencyMiddleware sends it."""

    def __init__(self, response: Response) -> None:
        self.response = response
        super().__init__("idempotent replay")


def key_of(request: Request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise Invalid.one("idempotency_key", "invalid", f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return key


async def request_hash(request: Request) -> str:
    digest = hashlib.sha256()
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "api_token")
    for part in (request.method, request.url.path, repr(query)):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(await read_body(request))
    return digest.hexdigest()


def _scope_name(request: Request) -> str:
    dialect = dialect_of(request.scope)
    return dialect.name if dialect is not None else "gateway"


async def claims_for(request: Request, command: Any, unique: tuple[str, str, str] | None
                     ) -> list[core_keys.Claim]:
    """The claims a create command carries: the Idempotency-Key header's, then `unique` (scope, key,
    field): a key that refuses duplicates instead of replaying them (InvoiceOcean oid_unique)."""
    if not core_keys.is_create(command) or getattr(request.state, _USED, False):
        return []
    header_key = key_of(request)
    if header_key is None and unique is None:
        return []
    setattr(request.state, _USED, True)
    account_id = int(command.account_id)
    digest = await request_hash(request)
    claims = []
    if header_key is not None:
        claims.append(core_keys.Claim(account_id, _scope_name(request), header_key, digest))
    if unique is not None:
        scope, key, field = unique
        claims.append(core_keys.Claim(account_id, scope, key, digest, replay=False, taken_field=field))
    return claims


def stored_response(replay: core_keys.Replay) -> Response:
    body = base64.b64decode(replay.response.get("body", ""))
    headers = [(str(k), str(v)) for k, v in replay.response.get("headers", [])]
    response = Response(body, status_code=replay.status)
    response.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers] + \
        [(b"content-length", str(len(body)).encode()), (REPLAYED_HEADER.lower().encode(), b"true")]
    return response


async def settle(request: Request, command: Any, claims: list[core_keys.Claim],
                 outcome: core_keys.Done | core_keys.Replay) -> Any:
    """The command's result for the endpoint to render, or StoredReplay with the answer to send."""
    ledger = request.app.state.ledger
    if isinstance(outcome, core_keys.Done):
        if claims and claims[0].replay:
            setattr(request.state, _PENDING, outcome.key_ids[0])
        await _prune_now_and_then(request)
        return outcome.result
    if outcome.status:
        raise StoredReplay(stored_response(outcome))
    if outcome.record_id is None:
        raise core_keys.KeyReused()
    setattr(request.state, _PENDING, outcome.key_id)
    setattr(request.state, _REPLAYED, True)
    return await run_in_threadpool(ledger.read, core_keys.reload, command, outcome.record_id)


def replayed(request: Request) -> bool:
    """Whether the command's result was re-read for a replayed key (the record as it is now, not as made)."""
    return bool(getattr(request.state, _REPLAYED, False))


async def _prune_now_and_then(request: Request) -> None:
    """Expired keys are ignored at once and deleted here, at most every PRUNE_EVERY_SECONDS per worker."""
    state = request.app.state
    now = time.monotonic()
    if now - getattr(state, "idempotency_pruned_at", float("-inf")) < PRUNE_EVERY_SECONDS:
        return
    state.idempotency_pruned_at = now
    await run_in_threadpool(state.ledger.write, core_keys.prune_expired)


def carries_key(scope: Scope) -> bool:
    """Whether the request has an Idempotency-Key header (ASGI header names are lowercase)."""
    return any(name == _HEADER_BYTES for name, _ in scope.get("headers") or ())


class IdempotencyMiddleware:
    """Stores the response of a create that claimed a key, before sending it, and sends stored replays.

    Only a POST with an Idempotency-Key header can claim a replayable key (settle() stores nothing for an
    oid_unique claim, which refuses duplicates rather than replaying them), so every other request passes
    straight through: no capture of its answer, no look at its state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not carries_key(scope):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {"start": None, "body": []}

        async def capture(message: Message) -> None:
            state = scope.get("state") or {}
            if message["type"] == "http.response.start":
                if state.get(_PENDING) is None:
                    await send(message)
                    return
                held["start"] = message
                return
            if message["type"] != "http.response.body" or held["start"] is None:
                await send(message)
                return
            held["body"].append(message.get("body", b""))
            if message.get("more_body", False):
                return
            start, body = held["start"], b"".join(held["body"])
            held["start"] = None
            if 200 <= start["status"] < 300:
                await run_in_threadpool(scope["app"].state.ledger.write, core_keys.store_response,
                                        int(state[_PENDING]), int(start["status"]), _stored(start, body))
            if state.get(_REPLAYED):
                start = {**start, "headers": [*start.get("headers", []), (REPLAYED_HEADER.lower().encode(), b"true")]}
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        try:
            await self.app(scope, receive, capture)
        except StoredReplay as replay:
            await replay.response(scope, receive, send)


def _stored(start: Message, body: bytes) -> dict[str, Any]:
    headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in start.get("headers", [])
               if k.lower() not in UNSTORED_HEADERS]
    return {"headers": headers, "body": base64.b64encode(body).decode("ascii")}
