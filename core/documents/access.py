"""Reading documents out of the ledger: by public token (no login), as PDF, and stored files.

Dialects call these from their own authenticated endpoints (an invoice's PDF, an attachment's
bytes); the public pages call the token lookups. Every function takes a session, so it runs
in `Ledger.read`.
"""
from __future__ import annotations

import hmac
import string
from dataclasses import dataclass

from sqlmodel import Session, select

from core.clock import now_utc
from core.documents.build import load_document
from core.documents.html import view_path
from core.documents.pdf import render_pdf
from core.documents.view import DocumentView
from core.errors import NotFound
from core.handlers.invoice_state import load_invoice, new_token
from core.models import Attachment, Invoice

TOKEN_LENGTH = 22
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits)


def well_formed_token(token: str) -> bool:
    """Tokens are 22 letters and digits; anything else is refused before the database is asked."""
    return len(token) == TOKEN_LENGTH and set(token) <= _TOKEN_CHARS


def invoice_by_token(session: Session, token: str) -> Invoice | None:
    """The invoice a public link points to, or None. The lookup uses the unique token index;
    the final comparison is constant-time so a match reveals nothing about near misses."""
    if not well_formed_token(token):
        return None
    invoice: Invoice | None = session.execute(select(Invoice).where(Invoice.token == token)).scalars().first()
    if invoice is None or not hmac.compare_digest(invoice.token.encode("ascii"), token.encode("ascii")):
        return None
    return invoice


@dataclass(frozen=True)
class PublicDocument:
    invoice_id: int
    account_id: int
    number: str
    token: str
    document: DocumentView


def public_document(session: Session, token: str, *, public_base: str = "") -> PublicDocument | None:
    """The document behind a token, built for display; None for an unknown token. With a
    public_base ("https://host"), the document carries its absolute "view online" link."""
    invoice = invoice_by_token(session, token)
    if invoice is None or invoice.id is None:
        return None
    public_url = f"{public_base.rstrip('/')}{view_path(invoice.number, invoice.token)}" if public_base else ""
    document = load_document(session, invoice.account_id, invoice.id, public_url=public_url)
    return PublicDocument(invoice_id=invoice.id, account_id=invoice.account_id, number=invoice.number,
                          token=invoice.token, document=document)


def rotate_public_token(session: Session, account_id: int, invoice_id: int) -> Invoice:
    """A new public token for the account's invoice: the old link answers 404 from this transaction's commit
    on (a link forwarded too widely, or leaked). NotFound for another account's or a deleted invoice."""
    invoice = load_invoice(session, account_id, invoice_id, lock=True)
    invoice.token = new_token()
    invoice.updated_at = now_utc()
    session.add(invoice)
    session.flush()
    return invoice


def invoice_pdf(session: Session, account_id: int, invoice_id: int, print_option: str = "original", *,
                public_url: str = "") -> bytes:
    """An account's invoice as PDF. Raises NotFound (other account, deleted) and ValueError
    for an unknown print option (original, copy, duplicate, original_and_copy)."""
    return render_pdf(load_document(session, account_id, invoice_id, public_url=public_url), print_option)


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    file_type: str  # ".pdf", ".jpg", ...
    content_type: str
    size: int
    sha256: str
    data: bytes

    @property
    def filename(self) -> str:
        if self.name.lower().endswith(self.file_type):
            return self.name
        return f"{self.name or 'attachment'}{self.file_type}"


def attachment_file(session: Session, account_id: int, attachment_id: int) -> StoredFile:
    """An attachment's bytes; NotFound when it does not exist or belongs to another account."""
    row = session.execute(select(Attachment).where(Attachment.id == attachment_id,
                                                   Attachment.account_id == account_id)).scalars().first()
    if row is None or row.id is None:
        raise NotFound("attachment", attachment_id)
    return StoredFile(id=row.id, name=row.name, file_type=row.file_type, content_type=row.content_type,
                      size=row.size, sha256=row.sha256, data=bytes(row.data))
