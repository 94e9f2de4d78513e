"""Webhooks (/webhooks): list, get, create, update, delete, in JSON and XML; and the delivery payload, the
resource as this dialect's GET shows it, which the gateway installs for every event whichever dialect made
the change (reference/webhooks-and-gem-notes.md, "Recorded deliveries").

Body: {"webhook":{"kind":"invoice:create","url":"https://…","api_token":"RECEIVER_TOKEN","active":true}}.
Kinds: client|invoice|product × create|update|destroy, as documented; payment:create|update|destroy and
invoice:paid are this gateway's extensions. The create answer alone carries `secret` (whsec_…), the key
the deliveries' Standard Webhooks signatures are made with.
"""
from __future__ import annotations

from typing import Any

import orjson

from core.commands import CreateWebhook, DeleteWebhook, UpdateWebhook
from core.handlers.webhooks import get_webhook, list_webhooks
from core.models import Webhook
from core.reader import Reader
from core.webhooks import allowed_hosts, check_target
from dialects.invoiceocean import ksef, present
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.parse import wrapped
from dialects.invoiceocean.respond import Call, Reply, json_bytes
from dialects.kit.context import execute, read
from dialects.kit.lenient import to_bool

# The recorded deliveries came from Fakturownia: its app name, and the key of its ids in external_ids.
APP_NAME = "fakturownia"
FIELDS = ("kind", "url", "api_token", "active")
BUYER = ("name", "tax_no", "street", "post_code", "city", "country", "email", "phone")


def shown(webhook: Webhook, call: Call, *, with_secret: bool = False) -> dict[str, Any]:
    audience = call.audience
    result: dict[str, Any] = {"id": webhook.id, "kind": webhook.kind, "url": webhook.url,
                              "api_token": webhook.api_token, "active": webhook.active,
                              "created_at": present.stamp(webhook.created_at, audience),
                              "updated_at": present.stamp(webhook.updated_at, audience)}
    if with_secret:
        result["secret"] = webhook.secret
    return result


async def _fields(call: Call) -> dict[str, Any]:
    data = wrapped(call.payload, "webhook")
    fields: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "active":
            try:
                fields[name] = to_bool(value)
            except ValueError:
                raise invalid("active", "is not a boolean") from None
        elif value is None or isinstance(value, (dict, list)):
            raise invalid(name, "is invalid")
        else:
            fields[name] = str(value).strip()
    if "url" in fields:
        settings = call.request.app.state.settings
        check_target(fields["url"], allowed_hosts(settings.webhook_allow_hosts))  # a 422 on `url` if refused
    return fields


async def list_(call: Call) -> Reply:
    rows = await read(call.request, list_webhooks, call.account.account_id)
    return Reply(200, [shown(row, call) for row in rows], "webhooks")


async def get(call: Call) -> Reply:
    row = await read(call.request, get_webhook, call.account.account_id, call.params["id"])
    return Reply(200, shown(row, call), "webhook")


async def create(call: Call) -> Reply:
    fields = {"active": True, "api_token": "", **await _fields(call)}
    for name in ("kind", "url"):
        if not fields.get(name):
            raise invalid(name, "can't be blank")
    row = await execute(call.request, CreateWebhook(call.account.account_id, fields))
    return Reply(201, shown(row, call, with_secret=True), "webhook")


async def update(call: Call) -> Reply:
    row = await execute(call.request, UpdateWebhook(call.account.account_id, call.params["id"], await _fields(call)))
    return Reply(200, shown(row, call), "webhook")


async def delete(call: Call) -> Reply:
    await execute(call.request, DeleteWebhook(call.account.account_id, call.params["id"]))
    return Reply(200, {"code": "success", "message": "Webhook deleted"}, "hash")


# (method, path, handler, endpoint name), added to routes.ROUTES.
ROUTES = [
    ("GET", "/webhooks.{fmt}", list_, "webhooks.list"),
    ("POST", "/webhooks.{fmt}", create, "webhooks.create"),
    ("GET", "/webhooks/{id}.{fmt}", get, "webhooks.get"),
    ("PUT", "/webhooks/{id}.{fmt}", update, "webhooks.update"),
    ("PATCH", "/webhooks/{id}.{fmt}", update, "webhooks.update"),
    ("DELETE", "/webhooks/{id}.{fmt}", delete, "webhooks.delete"),
]


# --- the delivery payload ---------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """As the JSON answer prints it: money as strings with its scale, dates as ISO text."""
    return orjson.loads(json_bytes(value))


def _deal(invoice: dict[str, Any]) -> dict[str, Any]:
    """The summary object the recorded invoice deliveries carry next to the invoice."""
    return {"name": f"{invoice['number']} {invoice['buyer_name'] or ''}".strip(),
            "description": invoice["description"], "price": invoice["price_gross"], "paid": invoice["paid"],
            "url": invoice["view_url"], "date": invoice["issue_date"], "invoice_no": invoice["number"],
            "kind": invoice["kind"], "external_ids": {APP_NAME: invoice["id"]},
            "client": {"id": invoice["client_id"], **{name: invoice[f"buyer_{name}"] for name in BUYER}}}


def webhook_payload(entity: str, subject: Any, account: Any, base_url: str, session: Any) -> dict[str, Any]:
    audience = present.Audience(account.timezone, base_url)
    if entity == "invoice":
        shown = present.invoice(subject, audience)
        # As GET shows it: with the KSeF fields, read beside the invoice in the change's own transaction.
        shown.update(ksef.gov_for(subject, ksef.documents_for(Reader(session.connection()), account.id or 0,
                                                              [subject]), audience))
        resource = _plain(shown)
    elif entity == "payment":
        resource = _plain(present.payment(subject, audience))
    elif entity == "product":
        resource = _plain(present.product(subject, audience, with_stock=False))
    else:
        resource = _plain(present.record(entity, subject, audience))
    resource["external_ids"] = {APP_NAME: resource["id"]}
    body: dict[str, Any] = {entity: resource}
    if entity == "client":
        body[entity]["skip_webhooks"] = True  # as recorded: a receiver echoing the client back fires nothing
    if entity == "invoice":
        body["deal"] = _deal(resource)
    body["app_name"] = APP_NAME
    return body
