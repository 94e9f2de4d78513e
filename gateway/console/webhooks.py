"""The console's webhooks page: the account's webhooks and their recent deliveries (status, attempts, last
error), with "send again" for a delivery and "send a test event" for a webhook. Both queue a delivery in
the outbox; the delivery worker sends it after commit, as it sends every other."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from core.errors import NotFound
from core.handlers.webhooks import list_webhooks, recent_deliveries, send_again, send_test_event
from dialects.kit.context import ledger_of, read
from gateway.console.session import Signed
from gateway.console.web import page, render


async def _page(request: Request, signed: Signed, message: str = "", error: str = "", status: int = 200) -> Response:
    hooks = await read(request, list_webhooks, signed.account_id)
    deliveries = await read(request, recent_deliveries, signed.account_id)
    kinds = {hook.id: hook.kind for hook in hooks}
    rows: list[dict[str, Any]] = [{"delivery": d, "event": kind, "webhook": kinds.get(d.webhook_id, "")}
                                  for d, kind in deliveries]
    return render(request, "webhooks.html", status, active="webhooks", hooks=hooks, rows=rows, message=message,
                  error=error)


@page
async def webhooks(request: Request, signed: Signed) -> Response:
    return await _page(request, signed)


def _id(request: Request) -> int:
    return int(request.path_params["id"])


@page
async def resend(request: Request, signed: Signed) -> Response:
    try:
        delivery = await run_in_threadpool(ledger_of(request).write, send_again, signed.account_id, _id(request))
    except NotFound:
        return await _page(request, signed, error="There is no such delivery in this account.", status=404)
    return await _page(request, signed, message=f"Delivery {delivery.id} is queued again ({delivery.message_id}).")


@page
async def test_event(request: Request, signed: Signed) -> Response:
    try:
        delivery = await run_in_threadpool(ledger_of(request).write, send_test_event, signed.account_id,
                                           _id(request))
    except NotFound:
        return await _page(request, signed, error="There is no such webhook in this account.", status=404)
    return await _page(request, signed, message=f"A test event is queued as delivery {delivery.id}.")
