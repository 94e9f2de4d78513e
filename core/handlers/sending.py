"""Sending an invoice: the message is written to the outbox in the same transaction that
marks the invoice sent, so a message is never lost and never sent for a rolled-back change.
Delivery (SMTP, .eml files, the print queue) happens after commit, from the outbox."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session, select

from core.clock import now_utc
from core.commands import SendInvoice
from core.errors import Conflict, Invalid
from core.handlers.attachments import attach_peppol
from core.handlers.invoice_state import account_of, load_invoice
from core.models import OutboxMessage
from core.unit_of_work import UnitOfWork

# As the REST dialect documents: the same document is not re-sent within 3 days unless forced.
RESEND_GUARD = timedelta(days=3)
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


def split_addresses(raw: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in re.split(r"[,;]", raw or "") if a.strip())


def send_invoice(cmd: SendInvoice, uow: UnitOfWork) -> OutboxMessage:
    message = send_invoice_in_session(cmd, uow.session)
    uow.commit()
    return message


def send_invoice_in_session(cmd: SendInvoice, session: Session) -> OutboxMessage:
    """Everything send does, short of committing: recurring runs queue mail in their own transaction."""
    invoice = load_invoice(session, cmd.account_id, cmd.invoice_id, lock=True)
    if cmd.channel not in ("email", "letter"):
        raise Invalid.one("delivery_method", "inclusion", "must be email or letter", value=cmd.channel)
    recipients = cmd.recipients or (split_addresses(invoice.buyer_email) if cmd.use_buyer_email else ())
    if cmd.channel == "email":
        if not recipients:
            raise Invalid.one("recipients", "blank", "You must select at least one recipient.")
        bad = [a for a in (*recipients, *cmd.cc) if not _EMAIL.fullmatch(a)]
        if bad:
            raise Invalid.one("recipients", "invalid", f"not an e-mail address: {bad[0]}", value=bad[0])
        # Every address a request names costs one delivery: capped together, so Cc is no way around it.
        if len(recipients) + len(cmd.cc) > cmd.max_recipients:
            raise Invalid.one("recipients", "too_long", f"at most {cmd.max_recipients} recipients (To and Cc "
                              "together)", count=cmd.max_recipients)
    if not cmd.force and not cmd.as_reminder:
        last = session.execute(select(OutboxMessage.created_at).where(
            OutboxMessage.invoice_id == invoice.id, OutboxMessage.channel == cmd.channel)
            .order_by(OutboxMessage.id.desc()).limit(1)).scalar()  # type: ignore[union-attr]
        if last is not None and _aware(last) > now_utc() - RESEND_GUARD:
            raise Conflict("recently_sent", "This document was already sent in the last 3 days; use force=true")
    attached: dict[str, Any] = {}
    if cmd.e_invoice:
        ubl = attach_peppol(session, invoice, account_of(session, invoice.account_id).timezone)
        attached = {"delivery_method": "e_invoice", "attachments": [ubl.id]}
    message = OutboxMessage(
        account_id=invoice.account_id, invoice_id=invoice.id, channel=cmd.channel,
        recipients=list(recipients), cc=list(cmd.cc), print_option=cmd.print_option,
        status="queued", meta={"origin": cmd.origin, "reminder": cmd.as_reminder, "lang": invoice.lang,
                               **({"public_base_url": cmd.public_base_url} if cmd.public_base_url else {}),
                               **attached},
    )
    session.add(message)
    invoice.sent_at = now_utc()
    if invoice.status in ("draft", "issued", "printed"):
        invoice.status = "sent"
    invoice.updated_at = now_utc()
    return message


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back naive; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
