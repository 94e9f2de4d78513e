"""Invoice numbering: patterns, periods and gapless allocation.

A pattern mixes literal text with tokens:
  nr-m  counter that restarts every month      nr-y  counter that restarts every year
  nr-d  counter that restarts every day        nr    counter that never restarts
  yyyy, yy, mm, m, dd  parts of the issue date
`nr-m/mm/yyyy` gives 1/01/2018 (the usual Polish default), `Pnr-m/mm/yyyy` gives P3/01/2018.
Each registered profile (core.registrations) brings its default pattern per document kind.

The counter row of (account, series, period) is bumped in the transaction that inserts the
invoice: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) makes writers
queue, and a rollback returns the number, so committed numbers have no gaps. On PostgreSQL the
lock lasts until the commit, so create takes the number last (allocate_into, after everything
else is written); see numbers_last and park below.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlalchemy import Table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, and_, or_, select

from core.errors import Invalid
from core.models import Account, Invoice, NumberCounter
from core.reader import Reader
from core.registrations import numbering_pattern
from core.storage import storage_of

_TOKEN = re.compile(r"nr-m|nr-y|nr-d|nr|yyyy|yy|mm|dd|m")
_COUNTERS = {"nr-m", "nr-y", "nr-d", "nr"}

@dataclass(frozen=True)
class Allocated:
    series: str
    period_key: str
    seq: int | None
    number: str


def counter_token(pattern: str) -> str:
    found = [t for t in _TOKEN.findall(pattern) if t in _COUNTERS]
    return found[0] if found else "nr"


# A create renders its number from the same (pattern, day) as the creates before it: period_key and _pieces
# are remembered per pair (they were 0.1 ms of every create: a regex scan and strftime for each date part).
_REMEMBERED = 1024


@functools.lru_cache(maxsize=_REMEMBERED)
def period_key(pattern: str, day: date) -> str:
    return _PERIOD_KEY[counter_token(pattern)](day)


_PERIOD_KEY: dict[str, Callable[[date], str]] = {
    "nr-m": lambda day: f"{day:%Y-%m}", "nr-y": lambda day: f"{day:%Y}", "nr-d": lambda day: f"{day:%Y-%m-%d}",
    "nr": lambda _day: ""}
_DATE_PART: dict[str, Callable[[date], str]] = {
    "yyyy": lambda day: f"{day:%Y}", "yy": lambda day: f"{day:%y}", "mm": lambda day: f"{day:%m}",
    "dd": lambda day: f"{day:%d}", "m": lambda day: str(day.month)}


def _date_part(token: str, day: date) -> str:
    return _DATE_PART[token](day)


def _with_counter(pattern: str) -> str:
    return pattern if any(t in _COUNTERS for t in _TOKEN.findall(pattern)) else pattern + "nr"


@functools.lru_cache(maxsize=_REMEMBERED)
def _pieces(pattern: str, day: date) -> tuple[str, ...]:
    """The number's text around its counter(s), date parts filled in: render joins them with the counter."""
    pieces: list[str] = []
    current, pos, pattern = "", 0, _with_counter(pattern)
    for m in _TOKEN.finditer(pattern):
        current += pattern[pos:m.start()]
        if m.group(0) in _COUNTERS:
            pieces.append(current)
            current = ""
        else:
            current += _date_part(m.group(0), day)
        pos = m.end()
    return (*pieces, current + pattern[pos:])


def render(pattern: str, seq: int, day: date) -> str:
    return str(seq).join(_pieces(pattern, day))


def parse_seq(pattern: str, number: str, day: date) -> int | None:
    """The counter inside an explicit number, when it follows the pattern for this period."""
    pattern = _with_counter(pattern)
    regex, pos, seen_counter = "", 0, False
    for m in _TOKEN.finditer(pattern):
        regex += re.escape(pattern[pos:m.start()])
        token = m.group(0)
        if token in _COUNTERS:
            regex += r"\d+" if seen_counter else r"(?P<seq>\d+)"
            seen_counter = True
        else:
            regex += re.escape(_date_part(token, day))
        pos = m.end()
    regex += re.escape(pattern[pos:])
    found = re.fullmatch(regex, number.strip())
    return int(found.group("seq")) if found else None


def _ensure_counter(session: Session, account_id: int, series: str, key: str) -> None:
    stmt = storage_of(session).insert(NumberCounter).values(account_id=account_id, series=series, period_key=key,
                                                            last_seq=0)
    session.execute(stmt.on_conflict_do_nothing())


def _where(account_id: int, series: str, key: str):  # type: ignore[no-untyped-def]
    return ((NumberCounter.account_id == account_id) & (NumberCounter.series == series)
            & (NumberCounter.period_key == key))


# Plain SQL prepared once per pattern shape (core.reader's placeholders): building these with SQLAlchemy's
# expression language on every create cost a tenth of its CPU.
_bump_sql: dict[int, str] = {}


# The counter's upsert: created at 1 or bumped, under its row lock (SQLite 3.35+, PostgreSQL). Both statements
# that take a number start with it (_bump_free, _bump_into).
_UPSERT_COUNTER = ("INSERT INTO number_counters (account_id, series, period_key, last_seq) VALUES (?, ?, ?, 1) "
                   "ON CONFLICT (account_id, series, period_key) "
                   "DO UPDATE SET last_seq = number_counters.last_seq + 1 ")


def _number_sql(pieces: int, counter: str) -> str:
    """The number the pattern renders from the counter expression: `pieces` literal parts around it."""
    return f" || CAST({counter} AS TEXT) || ".join("?" for _ in range(pieces))


def _bump_free(pieces: int) -> str:
    """Create or bump the counter and return it, with whether an invoice of the series already carries it (as
    its seq in the period, or as the number the pattern renders from it): one statement, which takes the
    counter's row lock (SQLite 3.35+ and PostgreSQL allow the subquery in RETURNING)."""
    found = _bump_sql.get(pieces)
    if found is None:
        found = _bump_sql[pieces] = (
            _UPSERT_COUNTER + "RETURNING last_seq, EXISTS (SELECT 1 FROM invoices WHERE invoices.account_id = ? "
            "AND invoices.series = ? AND (invoices.number = " + _number_sql(pieces, "number_counters.last_seq")
            + " OR (invoices.period_key = ? AND invoices.seq = number_counters.last_seq)))")
    return found


_taken_sql: dict[int, str] = {}


def _taken(pieces: int) -> str:
    """The counter's next value when an invoice of the series already carries it (as its seq in the period,
    or as the number the pattern renders from it, `pieces` literal parts around the counter), else no row."""
    found = _taken_sql.get(pieces)
    if found is None:
        number = _number_sql(pieces, "upcoming")
        found = _taken_sql[pieces] = (
            "SELECT upcoming FROM (SELECT COALESCE((SELECT last_seq FROM number_counters WHERE account_id = ? "
            "AND series = ? AND period_key = ?), 0) + 1 AS upcoming) AS following WHERE EXISTS (SELECT 1 FROM invoices "
            "WHERE invoices.account_id = ? AND invoices.series = ? AND (invoices.number = " + number
            + " OR (invoices.period_key = ? AND invoices.seq = upcoming)))")
    return found


def skip_taken(session: Session, account_id: int, series: str, pattern: str, day: date) -> None:
    """Move the counter past stored invoices that already carry the number it would give next, so the
    allocator never offers a taken number (one SELECT when it is free, the usual case). Explicit numbers
    move their period's counter themselves (reserve_explicit); this covers rows that did not: numbered
    before that rule, under another pattern, or written around the ledger."""
    key = period_key(pattern, day)
    pieces = _pieces(pattern, day)
    while True:
        with session.no_autoflush:
            taken = Reader(session.connection()).scalar(
                _taken(len(pieces)), (account_id, series, key, account_id, series, *pieces, key))
        if taken is None:
            return
        _ensure_counter(session, account_id, series, key)
        session.execute(update(NumberCounter).where(_where(account_id, series, key) & (NumberCounter.last_seq < taken))
                        .values(last_seq=taken))


def allocate(session: Session, account_id: int, series: str, pattern: str, day: date) -> Allocated:
    """The counter's next number that no stored invoice carries (skip_taken's rule, folded into the bump: one
    statement when it is free, the usual case; a taken one is stepped over, the counter moving past it)."""
    key = period_key(pattern, day)
    pieces = _pieces(pattern, day)
    reader = Reader(session.connection())
    while True:
        seq, taken = reader.execute(_bump_free(len(pieces)), (account_id, series, key, account_id, series, *pieces,
                                                              key)).fetchone()
        if not taken:
            return Allocated(series, key, int(seq), render(pattern, int(seq), day))


def allocate_into(session: Session, table: Table, row_id: int, account_id: int, series: str, pattern: str,
                  day: date) -> Allocated:
    """allocate(), and write the result into the row's series, period_key, seq and number columns, in one
    statement (PostgreSQL: an UPDATE fed by the upsert as a CTE). The counter's row lock is then held for
    this one round trip and the commit after it, not for a second statement and the Python between."""
    key = period_key(pattern, day)
    pieces = _pieces(pattern, day)
    found = Reader(session.connection()).execute(_bump_into(table.name, len(pieces)),
                                                 (account_id, series, key, series, key, *pieces, row_id)).fetchall()
    # Exactly one row: a data-modifying CTE runs even when the UPDATE matches nothing, which would leave a gap.
    if len(found) != 1:
        raise RuntimeError(f"numbering {table.name} {row_id} of account {account_id} matched {len(found)} rows")
    seq, number = found[0]
    return Allocated(series, key, int(seq), number)


_bump_into_sql: dict[tuple[str, int], str] = {}


def _bump_into(table: str, pieces: int) -> str:
    """allocate_into's statement, prepared once per table and pattern shape as _bump_free is: built with
    SQLAlchemy's expression language on every create, its statement and cache key were ~40 % of a PostgreSQL
    create's CPU in the gateway."""
    found = _bump_into_sql.get((table, pieces))
    if found is None:
        found = _bump_into_sql[(table, pieces)] = (
            f"WITH counter AS ({_UPSERT_COUNTER}RETURNING number_counters.last_seq, number_counters.account_id) "
            f"UPDATE {table} SET series = ?, period_key = ?, seq = counter.last_seq, "
            f"number = {_number_sql(pieces, 'counter.last_seq')} FROM counter "
            f"WHERE {table}.id = ? AND {table}.account_id = counter.account_id RETURNING {table}.seq, {table}.number")
    return found


_DATE_GROUP = {"yyyy": r"\d{4}", "yy": r"\d{2}", "mm": r"\d{2}", "m": r"\d{1,2}", "dd": r"\d{2}"}


def _period_day(pattern: str, number: str, day: date) -> tuple[date, int] | None:
    """The date an explicit number spells through the pattern's date parts (the rest from `day`) and its
    counter, when the number follows the pattern in any period: "3/09/2026" is September's, whatever the
    issue date."""
    pattern = _with_counter(pattern)
    regex, pos, seen = "", 0, set()
    for m in _TOKEN.finditer(pattern):
        regex += re.escape(pattern[pos:m.start()])
        token = m.group(0)
        name = "seq" if token in _COUNTERS else token
        regex += f"(?P={name})" if name in seen else f"(?P<{name}>{_DATE_GROUP.get(token, r'[0-9]+')})"
        seen.add(name)
        pos = m.end()
    found = re.fullmatch(regex + re.escape(pattern[pos:]), number.strip())
    if found is None:
        return None
    parts = found.groupdict()
    year = int(parts["yyyy"]) if parts.get("yyyy") else 2000 + int(parts["yy"]) if parts.get("yy") else day.year
    month = int(parts.get("mm") or parts.get("m") or day.month)
    try:
        return date(year, month, int(parts.get("dd") or 1)), int(parts["seq"])
    except ValueError:  # 13/13/2026 spells no date: not this pattern's number
        return None


def reserve_explicit(session: Session, account_id: int, series: str, pattern: str, day: date,
                     number: str, seq: int | None = None) -> Allocated:
    """An explicit number: keep it, and move the counter of the period it belongs to past its sequence,
    so the next automatic number of that period continues after the highest one ("+1 of highest", as
    one dialect documents it) and never meets it. The period is the one the number spells, which need
    not be the issue date's: otherwise no counter would move and the allocator would offer the number again."""
    key = period_key(pattern, day)
    parsed = parse_seq(pattern, number, day)
    if parsed is None:
        spelled = _period_day(pattern, number, day)
        if spelled is not None:
            key, parsed = period_key(pattern, spelled[0]), spelled[1]
    seq = seq if seq is not None else parsed
    if seq is not None:
        _ensure_counter(session, account_id, series, key)
        session.execute(update(NumberCounter).where(_where(account_id, series, key) & (NumberCounter.last_seq < seq))
                        .values(last_seq=seq))
    return Allocated(series, key, seq, number)


def pattern_for(settings: dict[str, Any], kind: str, profile: str) -> str:
    custom = (settings.get("numbering") or {}).get(kind)
    if custom:
        return str(custom)
    return numbering_pattern(profile, kind)


def peek(session: Session, account_id: int, series: str, pattern: str, day: date) -> Allocated:
    """The number the next invoice would get, without taking it (a dialect's "what number comes next" question)."""
    key = period_key(pattern, day)
    last = session.execute(select(NumberCounter.last_seq).where(_where(account_id, series, key))).scalar()
    seq = int(last or 0) + 1
    while _stored(session, account_id, series, key, seq, render(pattern, seq, day)):  # as skip_taken would
        seq += 1
    return Allocated(series, key, seq, render(pattern, seq, day))


def _stored(session: Session, account_id: int, series: str, key: str, seq: int, number: str) -> bool:
    return session.execute(select(Invoice.id).where(
        Invoice.account_id == account_id, Invoice.series == series,
        or_(Invoice.number == number,
            and_(Invoice.period_key == key, Invoice.seq == seq))).limit(1)).first() is not None


# -- The steps of numbering one invoice (create and update, core.handlers.invoices) --------------------

def series_of(invoice: Invoice) -> str:
    """Sales documents number per kind; cost documents keep the supplier's numbers, per supplier."""
    if invoice.income:
        return invoice.kind
    return f"cost:{invoice.client_id or invoice.seller_tax_no or invoice.seller_name}"


def assign_number(session: Session, account: Account, invoice: Invoice, explicit_seq: int | None) -> None:
    """Number an invoice in one go: updates, and creates where the number may come first (SQLite)."""
    pattern = prepare_number(session, account, invoice, explicit_seq)
    explicit = bool(invoice.number)
    got = take_number(session, account, invoice, invoice.series, pattern, explicit_seq)
    invoice.period_key, invoice.seq, invoice.number = got.period_key, got.seq, got.number
    if explicit and got.seq is not None:
        # A counter the client chose may sit on an invoice whose number reads differently (numbered under
        # another pattern): named here. An allocated counter is past every stored seq of its period; were
        # it not (rows written around the ledger), the unique index refuses it and the flush names it.
        with session.no_autoflush:  # flushing first would hit the unique index before this check names it
            clash = session.execute(select(Invoice.id).where(
                Invoice.account_id == invoice.account_id, Invoice.series == invoice.series,
                Invoice.period_key == invoice.period_key, Invoice.seq == got.seq, Invoice.id != invoice.id)).first()
        if clash is not None:
            raise Invalid.one("number", "taken", "has already been taken", value=invoice.number)


def prepare_number(session: Session, account: Account, invoice: Invoice, explicit_seq: int | None) -> str:
    """Everything about the number that needs no counter: the series, the pattern, a number the client
    gave (or rendered from the counter it gave) and whether that number is free. Returns the pattern."""
    invoice.series = series_of(invoice)
    pattern = pattern_for(account.settings or {}, invoice.kind, account.profile)
    if not invoice.number and explicit_seq is not None:
        invoice.number = render(pattern, explicit_seq, invoice.issue_date)
    if invoice.number:
        check_number_free(session, invoice)
    return pattern


def take_number(session: Session, account: Account, invoice: Invoice, series: str, pattern: str,
                 explicit_seq: int | None) -> Allocated:
    """Touch the counter: from here to the commit, other writers of this series wait (PostgreSQL row lock).
    Reads the invoice and changes nothing on it, so nothing is left for an autoflush to write."""
    if invoice.number:
        return reserve_explicit(session, account.id or 0, series, pattern, invoice.issue_date,
                                          invoice.number, explicit_seq)
    return allocate(session, account.id or 0, series, pattern, invoice.issue_date)


def numbers_last(session: Session) -> bool:
    """Whether create takes the number as its last statement before the commit: on PostgreSQL the counter
    row stays locked from the allocation to the commit, so the lock is best held for one UPDATE and the
    commit; SQLite lets one writer in at a time anyway (core.storage says why for each backend)."""
    return storage_of(session).numbers_last


def park(invoice: Invoice) -> str:
    """Give the new invoice a series of its own until number_parked numbers it; returns the real series.

    Real series are invoice kinds or "cost:...", never "~" + a token, and tokens are unique: the parked row
    can meet no other row in either unique index (its seq is NULL). No other transaction ever sees it,
    since it is numbered in the transaction that inserts it."""
    series = invoice.series
    invoice.series, invoice.period_key, invoice.seq = f"~{invoice.token}", "", None
    return series


def number_parked(session: Session, account: Account, invoice: Invoice, series: str, pattern: str,
                   explicit_seq: int | None) -> None:
    """Take the counter and number the parked invoice: the last statement(s) before the commit."""
    table = Invoice.__table__  # type: ignore[attr-defined]
    try:
        if invoice.number:  # the client's number: the counter moves past it, the row takes it as given
            got = take_number(session, account, invoice, series, pattern, explicit_seq)
            session.connection().execute(update(table).where(table.c.id == invoice.id).values(
                series=series, period_key=got.period_key, seq=got.seq, number=got.number))
        else:
            skip_taken(session, account.id or 0, series, pattern, invoice.issue_date)
            got = allocate_into(session, table, invoice.id or 0, account.id or 0, series, pattern,
                                          invoice.issue_date)
    except IntegrityError:
        # A unique index: the client's number or counter taken meanwhile, or a counter behind stored seqs.
        named = {"value": invoice.number} if invoice.number else {}  # an allocated number is not known here
        raise Invalid.one("number", "taken", "has already been taken", **named) from None
    plain = not isinstance(invoice, Invoice)  # a record of a plain write (core.storage.writes)
    for name, value in (("series", series), ("period_key", got.period_key), ("seq", got.seq),
                        ("number", got.number)):
        # Written by the statement above: recorded as the stored state, so the ORM has nothing to flush.
        if plain:
            setattr(invoice, name, value)
        else:
            set_committed_value(invoice, name, value)


def check_number_free(session: Session, invoice: Invoice) -> None:
    with session.no_autoflush:  # flushing first would hit the unique index before this check names it
        clash = session.execute(select(Invoice.id).where(
            Invoice.account_id == invoice.account_id, Invoice.series == invoice.series,
            Invoice.number == invoice.number, Invoice.id != invoice.id)).first()
    if clash is not None:
        raise Invalid.one("number", "taken", "has already been taken", value=invoice.number)
