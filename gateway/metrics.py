"""Prometheus metrics for one app: request counts and latencies per dialect, plus figures read from
the database at scrape time (the e-mail outbox backlog, recurring invoices issued).

Each app has its own CollectorRegistry, so several apps in one process (the tests) never share
counters. Request counters live in process memory: with `serve --workers N` each worker counts
its own requests, unless PROMETHEUS_MULTIPROC_DIR is set, in which case every worker writes its
samples there and any worker's /metrics answers the sum (`serve` sets this up for N > 1). The
database figures are the same whichever worker answers.
"""
from __future__ import annotations

import bisect
import logging
import os
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlmodel import col

from core.models import OutboxMessage, RecurringRun

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Always present, so a dashboard or alert sees 0 rather than a missing series.
OUTBOX_STATUSES = ("queued", "failed")

T = TypeVar("T")


class DatabaseCollector(Collector):
    """Gauges computed by a query at scrape time; true for all workers and for the cron CLI."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("gateway_database_up", "1 when the scrape could query the database")
        try:
            with self.engine.connect().execution_options(sqlite_immediate=False) as conn:
                outbox = dict(conn.execute(select(col(OutboxMessage.status), func.count())
                                           .group_by(col(OutboxMessage.status))).all())
                oldest = conn.execute(select(func.min(OutboxMessage.created_at))
                                      .where(col(OutboxMessage.status) == "queued")).scalar()
                issued, last = conn.execute(select(func.count(), func.max(RecurringRun.created_at))
                                            .where(col(RecurringRun.invoice_id).is_not(None))).one()
        except Exception as exc:  # the scrape must still answer, and say the database is down
            log.warning("metrics: database query failed: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        backlog = GaugeMetricFamily("gateway_outbox_messages",
                                    "Outbox messages (e-mail, letters) by status; queued+failed is the backlog",
                                    labels=["status"])
        for status in sorted(set(OUTBOX_STATUSES) | set(outbox)):
            backlog.add_metric([status], outbox.get(status, 0))
        yield backlog
        age = GaugeMetricFamily("gateway_outbox_oldest_queued_age_seconds",
                                "Age of the oldest queued outbox message; 0 when none is queued")
        age.add_metric([], max(0.0, time.time() - _epoch(oldest)) if oldest is not None else 0.0)
        yield age
        total = GaugeMetricFamily("gateway_recurring_invoices_issued",
                                  "Invoices issued by the recurring engine so far (scheduler and cron CLI alike)")
        total.add_metric([], issued)
        yield total
        when = GaugeMetricFamily("gateway_recurring_last_issued_timestamp_seconds",
                                 "Unix time of the last invoice issued by the recurring engine; 0 if none")
        when.add_metric([], _epoch(last) if last is not None else 0.0)
        yield when


def _epoch(value: object) -> float:
    """SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    assert isinstance(value, datetime)
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


# A request counter child's value, a latency child's sum, bucket values and upper bounds (+Inf last).
_Values = tuple[Any, Any, list[Any], list[float]]


class GatewayMetrics:
    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("gateway_http_requests", "HTTP requests answered, by dialect, method and status",
                                ["dialect", "method", "status"], registry=self.registry)
        self.latency = Histogram("gateway_http_request_duration_seconds",
                                 "Time from request start to the end of the response, by dialect",
                                 ["dialect"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.scheduler_runs = Counter("gateway_recurring_scheduler_runs",
                                      "Passes of the in-process recurring scheduler, by outcome (ok|failed)",
                                      ["outcome"], registry=self.registry)
        for outcome in ("ok", "failed"):
            self.scheduler_runs.labels(outcome)  # present at 0 before the first pass
        self.scheduler_issued = Counter("gateway_recurring_scheduler_invoices",
                                        "Invoices issued by this process's recurring scheduler",
                                        registry=self.registry)
        self.database = DatabaseCollector(engine)
        self.registry.register(self.database)
        self._children: dict[tuple[str, str, int], _Values] = {}

    def observe(self, dialect: str, method: str, status: int, seconds: float) -> None:
        # labels() takes a lock and builds a tuple of strings on every call, as much as the counting
        # itself: each (dialect, method, status) as the request gives them keeps what its two children
        # count in here. Bounded: a handful of dialects, statuses below 600, and methods outside the eight
        # named ones (all counted as OTHER) are not kept.
        found = self._children.get((dialect, method, status))
        if found is None:
            found = self._children_for(dialect, method, status)
        count, total, buckets, bounds = found
        count.inc(1)
        total.inc(seconds)
        # The bucket Histogram.observe finds by trying each bound in turn (the first bound >= seconds); a
        # duration is never NaN, the one value the two ways would place differently.
        buckets[bisect.bisect_left(bounds, seconds)].inc(1)

    def _children_for(self, dialect: str, method: str, status: int) -> _Values:
        known = method in _METHODS
        counter = self.requests.labels(dialect, method if known else "OTHER", str(status))
        histogram = self.latency.labels(dialect)
        # The children's own values (prometheus-client is pinned): Counter.inc and Histogram.observe each
        # check the metric is a child and walk the buckets in Python before they get to these; a request
        # is counted by three increments, each under the value's own lock (or in its mmapped file when
        # PROMETHEUS_MULTIPROC_DIR is set), exactly as those calls would make them.
        values: _Values = (counter._value, histogram._sum, histogram._buckets, histogram._upper_bounds)
        if known:
            self._children[(dialect, method, status)] = values
        return values

    def counted(self, run: Callable[..., list[T]]) -> Callable[..., list[T]]:
        """`run` (the recurring engine's run_due) wrapped to count passes and issued invoices."""
        def counted_run(*args: object, **kwargs: object) -> list[T]:
            try:
                issued = run(*args, **kwargs)
            except Exception:
                self.scheduler_runs.labels("failed").inc()
                raise
            self.scheduler_runs.labels("ok").inc()
            self.scheduler_issued.inc(len(issued))
            return issued
        return counted_run

    def render(self) -> bytes:
        """The text exposition; runs the database queries, so call it off the event loop."""
        directory = os.environ.get(MULTIPROC_ENV)
        if not directory:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # every worker's samples, summed
        registry.register(self.database)
        return generate_latest(registry)


CONTENT_TYPE = CONTENT_TYPE_LATEST
