"""Endpoints for invoices, sending them, and their payments."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from orjson import Fragment
from starlette.requests import Request
from starlette.responses import Response

from core.clock import today_in
from core.commands import CreateInvoice, RecordPayment, SendInvoice, UpdateInvoice
from core.errors import Invalid, NotFound
from core.handlers.sending import split_addresses
from core.invoice_reads import account_record, account_with_recurrings, definitions_of, invoice_view, read_invoice
from core.models import Account, Client
from core.queries import InvoiceFilter
from core.reader import Reader
from dialects.fakturan.auth import endpoint
from dialects.fakturan.errors import ErrorBag
from dialects.fakturan.parse import (
    InvoiceInput,
    body_of,
    invoice_input,
    list_params,
    page_of,
    path_id,
    payment_input,
    send_input,
    sort_order,
    with_gross_prices,
    with_row_prices,
)
from dialects.fakturan.present import (
    client_settings_defaults,
    data,
    invoice_json,
    invoice_key,
    listing,
    no_content,
    payment_json,
    settings_key,
)
from dialects.kit.auth import AccountContext
from dialects.kit.context import execute, execute_signed, read_plain, read_signed
from dialects.kit.einvoice import invoice_peppol
from dialects.kit.http import JSONResponse, dumps, read_body
from dialects.kit.kept import KeptOne, made, read_one, read_page
from dialects.kit.lenient import cast_date, to_int
from dialects.kit.sending import send_options
from dialects.kit.unchanged import changes

ORIGIN = "fakturan"
INVOICE_SORT = {"number": "seq", "date": "issue_date"}
NO_RECIPIENT = "You must select at least one recipient."


def _find_client(reader: Reader, account_id: int, client_id: int) -> Client | None:
    """The account's client as a read-only record, or None."""
    try:
        return reader.owned(Client, account_id, client_id, "client")
    except NotFound:
        return None


def _invoice_filter(bag: ErrorBag, params: dict[str, Any]) -> InvoiceFilter:
    found: dict[str, Any] = {}
    for key, target, reader in (("number", "seq", to_int), ("client_id", "client_id", to_int),
                                ("start_date", "date_from", cast_date), ("end_date", "date_to", cast_date),
                                ("after_id", "after_id", to_int)):  # gateway extension: keyset paging
        if params.get(key) not in (None, ""):
            try:
                found[target] = reader(params[key])
            except ValueError:
                bag.add(key, "invalid")
    return InvoiceFilter(**found)


def _in_zone(invoice_filter: InvoiceFilter, timezone: str) -> InvoiceFilter:
    """start_date alone runs to today, the account's."""
    if invoice_filter.date_from is not None and invoice_filter.date_to is None:
        return replace(invoice_filter, date_to=today_in(timezone))
    return invoice_filter


def _client_defaults(inp: InvoiceInput, settings: dict[str, Any]) -> dict[str, Any]:
    """The client's invoice settings fill what the request left out, as in the real service."""
    fields, extra = dict(inp.fields), dict(inp.extra)
    if "lang" not in fields and settings.get("locale"):
        fields["lang"] = settings["locale"]
    if "prices_gross" not in fields and settings.get("prices_inc_tax") == "yes":
        fields["prices_gross"] = True
    for key in ("invoice_template", "show_product_code"):
        if key not in extra and key in settings:
            extra[key] = settings[key]
    if extra:
        fields["extra"] = extra
    return fields


@endpoint("invoices.list", "invoice", signs_in_itself=True)
async def list_all(request: Request, ctx: AccountContext) -> Response:
    return await _list(request, ctx, None)


@endpoint("clients.invoices", "invoice", signs_in_itself=True)
async def list_of_client(request: Request, ctx: AccountContext) -> Response:
    """The gem's `Client has_many :invoices`: the same list, narrowed to one client of the account."""
    return await _list(request, ctx, path_id(request))


async def _list(request: Request, ctx: AccountContext, client_id: int | None) -> Response:
    params = list_params(request.query_params, await read_body(request))
    bag = ErrorBag()
    invoice_filter = _invoice_filter(bag, params)
    order = sort_order(bag, params.get("sort"), INVOICE_SORT)
    bag.raise_if_any()
    if client_id is not None:
        invoice_filter = replace(invoice_filter, client_id=client_id)
    page = page_of(params)
    _, (account, kept, recurring) = await read_signed(request, _listing, invoice_filter, page, order, client_id)
    items = made(kept, lambda view: invoice_json(view, account, recurring.get(view.invoice.id)), dumps)
    return JSONResponse(listing(request, params, page, kept.counted, items))


def _listing(reader: Reader, ctx: AccountContext, invoice_filter: InvoiceFilter, page: Any, order: Any,
             client_id: int | None) -> Any:
    """The account, the page and the total in the read that signs the caller in (one BEGIN, one hop);
    404 (NotFound) for a path's client (/clients/{id}/invoices) that is not the account's. Invoices whose
    JSON is kept at their version (dialects.kit.kept) are not read again, nor their recurring definitions."""
    account_id, invoice_filter = ctx.account_id, _in_zone(invoice_filter, ctx.timezone)
    if client_id is not None:
        reader.owned(Client, account_id, client_id, "client")
    account, recurs = account_with_recurrings(reader, account_id)
    kept = read_page(reader, invoice_key(account), account_id, invoice_filter, page, order, with_lines=True)
    recurring = definitions_of(reader, account_id, [v.invoice.id or 0 for v in kept.views]) if recurs else {}
    return account, kept, recurring


@endpoint("invoices.show", "invoice", signs_in_itself=True)
async def show(request: Request, ctx: AccountContext) -> Response:
    kept = (await read_signed(request, _kept_show, path_id(request), point=True))[1]
    if kept.found is not None:
        return data(Fragment(kept.found))
    assert kept.read is not None
    return data(Fragment(kept.keep(dumps(invoice_json(*kept.read)))))


# The account's settings, read in the statement of the invoice's key: all of the account a kept JSON depends on.
_SETTINGS_ALONG = "(SELECT accounts.settings FROM accounts WHERE accounts.id = invoices.account_id)"


def _kept_show(reader: Reader, ctx: AccountContext, invoice_id: int) -> KeptOne[Any]:
    """The invoice's JSON as a list keeps it (the same key: dialects.kit.kept), or what it is presented from: the
    invoice with its account's record and its recurring definition."""
    def key(settings: Any) -> Any:  # as the ORM reads the column (JSON text on SQLite)
        return settings_key(reader.converter(Account, "settings", 3)(settings))
    return read_one(reader, key, ctx.account_id, invoice_id,
                    lambda: _with_account(reader, ctx.account_id, invoice_id), along=_SETTINGS_ALONG)


def _with_account(reader: Reader, account_id: int, invoice_id: int) -> Any:
    """The invoice, its account and its recurring definition (if it is a template) in one read transaction."""
    found = read_invoice(reader, account_id, invoice_id, recurring=True, account=True)
    return found.view, found.account, (definitions_of(reader, account_id, [invoice_id]).get(invoice_id)
                                       if found.has_recurring else None)


def _create_sources(reader: Reader, ctx: AccountContext, client_id: int | None) -> tuple[Any, Client | None]:
    """The account and the client a create names, in the read that signs the caller in."""
    return account_record(reader, ctx.account_id), (None if client_id is None
                                                     else _find_client(reader, ctx.account_id, client_id))


def _named_client_id(payload: Any) -> int | None:
    """The client_id a create body names, read ahead of the body's parse (which needs the account), so the
    client comes from the sign-in's read; the parse stays the judge of it."""
    try:
        named = to_int(payload.get("client_id")) if isinstance(payload, dict) else None
    except (TypeError, ValueError):
        return None
    return named if named is not None and named > 0 else None  # 0 and below name no client (the parse says "blank")


@endpoint("invoices.create", "invoice", signs_in_itself=True)
async def create(request: Request, _: AccountContext) -> Response:
    # The caller is signed in, the account and the client read, and the body judged in the write's own job
    # where the ledger has a writer thread (dialects.kit.context.execute_signed): no read before the write.
    payload = await body_of(request)
    named = _named_client_id(payload)
    sources: list[Any] = []  # the account the answer presents, and whether the invoice recurs (set by build)

    def command_for(ctx: AccountContext, reader: Reader | None) -> CreateInvoice:
        assert reader is not None, "execute_signed(reads=True) hands build a reader"
        account, named_client = _create_sources(reader, ctx, named)
        bag = ErrorBag()
        inp = invoice_input(bag, payload, creating=True, client_defaults=client_settings_defaults(account))
        settings: dict[str, Any] = {}
        if "client_id" in inp.fields:
            client = named_client if inp.fields["client_id"] == named else _find_client(
                reader, ctx.account_id, inp.fields["client_id"])
            if client is None:
                bag.add("client_id", "blank")  # like the seed's client_id 0: no such client to bill
            else:
                settings = client.settings or {}
        elif inp.new_client is not None:
            settings = inp.new_client.get("settings") or {}
        bag.raise_if_any()
        fields = _client_defaults(inp, settings)
        lines = (with_gross_prices(inp.lines) if fields.get("prices_gross") else inp.lines) or ()
        sources[:] = [account, inp.recurring is not None]
        return CreateInvoice(ctx.account_id, ORIGIN, fields, lines, new_client=inp.new_client, match_client=False,
                             seq=inp.seq, recurring=inp.recurring)

    ctx, view = await execute_signed(request, CreateInvoice, command_for, reads=True)
    account, recurs = sources
    recurring = None
    if recurs:
        recurring = (await read_plain(request, definitions_of, ctx.account_id, [view.invoice.id or 0],
                                      point=True)).get(view.invoice.id)
    return data(invoice_json(view, account, recurring), 201, f"/api/v2/invoices/{view.invoice.id}", request)


@endpoint("invoices.update", "invoice")
async def update(request: Request, ctx: AccountContext) -> Response:
    view, account, recurring = await read_plain(request, _with_account, ctx.account_id, path_id(request), point=True)
    invoice = view.invoice
    body = await body_of(request)
    payload = with_row_prices(changes(body, invoice_json(view, account, recurring), by_id=("rows",)), body)
    bag = ErrorBag()
    inp = invoice_input(bag, payload, creating=False)
    client_id = inp.fields.get("client_id")
    if client_id is not None and client_id != invoice.client_id and \
            await read_plain(request, _find_client, ctx.account_id, client_id, point=True) is None:
        bag.add("client_id", "blank")
    bag.raise_if_any()
    fields = dict(inp.fields)
    if inp.extra:
        fields["extra"] = {**(invoice.extra or {}), **inp.extra}
    gross = fields.get("prices_gross", invoice.prices_gross)
    lines = with_gross_prices(inp.lines) if gross else inp.lines
    seq = inp.seq if inp.seq is not None and inp.seq != invoice.seq else None
    await execute(request, UpdateInvoice(ctx.account_id, invoice.id or 0, fields, lines, seq=seq,
                                         recurring=inp.recurring))
    return no_content()


@endpoint("invoices.send", "invoice")
async def send(request: Request, ctx: AccountContext) -> Response:
    invoice = (await read_plain(request, invoice_view, ctx.account_id, path_id(request), point=True)).invoice
    bag = ErrorBag()
    method, reminder = send_input(bag, await body_of(request))
    bag.raise_if_any()
    client = (await read_plain(request, _find_client, ctx.account_id, invoice.client_id, point=True)
              if invoice.client_id else None)
    e_invoice = False
    if method == "auto":
        settings = (client.settings or {}) if client is not None else {}
        wanted = settings.get("invoice_delivery_method")
        # No Peppol access point here: an e-invoice is the validated UBL, stored and mailed with the PDF.
        e_invoice = wanted == "e_invoice" or settings.get("e_invoice") is True
        method = "letter" if wanted == "letter" and not e_invoice else "email"
    if e_invoice:
        # Refused before the send's transaction, so the rules are compiled and checked without holding it.
        await invoice_peppol(request, ctx.account_id, invoice.id or 0)
    # The client's current address, not the snapshot on the invoice: that is who fakturan mails.
    recipients = split_addresses(client.email) if client is not None else ()
    try:
        await execute(request, SendInvoice(ctx.account_id, invoice.id or 0, ORIGIN, channel=method,
                                           recipients=recipients, use_buyer_email=client is None, force=True,
                                           as_reminder=reminder, e_invoice=e_invoice, **send_options(request)))
    except Invalid as exc:
        if any(e.field == "recipients" and e.code == "blank" for e in exc.errors):
            return JSONResponse({"error": NO_RECIPIENT}, status_code=422)
        raise
    return data(invoice_json(*await read_plain(request, _with_account, ctx.account_id, invoice.id or 0, point=True)))


@endpoint("payments.create", "payment")
async def add_payment(request: Request, ctx: AccountContext) -> Response:
    invoice_id = path_id(request, "invoice_id")
    invoice = (await read_plain(request, invoice_view, ctx.account_id, invoice_id, point=True)).invoice
    bag = ErrorBag()
    amount, paid_at = payment_input(bag, await body_of(request))
    if amount is None and invoice.payable - invoice.paid <= 0:
        bag.add("amount", "greater_than", count=0)  # nothing left to pay
    bag.raise_if_any()
    result = await execute(request, RecordPayment(ctx.account_id, ORIGIN, amount=amount, invoice_ids=(invoice_id,),
                                                  paid_date=paid_at))
    payment = result.payment
    share = sum((a.amount for a in result.allocations if a.invoice_id == invoice_id), Decimal(0))
    return data(payment_json(payment, share, invoice_id), 201,
                f"/api/v2/invoices/{invoice_id}/payments/{payment.id}", request)


@endpoint("payments.list", "payment")
async def list_payments(request: Request, ctx: AccountContext) -> Response:
    invoice_id = path_id(request, "invoice_id")
    view = await read_plain(request, invoice_view, ctx.account_id, invoice_id, point=True)
    params = list_params(request.query_params, await read_body(request))
    page = page_of(params)
    chunk = view.payments[page.offset:page.offset + page.per_page]
    # The share applied to this invoice: a payment split across invoices shows each its part.
    items = [payment_json(payment, share, invoice_id) for payment, share in chunk]
    return JSONResponse(listing(request, params, page, len(view.payments), items))
