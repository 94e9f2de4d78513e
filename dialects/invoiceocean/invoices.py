"""Invoice endpoints: list, get, create, update (incl. positions and status), status change, cancel,
delete and send_by_email. Each returns a Reply; respond.py renders it as JSON or XML."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from core import queries
from core.clock import today_in
from core.commands import CancelInvoice, ChangeInvoiceStatus, CreateInvoice, DeleteInvoice, SendInvoice, UpdateInvoice
from core.errors import Conflict
from core.handlers.invoice_state import InvoiceView
from core.handlers.sending import split_addresses
from core.invoice_reads import invoice_view, read_invoice
from core.reader import Reader
from dialects.invoiceocean import fields, ksef, present, sparse
from dialects.invoiceocean.errors import invalid
from dialects.invoiceocean.parse import invoice_input, with_position_list, wrapped
from dialects.invoiceocean.respond import Call, Rendered, Reply, body_of, json_bytes
from dialects.kit import idempotency
from dialects.kit.auth import AccountContext
from dialects.kit.context import execute, execute_signed, read_plain, read_signed, signed_in
from dialects.kit.kept import KeptOne, KeptPage, read_one, read_page
from dialects.kit.lenient import to_bool, to_date, to_int
from dialects.kit.sending import send_options
from dialects.kit.unchanged import changes

ORIGIN = "invoiceocean"
# InvoiceOcean's order= names -> core sort columns.
ORDER = {"number": "number", "updated_at": "updated_at", "created_at": "created_at", "price_net": "price_net",
         "price_gross": "price_gross", "price_tax": "price_tax", "issue_date": "issue_date",
         "payment_to": "payment_to", "paid_date": "paid_date", "transaction_date": "sell_date",
         "sell_date": "sell_date", "buyer_name": "buyer_name", "buyer_tax_no": "buyer_tax_no",
         "seller_name": "seller_name", "oid": "oid", "id": "id", "status": "status", "kind": "kind"}
DATE_FIELDS = {"issue_date": "issue_date", "paid_date": "paid_date", "transaction_date": "sell_date"}


def _month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def period_range(period: str, today: date, date_from: Any, date_to: Any) -> tuple[date | None, date | None]:
    """The documented period= values; last_12_months is the default, as in VosFactures."""
    if period == "all":
        return None, None
    if period == "more":
        return (to_date(date_from) if date_from else None), (to_date(date_to) if date_to else None)
    if period == "this_month":
        return _month_start(today), _month_start(today, -1) - timedelta(days=1)
    if period == "last_month":
        return _month_start(today, 1), _month_start(today) - timedelta(days=1)
    if period == "last_30_days":
        return today - timedelta(days=30), today
    if period == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    try:  # last_12_months
        return today.replace(year=today.year - 1), None
    except ValueError:  # 29 February
        return date(today.year - 1, 2, 28), None


def _maybe(convert: Any, raw: Any) -> Any:
    """List filters are forgiving: a value that cannot be read filters nothing."""
    if raw in (None, ""):
        return None
    try:
        return convert(raw)
    except (ValueError, TypeError, ArithmeticError):
        return None


def invoice_filter(call: Call, timezone: str) -> queries.InvoiceFilter:
    # The query's last value of each name, as QueryParams.get gives it, in a dict: its get is C, where the
    # Mapping ABC's get that QueryParams inherits is Python (~0.6 µs each, and a filter asks for 15 names).
    q = dict(call.query)
    try:
        start, end = period_range(q.get("period", "last_12_months"), today_in(timezone),
                                  q.get("date_from"), q.get("date_to"))
    except ValueError:
        raise invalid("date_from", "is invalid") from None
    listed = call.query.getlist
    kinds = [k for k in (*listed("kinds[]"), *listed("kinds"), q.get("kind") or "") if k]
    ids = _maybe(lambda v: tuple(to_int(i) for i in v.split(",") if i.strip()), q.get("invoice_ids"))
    income = _maybe(lambda v: False if v.lower() == "no" else to_bool(v), q.get("income"))
    return queries.InvoiceFilter(
        ids=ids, client_id=_maybe(to_int, q.get("client_id")), number=q.get("number") or None,
        oid=q.get("oid") or None, kinds=tuple(kinds) or None, income=income, date_from=start, date_to=end,
        date_field=DATE_FIELDS.get(q.get("search_date_type", ""), "issue_date"),
        category_id=_maybe(to_int, q.get("category_id")), warehouse_id=_maybe(to_int, q.get("warehouse_id")),
        after_id=_maybe(to_int, q.get("after_id")))  # gateway extension: keyset paging (README, performance)


def order_of(raw: str | None) -> tuple[tuple[str, bool], ...]:
    if not raw:
        return (("id", False),)
    name, _, direction = raw.partition(".")
    return ((ORDER[name], direction == "desc"),) if name in ORDER else (("id", False),)


async def _one(call: Call, view: InvoiceView, status: int = 200, documents: Mapping[int, Any] | None = None) -> Reply:
    """`documents`: the KSeF documents when the view's own read took them (a get); else they are read here."""
    additional = sparse.wanted(call.query, "invoice")[1]
    body = {**present.invoice(view, call.audience, json=call.json),
            **sparse.invoice_additions(view, call.audience, additional)}
    if documents is None:
        await ksef.with_gov(call, [view], [body])
    else:
        ksef.gov_applied([view], [body], documents, call.audience)
    return Reply(status, body, "invoice")


def _page_read(reader: Reader, account: AccountContext, call: Call, with_lines: bool, with_payments: bool
               ) -> tuple[list[InvoiceView], dict[int, Any], dict[int, Any]]:
    """A page, its KSeF documents and (when asked) its payments in the read that signs the caller in."""
    where = invoice_filter(call, account.timezone)  # "this month" is the account's
    with_ksef: set[int] = set()
    views = queries.list_invoices(reader, account.account_id, where, call.page(), order_of(call.query.get("order")),
                                  with_lines=with_lines, ksef=with_ksef)
    paid = sparse.payments_by_invoice(reader, [v.invoice.id or 0 for v in views]) if with_payments else {}
    return views, _documents(reader, account, views, with_ksef), paid


def _kept_read(reader: Reader, account: AccountContext, call: Call, with_positions: bool, base_url: str
               ) -> tuple[KeptPage, dict[int, Any]]:
    """_page_read for a page written from kept JSON (dialects.kit.kept): views only of what is not kept. The
    key is what present.invoice and gov_for read besides the invoice's rows: the audience, and the options."""
    key = _key("json", with_positions, account, base_url)
    kept = read_page(reader, key, account.account_id, invoice_filter(call, account.timezone), call.page(),
                     order_of(call.query.get("order")), with_lines=with_positions, with_total=False)
    return kept, _documents(reader, account, kept.views, kept.ksef)


def _documents(reader: Reader, account: AccountContext, views: list[InvoiceView], with_ksef: set[int]
               ) -> dict[int, Any]:
    """The KSeF documents of the views the page's statement said have some: most pages have none, and then no
    statement is run."""
    documented = [v for v in views if v.invoice.id in with_ksef]
    return ksef.documents_for(reader, account.account_id, documented) if documented else {}


async def _kept_list(call: Call, with_positions: bool) -> Reply:
    """A JSON page with every field and no additional ones: each unchanged invoice written as it was before."""
    call.account, (kept, documents) = await read_signed(call.request, _kept_read, call, with_positions, call.base_url)
    audience = call.audience
    bodies = ksef.gov_applied(kept.views, [present.invoice(v, audience, with_positions=with_positions, json=True)
                                           for v in kept.views], documents, audience)
    return Reply(200, kept.items([json_bytes(body) for body in bodies]), "invoices")


async def list_invoices(call: Call) -> Reply:
    with_positions = bool(_maybe(to_bool, call.query.get("include_positions")))
    fields_asked, additional = sparse.wanted(call.query, "invoice")
    if call.json and fields_asked is None and not additional:
        return await _kept_list(call, with_positions)
    call.account, (views, documents, paid) = await read_signed(
        call.request, _page_read, call, with_positions, "connected_payments" in additional)
    bodies = [{**present.invoice(v, call.audience, with_positions=with_positions, json=call.json),
               **sparse.invoice_additions(v, call.audience, additional, paid.get(v.invoice.id or 0))} for v in views]
    return Reply(200, ksef.gov_applied(views, bodies, documents, call.audience), "invoices")


def _one_read(reader: Reader, account: AccountContext, invoice_id: int) -> tuple[InvoiceView, dict[int, Any]]:
    found = read_invoice(reader, account.account_id, invoice_id, ksef=True)
    return found.view, ksef.documents_for(reader, account.account_id, [found.view]) if found.has_ksef else {}


def _key(fmt: str, with_positions: bool, account: AccountContext, base_url: str) -> tuple[Any, ...]:
    """What present.invoice and gov_for read besides the invoice's rows (present.Audience's fields), and how it
    is written: a JSON get's body is the JSON of a list's item with positions, so the two share what is kept."""
    return "invoiceocean.invoice", fmt if fmt == "xml" else "json", with_positions, account.timezone, base_url


def _kept_one_read(reader: Reader, account: AccountContext, invoice_id: int, fmt: str, base_url: str
                   ) -> KeptOne[tuple[InvoiceView, dict[int, Any]]]:
    return read_one(reader, _key(fmt, True, account, base_url), account.account_id, invoice_id,
                    lambda: _one_read(reader, account, invoice_id))


async def get_invoice(call: Call) -> Reply:
    if call.arg("send_to_ksef") not in (None, ""):  # a write first: the caller is signed in before it
        call.account = await signed_in(call.request)
        await ksef.send_if_asked(call)
    fields_asked, additional = sparse.wanted(call.query, "invoice")
    if fields_asked is None and not additional:  # every field: the body as it was written, if still current
        call.account, kept = await read_signed(call.request, _kept_one_read, call.params["id"], call.fmt,
                                               call.base_url, point=True)
        if kept.found is not None:
            return Reply(200, Rendered(kept.found), "invoice")
        assert kept.read is not None
        view, documents = kept.read
        reply = await _one(call, view, documents=documents)
        return Reply(200, Rendered(kept.keep(body_of(call.fmt, reply))), "invoice")
    call.account, (view, documents) = await read_signed(call.request, _one_read, call.params["id"], point=True)
    return await _one(call, view, documents=documents)


async def create_invoice(call: Call) -> Reply:
    # Its caller is signed in by the write itself (routes.SIGNED_WRITES, dialects.kit.context.execute_signed).
    parsed = invoice_input(wrapped(call.payload, "invoice"))
    oid = str(parsed.fields.get("oid") or "")
    # oid_unique is an idempotency key that refuses instead of replaying: claimed in the invoice's own
    # transaction, so two concurrent requests with one oid cannot both create (core re-checks older invoices).
    unique = ("oid", oid, "oid") if parsed.oid_unique and oid else None
    save_and_send = ksef.save_and_send_asked(call, wrapped(call.payload, "invoice"))

    def command_for(account: AccountContext, _reader: Reader | None) -> Any:
        command = CreateInvoice(
            account_id=account.account_id, origin=ORIGIN, fields=parsed.fields, lines=parsed.lines or (),
            copy_from=parsed.copy_from, oid_unique=parsed.oid_unique, price_list_id=parsed.price_list_id,
            use_price_lists=parsed.use_price_lists, bank_accounts=parsed.bank_accounts)
        return ksef.SaveAndSend(command) if save_and_send else command

    call.account, view = await execute_signed(call.request, ksef.SaveAndSend if save_and_send else CreateInvoice,
                                              command_for, unique=unique)
    # An invoice made just now has no KSeF document unless this request queued one (gov_save_and_send): only a
    # correction's corrected invoice can have one, so nothing is read for the rest. A replayed key's invoice is
    # re-read as it is now, and may have been sent since.
    made_now = not save_and_send and not idempotency.replayed(call.request)
    return await _one(call, view, 201, documents={} if made_now and view.invoice.kind != "correction" else None)


async def update_invoice(call: Call) -> Reply:
    invoice_id = call.params["id"]
    data = wrapped(call.payload, "invoice") or {k: v for k, v in call.payload.items() if k == "status"}
    current = await read_plain(call.request, invoice_view, call.account.account_id, invoice_id, point=True)
    parsed = invoice_input(changes(with_position_list(data), present.invoice(current, call.audience),
                                  by_id=("positions",)))
    if "extra" in parsed.fields:  # unknown keys add to those kept before
        parsed.fields["extra"] = {**(current.invoice.extra or {}), **parsed.fields["extra"]}
    if set(parsed.fields) == {"status"} and parsed.lines is None and parsed.bank_accounts is None:
        view = await execute(call.request, ChangeInvoiceStatus(call.account.account_id, invoice_id,
                                                                parsed.fields["status"]))
    else:
        update: Any = UpdateInvoice(call.account.account_id, invoice_id, parsed.fields, parsed.lines,
                                    bank_accounts=parsed.bank_accounts)
        if ksef.save_and_send_asked(call, data):
            update = ksef.SaveAndSend(update)
        view = await execute(call.request, update)
    return await _one(call, view)


async def change_status(call: Call) -> Reply:
    status = call.arg("status") or wrapped(call.payload, "invoice").get("status")
    status = str(status or "").strip().lower()
    if status not in fields.STATUS_INPUT:
        raise invalid("status", "is not included in the list")
    await execute(call.request, ChangeInvoiceStatus(call.account.account_id, call.params["id"], status))
    return Reply(200, {"code": "success", "message": f"Status changed to {status}"}, "hash")


async def cancel_invoice(call: Call) -> Reply:
    raw = call.params.get("id") or call.arg("cancel_invoice_id") or call.arg("invoice_id") \
        or wrapped(call.payload, "invoice").get("id")
    invoice_id = _maybe(to_int, raw)
    if invoice_id is None:
        raise invalid("cancel_invoice_id", "can't be blank")
    reason = str(call.arg("cancel_reason") or "")
    return await _one(call, await execute(call.request, CancelInvoice(call.account.account_id, invoice_id, reason)))


async def delete_invoice(call: Call) -> Reply:
    await execute(call.request, DeleteInvoice(call.account.account_id, call.params["id"]))
    return Reply(200, {"code": "success", "message": "Invoice deleted"}, "hash")


async def send_by_email(call: Call) -> Reply:
    """Queues the e-mail in the outbox (delivery happens elsewhere). The 3-day resend guard answers
    200 {"status":"error"} as InvoiceOcean's logical failures do; bad addresses are a 422."""
    force = bool(_maybe(to_bool, call.arg("force")))
    command = SendInvoice(
        account_id=call.account.account_id, invoice_id=call.params["id"], origin=ORIGIN,
        recipients=split_addresses(str(call.arg("email_to") or "")),
        cc=split_addresses(str(call.arg("email_cc") or "")),
        print_option=str(call.arg("print_option") or "original"), force=force, **send_options(call.request))
    try:
        await execute(call.request, command)
    except Conflict as exc:
        return Reply(200, {"status": "error", "message": exc.message}, "hash")
    return Reply(200, {"status": "ok"}, "hash")

