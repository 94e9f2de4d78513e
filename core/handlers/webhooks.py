"""Webhooks: create, update, delete; and, for the console, sending a delivery again and sending a test event.

Whether a URL's address may be called is decided by core.webhooks.check_target before the command runs (it
resolves the host, which is no work to do while holding the write lock); the handler checks the rest.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.clock import now_utc
from core.commands import CreateWebhook, DeleteWebhook, UpdateWebhook
from core.errors import Invalid, NotFound
from core.events import KINDS, new_secret, payload_of, queue_deliveries, send_after_commit
from core.handlers.invoice_state import account_of
from core.models import Client, EventRecord, Invoice, Payment, Product, Webhook, WebhookDelivery
from core.unit_of_work import UnitOfWork

EDITABLE = ("kind", "url", "api_token", "active")
LATEST: dict[str, Any] = {"invoice": Invoice, "client": Client, "product": Product, "payment": Payment}


def _apply(webhook: Webhook, fields: Mapping[str, Any]) -> None:
    unknown = [name for name in fields if name not in EDITABLE]
    if unknown:
        raise Invalid.one(unknown[0], "unknown", "is not a webhook field")
    for name, value in fields.items():
        setattr(webhook, name, value)
    if webhook.kind not in KINDS:
        raise Invalid.one("kind", "inclusion", f"must be one of {', '.join(KINDS)}", value=webhook.kind)
    parts = urlsplit(webhook.url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or len(webhook.url) > 2000:
        raise Invalid.one("url", "invalid", "must be an http or https URL", value=webhook.url)
    if len(webhook.api_token) > 500:
        raise Invalid.one("api_token", "too_long", "is too long (maximum is 500 characters)")


def get_webhook(session: Session, account_id: int, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or webhook.account_id != account_id:
        raise NotFound("webhook", webhook_id)
    return webhook


def list_webhooks(session: Session, account_id: int) -> list[Webhook]:
    return list(session.execute(select(Webhook).where(Webhook.account_id == account_id)
                                .order_by(col(Webhook.id))).scalars())


def create_webhook(cmd: CreateWebhook, uow: UnitOfWork) -> Webhook:
    account_of(uow.session, cmd.account_id)
    webhook = Webhook(account_id=cmd.account_id, secret=new_secret())
    _apply(webhook, cmd.fields)
    uow.session.add(webhook)
    uow.session.flush()
    uow.commit()
    return webhook


def update_webhook(cmd: UpdateWebhook, uow: UnitOfWork) -> Webhook:
    webhook = get_webhook(uow.session, cmd.account_id, cmd.webhook_id)
    _apply(webhook, cmd.fields)
    webhook.updated_at = now_utc()
    uow.session.flush()
    uow.commit()
    return webhook


def delete_webhook(cmd: DeleteWebhook, uow: UnitOfWork) -> Webhook:
    webhook = get_webhook(uow.session, cmd.account_id, cmd.webhook_id)
    uow.session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook.id))
    uow.session.delete(webhook)
    uow.commit()
    return webhook


def recent_deliveries(session: Session, account_id: int, limit: int = 50) -> list[tuple[WebhookDelivery, str]]:
    """The account's latest deliveries with their event kinds, newest first (the console)."""
    rows = session.execute(select(WebhookDelivery, EventRecord.kind)
                           .join(EventRecord, col(EventRecord.id) == WebhookDelivery.event_id)
                           .where(WebhookDelivery.account_id == account_id)
                           .order_by(col(WebhookDelivery.id).desc()).limit(limit)).all()
    return [(delivery, str(kind)) for delivery, kind in rows]


def send_again(session: Session, account_id: int, delivery_id: int) -> WebhookDelivery:
    """Queue a delivery once more, now, with the same webhook-id (receivers deduplicate on it)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.account_id != account_id:
        raise NotFound("webhook_delivery", delivery_id)
    webhook = get_webhook(session, account_id, delivery.webhook_id)
    webhook.active = True
    delivery.status, delivery.attempts, delivery.next_attempt_at = "queued", 0, None
    delivery.created_at = now_utc()  # the 24-hour retry window starts again
    session.flush()
    send_after_commit(session, [delivery_id])
    return delivery


def send_test_event(session: Session, account_id: int, webhook_id: int) -> WebhookDelivery:
    """A delivery of the webhook's kind showing the account's latest record of that kind (or an empty one)."""
    webhook = get_webhook(session, account_id, webhook_id)
    entity = webhook.kind.split(":")[0]
    model = LATEST[entity]
    latest = session.execute(select(model.id).where(model.account_id == account_id)
                             .order_by(col(model.id).desc()).limit(1)).scalar()
    payload = payload_of(session, entity, account_id, latest) if latest else {entity: {}}
    event = EventRecord(account_id=account_id, kind=webhook.kind, entity=entity, record_id=latest or 0,
                        payload={**payload, "test": True})
    session.add(event)
    session.flush()
    [delivery_id] = queue_deliveries(session, [(event, [webhook])])
    found = session.get(WebhookDelivery, delivery_id)
    assert found is not None
    return found
