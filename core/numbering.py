"""Invoice numbering: patterns, periods and gapless allocation.

A pattern mixes literal text with tokens:
  nr-m  counter that restarts every month      nr-y  counter that restarts every year
  nr-d  counter that restarts every day        nr    counter that never restarts
  yyyy, yy, mm, m, dd  parts of the issue date
`nr-m/mm/yyyy` gives 1/01/2018 (the InvoiceOcean default), `Pnr-m/mm/yyyy` gives P3/01/2018.

The counter row of (account, series, period) is bumped in the transaction that inserts the
invoice: the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) makes writers
queue, and a rollback returns the number, so committed numbers have no gaps. On PostgreSQL the
lock lasts until the commit, so create takes the number last (allocate_into, after everything
else is written); see core.handlers.invoices._numbers_last.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Insert, String, Table, and_, cast, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.models import Invoice, NumberCounter

_TOKEN = re.compile(r"nr-m|nr-y|nr-d|nr|yyyy|yy|mm|dd|m")
_COUNTERS = {"nr-m", "nr-y", "nr-d", "nr"}

# Default patterns per document kind; accounts may override them in settings["numbering"].
INVOICEOCEAN_PATTERNS: dict[str, str] = {
    "vat": "nr-m/mm/yyyy", "proforma": "Pnr-m/mm/yyyy", "correction": "Knr-m/mm/yyyy",
    "receipt": "PARnr-m/mm/yyyy", "bill": "Rnr-m/mm/yyyy", "advance": "ZALnr-m/mm/yyyy",
    "final": "KONnr-m/mm/yyyy", "estimate": "Enr-m/mm/yyyy", "kp": "KPnr-m/mm/yyyy",
    "kw": "KWnr-m/mm/yyyy", "cost": "nr-m/mm/yyyy",
}
FAKTURAN_PATTERNS: dict[str, str] = {"vat": "nr", "correction": "Knr", "proforma": "Pnr"}


@dataclass(frozen=True)
class Allocated:
    series: str
    period_key: str
    seq: int | None
    number: str


def counter_token(pattern: str) -> str:
    found = [t for t in _TOKEN.findall(pattern) if t in _COUNTERS]
    return found[0] if found else "nr"


def period_key(pattern: str, day: date) -> str:
    return {"nr-m": f"{day:%Y-%m}", "nr-y": f"{day:%Y}", "nr-d": f"{day:%Y-%m-%d}", "nr": ""}[
        counter_token(pattern)]


def _date_part(token: str, day: date) -> str:
    return {"yyyy": f"{day:%Y}", "yy": f"{day:%y}", "mm": f"{day:%m}", "dd": f"{day:%d}", "m": str(day.month)}[token]


def _with_counter(pattern: str) -> str:
    return pattern if any(t in _COUNTERS for t in _TOKEN.findall(pattern)) else pattern + "nr"


def _pieces(pattern: str, day: date) -> list[str]:
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
    return [*pieces, current + pattern[pos:]]


def render(pattern: str, seq: int, day: date) -> str:
    return str(seq).join(_pieces(pattern, day))


def render_sql(pattern: str, seq: ColumnElement[Any], day: date) -> ColumnElement[str]:
    """render() as an SQL expression over a counter column, for statements that number a row themselves."""
    pieces = _pieces(pattern, day)
    number: ColumnElement[str] = literal(pieces[0], String)
    for piece in pieces[1:]:
        number = number + cast(seq, String) + literal(piece, String)
    return number


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
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(NumberCounter).values(account_id=account_id, series=series, period_key=key, last_seq=0)
    session.execute(stmt.on_conflict_do_nothing())


def _where(account_id: int, series: str, key: str):  # type: ignore[no-untyped-def]
    return ((NumberCounter.account_id == account_id) & (NumberCounter.series == series)
            & (NumberCounter.period_key == key))


def _bump(session: Session, account_id: int, series: str, key: str) -> Insert:
    """One upsert that creates or bumps the counter and returns it (SQLite 3.35+, PostgreSQL): the
    same row lock as an UPDATE, in one round trip instead of insert-if-missing, update, select."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = module.insert(NumberCounter).values(account_id=account_id, series=series, period_key=key, last_seq=1)
    stmt = stmt.on_conflict_do_update(index_elements=["account_id", "series", "period_key"],
                                      set_={"last_seq": NumberCounter.last_seq + 1})
    # account_id too: allocate_into joins on it.
    return stmt.returning(NumberCounter.last_seq, NumberCounter.account_id)  # type: ignore[return-value]


def skip_taken(session: Session, account_id: int, series: str, pattern: str, day: date) -> None:
    """Move the counter past stored invoices that already carry the number it would give next, so the
    allocator never offers a taken number (one SELECT when it is free, the usual case). Explicit numbers
    move their period's counter themselves (reserve_explicit); this covers rows that did not: numbered
    before that rule, under another pattern, or written around the ledger."""
    key = period_key(pattern, day)
    upcoming = func.coalesce(select(NumberCounter.last_seq).where(_where(account_id, series, key))
                             .scalar_subquery(), 0) + 1
    while True:
        with session.no_autoflush:
            taken = session.execute(select(upcoming).where(select(Invoice.id).where(
                Invoice.account_id == account_id, Invoice.series == series,
                or_(Invoice.number == render_sql(pattern, upcoming, day),
                    and_(Invoice.period_key == key, Invoice.seq == upcoming))).exists())).scalar()
        if taken is None:
            return
        _ensure_counter(session, account_id, series, key)
        session.execute(update(NumberCounter).where(_where(account_id, series, key) & (NumberCounter.last_seq < taken))
                        .values(last_seq=taken))


def allocate(session: Session, account_id: int, series: str, pattern: str, day: date) -> Allocated:
    key = period_key(pattern, day)
    seq = session.execute(_bump(session, account_id, series, key)).scalar_one()
    return Allocated(series, key, seq, render(pattern, seq, day))


def allocate_into(session: Session, table: Table, row_id: int, account_id: int, series: str, pattern: str,
                  day: date) -> Allocated:
    """allocate(), and write the result into the row's series, period_key, seq and number columns, in one
    statement (PostgreSQL: an UPDATE fed by the upsert as a CTE). The counter's row lock is then held for
    this one round trip and the commit after it, not for a second statement and the Python between."""
    key = period_key(pattern, day)
    counter = _bump(session, account_id, series, key).cte("counter")
    stmt = (update(table).where(table.c.id == row_id, table.c.account_id == counter.c.account_id)
            .values(series=series, period_key=key, seq=counter.c.last_seq,
                    number=render_sql(pattern, counter.c.last_seq, day))
            .returning(table.c.seq, table.c.number))
    # Exactly one row: a data-modifying CTE runs even when the UPDATE matches nothing, which would leave a gap.
    seq, number = session.connection().execute(stmt).one()
    return Allocated(series, key, seq, number)


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
    so the next automatic number of that period continues after the highest one (fakturan's "+1 of
    highest") and never meets it. The period is the one the number spells, which need not be the issue
    date's: otherwise no counter would move and the allocator would offer the number again."""
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


def pattern_for(settings: dict, kind: str, profile: str) -> str:
    custom = (settings.get("numbering") or {}).get(kind)
    if custom:
        return str(custom)
    table = FAKTURAN_PATTERNS if profile == "fakturan" else INVOICEOCEAN_PATTERNS
    return table.get(kind) or INVOICEOCEAN_PATTERNS.get(kind) or f"{kind.upper()}/nr-m/mm/yyyy"


def peek(session: Session, account_id: int, series: str, pattern: str, day: date) -> Allocated:
    """The number the next invoice would get, without taking it (INVO's `default` action)."""
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
