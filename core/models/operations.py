"""Operational records: the mail outbox, the traffic log, idempotency keys."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, timestamp
from core.models.types import JSONType


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    invoice_id: int | None = Field(default=None, index=True)
    channel: str = "email"  # email | letter
    recipients: list[str] = Field(default_factory=list, sa_type=JSONType)
    cc: list[str] = Field(default_factory=list, sa_type=JSONType)
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    print_option: str = "original"
    status: str = Field(default="queued", index=True)  # queued | sent | failed | printed
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp()
    last_error: str = ""
    meta: dict[str, Any] = json_field()
    created_at: datetime = created_at()
    sent_at: datetime | None = timestamp()


class TrafficEntry(SQLModel, table=True):
    __tablename__ = "traffic_log"
    # ix_traffic_console covers the console's aggregates; ix_traffic_created_at serves retention pruning.
    __table_args__ = (Index("ix_traffic_console", "account_id", "created_at", "dialect", "endpoint", "credential_id",
                            "user_id", "status"),
                      Index("ix_traffic_created_at", "created_at"))
    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = None
    credential_id: int | None = None
    user_id: int | None = None  # the signed-in user; the only attribution of a Basic login
    dialect: str = ""
    method: str = ""
    path: str = ""
    endpoint: str = ""
    status: int = 0
    latency_ms: float = 0.0
    request_id: str = ""
    created_at: datetime = created_at()


class IdempotencyKey(SQLModel, table=True):
    """One claimed key (core/idempotency.py). Inserted in the create's own transaction, so the unique
    constraint is what makes a concurrent duplicate wait and then replay instead of creating twice."""
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "dialect", "key", name="uq_idempotency_key"),
                      Index("ix_idempotency_keys_created_at", "created_at"))  # pruning expired keys
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    dialect: str = ""  # the key's scope: a dialect name, or "oid" for oid_unique keys (account-wide)
    key: str = ""
    request_hash: str = ""
    status: int = 0  # 0 until the rendered response is stored
    response: dict[str, Any] = json_field()
    record_id: int | None = None  # the created record: a replay re-renders it when no response was stored
    created_at: datetime = created_at()
