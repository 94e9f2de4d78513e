"""Scans and attachments (a dialect's files/cost), stored in the database so a backup holds them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    invoice_id: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    name: str = ""
    file_type: str = ""  # as given: ".jpg", ".pdf"
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    attached_on: date = Field(index=True)
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = created_at()
