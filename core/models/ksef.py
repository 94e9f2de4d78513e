"""KSeF: each invoice's e-invoice state (one row, made when it is first sent) and the queue that sends it.

The state lives beside the invoice, not in it: most invoices never go to KSeF, and an invoice row that a
dialect reads on every request stays as it was. The send queue is its own small table (not the mail
outbox): it holds only "send this document", and is the KSeF channel of core/delivery.py (core.einvoice.outbox).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, timestamp, updated_at
from core.models.types import JSONType


class KsefDocument(SQLModel, table=True):
    __tablename__ = "ksef_documents"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    invoice_id: int = Field(unique=True)  # the invoice it belongs to (a logical reference: core/references.py)
    mode: str = "demo"  # demo | production: the account's KSeF mode when it was sent
    status: str = ""  # the gov_status the guide lists (processing, ok, demo_ok, send_error, ...)
    gov_id: str = Field(default="", index=True)  # the KSeF number once accepted
    send_date: datetime | None = timestamp()
    sell_date: date | None = None
    error_messages: list[Any] = Field(default_factory=list, sa_type=JSONType)
    verification_link: str = ""  # KOD I
    certificate_link: str = ""  # KOD II, printed only on offline invoices
    gov_link: str = ""
    corrected_invoice_number: str = ""  # the corrected invoice's KSeF number, on corrections
    offline: bool = False  # OFFLINE24: issued before the day it was sent
    xml: str = ""  # the FA(3) document as sent
    xml_hash: str = ""  # SHA-256 of xml, base64
    upo: str = ""  # the receipt (UPO) KSeF returned
    reference: str = ""  # the transport's reference of the send
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class KsefSend(SQLModel, table=True):
    """A queued send of one document through the account's KSeF transport, retried with backoff."""

    __tablename__ = "ksef_outbox"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    document_id: int = Field(foreign_key="ksef_documents.id", index=True)
    status: str = Field(default="queued", index=True)  # queued | done | failed
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp()
    last_error: str = ""
    created_at: datetime = created_at()
