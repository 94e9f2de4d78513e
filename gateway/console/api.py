"""The console's JSON API (same session cookie; POSTs need the X-CSRF-Token header):

    POST /console/api/translate                {"from","to":[...],"request":{...}} -> translate() result;
                                               422 {"error": msg} when it cannot be translated
    GET  /console/api/traffic                  the traffic page's numbers
    GET  /console/api/credentials              the account's credentials (never secrets)
    POST /console/api/credentials              {"kind","label","login"?} -> 201 with the secret, once
    POST /console/api/credentials/{ref}/revoke -> the revoked credential
    POST /console/api/credentials/{ref}/rotate -> 201 with the new secret
"""
from __future__ import annotations

from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from core.clock import now_utc
from core.credentials import CredentialRef, create_credential, list_credentials, revoke_credential, rotate_credential
from core.errors import Conflict, Invalid, NotFound
from dialects.kit.context import ledger_of, read
from dialects.kit.http import BodyTooLarge, read_body
from gateway.console.session import Signed
from gateway.console.traffic_stats import WINDOWS, traffic_report
from gateway.console.translating import UNAVAILABLE, EngineMissing, check_request, engine
from gateway.console.web import api, json_response


async def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        value = orjson.loads(await read_body(request) or b"{}")
    except (orjson.JSONDecodeError, BodyTooLarge):
        return None
    return value if isinstance(value, dict) else None


@api
async def translate(request: Request, signed: Signed) -> Response:
    body = await _json_body(request)
    if body is None:
        return json_response({"error": "the body must be a JSON object"}, 400)
    source, req, targets = body.get("from"), body.get("request"), body.get("to")
    if isinstance(targets, str):
        targets = [targets]
    problem = check_request(source, req, targets, request.app.state.dialects)
    if problem:
        return json_response({"error": problem}, 400)
    try:
        run, translation_error = engine()
    except EngineMissing:
        return json_response({"error": UNAVAILABLE}, 503)
    base = str(request.app.state.settings.public_base_url or request.base_url).rstrip("/")
    try:
        result = await run_in_threadpool(run, source, req, targets or None, base_url=base,
                                         dialects=request.app.state.dialects)
    except translation_error as exc:
        return json_response({"error": str(exc)}, 422)
    return json_response(result)


@api
async def traffic(request: Request, signed: Signed) -> Response:
    report = await read(request, traffic_report, signed.account_id, now_utc(),
                        [d.name for d in request.app.state.dialects])

    def counts(c: Any) -> dict[str, Any]:
        return {name: {"requests": c.requests[name], "errors": c.errors[name], "error_rate": c.rate(name)}
                for name, _ in WINDOWS}
    return json_response({
        "account": signed.account_name, "now": report.now.isoformat(), "total": counts(report.total),
        "dialects": {d: counts(c) for d, c in report.per_dialect.items()},
        "endpoints": [{"dialect": d, "endpoint": e, **counts(c)} for (d, e), c in report.per_endpoint.items()],
        "credentials": [{**(t.info.as_dict() if t.info else {"ref": "unknown"}), "dialects": sorted(t.dialects),
                         **counts(t.counts)} for t in report.per_credential],
    })


def _problem(exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return json_response({"error": "no such credential in this account"}, 404)
    if isinstance(exc, Invalid):
        return json_response({"error": "; ".join(e.message for e in exc.errors)}, 422)
    return json_response({"error": getattr(exc, "message", str(exc))}, 422)


@api
async def credentials(request: Request, signed: Signed) -> Response:
    if request.method == "GET":
        found = await read(request, list_credentials, signed.account_id)
        return json_response([info.as_dict() for info in found])
    body = await _json_body(request)
    if body is None:
        return json_response({"error": "the body must be a JSON object"}, 400)
    try:
        new = await run_in_threadpool(ledger_of(request).write, create_credential, signed.account_id,
                                      str(body.get("kind", "")), label=str(body.get("label") or ""),
                                      login=str(body["login"]) if body.get("login") else None)
    except (Invalid, Conflict) as exc:
        return _problem(exc)
    return json_response(new.as_dict(), 201)


async def _change(request: Request, signed: Signed, work: Any, status: int) -> Response:
    try:
        ref = CredentialRef.parse(request.path_params["ref"])
        outcome = await run_in_threadpool(ledger_of(request).write, work, signed.account_id, ref)
    except (NotFound, Invalid, Conflict) as exc:
        return _problem(exc)
    return json_response(outcome.as_dict(), status)


@api
async def revoke(request: Request, signed: Signed) -> Response:
    return await _change(request, signed, revoke_credential, 200)


@api
async def rotate(request: Request, signed: Signed) -> Response:
    return await _change(request, signed, rotate_credential, 201)
