"""KSeF inside the ledger: the account's mode, queueing a document for sending, the edit lock, and what
a reader sees of an invoice's KSeF state.

Modes (account setting `ksef_mode`): `off` (nothing is sent: a send answers not_connected), `demo` (the
default; statuses carry the demo_ prefix, no lock, no QR on the PDF) and `production`. The mode says how
the gateway treats the documents; which transport carries them is the gateway's configuration.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from sqlmodel import Session, col, select

from core.clock import now_utc, today_in
from core.commands import CreateInvoice, DeleteInvoice, UpdateInvoice
from core.documents.view import KsefMarks
from core.einvoice import fa3, numbers, rules, schema
from core.errors import Invalid
from core.handlers.invoice_state import InvoiceView, account_of, load_invoice, load_lines
from core.handlers.parties import SELLER_FROM_DEPARTMENT
from core.models import Account, Department, Invoice, KsefDocument, KsefSend
from core.reader import Reader, placeholders
from core.storage import writes
from core.unit_of_work import UnitOfWork

MODES = ("off", "demo", "production")
DEFAULT_MODE = "demo"
FINAL_OK = ("ok", "demo_ok")
LOCKED = "Faktura została przyjęta w KSeF - edycja i usunięcie są zablokowane (wystaw fakturę korygującą)"
SIMULATED_CERTIFICATE = "0000000000000000"  # KOD II serial of the simulator's offline certificate


def mode_of(account: Any) -> str:
    mode = str((account.settings or {}).get("ksef_mode") or DEFAULT_MODE)
    return mode if mode in MODES else DEFAULT_MODE


def blocks_invalid(account: Any) -> bool:
    """validate_invoices_for_gov: on (the default) refuses an invoice KSeF would refuse."""
    return bool((account.settings or {}).get("validate_invoices_for_gov", True))


def status(mode: str, name: str) -> str:
    return f"demo_{name}" if mode == "demo" else name


def is_locked(document: Any) -> bool:
    return document is not None and document.mode == "production" and document.status == "ok"


@dataclass(frozen=True)
class SendToKsef:
    """send_to_ksef=yes: send an existing invoice."""

    account_id: int
    invoice_id: int


@dataclass(frozen=True)
class SaveAndSend:
    """gov_save_and_send: create or update, then send, in one transaction (a refused invoice is not saved)."""

    command: CreateInvoice | UpdateInvoice

    @property
    def account_id(self) -> int:
        return self.command.account_id

    @property
    def wrapped_create(self) -> CreateInvoice | UpdateInvoice:
        """core.idempotency reads an Idempotency-Key (and oid_unique) of the create inside."""
        return self.command


@dataclass(frozen=True)
class SetKsefMode:
    account_id: int
    mode: str
    validate: bool | None = None


def _document(session: Session, invoice: Invoice) -> KsefDocument | None:
    found: KsefDocument | None = session.execute(select(KsefDocument).where(
        KsefDocument.invoice_id == invoice.id, KsefDocument.account_id == invoice.account_id)).scalars().first()
    return found


def _related(session: Session, invoice: Invoice) -> fa3.Related:
    related = fa3.Related()
    original_id = invoice.from_invoice_id or (invoice.invoice_id if invoice.kind == "correction" else None)
    if invoice.kind == "correction" and original_id:
        original = session.get(Invoice, original_id)
        if original is not None and original.account_id == invoice.account_id:
            related.corrected = original
            given = str((invoice.extra or {}).get("gov_corrected_invoice_number") or "")
            document = _document(session, original)
            related.corrected_ksef_number = given or (document.gov_id if document is not None else "")
    if invoice.kind == "final":
        # the advances it settles: its connected invoice (invoice_id / from_invoice_id) and any invoice_ids kept
        ids = [i for i in (invoice.from_invoice_id, invoice.invoice_id) if i] + [
            int(i) for i in str((invoice.extra or {}).get("invoice_ids") or "").replace(" ", "").split(",")
            if i.isdigit()]
        ids = list(dict.fromkeys(ids))
        advances = []
        for advance_id in ids:
            advance = session.get(Invoice, advance_id)
            if advance is not None and advance.account_id == invoice.account_id and advance.kind == "advance":
                document = _document(session, advance)
                advances.append((advance, document.gov_id if document is not None else ""))
        related.advances = tuple(advances)
    return related


def queue(session: Session, account: Account, invoice: Invoice, *, now: datetime | None = None) -> KsefDocument:
    """Judge the invoice as KSeF would, and queue its FA(3) document. A refusal raises Invalid when the
    account blocks invalid invoices; otherwise it is kept in gov_error_messages and nothing is queued."""
    now = now or now_utc()
    mode = mode_of(account)
    document = _document(session, invoice)
    if document is not None and (document.status in FINAL_OK or document.status in ("processing", "demo_processing")):
        return document  # accepted, or on its way: KSeF takes a document once
    if document is None:
        document = KsefDocument(account_id=invoice.account_id, invoice_id=invoice.id or 0)
        session.add(document)
    document.mode, document.updated_at, document.error_messages = mode if mode != "off" else DEFAULT_MODE, now, []
    if mode == "off":
        document.status = "not_connected"
        return document
    if invoice.kind not in rules.KSEF_KINDS:
        document.status = status(mode, "not_applicable")
        return document
    _complete_seller(session, invoice)
    lines = load_lines(session, [invoice.id or 0])[invoice.id or 0]
    extra = invoice.extra or {}
    findings = rules.check(invoice, lines, extra)
    if findings:
        if blocks_invalid(account):
            raise rules.as_invalid(findings)
        document.status = status(mode, "send_error")
        document.error_messages = [f.readable for f in findings]
        return document
    related = _related(session, invoice)
    xml = fa3.build(invoice, lines, extra, related, created=now)
    schema.validate(xml)  # a breach here is the builder's bug: the request fails instead of sending it
    nip = rules.bare_tax_no(invoice.seller_tax_no, "")
    document.xml, document.xml_hash = xml.decode("utf-8"), numbers.document_hash(xml)
    document.offline = invoice.issue_date < today_in(account.timezone)
    document.sell_date = invoice.sell_date or invoice.issue_date
    document.corrected_invoice_number = related.corrected_ksef_number
    environment = "production" if mode == "production" else "demo"
    document.verification_link = numbers.verification_link(environment, nip, invoice.issue_date, document.xml_hash)
    document.certificate_link = _certificate_link(environment, nip, document.xml_hash) if document.offline else ""
    document.status, document.gov_id, document.upo = status(mode, "processing"), "", ""
    session.flush()
    session.add(KsefSend(account_id=invoice.account_id, document_id=document.id or 0, next_attempt_at=now))
    return document


def _complete_seller(session: Session, invoice: Invoice) -> None:
    """The guide's "uzupełnianie po nazwie": seller fields KSeF needs and the invoice lacks come from the
    department named like the seller, else the invoice's department, else the account's main one."""
    missing = [name for name in SELLER_FROM_DEPARTMENT if not getattr(invoice, name)]
    if not missing or not {"seller_tax_no", "seller_street", "seller_post_code", "seller_city"} & set(missing):
        return
    departments = list(session.execute(select(Department).where(Department.account_id == invoice.account_id)
                                       .order_by(col(Department.main).desc(), col(Department.id))).scalars())
    chosen = next((d for d in departments if invoice.seller_name and d.name == invoice.seller_name), None) or \
        next((d for d in departments if d.id == invoice.department_id), None) or \
        (departments[0] if departments else None)
    if chosen is None:
        return
    for name in missing:
        setattr(invoice, name, getattr(chosen, SELLER_FROM_DEPARTMENT[name]))
    if not isinstance(invoice, Invoice):  # a create's plain record (core.storage.writes): no flush stores it
        writes.update_row(session, Invoice, invoice.id or 0, **{name: getattr(invoice, name) for name in missing})


def _certificate_link(environment: str, nip: str, xml_hash: str) -> str:
    """KOD II for an offline invoice. The gateway holds no KSeF offline certificate, so the link names the
    simulator's certificate serial and carries a digest of the link in place of the certificate's signature."""
    unsigned = numbers.certificate_link(environment, nip, SIMULATED_CERTIFICATE, xml_hash, "")
    digest = hashlib.sha256(unsigned.encode("ascii")).digest()
    return unsigned + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def send_to_ksef(cmd: SendToKsef, uow: UnitOfWork) -> InvoiceView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    invoice = load_invoice(session, cmd.account_id, cmd.invoice_id, lock=True)
    queue(session, account, invoice)
    uow.commit()
    return InvoiceView(invoice, load_lines(session, [invoice.id or 0])[invoice.id or 0])


def save_and_send(handlers: Mapping[type, Callable[[Any, UnitOfWork], Any]]) -> Callable[[SaveAndSend, UnitOfWork],
                                                                                          InvoiceView]:
    def handle(cmd: SaveAndSend, uow: UnitOfWork) -> InvoiceView:
        deferred = uow.defer_commit
        uow.defer_commit = True  # the save commits only with its send: a refused invoice is not written
        view: InvoiceView = handlers[type(cmd.command)](cmd.command, uow)
        uow.defer_commit = deferred
        queue(uow.session, account_of(uow.session, view.invoice.account_id), view.invoice)
        uow.commit()
        return view
    return handle


def guarded(handler: Callable[[Any, UnitOfWork], Any]) -> Callable[[Any, UnitOfWork], Any]:
    """The production edit lock around update and delete: an invoice KSeF accepted in production changes
    only through a correction. An update that changes nothing passes (an unchanged PUT stays a 200)."""
    def handle(cmd: UpdateInvoice | DeleteInvoice, uow: UnitOfWork) -> Any:
        if isinstance(cmd, UpdateInvoice) and not cmd.fields and cmd.lines is None and cmd.recurring is None:
            return handler(cmd, uow)
        document = uow.session.execute(select(KsefDocument).where(
            KsefDocument.invoice_id == cmd.invoice_id, KsefDocument.account_id == cmd.account_id)).scalars().first()
        if is_locked(document):
            raise Invalid.one("base", "ksef_locked", LOCKED)
        return handler(cmd, uow)
    return handle


def set_mode(cmd: SetKsefMode, uow: UnitOfWork) -> Account:
    account = apply_mode(uow.session, cmd.account_id, cmd.mode, cmd.validate)
    uow.commit()
    return account


def apply_mode(session: Session, account_id: int, mode: str | None, validate: bool | None = None) -> Account:
    """Set the account's KSeF mode and/or validate_invoices_for_gov (None keeps it) in this transaction."""
    if mode is not None and mode not in MODES:
        raise Invalid.one("ksef_mode", "inclusion", f"must be one of {', '.join(MODES)}", value=mode)
    account = account_of(session, account_id)
    settings = dict(account.settings or {})
    if mode is not None:
        settings["ksef_mode"] = mode
    if validate is not None:
        settings["validate_invoices_for_gov"] = validate
    account.settings = settings
    return account


def printed_marks(document: Any) -> KsefMarks | None:
    """What the PDF prints: nothing in demo mode (the guide: no QR in DEMO); in production KOD I with the
    KSeF number once accepted, and an offline invoice's two codes as soon as it is queued."""
    if document is None or document.mode != "production" or not document.verification_link:
        return None
    if document.status == "ok" or (document.offline and document.status in ("processing", "ok")):
        return KsefMarks(document.gov_id, document.verification_link,
                         document.certificate_link if document.offline else "")
    return None


def documents_of(reader: Reader, account_id: int, invoice_ids: Sequence[int]) -> dict[int, Any]:
    """The KSeF state of these invoices, by invoice id (invoices never sent are left out)."""
    ids = [i for i in invoice_ids if i]
    if not ids:
        return {}
    rows = reader.records(KsefDocument, f"ksef_documents.account_id = ? AND ksef_documents.invoice_id IN "
                          f"({placeholders(ids)})", (account_id, *ids))
    return {row.invoice_id: row for row in rows}


def file_name(invoice: Any, suffix: str) -> str:
    """The name a KSeF document part is downloaded under (API and console alike): the invoice's number with
    its slashes made safe for a file name, then the part (ksef, upo)."""
    return f"{(invoice.number or str(invoice.id)).replace('/', '_')}-{suffix}.xml"


def document_of(reader: Reader, account_id: int, invoice_id: int) -> Any:
    return documents_of(reader, account_id, [invoice_id]).get(invoice_id)
