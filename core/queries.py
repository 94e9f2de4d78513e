"""Read side: filters, ordering and pages over invoices and the simple aggregates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import Numeric, Select, cast, func
from sqlmodel import Session, SQLModel, or_, select

from core import numbering
from core.handlers.invoice_state import InvoiceView, account_of
from core.invoice_reads import (
    PageKey,
    key_columns,
    keys_by_id,
    page_columns,
    page_width,
    version_column,
    views_by_id,
    views_of_rows,
)
from core.models.types import DecimalType
from core.reader import MAX_STATEMENTS_PER_SHAPE, Reader, placeholders
from core.storage import like_case_sensitive

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
    category_id: int | None = None
    warehouse_id: int | None = None


# Sortable invoice columns by their core name; dialects map their own names onto these.
INVOICE_ORDER = frozenset({
    "id", "number", "seq", "issue_date", "sell_date", "payment_to", "paid_date", "updated_at", "created_at",
    "buyer_name", "buyer_tax_no", "seller_name", "oid", "status", "kind", "currency"})
MONEY_ORDER = frozenset({"price_net", "price_gross", "price_tax", "paid"})


# Filter fields as plain SQL over the invoices table. Lists are the hottest read after a get, and
# building a SQLAlchemy statement per request, deriving its cache key and compiling it cost ~0.25 ms,
# more than running it. `?` placeholders; core.reader adapts them to the database.
# filter field = invoices column
_EQUALS = ("client_id", "number", "seq", "oid", "from_invoice_id", "category_id", "warehouse_id")
DATE_FIELDS = frozenset({"issue_date", "sell_date", "payment_to", "paid_date"})  # Date columns


# The full-text index's rowid is account id << 40 | invoice id (migration 0014): an account's documents
# are one rowid range, which FTS5 seeks to itself, in invoice id order.
FTS_ACCOUNT_SHIFT = 40


@dataclass(frozen=True)
class FullText:
    """A search the SQLite full-text index answers (migration 0014): its MATCH expression, the account's
    first rowid, and the rest of the filter (`rest.sql` is just the account when nothing else filters)."""
    match: str
    first: int
    rest: "Where"


@dataclass(frozen=True)
class Where:
    """A WHERE clause over `invoices` and its parameters."""
    sql: str
    params: tuple[Any, ...]
    dates: tuple[Any, Any] | None = None  # the issue_date range filtered on, if any (see _page)
    full_text: FullText | None = None  # set while `sql` is exactly its rest AND its match

    def and_(self, sql: str, *params: Any) -> "Where":
        return Where(f"{self.sql} AND {sql}", (*self.params, *params), self.dates)


_IN_ACCOUNT = "invoices.account_id = ?"


def invoice_where(account_id: int, f: InvoiceFilter, *, fts: bool = False) -> Where:
    clauses, params = [_IN_ACCOUNT], list[Any]([account_id])

    def any_of(column: str, values: Sequence[Any], negate: bool = False) -> None:
        clauses.append(f"invoices.{column} {'NOT IN' if negate else 'IN'} ({placeholders(values)})")
        params.extend(values)

    if f.ids is not None:
        if f.ids:
            any_of("id", f.ids)
        else:
            clauses.append("1 = 0")  # no ids given: nothing matches
    for column in _EQUALS:
        value = getattr(f, column)
        if value is not None:
            clauses.append(f"invoices.{column} = ?")
            params.append(value)
    if f.kinds:
        any_of("kind", f.kinds)
    if f.income is not None:
        clauses.append("invoices.income = ?")
        params.append(f.income)
    if f.status:
        any_of("status", f.status)
    if f.exclude_statuses:
        any_of("status", f.exclude_statuses, negate=True)
    if f.date_field not in DATE_FIELDS:
        raise ValueError(f"cannot filter invoices by {f.date_field}")
    if f.date_from is not None:
        clauses.append(f"invoices.{f.date_field} >= ?")
        params.append(f.date_from)
    if f.date_to is not None:
        clauses.append(f"invoices.{f.date_field} <= ?")
        params.append(f.date_to)
    if f.product_id is not None:
        clauses.append(_PRODUCT_LINES)
        params.extend((f.product_id, f.product_id, account_id))
    if f.after_id is not None:
        clauses.append("invoices.id > ?")
        params.append(f.after_id)
    dated = f.date_field == "issue_date" and (f.date_from is not None or f.date_to is not None)
    dates = (f.date_from, f.date_to) if dated else None
    if f.search and fts and _indexed(f.search):
        search = FullText(_match(f.search), account_id << FTS_ACCOUNT_SHIFT,
                          Where(" AND ".join(clauses), tuple(params), dates))
        matches, match_params = _matches(search, rest=False)
        return Where(f"{search.rest.sql} AND invoices.id IN (SELECT invoices_fts.rowid - ? FROM {matches})",
                     (*search.rest.params, search.first, *match_params), dates, search)
    if f.search:
        clauses.append(_like_clause(f.search))
        params.extend([f"%{f.search.lower()}%"] * (len(_SEARCHED) + 1))
    return Where(" AND ".join(clauses), tuple(params), dates)


# Lines of a catalogue product: those linked to it by id, and unlinked lines that carry its name (some
# wire formats name a line's product instead of linking it, and lines are often typed by hand). Names compare
# case-insensitively and trimmed; a line linked to another product is that product's, whatever its name.
_PRODUCT_LINES = (
    "invoices.id IN (SELECT invoice_lines.invoice_id FROM invoice_lines WHERE invoice_lines.product_id = ? "
    "UNION SELECT invoice_lines.invoice_id FROM invoice_lines JOIN products ON products.id = ? "
    "AND products.account_id = invoice_lines.account_id WHERE invoice_lines.account_id = ? "
    "AND invoice_lines.product_id IS NULL AND trim(products.name) <> '' "
    "AND lower(trim(invoice_lines.name)) = lower(trim(products.name)))")

# Trigram FTS5 needs three characters; shorter needles scan with LIKE.
FTS_MIN_CHARS = 3
# From this offset on, a page is found by seeking: the boundary row's sort key is read from the index
# alone, then the page starts there (keyset), instead of SQLite materialising every skipped row.
SEEK_FROM_OFFSET = 2_000
SEEKABLE = frozenset({"id", "issue_date"})  # NOT NULL columns with an index that ends in id
_SEARCHED = ("number", "buyer_name", "buyer_tax_no", "description", "oid")


# A search means: a case-insensitive substring of number, buyer name and tax no, description, oid or a
# line name. Indexed, an invoice's line names are one column joined by newlines (migration 0014), so a
# needle with a newline in it is searched with LIKE and a trigram match never spans two lines.
def _indexed(text_: str) -> bool:
    return len(text_.strip()) >= FTS_MIN_CHARS and "\x00" not in text_ and "\n" not in text_  # FTS5 stops at NUL


def _match(text_: str) -> str:
    """The needle as one trigram phrase: a substring, not FTS syntax."""
    return '"' + text_.replace('"', '""') + '"'


def _like_clause(text_: str) -> str:
    header = " OR ".join(f"lower(invoices.{column}) LIKE ?" for column in _SEARCHED)
    return (f"({header} OR invoices.id IN (SELECT invoice_lines.invoice_id FROM invoice_lines "
            "WHERE lower(invoice_lines.name) LIKE ?))")


def has_fts(db: Session | Reader) -> bool:
    """Whether migration 0014 could build the FTS5 table here (SQLite built with FTS5)."""
    return _reader(db).has_tables("invoices_fts")


def _reader(db: Session | Reader) -> Reader:
    return db if isinstance(db, Reader) else Reader(db.connection())


def _order_sql(name: str, desc: bool) -> str:
    """Money is text on SQLite, so it is sorted as a number explicitly."""
    if name in MONEY_ORDER:
        column = f"CAST(invoices.{name} AS NUMERIC(24, 6))"
    elif name in INVOICE_ORDER:
        column = f"invoices.{name}"
    else:
        raise ValueError(f"cannot sort invoices by {name}")
    return f"{column} {'DESC' if desc else 'ASC'}"


def _seek(reader: Reader, where: Where, name: str, desc: bool, offset: int) -> Where | None:
    """The page at a deep offset as a keyset query: (key, id) of its first row, read through the index
    only, then everything from there on in the same order. None when the offset is past the end."""
    keys = [f"invoices.{name}", "invoices.id"] if name != "id" else ["invoices.id"]
    direction = "DESC" if desc else "ASC"
    boundary = reader.execute(f"SELECT {', '.join(keys)} FROM invoices WHERE {where.sql} ORDER BY "
                              f"{', '.join(f'{k} {direction}' for k in keys)} LIMIT 1 OFFSET ?",
                              (*where.params, offset)).fetchone()
    if boundary is None:
        return None
    if name == "id":
        return where.and_(f"invoices.id {'<=' if desc else '>='} ?", boundary[0])
    value, row_id = boundary
    beyond, until = ("<", "<=") if desc else (">", ">=")
    return where.and_(f"(invoices.{name} {beyond} ? OR (invoices.{name} = ? AND invoices.id {until} ?))",
                      value, value, row_id)


class _Read:
    """What a page reads of each invoice: its view (lines when asked; `ksef` as in list_invoices), or only its
    key (PageKeys), or its view with its version (`versions`, filled by id). One page statement and one by-ids
    read serve all three."""

    def __init__(self, with_lines: bool = False, ksef: set[int] | None = None, keys: bool = False,
                 versions: dict[int, int] | None = None) -> None:
        self.with_lines, self.ksef, self.keys, self.versions = with_lines, ksef, keys, versions

    def columns(self, reader: Reader) -> str:
        if self.keys:
            return key_columns(reader)
        columns = page_columns(reader, self.ksef is not None)
        return columns if self.versions is None else f"{columns}, {version_column(reader)}"

    def of_rows(self, reader: Reader, rows: Sequence[Sequence[Any]]) -> list[Any]:
        if self.keys:
            return [PageKey.of(row) for row in rows]
        views = views_of_rows(reader, rows, with_lines=self.with_lines, ksef=self.ksef)
        if self.versions is not None:  # the version follows page_columns' own
            at = page_width(reader, self.ksef is not None)
            self.versions.update((row[0], row[at]) for row in rows)  # the first of an invoice's columns is its id
        return views

    def of_ids(self, reader: Reader, ids: list[int]) -> list[Any]:
        if self.keys:
            return keys_by_id(reader, ids)
        if self.versions is not None:
            self.versions.update((key.id, key.version) for key in keys_by_id(reader, ids))
        return views_by_id(reader, ids, with_lines=self.with_lines, ksef=self.ksef)


def list_invoices(db: Session | Reader, account_id: int, f: InvoiceFilter, page: Page,
                  order: Sequence[tuple[str, bool]] = (("id", False),), *,
                  with_lines: bool = False, ksef: set[int] | None = None) -> list[InvoiceView]:
    """A page of invoice views, as read-only records (core.reader). `ksef`: filled with the ids of the page's
    invoices that have a KSeF document (core.invoice_reads.page_views), in the page's own statement."""
    return _page(_reader(db), invoice_where(account_id, f, fts=bool(f.search) and has_fts(db)), page, order,
                 _Read(with_lines, ksef))[0]


def page_with_total(db: Session | Reader, account_id: int, f: InvoiceFilter, page: Page,
                    order: Sequence[tuple[str, bool]] = (("id", False),), *, with_lines: bool = False,
                    ksef: set[int] | None = None) -> tuple[list[InvoiceView], int]:
    """list_invoices and count_invoices in one go (one filter built, one reader)."""
    return _with_total(_reader(db), account_id, f, page, order, _Read(with_lines, ksef))


def page_keys(reader: Reader, account_id: int, f: InvoiceFilter, page: Page,
              order: Sequence[tuple[str, bool]] = (("id", False),), *, with_total: bool = True
              ) -> tuple[list[PageKey], int | None]:
    """page_with_total's page as keys (id, version, whether it has a KSeF document), not views: what a caller
    that keeps presented invoices per version (core.invoice_versions) needs to know which to read. The total
    only when asked (None otherwise): counting a long date range costs more than the page."""
    read = _Read(keys=True)
    if with_total:
        return _with_total(reader, account_id, f, page, order, read)
    where = invoice_where(account_id, f, fts=bool(f.search) and has_fts(reader))
    return _page(reader, where, page, order, read)[0], None


def page_with_versions(reader: Reader, account_id: int, f: InvoiceFilter, page: Page,
                       order: Sequence[tuple[str, bool]], *, with_lines: bool, with_total: bool, ksef: set[int],
                       versions: dict[int, int]) -> tuple[list[InvoiceView], int | None]:
    """page_with_total (the total only when asked), each invoice's version read along into `versions`: one
    statement for a page whose invoices are presented afresh anyway (dialects.kit.kept)."""
    read = _Read(with_lines, ksef, versions=versions)
    if with_total:
        return _with_total(reader, account_id, f, page, order, read)
    where = invoice_where(account_id, f, fts=bool(f.search) and has_fts(reader))
    return _page(reader, where, page, order, read)[0], None


def _with_total(reader: Reader, account_id: int, f: InvoiceFilter, page: Page, order: Sequence[tuple[str, bool]],
                read: _Read) -> tuple[list[Any], int]:
    where = invoice_where(account_id, f, fts=bool(f.search) and has_fts(reader))
    if f.search and where.full_text is None:
        # LIKE over every row is the costly part of the query, and the page and the count would each
        # run it: run it once for every matching id, in order, and slice.
        ids = _ordered_ids(reader, where, order, None, 0)
        return read.of_ids(reader, ids[page.offset:page.offset + page.per_page]), len(ids)
    count = _count_sql(reader, where, account_id, f)
    found, total = _page(reader, where, page, order, read, count)
    if total is None:  # an empty page, or one the page statement did not read (a search in the index's order)
        total = reader.scalar(*count)
    return found, int(total or 0)


def _page(reader: Reader, where: Where, page: Page, order: Sequence[tuple[str, bool]], read: _Read,
          count: tuple[str, tuple[Any, ...]] | None = None) -> tuple[list[Any], Any]:
    """The page (as `read` reads it), and the value of `count` (SQL and its parameters: the total) when the page
    statement read it along (one statement less per page), else None."""
    offset = page.offset
    if where.full_text is not None and _by_id(order):  # the full-text index walks its matches in id order itself
        return read.of_ids(reader, _ordered_ids(reader, where, order, page.per_page, offset)), None
    # Ties on the first sort key are broken by id in the same direction, so a seek is exact.
    if offset >= SEEK_FROM_OFFSET and len(order) == 1 and order[0][0] in SEEKABLE:
        sought = _seek(reader, where, order[0][0], order[0][1], offset)
        if sought is None:
            return [], None
        where, offset = sought, 0
    elif list(order) == [("id", False)] and reader.storage.narrow_dated_pages and where.dates is not None:
        where = _from_first_dated_id(where)
    # The page's ids (sorted through the index alone) and their rows in one statement.
    count_sql, count_params = count or (None, ())
    rows = reader.execute(_page_sql(reader, where.sql, tuple(order), read.columns(reader), count_sql),
                          (*count_params, *where.params, page.per_page, offset)).fetchall()
    total = rows[0][-1] if count_sql is not None and rows else None
    return read.of_rows(reader, rows), total


_page_statements: dict[tuple[str, str, tuple[tuple[str, bool], ...], str, str | None], str] = {}


def _page_sql(reader: Reader, where: str, order: tuple[tuple[str, bool], ...], columns: str,
              count: str | None) -> str:
    """Built once per filter shape, order and columns asked (bounded, as core.reader bounds its statements).
    `count`: a statement of one value read along as the last column (a scalar subquery: run once, not per row)."""
    key = (reader.storage.backend, where, order, columns, count)
    found = _page_statements.get(key)
    if found is None:
        if len(_page_statements) >= MAX_STATEMENTS_PER_SHAPE:
            _page_statements.clear()
        terms, total = _order_terms(order), f", ({count})" if count else ""
        found = _page_statements[key] = (
            f"SELECT {columns}{total} FROM invoices WHERE invoices.id IN (SELECT invoices.id "
            f"FROM invoices WHERE {where} ORDER BY {terms} LIMIT ? OFFSET ?) ORDER BY {terms}")
    return found


def _order_terms(order: Sequence[tuple[str, bool]]) -> str:
    """ORDER BY of a page: ties on the sort keys broken by id, in the first key's direction."""
    terms = [_order_sql(name, desc) for name, desc in order]
    terms.append(f"invoices.id {'DESC' if order and order[0][1] else 'ASC'}")
    return ", ".join(terms)


def _ordered_ids(reader: Reader, where: Where, order: Sequence[tuple[str, bool]], limit: int | None,
                 offset: int) -> list[int]:
    """The ids first, then (in _Read.of_ids) their rows: the sort reads only the index, not ~100 columns per row."""
    if where.full_text is not None and _by_id(order):
        # The index's own rowid order is the answer's: a page stops at its last row, no match is sorted.
        matches, params = _matches(where.full_text)
        sql = (f"SELECT invoices_fts.rowid - ? FROM {matches} "
               f"ORDER BY invoices_fts.rowid {'DESC' if order[0][1] else 'ASC'}")
        params = (where.full_text.first, *params)
    else:
        sql, params = f"SELECT invoices.id FROM invoices WHERE {where.sql} ORDER BY {_order_terms(order)}", where.params
    if limit is None:
        return [row[0] for row in reader.execute(sql, params).fetchall()]
    return [row[0] for row in reader.execute(f"{sql} LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()]


def _by_id(order: Sequence[tuple[str, bool]]) -> bool:
    return len(order) == 1 and order[0][0] == "id"


def _matches(search: FullText, *, rest: bool = True) -> tuple[str, tuple[Any, ...]]:
    """FROM and WHERE of a search's matching documents in the account's rowid range, in invoice id order.
    A search alone needs no invoice row; other filters (`rest`) are checked on each match's row on the way."""
    in_account = (search.match, search.first, search.first + (1 << FTS_ACCOUNT_SHIFT))
    if not rest or search.rest.sql == _IN_ACCOUNT:
        return "invoices_fts WHERE invoices_fts MATCH ? AND invoices_fts.rowid >= ? AND invoices_fts.rowid < ?", \
            in_account
    # CROSS JOIN keeps the index outermost, so its order is the answer's.
    return ("invoices_fts CROSS JOIN invoices ON invoices.id = invoices_fts.rowid - ? WHERE invoices_fts MATCH ? "
            f"AND invoices_fts.rowid >= ? AND invoices_fts.rowid < ? AND {search.rest.sql}",
            (search.first, *in_account, *search.rest.params))


# SQLite answers "a date range, oldest id first" either by sorting every invoice in the range or by
# walking ids from the account's first and skipping those out of range; at a million invoices the
# default last-12-months list took 0.3-0.8 s either way. The first id in the range is found instead
# by a skip-scan of (account_id, issue_date, id): one index seek per distinct issue date (a year is
# ~365 seeks, about a millisecond), and the page then walks ids from there.
_FIRST_DATED_ID = (
    "WITH RECURSIVE days(day) AS ("
    " SELECT (SELECT min(issue_date) FROM invoices WHERE account_id = ? AND issue_date >= ? AND issue_date <= ?)"
    " UNION ALL SELECT (SELECT min(issue_date) FROM invoices WHERE account_id = ? AND issue_date > days.day"
    " AND issue_date <= ?) FROM days WHERE days.day IS NOT NULL) "
    "SELECT min((SELECT min(id) FROM invoices WHERE account_id = ? AND issue_date = days.day)) "
    "FROM days WHERE days.day IS NOT NULL")
_NO_DATE, _LAST_DATE = "0000-01-01", "9999-12-31"


def _from_first_dated_id(where: Where) -> Where:
    """`where` narrowed to ids from the first one dated in its issue_date range (a lower bound: every
    invoice the page can hold is in that range, so none is lost; other filters only narrow further).
    The first id is a scalar subquery of the page's own statement, run once (it is not correlated): SQLite
    still walks the rowid range from it, and a page costs one statement, not two. An empty range's
    subquery is NULL, and `id >= NULL` matches nothing."""
    assert where.dates is not None
    account_id, (start, end) = where.params[0], where.dates
    low, high = (start or _NO_DATE), (end or _LAST_DATE)
    return where.and_(f"invoices.id >= ({_FIRST_DATED_ID})", account_id, low, high, account_id, high, account_id)


def count_invoices(db: Session | Reader, account_id: int, f: InvoiceFilter) -> int:
    return _count(_reader(db), invoice_where(account_id, f, fts=bool(f.search) and has_fts(db)), account_id, f)


_UNFILTERED = InvoiceFilter()


def _count(reader: Reader, where: Where, account_id: int, f: InvoiceFilter) -> int:
    return int(reader.scalar(*_count_sql(reader, where, account_id, f)) or 0)


def _count_sql(reader: Reader, where: Where, account_id: int, f: InvoiceFilter) -> tuple[str, tuple[Any, ...]]:
    """The whole account's count from SQLite's maintained invoice_counts (migration 0005), else count(*)
    over the filtered invoices directly (a derived table around it costs SQLite a copy). A search alone
    is counted by the full-text index itself, in the account's rowid range: no invoice row is read.
    One value, or no row (an account invoice_counts has not met: 0)."""
    if f == _UNFILTERED and reader.has_tables("invoice_counts"):
        return "SELECT invoices FROM invoice_counts WHERE account_id = ?", (account_id,)
    if where.full_text is not None:
        matches, params = _matches(where.full_text)
        return f"SELECT count(*) FROM {matches}", params
    return f"SELECT count(*) FROM invoices WHERE {where.sql}", where.params


@dataclass(frozen=True)
class RecordFilter:
    equals: Mapping[str, Any] = field(default_factory=dict)
    like: Mapping[str, str] = field(default_factory=dict)  # column -> % and _ pattern, case-insensitive
    like_case: Mapping[str, str] = field(default_factory=dict)  # column -> % and _ pattern, case-sensitive
    search: tuple[tuple[str, ...], str] | None = None  # (columns, text): text in any of them


# Patterns are matched by the database, never by a backtracking regex: SQLite's LIKE and GLOB and
# PostgreSQL's LIKE give up on a failed "%" at once, so "%a%a%a…%b" costs linear time, not exponential.
_LIKE_ESCAPE = "\\"


def _like_pattern(pattern: str) -> str:
    """A % and _ pattern whose other characters are all literal (PostgreSQL reads a backslash as an escape)."""
    return pattern.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)


def _glob_pattern(pattern: str) -> str:
    """The same pattern for SQLite's GLOB (case-sensitive): % is *, _ is ?, and GLOB's own *?[ are literal."""
    special = {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}
    return "".join(special.get(c, c) for c in pattern)


def record_query(model: type[SQLModel], account_id: int, f: RecordFilter) -> Select[Any]:
    stmt = select(model).where(model.account_id == account_id)  # type: ignore[attr-defined]
    for name, value in f.equals.items():
        stmt = stmt.where(getattr(model, name) == value)
    for name, pattern in f.like.items():
        stmt = stmt.where(func.lower(getattr(model, name)).like(_like_pattern(pattern.lower()), escape=_LIKE_ESCAPE))
    for name, pattern in f.like_case.items():
        stmt = stmt.where(like_case_sensitive(getattr(model, name), _like_pattern(pattern), _glob_pattern(pattern)))
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
