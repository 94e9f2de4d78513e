"""Invoice views for reading, in plain SQL (core.reader): what every get and list presents.

The same InvoiceView as core.handlers.invoice_state.view_of, with records in place of ORM instances;
writers keep using view_of, which loads instances they can change.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Collection, NamedTuple, Sequence

from core.errors import NotFound
from core.handlers.banking import invoice_bank_accounts
from core.handlers.invoice_state import InvoiceView
from core.invoice_versions import VERSION_OF, versioned
from core.models import Account, Invoice, InvoiceLine, Payment, PaymentAllocation, Recurring
from core.reader import Reader, placeholders

# Line order is part of the document: by position, then by id for lines written in one go.
_LINE_ORDER = "invoice_lines.invoice_id, invoice_lines.position, invoice_lines.id"

# Whether an invoice has rows in a table besides its lines, asked in the statement that reads the invoice:
# most invoices have no payment, bank account, KSeF document or recurring definition, and a statement that
# finds nothing costs as much Python as one that finds something. Each probes an index.
_HAS_PAYMENTS = "EXISTS (SELECT 1 FROM payment_allocations WHERE payment_allocations.invoice_id = invoices.id)"
_HAS_BANK_ACCOUNTS = ("EXISTS (SELECT 1 FROM invoice_bank_accounts "
                      "WHERE invoice_bank_accounts.invoice_id = invoices.id)")
_HAS_KSEF = ("EXISTS (SELECT 1 FROM ksef_documents WHERE ksef_documents.account_id = invoices.account_id AND "
             "(ksef_documents.invoice_id = invoices.id OR ksef_documents.invoice_id = invoices.from_invoice_id))")
_HAS_RECURRING = ("EXISTS (SELECT 1 FROM recurrings WHERE recurrings.account_id = invoices.account_id "
                  "AND recurrings.invoice_id = invoices.id)")


@dataclass(frozen=True)
class InvoiceRead:
    """An invoice view, its account's record when asked, and whether the invoice has what only some dialects
    read (so they skip a read that would find nothing)."""
    view: InvoiceView
    account: Any | None
    has_ksef: bool  # a KSeF document of its own or (a correction) of the invoice it corrects
    has_recurring: bool  # a recurring definition it is the template of


_statements: dict[tuple[bool, bool, bool], str] = {}


def _invoice_sql(reader: Reader, ksef: bool, recurring: bool, account: bool) -> str:
    """Built once per combination of what is asked."""
    key = (ksef, recurring, account)
    found = _statements.get(key)
    if found is None:
        columns = [reader.columns(Invoice), _HAS_PAYMENTS, _HAS_BANK_ACCOUNTS,
                   _HAS_KSEF if ksef else "0", _HAS_RECURRING if recurring else "0"]
        if account:
            columns.append(reader.columns(Account))
        found = _statements[key] = (
            f"SELECT {', '.join(columns)} FROM invoices"
            + (" JOIN accounts ON accounts.id = invoices.account_id" if account else "")
            + " WHERE invoices.id = ? AND invoices.account_id = ?")
    return found


def read_invoice(reader: Reader, account_id: int, invoice_id: int, *, ksef: bool = False, recurring: bool = False,
                 account: bool = False) -> InvoiceRead:
    """One invoice with its lines, payments and bank accounts (and its account's record, when asked), or
    NotFound (also for another account's id). The invoice, the account and whether anything besides lines
    is there come in one statement; then the lines, and only what is there."""
    row = reader.execute(_invoice_sql(reader, ksef, recurring, account), (invoice_id, account_id)).fetchone()
    if row is None:
        raise NotFound("invoice", invoice_id)
    width = reader.width(Invoice)
    has_payments, has_banks, has_ksef, has_recurring = row[width:width + 4]
    invoice = reader.make(Invoice, row)
    account_record = reader.make(Account, row, width + 4) if account else None
    lines = reader.records(InvoiceLine, "invoice_lines.invoice_id = ?", (invoice_id,), _LINE_ORDER)
    banks = invoice_bank_accounts(reader, [invoice_id])[invoice_id] if has_banks else []
    view = InvoiceView(invoice, lines, payments_of(reader, invoice_id) if has_payments else [], banks)
    return InvoiceRead(view, account_record, bool(has_ksef), bool(has_recurring))


def invoice_view(reader: Reader, account_id: int, invoice_id: int) -> InvoiceView:
    """One invoice with its lines and payments, or NotFound (also for another account's id)."""
    return read_invoice(reader, account_id, invoice_id).view


def payments_of(reader: Reader, invoice_id: int) -> list[tuple[Any, Decimal]]:
    """(payment, the amount of it allocated to this invoice), oldest payment first."""
    columns = reader.columns(Payment)
    rows = reader.rows(f"SELECT {columns}, payment_allocations.amount FROM payments JOIN payment_allocations "
                       "ON payment_allocations.payment_id = payments.id WHERE payment_allocations.invoice_id = ? "
                       "ORDER BY payments.id", (invoice_id,))
    amount = reader.converter(PaymentAllocation, "amount", -1)
    return [(reader.make(Payment, row), amount(row[-1])) for row in rows]


def views_of(reader: Reader, invoices: Sequence[Any], *, with_lines: bool,
             banked: Collection[int] | None = None) -> list[InvoiceView]:
    """Views of invoice records already read (a page), with their lines in one statement when wanted, and
    their bank accounts in one (of `banked`, the ids known to have some, when the caller asked)."""
    lines: dict[int, list[Any]] = {i.id: [] for i in invoices}
    if with_lines and invoices:
        ids = list(lines)
        for line in reader.records(InvoiceLine, f"invoice_lines.invoice_id IN ({placeholders(ids)})", ids,
                                   _LINE_ORDER):
            lines[line.invoice_id].append(line)
    banks = invoice_bank_accounts(reader, [i.id for i in invoices if banked is None or i.id in banked])
    return [InvoiceView(i, lines[i.id], bank_accounts=banks.get(i.id, [])) for i in invoices]


def page_views(reader: Reader, sql: str, params: Sequence[Any], *, with_lines: bool,
               ksef: set[int] | None = None) -> list[InvoiceView]:
    """Views of the invoices `sql` selects, in its order; it selects page_columns(reader, ksef is not None)."""
    return views_of_rows(reader, reader.execute(sql, params).fetchall(), with_lines=with_lines, ksef=ksef)


def views_of_rows(reader: Reader, rows: Sequence[Sequence[Any]], *, with_lines: bool,
                  ksef: set[int] | None = None) -> list[InvoiceView]:
    """Views of rows of page_columns(reader, ksef is not None), in their order (anything after those columns
    is left out). `ksef`: filled with the ids of those that have a KSeF document (their own or the corrected
    invoice's), so a dialect that shows them reads documents only for those, and for a page without any,
    not at all."""
    width = reader.width(Invoice)
    invoices = [reader.make(Invoice, row) for row in rows]
    banked = {invoice.id for invoice, row in zip(invoices, rows, strict=True) if row[width]}
    if ksef is not None:
        ksef.update(invoice.id for invoice, row in zip(invoices, rows, strict=True) if row[width + 1])
    return views_of(reader, invoices, with_lines=with_lines, banked=banked)


def page_columns(reader: Reader, ksef: bool = False) -> str:
    """What page_views reads of each invoice: its columns, whether it carries bank accounts and, when asked,
    whether it has a KSeF document."""
    return f"{reader.columns(Invoice)}, {_HAS_BANK_ACCOUNTS}" + (f", {_HAS_KSEF}" if ksef else "")


def page_width(reader: Reader, ksef: bool = False) -> int:
    """How many columns page_columns reads (what a statement reads after them starts there)."""
    return reader.width(Invoice) + 1 + int(ksef)


class PageKey(NamedTuple):
    """An invoice of a page as a caller keeping presented invoices per version needs it (core.invoice_versions):
    its id, its version (0 where there are none: PostgreSQL, or unchanged since before 0021) and whether it has a
    KSeF document (its own or the corrected invoice's). A tuple made straight from its row (`PageKey.of`): a
    page makes 25 of them per request."""
    id: int
    version: int
    has_ksef: bool

    @classmethod
    def of(cls, row: Sequence[Any]) -> PageKey:
        """From a row that starts with key_columns (the version read as 0 where there is none, the flag as 0 or 1;
        a page's total may follow)."""
        return cls._make(row[:3])


# What a page of keys reads of each invoice: PageKey's fields, from the index and two probes, not ~90 columns.
_KEY_COLUMNS = f"invoices.id, COALESCE({VERSION_OF}, 0), {_HAS_KSEF}"  # version_column's
_KEY_COLUMNS_UNVERSIONED = f"invoices.id, 0, {_HAS_KSEF}"


def key_columns(reader: Reader) -> str:
    return _KEY_COLUMNS if versioned(reader) else _KEY_COLUMNS_UNVERSIONED


def version_column(reader: Reader) -> str:
    """An invoice's version as a column of a statement over invoices (0 where there are none)."""
    return f"COALESCE({VERSION_OF}, 0)" if versioned(reader) else "0"


def keys_by_id(reader: Reader, ids: Sequence[int]) -> list[PageKey]:
    """Keys of these invoices, in the order of `ids` (a page whose order was decided by the caller)."""
    if not ids:
        return []
    found = {row[0]: PageKey.of(row) for row in reader.execute(
        f"SELECT {key_columns(reader)} FROM invoices WHERE invoices.id IN ({placeholders(ids)})", list(ids))}
    return [found[i] for i in ids if i in found]


def key_of(reader: Reader, account_id: int, invoice_id: int, along: str = "") -> tuple[PageKey, Any]:
    """One invoice's key, or NotFound (also for another account's id); and `along`, one more value read in the
    same statement (SQL of one value, which may name the invoices row; None when not asked)."""
    row = reader.execute(f"SELECT {key_columns(reader)}, {along or 'NULL'} FROM invoices WHERE invoices.id = ? "
                         "AND invoices.account_id = ?", (invoice_id, account_id)).fetchone()
    if row is None:
        raise NotFound("invoice", invoice_id)
    return PageKey.of(row), row[3]


def invoices_by_id(reader: Reader, ids: Sequence[int]) -> list[Any]:
    """Invoice records in the order of `ids` (a page whose order was decided by the caller)."""
    if not ids:
        return []
    found = {r.id: r for r in reader.records(Invoice, f"invoices.id IN ({placeholders(ids)})", list(ids))}
    return [found[i] for i in ids if i in found]


def views_by_id(reader: Reader, ids: Sequence[int], *, with_lines: bool,
                ksef: set[int] | None = None) -> list[InvoiceView]:
    """Views of these invoices, in the order of `ids` (a page whose order was decided by the caller);
    `ksef` as in page_views."""
    if not ids:
        return []
    views = page_views(reader, f"SELECT {page_columns(reader, ksef is not None)} FROM invoices WHERE invoices.id "
                       f"IN ({placeholders(ids)})", list(ids), with_lines=with_lines, ksef=ksef)
    found = {v.invoice.id: v for v in views}
    return [found[i] for i in ids if i in found]


def account_record(reader: Reader, account_id: int) -> Any:
    account = reader.record(Account, "accounts.id = ?", (account_id,))
    if account is None:
        raise NotFound("account", account_id)
    return account


# Whether an account has any recurring definition at all, asked with its record: most have none, and then a
# page needs no lookup of its invoices' definitions (recurrings are indexed by account, not by invoice).
_HAS_ANY_RECURRING = "EXISTS (SELECT 1 FROM recurrings WHERE recurrings.account_id = accounts.id)"
_account_sql: list[str] = []


def account_with_recurrings(reader: Reader, account_id: int) -> tuple[Any, bool]:
    """The account's record, and whether it has any recurring definition, in one statement; NotFound."""
    if not _account_sql:
        _account_sql.append(f"SELECT {reader.columns(Account)}, {_HAS_ANY_RECURRING} FROM accounts "
                            "WHERE accounts.id = ?")
    row = reader.execute(_account_sql[0], (account_id,)).fetchone()
    if row is None:
        raise NotFound("account", account_id)
    return reader.make(Account, row), bool(row[-1])


def definitions_of(reader: Reader, account_id: int, invoice_ids: Sequence[int]) -> dict[int, Any]:
    """The recurring definition each of these invoices is the template of (the first, when several
    name it), by invoice id; invoices that recur by no definition are left out."""
    if not invoice_ids:
        return {}
    found: dict[int, Any] = {}
    for recurring in reader.records(Recurring, f"recurrings.account_id = ? AND recurrings.invoice_id IN "
                                    f"({placeholders(invoice_ids)})", (account_id, *invoice_ids), "recurrings.id"):
        found.setdefault(recurring.invoice_id, recurring)
    return found
