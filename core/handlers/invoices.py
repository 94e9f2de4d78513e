"""Invoice commands: create (incl. copy, correction, inline client), update, status, cancel, delete."""
from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import events, numbering
from core.clock import now_utc, today_in
from core.commands import CancelInvoice, ChangeInvoiceStatus, CreateInvoice, DeleteInvoice, LineSpec, UpdateInvoice
from core.errors import Conflict, Invalid, NotFound
from core.fields import check_fields
from core.handlers.banking import attach_bank_accounts, forget_invoice
from core.handlers.invoice_state import (
    InvoiceView,
    account_of,
    check_kind_and_status,
    due_date,
    load_invoice,
    load_lines,
    new_token,
    recompute_totals,
    view_of,
)
from core.handlers.lines import correction_lines, price_new_line, reprice_line
from core.handlers.parties import client_fields_from_buyer, create_client, fill_buyer, fill_seller, match_client
from core.handlers.payments import drop_marked_payments, set_status
from core.handlers.pricing import apply_price_list
from core.handlers.schedules import schedule_invoice
from core.handlers.warehouse import drop_invoice, sync_invoice
from core.models import (
    Account,
    Attachment,
    Client,
    Department,
    Invoice,
    InvoiceBankAccount,
    InvoiceLine,
    PaymentAllocation,
    Product,
    Recurring,
)
from core.reader import Reader, new_record, placeholders
from core.reference_cache import SellerSide, seller_side
from core.references import check_rows, resolved
from core.storage import writes
from core.unit_of_work import UnitOfWork

# Columns a copy (copy_invoice_from, proforma -> VAT, recurring) must not take over.
NOT_COPIED = frozenset({"id", "number", "seq", "period_key", "series", "token", "status", "paid", "paid_date",
                        "sent_at", "created_at", "updated_at", "issue_date", "sell_date", "payment_to", "origin",
                        "oid", "cancel_reason", "from_invoice_id", "recurring_id"})


# Invoice columns the ledger derives itself; a request can never set them.
DERIVED = frozenset({"token", "series", "period_key", "price_net", "price_tax", "price_gross", "cash_rounding",
                     "origin", "sent_at", "paid", "warehouse_document_id"})


def _product_map(session: Session, account_id: int, specs: tuple[LineSpec, ...]) -> dict[int, Product]:
    """The products the lines name, as plain records (core.reader), each checked to be the account's."""
    wanted: dict[int, str] = {}
    for i, spec in enumerate(specs):
        for sub, path in ((spec, f"lines.{i}"), (spec.before, f"lines.{i}.before"), (spec.after, f"lines.{i}.after")):
            if sub is not None and sub.product_id:
                wanted.setdefault(sub.product_id, path + ".product_id")
    if not wanted:
        return {}
    ids = [i for i in wanted if isinstance(i, int) and not isinstance(i, bool)]
    rows = _rows(session).records(Product, f"products.account_id = ? AND products.id IN ({placeholders(ids)})",
                                  (account_id, *ids)) if ids else []
    found = {p.id: p for p in rows}
    for product_id, path in wanted.items():
        if product_id not in found:
            raise Invalid.one(path, "not_found", "no such product", value=product_id)
        resolved(session, Product, product_id, account_id)
    return found


def _build_lines(session: Session, invoice: Invoice, specs: tuple[LineSpec, ...], start: int,
                 price_list_id: int | None, *, persist: bool = True) -> list[InvoiceLine]:
    """Priced lines; added to the session unless persist is False (plain lines only: they are then records,
    which the caller writes with _insert_lines)."""
    products = _product_map(session, invoice.account_id, specs)
    if price_list_id:
        products = apply_price_list(session, invoice.account_id, price_list_id, products)
    default_tax = "23" if invoice.currency != "SEK" else "25"
    built: list[InvoiceLine] = []
    for offset, spec in enumerate(specs):
        path = f"lines.{start + offset}"
        if spec.destroy:
            continue
        if spec.kind == "correction" or spec.before is not None:
            diff, before, after = correction_lines(spec, products, invoice, path, default_tax)
            diff.position = spec.position if spec.position is not None else start + offset
            session.add(diff)
            session.flush()
            for snap in (before, after):
                if snap is not None:
                    snap.parent_id, snap.position = diff.id, diff.position
                    session.add(snap)
                    built.append(snap)
            built.append(diff)
            continue
        line = price_new_line(spec, products.get(spec.product_id or 0), invoice, path, default_tax, plain=not persist)
        line.position = spec.position if spec.position is not None else start + offset
        if persist:
            session.add(line)
        built.append(line)
    return built


def _resolve_client(session: Session, account: Account, invoice: Invoice, cmd_new_client: Any,
                    given: dict[str, Any], match: bool) -> Client | None:
    if cmd_new_client is not None or given.get("client_id") == -1:
        invoice.client_id = None
        fields = dict(cmd_new_client) if cmd_new_client is not None else client_fields_from_buyer(invoice)
        return create_client(session, account, fields, prefix="client." if cmd_new_client is not None else "buyer.")
    if invoice.client_id:
        client: Client | None = _rows(session).record(Client, "clients.id = ?", (invoice.client_id,))
        if client is None or client.account_id != account.id:
            raise Invalid.one("client_id", "not_found", "no such client", value=invoice.client_id)
        resolved(session, Client, invoice.client_id, client.account_id)
        return client
    if invoice.buyer_name and match:
        return match_client(session, account.id or 0, invoice) or create_client(
            session, account, client_fields_from_buyer(invoice), prefix="buyer.")
    return None


def _seller_side(session: Session, account_id: int) -> SellerSide:
    """The account's record and the rows its invoices are issued from (core.reference_cache: from memory while
    they are unchanged). For an account with no active webhook (most), the events row needs no webhooks read
    of its own (core.events.without_webhooks)."""
    side = seller_side(session, account_id)
    if not side.webhooks:
        events.without_webhooks(session, account_id)
    return side


def _rows(session: Session) -> Reader:
    """Plain reads (core.reader) in the session's own transaction, for rows a create or update only reads
    (account, client, department): loading them as ORM instances was a sixth of a create's CPU."""
    return Reader(session.connection())


def _resolve_seller(session: Session, invoice: Invoice, given: dict[str, Any], side: SellerSide) -> None:
    """The seller from the invoice's department, or from the main one when it names none and has no seller,
    out of the account's seller side (core.reference_cache)."""
    if invoice.department_id:
        department = side.department(invoice.department_id)
        if department is None:
            raise Invalid.one("department_id", "not_found", "no such department", value=invoice.department_id)
        resolved(session, Department, invoice.department_id, department.account_id)
        fill_seller(invoice, department, given)
    elif not invoice.seller_name:
        main = side.department(None)  # the main department, else the first
        if main is not None:
            resolved(session, Department, main.id or 0, invoice.account_id)
            fill_seller(invoice, main, given)


def _copy_source(session: Session, account_id: int, source_id: int, invoice: Invoice) -> list[LineSpec]:
    try:
        source = load_invoice(session, account_id, source_id)
    except NotFound:
        raise Invalid.one("copy_invoice_from", "not_found", "no such invoice", value=source_id) from None
    for name in Invoice.model_fields:
        if name not in NOT_COPIED and name != "account_id":
            setattr(invoice, name, getattr(source, name))
    invoice.from_invoice_id = source.id
    lines = load_lines(session, [source_id])[source_id]
    return [LineSpec(kind=line.kind, product_id=line.product_id, name=line.name, code=line.code,
                     description=line.description, additional_info=line.additional_info, unit=line.unit,
                     quantity=line.quantity, tax=line.tax, discount_percent=line.discount_percent,
                     tax_deductible=line.tax_deductible, extra=dict(line.extra or {}),
                     total_gross=line.total_gross if line.priced_gross else None,
                     total_net=None if line.priced_gross else line.total_net)
            for line in lines if line.kind in ("normal", "text")]


def _default_terms(account: Account, client: Client | None, invoice: Invoice, given: dict[str, Any]) -> None:
    if "payment_to_kind" not in given and "payment_to" not in given:
        days = client.payment_days if client and client.payment_days is not None else (
            (account.settings or {}).get("payment_days", 7))
        invoice.payment_to_kind = str(days)
    elif "payment_to" in given and "payment_to_kind" not in given:
        invoice.payment_to_kind = "other_date"
    invoice.payment_to = due_date(invoice.issue_date, invoice.payment_to_kind, invoice.payment_to)
    if client is not None and "currency" not in given and (client.settings or {}).get("currency"):
        invoice.currency = str(client.settings["currency"])


def _own_rate(invoice: Invoice, given: dict[str, Any]) -> None:
    """exchange_currency_rate is the client's own rate, used only when exchange_kind is "own" (seed 001's
    field list); an exchange_rate given in the same call is taken as it is."""
    if invoice.exchange_kind == "own" and invoice.exchange_currency_rate is not None and "exchange_rate" not in given:
        invoice.exchange_rate = invoice.exchange_currency_rate


def create_invoice(cmd: CreateInvoice, uow: UnitOfWork) -> InvoiceView:
    invoice, lines, banks = _create_in_session(cmd, uow.session, plain=True)
    _sync_stock(uow.session, invoice, lines)
    if cmd.recurring is not None:
        schedule_invoice(uow.session, cmd.account_id, invoice, cmd.recurring)
    uow.commit()
    # The view is built from the values just written instead of read back: re-reading cost three queries,
    # a quarter of a create. Lines in load_lines' order; a new invoice has no payments yet.
    return InvoiceView(invoice, sorted(lines, key=lambda line: (line.position, line.id or 0)), [], banks)


def create_invoice_in_session(cmd: CreateInvoice, session: Session) -> Invoice:
    """Everything create does, short of committing: payments and recurring runs build on it (and on the
    invoice being the session's ORM instance)."""
    invoice, lines, _banks = _create_in_session(cmd, session, plain=False)
    _sync_stock(session, invoice, lines)
    return invoice


def _plain(cmd: CreateInvoice, given: dict[str, Any]) -> bool:
    """Whether this create writes its invoice as plain values (core.storage.writes), never building an ORM
    instance: every create but the rare ones that keep the ORM because later steps change the invoice in
    the session or write rows that point at rows written before them. Those are copies (copy_invoice_from),
    recurring definitions, corrections (before/after rows point at their difference row) and invoices
    created paid (set_status records the payment). Inline new clients and a given list of bank accounts
    that names a new one write those through the ORM (core.handlers.parties, banking), as does a stock
    document (core.handlers.warehouse); the invoice stays plain."""
    return (cmd.copy_from is None and cmd.recurring is None and given.get("kind") != "correction"
            and given.get("status") != "paid"
            and not any(spec.kind == "correction" or spec.before is not None for spec in cmd.lines))


def _sync_stock(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """The invoice's stock document (core.handlers.warehouse); a plain invoice is not in the session, so the
    document's id is written to it here."""
    sync_invoice(session, invoice, lines)
    if invoice.warehouse_document_id is not None and not isinstance(invoice, Invoice):
        writes.update_row(session, Invoice, invoice.id or 0, warehouse_document_id=invoice.warehouse_document_id)


def _create_in_session(cmd: CreateInvoice, session: Session, *, plain: bool
                       ) -> tuple[Invoice, list[InvoiceLine], list[InvoiceBankAccount]]:
    side = _seller_side(session, cmd.account_id)
    account = side.account
    given = check_fields(Invoice, cmd.fields, extra_protected=DERIVED)
    make = partial(new_record, Invoice) if plain and _plain(cmd, given) else Invoice
    invoice: Invoice = make(account_id=account.id or 0, issue_date=today_in(account.timezone), origin=cmd.origin,
                            token=new_token(), lang=account.lang, currency=account.currency)
    specs = list(cmd.lines)
    if cmd.copy_from is not None:
        copied = _copy_source(session, account.id or 0, cmd.copy_from, invoice)
        specs = specs or copied
    for name, value in given.items():
        if name != "client_id" or value != -1:
            setattr(invoice, name, value)
    invoice.status = given.get("status") or "issued"
    invoice.sell_date = invoice.sell_date or invoice.issue_date
    _own_rate(invoice, given)
    check_kind_and_status(invoice)
    if invoice.kind == "correction":
        _inherit_from_corrected(session, invoice, given)
    client = _resolve_client(session, account, invoice, cmd.new_client, given, cmd.match_client)
    if client is not None:
        fill_buyer(invoice, client, given)
    if not invoice.buyer_name and not invoice.client_id:
        raise Invalid.one("client_id", "blank", "can't be blank")
    _resolve_seller(session, invoice, given, side)
    _default_terms(account, client, invoice, given)
    if cmd.oid_unique and invoice.oid and session.execute(select(Invoice.id).where(
            Invoice.account_id == invoice.account_id, Invoice.oid == invoice.oid)).first():
        raise Invalid.one("oid", "taken", "has already been taken", value=invoice.oid)
    if not specs:
        raise Invalid.one("lines", "blank", "an invoice must contain at least one line")
    if not numbering.numbers_last(session):
        numbering.assign_number(session, account, invoice, cmd.seq)
        lines = _write_new(session, invoice, specs, cmd, client)
    else:
        pattern = numbering.prepare_number(session, account, invoice, cmd.seq)
        series = numbering.park(invoice)
        lines = _write_new(session, invoice, specs, cmd, client)
        numbering.number_parked(session, account, invoice, series, pattern, cmd.seq)
    return invoice, lines, attach_bank_accounts(session, account, invoice, cmd.bank_accounts, new=True, side=side)


def _write_new(session: Session, invoice: Invoice, specs: list[LineSpec], cmd: CreateInvoice,
               client: Client | None) -> list[InvoiceLine]:
    """Price the lines and insert the invoice with them; created paid, with the payment of its sum."""
    # Settling the totals moves an unpaid "paid" back to issued, without a paid date: both are kept here.
    paid, paid_on = invoice.status == "paid", invoice.paid_date
    price_list_id = cmd.price_list_id or (client.price_list_id if client is not None and cmd.use_price_lists else None)
    if any(spec.kind == "correction" or spec.before is not None for spec in specs):
        # Correction positions point their before/after rows at the difference row's id, so the
        # ORM writes them one by one, after the invoice.
        session.add(invoice)
        _flush_unique(session, invoice)
        lines = _build_lines(session, invoice, tuple(specs), 0, price_list_id)
        _settle_new(invoice, lines)
        _flush_unique(session, invoice)
        if paid:
            set_status(session, invoice, "paid", invoice.issue_date, paid_on)
        return lines
    # Plain lines are priced first, so the invoice is inserted once, with its totals, and its lines
    # follow in one multi-row INSERT: 2 statements where the ORM took 1 + 1 UPDATE + 1 per line.
    lines = _build_lines(session, invoice, tuple(specs), 0, price_list_id, persist=False)
    _settle_new(invoice, lines)
    if isinstance(invoice, Invoice):
        session.add(invoice)
        _flush_unique(session, invoice)
        with writes.search_once(session, invoice):  # the lines' document rewritten once, not once per line
            _insert_lines(session, invoice, lines)
    else:
        with writes.search_once(session, invoice):  # the search document written once, header and lines
            _insert_invoice(session, invoice)
            _insert_lines(session, invoice, lines)
    if paid:
        set_status(session, invoice, "paid", invoice.issue_date, paid_on)
    return lines


def _settle_new(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    recompute_totals(invoice, lines)


def _insert_invoice(session: Session, invoice: Invoice) -> None:
    """The plain invoice in one prepared INSERT, its id set on it; the ORM's flush hooks do not see it, so
    its references are checked and its event recorded here."""
    row: dict[str, Any] = invoice.__dict__
    check_rows(session, Invoice, invoice.account_id, [row])
    try:
        writes.insert_row(session, Invoice, invoice)
    except writes.integrity_error(session) as exc:  # a unique index: the number (as _flush_unique says)
        value = {"value": invoice.number} if invoice.number else {}
        raise Invalid.one("number", "taken", "has already been taken", **value) from exc
    resolved(session, Invoice, invoice.id or 0, invoice.account_id)  # what the lines and documents name
    events.record(session, events.InvoiceCreated(invoice.account_id, invoice.id or 0))


def _insert_lines(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """The lines (records) in one prepared statement, their new ids set on them."""
    if not lines:
        return
    for line in lines:
        line.invoice_id = invoice.id or 0
    check_rows(session, InvoiceLine, invoice.account_id, [line.__dict__ for line in lines])
    writes.insert_rows(session, InvoiceLine, lines)


def _inherit_from_corrected(session: Session, invoice: Invoice, given: dict[str, Any]) -> None:
    if not invoice.from_invoice_id:
        raise Invalid.one("from_invoice_id", "blank", "a correction needs the corrected invoice")
    try:
        original = load_invoice(session, invoice.account_id, invoice.from_invoice_id)
    except NotFound:
        raise Invalid.one("from_invoice_id", "not_found", "no such invoice", value=invoice.from_invoice_id) from None
    invoice.invoice_id = invoice.invoice_id or original.id
    for name in Invoice.model_fields:
        if (name.startswith(("buyer_", "seller_")) or name in ("client_id", "department_id", "currency")) \
                and name not in given:
            setattr(invoice, name, getattr(original, name))


def _flush_unique(session: Session, invoice: Invoice | None = None) -> None:
    """Flush; a unique index refusing the number (the only one a request can meet) is the client's error."""
    try:
        session.flush()
    except IntegrityError as exc:
        value = {"value": invoice.number} if invoice is not None and invoice.number else {}
        raise Invalid.one("number", "taken", "has already been taken", **value) from exc


def update_invoice(cmd: UpdateInvoice, uow: UnitOfWork) -> InvoiceView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    invoice = load_invoice(session, cmd.account_id, cmd.invoice_id, lock=True)
    given = check_fields(Invoice, cmd.fields, extra_protected=DERIVED)
    before_number, before_client, before_dept = invoice.number, invoice.client_id, invoice.department_id
    for name, value in given.items():
        setattr(invoice, name, value)
    _own_rate(invoice, given)
    check_kind_and_status(invoice)
    # No autoflush while the new references are looked up: flushing the changed invoice first would
    # hit the foreign keys (an IntegrityError) before the check below can name the bad id.
    with session.no_autoflush:
        if invoice.client_id != before_client and invoice.client_id:
            client = session.get(Client, invoice.client_id)
            if client is None or client.account_id != account.id:
                raise Invalid.one("client_id", "not_found", "no such client", value=invoice.client_id)
            fill_buyer(invoice, client, given)
        if invoice.department_id != before_dept and invoice.department_id:
            _resolve_seller(session, invoice, given, seller_side(session, cmd.account_id))
    if ("number" in given and invoice.number != before_number) or cmd.seq is not None:
        if cmd.seq is not None and "number" not in given:
            invoice.number = ""  # re-rendered from the account's pattern, as on create
        elif not invoice.number:
            raise Invalid.one("number", "blank", "can't be blank")
        numbering.assign_number(session, account, invoice, cmd.seq)
    if {"issue_date", "payment_to_kind"} & given.keys() and "payment_to" not in given:
        invoice.payment_to = due_date(invoice.issue_date, invoice.payment_to_kind, invoice.payment_to)
    if "payment_to" in given and "payment_to_kind" not in given:
        invoice.payment_to_kind = "other_date"
    lines = load_lines(session, [invoice.id or 0])[invoice.id or 0]
    if cmd.lines is not None:
        lines = _merge_lines(session, invoice, lines, cmd.lines, cmd.replace_lines)
    if not any(line.kind in ("normal", "correction", "text") for line in lines):
        raise Invalid.one("lines", "blank", "an invoice must contain at least one line")
    recompute_totals(invoice, lines)
    if "status" in given:  # recompute_totals settled the status on the paid amount; the client's status wins
        set_status(session, invoice, given["status"], today_in(account.timezone), given.get("paid_date"))
    invoice.updated_at = now_utc()
    _flush_unique(session, invoice)
    sync_invoice(session, invoice, lines)
    if cmd.recurring is not None:
        schedule_invoice(session, cmd.account_id, invoice, cmd.recurring)
    if cmd.bank_accounts is not None:
        attach_bank_accounts(session, account, invoice, cmd.bank_accounts)
    uow.commit()
    return view_of(session, invoice.account_id, invoice.id or 0)


def _merge_lines(session: Session, invoice: Invoice, lines: list[InvoiceLine], specs: tuple[LineSpec, ...],
                 replace: bool) -> list[InvoiceLine]:
    by_id = {line.id: line for line in lines}
    if replace:
        session.execute(delete(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id))
        return _build_lines(session, invoice, specs, 0, None)
    products = _product_map(session, invoice.account_id, specs)
    new_specs: list[LineSpec] = []
    for i, spec in enumerate(specs):
        if spec.id is None:
            new_specs.append(spec)
            continue
        line = by_id.get(spec.id)
        if line is None:
            raise Invalid.one(f"lines.{i}.id", "not_found", "no such line on this invoice", value=spec.id)
        if spec.destroy:
            session.execute(delete(InvoiceLine).where(
                (col(InvoiceLine.id) == line.id) | (col(InvoiceLine.parent_id) == line.id)))
            for gone in [x for x in list(by_id.values()) if x.id == line.id or x.parent_id == line.id]:
                by_id.pop(gone.id, None)
            continue
        reprice_line(line, spec, products.get(spec.product_id or 0), invoice, f"lines.{i}")
        if spec.position is not None:
            line.position = spec.position
    start = max((line.position for line in by_id.values()), default=-1) + 1
    added = _build_lines(session, invoice, tuple(new_specs), start, None) if new_specs else []
    session.flush()
    return [*by_id.values(), *added]


def change_status(cmd: ChangeInvoiceStatus, uow: UnitOfWork) -> InvoiceView:
    session = uow.session
    account = account_of(session, cmd.account_id)
    invoice = load_invoice(session, cmd.account_id, cmd.invoice_id, lock=True)
    invoice.status = cmd.status
    check_kind_and_status(invoice)
    if cmd.status == "sent" and invoice.sent_at is None:
        invoice.sent_at = now_utc()
    set_status(session, invoice, cmd.status, today_in(account.timezone))
    if cmd.status == "sent" and invoice.status == "issued":
        invoice.status = "sent"
    invoice.updated_at = now_utc()
    uow.commit()
    return view_of(session, invoice.account_id, invoice.id or 0)


def cancel_invoice(cmd: CancelInvoice, uow: UnitOfWork) -> InvoiceView:
    session = uow.session
    invoice = load_invoice(session, cmd.account_id, cmd.invoice_id, lock=True)
    invoice.status, invoice.cancel_reason = "cancelled", cmd.reason or invoice.cancel_reason
    invoice.updated_at = now_utc()
    uow.commit()
    return view_of(session, invoice.account_id, invoice.id or 0)


def delete_invoice(cmd: DeleteInvoice, uow: UnitOfWork) -> InvoiceView:
    session = uow.session
    view = view_of(session, cmd.account_id, cmd.invoice_id)
    template_of = session.execute(select(func.count()).select_from(Recurring).where(
        Recurring.invoice_id == cmd.invoice_id)).scalar_one()
    if template_of:
        raise Conflict("invoice_in_use", "the invoice is the template of a recurring definition")
    events.remember(session, "invoice", cmd.account_id, cmd.invoice_id, lambda: view)  # before its lines go
    drop_marked_payments(session, cmd.invoice_id)
    session.execute(delete(PaymentAllocation).where(col(PaymentAllocation.invoice_id) == cmd.invoice_id))
    for attachment in session.execute(select(Attachment).where(Attachment.invoice_id == cmd.invoice_id)).scalars():
        attachment.invoice_id = None
    session.execute(delete(InvoiceLine).where(col(InvoiceLine.invoice_id) == cmd.invoice_id))
    forget_invoice(session, cmd.invoice_id)
    drop_invoice(session, view.invoice)
    session.delete(view.invoice)
    uow.commit()
    return view
