"""Read side: filters, ordering and pages over invoices and the simple aggregates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, Numeric, Select, cast, func, literal_column, or_, select, text, union
from sqlmodel import Session, SQLModel

from core import numbering
from core.handlers.invoice_state import InvoiceView, account_of
from core.invoice_reads import invoices_by_id, views_of
from core.models import Invoice, InvoiceLine
from core.models.types import DecimalType
from core.reader import Reader

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    page: int = 1
    per_page: int = 25

    @property
    def offset(self) -> int:
        # Capped at the databases' largest integer: a page number past it is just an empty page.
        return min((max(self.page, 1) - 1) * self.per_page, 2**63 - 1)


@dataclass(frozen=True)
class InvoiceFilter:
    ids: tuple[int, ...] | None = None
    client_id: int | None = None
    number: str | None = None
    seq: int | None = None
    oid: str | None = None
    kinds: tuple[str, ...] | None = None
    income: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    date_field: str = "issue_date"
    search: str | None = None
    product_id: int | None = None
    status: tuple[str, ...] | None = None
    from_invoice_id: int | None = None
    exclude_statuses: tuple[str, ...] = ()
    after_id: int | None = None  # keyset cursor: only invoices with a greater id (the last id of a page)


# Sortable invoice columns by their core name; dialects map their own names onto these.
INVOICE_ORDER = frozenset({
    "id", "number", "seq", "issue_date", "sell_date", "payment_to", "paid_date", "updated_at", "created_at",
    "buyer_name", "buyer_tax_no", "seller_name", "oid", "status", "kind", "currency"})
MONEY_ORDER = frozenset({"price_net", "price_gross", "price_tax", "paid"})


def _order_column(name: str) -> Any:
    """Money is text on SQLite, so it is sorted as a number explicitly."""
    if name in MONEY_ORDER:
        return cast(getattr(Invoice, name), Numeric(24, 6))
    if name in INVOICE_ORDER:
        return getattr(Invoice, name)
    raise ValueError(f"cannot sort invoices by {name}")


def invoice_query(account_id: int, f: InvoiceFilter, *, fts: bool = False) -> Select[Any]:
    stmt = select(Invoice).where(Invoice.account_id == account_id)
    if f.ids is not None:
        stmt = stmt.where(Invoice.id.in_(f.ids))  # type: ignore[union-attr]
    if f.client_id is not None:
        stmt = stmt.where(Invoice.client_id == f.client_id)
    if f.number is not None:
        stmt = stmt.where(Invoice.number == f.number)
    if f.seq is not None:
        stmt = stmt.where(Invoice.seq == f.seq)
    if f.oid is not None:
        stmt = stmt.where(Invoice.oid == f.oid)
    if f.kinds:
        stmt = stmt.where(Invoice.kind.in_(f.kinds))  # type: ignore[attr-defined]
    if f.income is not None:
        stmt = stmt.where(Invoice.income.is_(f.income))  # type: ignore[attr-defined]
    if f.status:
        stmt = stmt.where(Invoice.status.in_(f.status))  # type: ignore[attr-defined]
    if f.exclude_statuses:
        stmt = stmt.where(Invoice.status.not_in(f.exclude_statuses))  # type: ignore[attr-defined]
    if f.from_invoice_id is not None:
        stmt = stmt.where(Invoice.from_invoice_id == f.from_invoice_id)
    column = getattr(Invoice, f.date_field)
    if f.date_from is not None:
        stmt = stmt.where(column >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(column <= f.date_to)
    if f.product_id is not None:
        stmt = stmt.where(Invoice.id.in_(select(InvoiceLine.invoice_id).where(  # type: ignore[union-attr]
            InvoiceLine.product_id == f.product_id)))
    if f.after_id is not None:
        stmt = stmt.where(Invoice.id > f.after_id)  # type: ignore[operator]
    if f.search:
        stmt = stmt.where(_search_clause(f.search, fts))
    return stmt


# Trigram FTS5 needs three characters; shorter needles scan with LIKE.
FTS_MIN_CHARS = 3
# From this offset on, a page is found by seeking: the boundary row's sort key is read from the index
# alone, then the page starts there (keyset), instead of SQLite materialising every skipped row.
SEEK_FROM_OFFSET = 2_000
SEEKABLE = frozenset({"id", "issue_date"})  # NOT NULL columns with an index that ends in id


def has_fts(db: Session | Reader) -> bool:
    """Whether migration 0002 could build the FTS5 tables here; remembered per DBAPI connection."""
    connection = connection_of(db)
    if connection.dialect.name != "sqlite":
        return False
    info = connection.info
    if "invoice_fts" not in info:
        info["invoice_fts"] = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('invoices_fts', 'invoice_lines_fts')").scalar() == 2
    return bool(info["invoice_fts"])


def connection_of(db: Session | Reader) -> Connection:
    """The SQLAlchemy Connection under an ORM session or a plain Reader: list queries run on it in
    Core (no ORM instances) and come back as records."""
    return db.connection if isinstance(db, Reader) else db.connection()


def _search_clause(text_: str, fts: bool) -> Any:
    """Case-insensitive substring in number, buyer name and tax no, description, oid or a line name."""
    if fts and len(text_.strip()) >= FTS_MIN_CHARS:
        phrase = '"' + text_.replace('"', '""') + '"'  # one trigram phrase: a substring, not FTS syntax
        in_header = text("SELECT rowid FROM invoices_fts WHERE invoices_fts MATCH :phrase")
        in_lines = text("SELECT invoice_lines.invoice_id FROM invoice_lines_fts JOIN invoice_lines "
                        "ON invoice_lines.id = invoice_lines_fts.rowid WHERE invoice_lines_fts MATCH :phrase")
        matches = union(in_header.columns(literal_column("rowid")),
                        in_lines.columns(literal_column("invoice_id"))).params(phrase=phrase)
        return Invoice.id.in_(matches)  # type: ignore[union-attr]
    needle = f"%{text_.lower()}%"
    in_lines = select(InvoiceLine.invoice_id).where(func.lower(InvoiceLine.name).like(needle))
    return or_(func.lower(Invoice.number).like(needle), func.lower(Invoice.buyer_name).like(needle),
               func.lower(Invoice.buyer_tax_no).like(needle), func.lower(Invoice.description).like(needle),
               func.lower(Invoice.oid).like(needle), Invoice.id.in_(in_lines))  # type: ignore[union-attr]


def _seek(connection: Connection, stmt: Select[Any], name: str, desc: bool, offset: int) -> Select[Any] | None:
    """The page at a deep offset as a keyset query: (key, id) of its first row, read through the index
    only, then everything from there on in the same order. None when the offset is past the end."""
    column = getattr(Invoice, name)
    keys = [column, Invoice.id] if name != "id" else [Invoice.id]
    ordered = [k.desc() if desc else k.asc() for k in keys]
    boundary = connection.execute(stmt.with_only_columns(*keys).order_by(None).order_by(*ordered)
                               .offset(offset).limit(1)).first()
    if boundary is None:
        return None
    if name == "id":
        return stmt.where(Invoice.id <= boundary[0] if desc else Invoice.id >= boundary[0])  # type: ignore[operator]
    value, row_id = boundary
    if desc:
        return stmt.where((column < value) | ((column == value) & (Invoice.id <= row_id)))  # type: ignore[operator]
    return stmt.where((column > value) | ((column == value) & (Invoice.id >= row_id)))  # type: ignore[operator]


def list_invoices(db: Session | Reader, account_id: int, f: InvoiceFilter, page: Page,
                  order: Sequence[tuple[str, bool]] = (("id", False),), *, with_lines: bool = False) -> list[InvoiceView]:
    """A page of invoice views, as read-only records (core.reader)."""
    return _page(db, invoice_query(account_id, f, fts=bool(f.search) and has_fts(db)), page, order, with_lines)


def page_with_total(db: Session | Reader, account_id: int, f: InvoiceFilter, page: Page,
                    order: Sequence[tuple[str, bool]] = (("id", False),), *, with_lines: bool = False
                    ) -> tuple[list[InvoiceView], int]:
    """list_invoices and count_invoices over one built query (building it is a good part of the cost)."""
    stmt = invoice_query(account_id, f, fts=bool(f.search) and has_fts(db))
    return _page(db, stmt, page, order, with_lines), _count(db, stmt, account_id, f)


def _page(db: Session | Reader, stmt: Select[Any], page: Page, order: Sequence[tuple[str, bool]],
          with_lines: bool) -> list[InvoiceView]:
    connection = connection_of(db)
    offset = page.offset
    # Ties on the first sort key are broken by id in the same direction, so a seek is exact.
    if offset >= SEEK_FROM_OFFSET and len(order) == 1 and order[0][0] in SEEKABLE:
        sought = _seek(connection, stmt, order[0][0], order[0][1], offset)
        if sought is None:
            return []
        stmt, offset = sought, 0
    for name, desc in order:
        column = _order_column(name)
        stmt = stmt.order_by(column.desc() if desc else column.asc())
    stmt = stmt.order_by(Invoice.id.desc() if order and order[0][1] else Invoice.id.asc())  # type: ignore[union-attr]
    stmt = stmt.offset(offset).limit(page.per_page)
    reader = db if isinstance(db, Reader) else Reader(connection)
    # The page's ids through SQLAlchemy (filters and order are built there), its rows in plain SQL:
    # converting ~100 columns per invoice was most of a list's cost through SQLAlchemy's processors.
    ids = [row[0] for row in connection.execute(stmt.with_only_columns(Invoice.id))]
    return views_of(reader, invoices_by_id(reader, ids), with_lines=with_lines)


def count_invoices(db: Session | Reader, account_id: int, f: InvoiceFilter) -> int:
    """count(*) over the filtered invoices directly: a derived table around it costs SQLite a copy."""
    return _count(db, invoice_query(account_id, f, fts=bool(f.search) and has_fts(db)), account_id, f)


_UNFILTERED = InvoiceFilter()


def _count(db: Session | Reader, stmt: Select[Any], account_id: int, f: InvoiceFilter) -> int:
    """The whole account's count from SQLite's maintained invoice_counts (migration 0005), else count(*)."""
    connection = connection_of(db)
    if f == _UNFILTERED and has_invoice_counts(connection):
        counted = connection.exec_driver_sql("SELECT invoices FROM invoice_counts WHERE account_id = ?",
                                             (account_id,)).scalar()
        return int(counted or 0)
    return int(connection.execute(stmt.with_only_columns(func.count()).order_by(None)).scalar_one())


def has_invoice_counts(connection: Connection) -> bool:
    """Whether migration 0005 made invoice_counts here (SQLite only); remembered per DBAPI connection."""
    if connection.dialect.name != "sqlite":
        return False
    info = connection.info
    if "invoice_counts" not in info:
        info["invoice_counts"] = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'invoice_counts'").scalar() == 1
    return bool(info["invoice_counts"])


@dataclass(frozen=True)
class RecordFilter:
    equals: Mapping[str, Any] = field(default_factory=dict)
    like: Mapping[str, str] = field(default_factory=dict)  # column -> SQL LIKE pattern, case-insensitive
    search: tuple[tuple[str, ...], str] | None = None  # (columns, text): text in any of them


def record_query(model: type[SQLModel], account_id: int, f: RecordFilter) -> Select[Any]:
    stmt = select(model).where(model.account_id == account_id)  # type: ignore[attr-defined]
    for name, value in f.equals.items():
        stmt = stmt.where(getattr(model, name) == value)
    for name, pattern in f.like.items():
        stmt = stmt.where(func.lower(getattr(model, name)).like(pattern.lower()))
    if f.search:
        columns, text = f.search
        needle = f"%{text.lower()}%"
        stmt = stmt.where(or_(*(func.lower(getattr(model, c)).like(needle) for c in columns)))
    return stmt


def list_records(session: Session, model: type[SQLModel], account_id: int, f: RecordFilter, page: Page,
                 order: Sequence[tuple[str, bool]] = (("id", False),)) -> list[Any]:
    stmt = record_query(model, account_id, f)
    for name, desc in order:
        column = getattr(model, name)
        if isinstance(column.type, DecimalType):  # money is text on SQLite: sort it as a number
            column = cast(column, Numeric(24, 6))
        stmt = stmt.order_by(column.desc() if desc else column.asc())
    stmt = stmt.order_by(model.id.asc())  # type: ignore[attr-defined]
    return list(session.execute(stmt.offset(page.offset).limit(page.per_page)).scalars())


def count_records(session: Session, model: type[SQLModel], account_id: int, f: RecordFilter) -> int:
    sub = record_query(model, account_id, f).subquery()
    return int(session.execute(select(func.count()).select_from(sub)).scalar_one())


def next_number(session: Session, account_id: int, kind: str, day: date) -> tuple[str, int]:
    """(number, counter) the next sales document of this kind and date would get."""
    account = account_of(session, account_id)
    pattern = numbering.pattern_for(account.settings or {}, kind, account.profile)
    got = numbering.peek(session, account_id, kind, pattern, day)
    return got.number, got.seq or 0
