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
    __table_args__ = (Index("ix_traffic_account_time", "account_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = None
    credential_id: int | None = None
    dialect: str = ""
    method: str = ""
    path: str = ""
    endpoint: str = ""
    status: int = 0
    latency_ms: float = 0.0
    request_id: str = ""
    created_at: datetime = created_at()


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "dialect", "key", name="uq_idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    dialect: str = ""
    key: str = ""
    request_hash: str = ""
    status: int = 0
    response: dict[str, Any] = json_field()
    created_at: datetime = created_at()
