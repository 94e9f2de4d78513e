"""What the traffic page shows: one account's requests per dialect, endpoint and credential over
the last hour, day and week, with error rates, plus a bucketed series for the chart.

Both queries read only columns of ix_traffic_console (account_id, created_at, dialect, endpoint,
credential_id, user_id, status), so the database answers them from the index. The grouping is
small (dialects x endpoints x credentials), so the per-window sums are folded in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Integer, bindparam, case, cast, extract, func, select
from sqlmodel import Session, col

from core.credentials import CredentialInfo, list_credentials
from core.models import TrafficEntry
from core.models.types import UTCDateTime
from gateway.registry import names

WINDOWS: tuple[tuple[str, timedelta], ...] = (("hour", timedelta(hours=1)), ("day", timedelta(days=1)),
                                              ("week", timedelta(days=7)))
# Chart buckets per window: (bucket width, number of buckets).
BUCKETS: dict[str, tuple[timedelta, int]] = {"hour": (timedelta(minutes=5), 12), "day": (timedelta(hours=1), 24),
                                             "week": (timedelta(hours=6), 28)}


@dataclass
class Counts:
    """Requests and errors (status >= 400) per window name."""

    requests: dict[str, int] = field(default_factory=lambda: {name: 0 for name, _ in WINDOWS})
    errors: dict[str, int] = field(default_factory=lambda: {name: 0 for name, _ in WINDOWS})

    def add(self, window: str, requests: int, errors: int) -> None:
        self.requests[window] += requests
        self.errors[window] += errors

    def rate(self, window: str) -> float | None:
        total = self.requests[window]
        return self.errors[window] / total if total else None


@dataclass
class CredentialTraffic:
    info: CredentialInfo | None  # None: a request attributed to no credential the account still lists
    counts: Counts
    dialects: set[str] = field(default_factory=set)


@dataclass
class TrafficReport:
    now: datetime
    per_dialect: dict[str, Counts]
    per_endpoint: dict[tuple[str, str], Counts]
    per_credential: list[CredentialTraffic]
    total: Counts


def _window_sums(now: datetime) -> list[Any]:
    columns: list[Any] = []
    for name, span in WINDOWS:
        since = now - span
        recent = col(TrafficEntry.created_at) >= bindparam(f"since_{name}", since, type_=UTCDateTime)
        columns.append(func.sum(case((recent, 1), else_=0)).label(f"n_{name}"))
        columns.append(func.sum(case((recent & (col(TrafficEntry.status) >= 400), 1), else_=0))
                       .label(f"e_{name}"))
    return columns


def traffic_report(session: Session, account_id: int, now: datetime,
                   dialects: Sequence[str] = names()) -> TrafficReport:
    """`dialects`: the registered dialects' names, each listed even without traffic."""
    week_start = now - WINDOWS[-1][1]
    keys = (col(TrafficEntry.dialect), col(TrafficEntry.endpoint), col(TrafficEntry.credential_id),
            col(TrafficEntry.user_id))
    stmt = (select(*keys, *_window_sums(now))
            .where(col(TrafficEntry.account_id) == account_id,
                   col(TrafficEntry.created_at) >= bindparam("week_start", week_start, type_=UTCDateTime))
            .group_by(*keys))
    credentials = list_credentials(session, account_id)
    by_credential_id = {c.ref.id: c for c in credentials if c.kind != "invo_login"}
    by_user_id = {c.ref.id: c for c in credentials if c.kind == "invo_login"}
    per_dialect = {d: Counts() for d in dialects}
    per_endpoint: dict[tuple[str, str], Counts] = {}
    per_ref: dict[str, CredentialTraffic] = {str(c.ref): CredentialTraffic(c, Counts()) for c in credentials}
    total = Counts()
    for row in session.execute(stmt):
        dialect, endpoint, credential_id, user_id = row[0], row[1] or "(unmatched)", row[2], row[3]
        info = by_credential_id.get(credential_id) if credential_id else by_user_id.get(user_id)
        slot = per_ref.setdefault(str(info.ref) if info else "unknown", CredentialTraffic(info, Counts()))
        slot.dialects.add(dialect)
        endpoint_counts = per_endpoint.setdefault((dialect, endpoint), Counts())
        for name, _ in WINDOWS:
            n, e = int(getattr(row, f"n_{name}") or 0), int(getattr(row, f"e_{name}") or 0)
            for counts in (per_dialect.setdefault(dialect, Counts()), endpoint_counts, slot.counts, total):
                counts.add(name, n, e)
    ordered = sorted(per_endpoint.items(), key=lambda item: (-item[1].requests["week"], item[0]))
    return TrafficReport(now, per_dialect, dict(ordered), list(per_ref.values()), total)


@dataclass(frozen=True)
class Series:
    window: str
    start: datetime
    width: timedelta
    counts: dict[str, list[int]]  # dialect -> requests per bucket, oldest first


def _bucket_expression(session: Session, start: datetime, width: timedelta) -> Any:
    seconds = width.total_seconds()
    start_param = bindparam("chart_start", start, type_=UTCDateTime)
    if session.get_bind().dialect.name == "sqlite":
        offset = (func.julianday(TrafficEntry.created_at) - func.julianday(start_param)) * 86400.0
    else:
        offset = extract("epoch", TrafficEntry.created_at - start_param)
    return cast(func.floor(offset / seconds), Integer)


def traffic_series(session: Session, account_id: int, now: datetime, window: str,
                   dialects: Sequence[str] = names()) -> Series:
    width, count = BUCKETS[window]
    start = now - width * count
    bucket = _bucket_expression(session, start, width).label("bucket")
    stmt = (select(col(TrafficEntry.dialect), bucket, func.count().label("n"))
            .where(col(TrafficEntry.account_id) == account_id,
                   col(TrafficEntry.created_at) >= bindparam("since", start, type_=UTCDateTime))
            .group_by(col(TrafficEntry.dialect), bucket))
    counts = {d: [0] * count for d in dialects}
    for dialect, index, n in session.execute(stmt):
        if index is not None and 0 <= int(index) < count:
            counts.setdefault(dialect, [0] * count)[int(index)] += int(n)
    return Series(window, start, width, counts)
