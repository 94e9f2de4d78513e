"""Webhook delivery: where a webhook may point, how a delivery is signed, and the webhooks channel of the
shared delivery machinery (core/delivery.py). The HTTP client itself is the gateway's (core speaks no HTTP):
it is handed in as `send`.

Targets. A webhook's URL must be http(s) and every address its host resolves to must be public, unless the
host or the address is allow-listed (GATEWAY_WEBHOOK_ALLOW_HOSTS): otherwise anyone with an API token could
make the gateway POST into its own network. The check is made on the resolved address, at creation and
again at every attempt, and the request then goes to the address that was checked (no second lookup that
a rebinding DNS server could answer differently).

Signatures follow Standard Webhooks: `webhook-id` (the same on every attempt of a delivery),
`webhook-timestamp` (seconds) and `webhook-signature` = "v1," + base64(HMAC-SHA256(key, "id.timestamp.body")),
the key being the base64 part of the webhook's `whsec_` secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import orjson
from sqlalchemy import Engine, and_, exists, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from core.clock import now_utc
from core.delivery import AttemptFailed, Channel, GiveUp, RetryPolicy
from core.errors import Invalid
from core.models import Account, EventRecord, Webhook, WebhookDelivery
from core.unit_of_work import WEBHOOK_CHANNEL, UnitOfWork

TIMEOUT_S = 10.0
GIVE_UP_AFTER = timedelta(hours=24)
RETRY_CAP = timedelta(hours=4)
BATCH = 20  # deliveries claimed and recorded together (the lease covers 20 slow receivers and then some)


class TargetRefused(ValueError):
    """A URL a webhook may not point at (scheme, unresolvable host, private address)."""


@dataclass(frozen=True)
class Target:
    url: str
    host: str  # as the URL names it: the Host header and the TLS server name
    address: str  # the checked address the request goes to


def allowed_hosts(raw: str | Iterable[str]) -> frozenset[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(item.strip().lower().strip("[]") for item in items if item.strip())


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_target(url: str, allowed: frozenset[str]) -> Target:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("must be an http or https URL")
    if parts.username or parts.password:
        raise TargetRefused("must not carry credentials")
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise TargetRefused(f"host {host} cannot be resolved") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if host not in allowed:
        refused = [a for a in addresses if not _public(a) and a.split("%")[0] not in allowed]
        if refused or not addresses:
            raise TargetRefused(f"{host} resolves to a private or local address ({', '.join(refused)}); "
                                "list it in GATEWAY_WEBHOOK_ALLOW_HOSTS to allow it")
    return Target(url.strip(), host, addresses[0])


def check_target(url: str, allowed: frozenset[str]) -> None:
    """The creation-time check, as a validation error on `url`."""
    try:
        resolve_target(url, allowed)
    except TargetRefused as exc:
        raise Invalid.one("url", "invalid", str(exc), value=url) from None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {"content-type": "application/json", "webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body)}


def body_of(event: EventRecord, webhook: Webhook, account: Account | None) -> bytes:
    """The recorded shape: the resource (and for invoices the deal), app_name, then the receiver's token and
    the account's locale."""
    body = {**event.payload, "api_token": webhook.api_token, "locale": account.lang if account else "en"}
    return orjson.dumps(body)


# (target, headers, body) -> the receiver's HTTP status. Raises on a network failure or timeout.
Send = Callable[[Target, dict[str, str], bytes], int]


def _deliver(send: Send, allowed: frozenset[str], engine: Engine, delivery_id: int) -> dict[str, Any]:
    with UnitOfWork(engine, write=False) as uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        webhook = uow.session.get(Webhook, delivery.webhook_id) if delivery else None
        event = uow.session.get(EventRecord, delivery.event_id) if delivery else None
        if delivery is None or webhook is None or event is None or not webhook.active:
            raise GiveUp("the webhook is inactive or gone")
        body = body_of(event, webhook, uow.session.get(Account, webhook.account_id))
    try:
        target = resolve_target(webhook.url, allowed)
    except TargetRefused as exc:  # the name now points inside: retried, since DNS may be mid-change
        raise AttemptFailed(str(exc)) from None
    status = send(target, signed_headers(webhook.secret, delivery.message_id, body, now_utc()), body)
    if 200 <= status < 300:
        return {"status": "delivered", "last_status": status, "delivered_at": now_utc()}
    if status == 410:  # Gone: the receiver asks to be forgotten
        with UnitOfWork(engine) as uow:
            uow.session.execute(update(Webhook).where(col(Webhook.id) == webhook.id).values(active=False))
            uow.commit()
        raise GiveUp("the receiver answered 410 Gone; the webhook is deactivated", {"last_status": status})
    raise AttemptFailed(f"the receiver answered HTTP {status}", {"last_status": status})


def _earlier_pending() -> ColumnElement[bool]:
    """In order per resource: a delivery waits while an earlier one of the same resource to the same webhook
    is still queued (being retried)."""
    earlier = aliased(WebhookDelivery)
    return exists().where(and_(col(earlier.webhook_id) == col(WebhookDelivery.webhook_id),
                               col(earlier.resource) == col(WebhookDelivery.resource),
                               col(earlier.status) == "queued", col(earlier.id) < col(WebhookDelivery.id)))


def webhook_channel(send: Send, allowed: frozenset[str], retry_base: float = 30.0) -> Channel:
    policy = RetryPolicy(timedelta(seconds=retry_base), RETRY_CAP, give_up_after=GIVE_UP_AFTER, jitter=0.25)
    return Channel(WEBHOOK_CHANNEL, WebhookDelivery, policy, partial(_deliver, send, allowed),
                   lease=timedelta(seconds=TIMEOUT_S * (BATCH + 5)), held_back=_earlier_pending, batch=BATCH)
