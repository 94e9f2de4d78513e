"""Storing a scan or attachment: size-limited, and the declared file type must match the content."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlmodel import Session, select

from core.clock import today_in
from core.commands import StoreAttachment
from core.documents.peppol import MEDIA_TYPE as PEPPOL_MEDIA_TYPE
from core.documents.peppol import load_peppol
from core.documents.peppol_check import require_valid
from core.errors import Invalid, NotFound
from core.handlers.invoice_state import account_of, load_invoice
from core.models import Attachment, Invoice
from core.unit_of_work import UnitOfWork

MAX_BYTES = 5 * 1024 * 1024
# file type -> (content type, the magic bytes its content starts with)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
}


def normalise_file_type(value: str) -> str:
    text = value.strip().lower()
    return text if text.startswith(".") else f".{text}"


def store_attachment(cmd: StoreAttachment, uow: UnitOfWork) -> Attachment:
    session = uow.session
    account = account_of(session, cmd.account_id)
    file_type = normalise_file_type(cmd.file_type)
    if file_type not in FILE_TYPES:
        raise Invalid.one("file_type", "inclusion", f"must be one of {', '.join(FILE_TYPES)}", value=cmd.file_type)
    if not cmd.data:
        raise Invalid.one("data", "blank", "can't be blank")
    if len(cmd.data) > MAX_BYTES:
        raise Invalid.one("data", "too_long", f"is larger than {MAX_BYTES} bytes", count=MAX_BYTES)
    content_type, magics = FILE_TYPES[file_type]
    if not cmd.data.startswith(magics):
        raise Invalid.one("data", "invalid", f"the content is not a {file_type} file", value=file_type)
    if cmd.invoice_id is not None:
        try:
            load_invoice(session, cmd.account_id, cmd.invoice_id)
        except NotFound:
            raise Invalid.one("invoice_id", "not_found", "no such invoice", value=cmd.invoice_id) from None
    attachment = new_attachment(cmd.account_id, cmd.invoice_id, cmd.name, file_type, content_type, cmd.data,
                                cmd.attached_on or today_in(account.timezone))
    session.add(attachment)
    session.flush()
    uow.commit()
    return attachment


def new_attachment(account_id: int, invoice_id: int | None, name: str, file_type: str, content_type: str,
                   data: bytes, attached_on: date) -> Attachment:
    return Attachment(account_id=account_id, invoice_id=invoice_id, name=name, file_type=file_type,
                      content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                      attached_on=attached_on, data=data)


def attach_peppol(session: Session, invoice: Invoice, timezone: str) -> Attachment:
    """The invoice's Peppol UBL, validated, as its attachment: the one already stored when the document has
    not changed since, else a new one (an earlier send keeps the document it carried)."""
    document = load_peppol(session, invoice.account_id, invoice.id or 0)
    require_valid(document.xml)
    digest = hashlib.sha256(document.xml).hexdigest()
    stored: Attachment | None = session.execute(select(Attachment).where(
        Attachment.account_id == invoice.account_id, Attachment.invoice_id == invoice.id,
        Attachment.sha256 == digest)).scalars().first()
    if stored is not None:
        return stored
    attachment = new_attachment(invoice.account_id, invoice.id, document.filename, ".xml", PEPPOL_MEDIA_TYPE,
                                document.xml, today_in(timezone))
    session.add(attachment)
    session.flush()
    return attachment
