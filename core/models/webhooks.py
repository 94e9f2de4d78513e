"""Domain events and the webhooks they are delivered to (issue 21).

`events` is the ledger's outbox of past-tense changes: one row per created, updated, paid or deleted record,
written in the transaction that made the change (core/events.py). A row carries the resource as the
webhook dialect presents it, snapshotted in that transaction, whenever a webhook of the account listened
for its kind; every matching webhook then gets a `webhook_deliveries` row, sent after commit by the shared
delivery machinery (core/delivery.py) with retries, and kept with its outcome.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, timestamp, updated_at


class EventRecord(SQLModel, table=True):
    __tablename__ = "events"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    kind: str = ""  # "invoice:create", "payment:destroy", "invoice:paid", ...
    entity: str = ""  # invoice | client | product | payment
    record_id: int = 0  # the changed record; kept after the record is deleted
    payload: dict[str, Any] = json_field()  # the resource as delivered; empty when nobody listened
    created_at: datetime = created_at()


class Webhook(SQLModel, table=True):
    __tablename__ = "webhooks"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    kind: str = ""
    url: str = ""
    api_token: str = ""  # the receiver's own token, sent back in every delivery's body
    active: bool = True
    # The Standard Webhooks signing key ("whsec_" + base64). Kept as it is, not hashed: the gateway must
    # compute HMACs with it on every delivery, so a one-way hash would make it useless; it is shown to the
    # caller once (the create answer) and never again, and anyone able to read this table can already
    # read every document the webhooks would carry.
    secret: str = ""
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    # The worker's due scan, and "is an earlier delivery of this resource still pending" (in order per resource).
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
                      Index("ix_webhook_deliveries_resource", "webhook_id", "resource", "status"))
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    webhook_id: int = Field(foreign_key="webhooks.id")
    event_id: int = Field(foreign_key="events.id", index=True)
    message_id: str = ""  # the webhook-id header: the same on every attempt
    resource: str = ""  # "invoice:12": deliveries of one resource go out in order
    status: str = "queued"  # queued | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp()
    last_error: str = ""
    last_status: int = 0  # the receiver's last HTTP status, 0 when none came back
    meta: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    delivered_at: datetime | None = timestamp()
