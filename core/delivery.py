"""The one delivery machinery of every outbox (mail and letters, webhooks, KSeF sends): claim with a lease, attempt,
record the outcome, retry with exponential backoff (and jitter where asked), mark failed, and a worker.

A row is taken with a lease: one UPDATE moves its next_attempt_at LEASE ahead, and only the process whose
UPDATE matched delivers it. So an after-commit hand-over, the worker thread of every uvicorn worker and a
CLI can all run at once without sending twice, and a process that dies mid-send leaves a row that is
retried when the lease runs out. A failed attempt is counted, the error kept and the next try put off;
when the channel's policy says so, the row is marked "failed" and stays, with what is needed to send again.

A channel is a table with the columns id, status ("queued" while due), attempts, next_attempt_at,
last_error and created_at, plus the function that hands one row over (and, where a row's giving up changes
more than the row, what else it changes, in the same transaction).
"""
from __future__ import annotations

import logging
import queue
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import Engine, func, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, or_, select

from core import wakeup
from core.clock import now_utc
from core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

WORKER_INTERVAL_S = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta  # the wait after the first failure; it doubles with each further one
    cap: timedelta  # no single wait is longer
    max_attempts: int | None = None  # failed after this many attempts ...
    give_up_after: timedelta | None = None  # ... or once the row is this old
    # Up to this fraction of the wait is added at random, so receivers that failed together (an outage)
    # are not all retried in the same second.
    jitter: float = 0.0

    def delay(self, attempts: int) -> timedelta:
        wait: timedelta = min(self.base * (2 ** max(attempts - 1, 0)), self.cap)
        return wait + wait * (random.random() * self.jitter) if self.jitter else wait

    def exhausted(self, attempts: int, created_at: datetime | None, now: datetime) -> bool:
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return True
        return self.give_up_after is not None and created_at is not None and now - created_at >= self.give_up_after


class AttemptFailed(Exception):
    """A failed attempt that has more to store on the row than its error (the receiver's status)."""

    def __init__(self, message: str, values: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.values = values or {}


class GiveUp(AttemptFailed):
    """An attempt whose failure no retry can mend (a webhook that is gone): the row is failed at once."""


@dataclass(frozen=True)
class Channel:
    name: str
    model: Any  # a SQLModel table class with the columns named above
    policy: RetryPolicy
    # Hands row `id` over; returns the columns to store on success (with the new "status"); raises on failure.
    deliver: Callable[[Engine, int], dict[str, Any]]
    lease: timedelta = timedelta(minutes=2)
    # Rows that must wait although due (an earlier delivery of the same resource still pending).
    held_back: Callable[[], ColumnElement[bool]] | None = None
    # Rows attempted per transaction pair (claim, record): a burst costs two commits per batch, not per row.
    # batch × the longest attempt must stay under the lease, or a slow batch could be taken twice.
    batch: int = 1
    # What else a row's giving up after a failed attempt changes (session, row id, the error), in the
    # transaction that marks it failed: a KSeF document then says server_error.
    given_up: Callable[[Session, int, str], None] | None = None

    def due_condition(self, now: datetime) -> list[ColumnElement[bool]]:
        model = self.model
        conditions = [col(model.status) == "queued",
                      or_(col(model.next_attempt_at).is_(None), col(model.next_attempt_at) <= now)]
        if self.held_back is not None:
            conditions.append(~self.held_back())
        return conditions


def _claim(engine: Engine, channel: Channel, row_ids: Sequence[int], now: datetime
           ) -> dict[int, tuple[int, datetime | None]]:
    """Takes the rows that are due and free for one attempt each, in one transaction; returns
    {id: (attempt number, created_at)} for those taken (the others are someone else's, or not due)."""
    model = channel.model
    with UnitOfWork(engine) as uow:
        taken = uow.session.execute(update(model).where(col(model.id).in_(list(row_ids)), *channel.due_condition(now))
                                    .values(next_attempt_at=now + channel.lease))
        if not taken.rowcount:  # type: ignore[attr-defined]
            return {}
        leased = now + channel.lease
        rows = uow.session.execute(select(model.id, model.attempts, model.created_at)
                                   .where(col(model.id).in_(list(row_ids)), col(model.next_attempt_at) == leased))
        claimed = {int(row_id): (int(attempts) + 1, created) for row_id, attempts, created in rows}
        uow.commit()
        return claimed


def record(engine: Engine, channel: Channel, outcomes: dict[int, dict[str, Any]], given_up: Sequence[int] = ()
           ) -> None:
    """Stores each row's outcome, all in one transaction (one fsync for a batch), with what giving up the
    rows in `given_up` changes besides."""
    model = channel.model
    with UnitOfWork(engine) as uow:
        for row_id, values in outcomes.items():
            uow.session.execute(update(model).where(col(model.id) == row_id).values(**values))
        if channel.given_up is not None:
            for row_id in given_up:
                channel.given_up(uow.session, row_id, str(outcomes[row_id]["last_error"]))
        uow.commit()


def _outcome(engine: Engine, channel: Channel, row_id: int, attempts: int, created: datetime | None,
             now: datetime) -> tuple[dict[str, Any], bool]:
    """The columns to store after one attempt, and whether the row is given up with them."""
    try:
        values = channel.deliver(engine, row_id)
    except Exception as exc:  # any failure is recorded on the row; the row is never dropped
        final = isinstance(exc, GiveUp) or channel.policy.exhausted(attempts, created, now)
        log.warning("%s %s attempt %s failed: %s", channel.name, row_id, attempts, exc)
        return {**getattr(exc, "values", {}), "attempts": attempts,
                "last_error": f"{type(exc).__name__}: {exc}"[:2000], "status": "failed" if final else "queued",
                "next_attempt_at": None if final else now + channel.policy.delay(attempts)}, final
    return {**values, "attempts": attempts, "last_error": "", "next_attempt_at": None}, False


def attempt_many(engine: Engine, channel: Channel, row_ids: Sequence[int], *, now: datetime | None = None
                 ) -> dict[int, str]:
    """One attempt for each of the rows that is due and that nobody else holds: claimed together, handed
    over one by one, recorded together. Returns {id: status afterwards} for the rows taken ("queued" for
    a retry, "failed", or the channel's success status)."""
    now = now or now_utc()
    claimed = _claim(engine, channel, row_ids, now)
    attempted = {row_id: _outcome(engine, channel, row_id, *claimed[row_id], now) for row_id in sorted(claimed)}
    outcomes = {row_id: values for row_id, (values, _final) in attempted.items()}
    if outcomes:
        record(engine, channel, outcomes, [row_id for row_id, (_values, final) in attempted.items() if final])
    return {row_id: str(values["status"]) for row_id, values in outcomes.items()}


def attempt(engine: Engine, channel: Channel, row_id: int, *, now: datetime | None = None) -> str:
    """attempt_many for one row: its status afterwards, or "" when it was not taken."""
    return attempt_many(engine, channel, [row_id], now=now).get(row_id, "")


def due(engine: Engine, channel: Channel, now: datetime, limit: int = 100) -> list[int]:
    model = channel.model
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.execute(select(model.id).where(*channel.due_condition(now))
                                        .order_by(col(model.id)).limit(limit)).scalars())


def next_due(engine: Engine, channel: Channel) -> datetime | None:
    """When the channel's earliest queued row falls due (None: nothing is queued)."""
    model = channel.model
    with UnitOfWork(engine, write=False) as uow:
        waiting = [col(model.status) == "queued", *([~channel.held_back()] if channel.held_back else [])]
        found: datetime | None = uow.session.execute(select(func.min(model.next_attempt_at))
                                                     .where(*waiting)).scalar()
        return found


@dataclass
class DeliveryReport:
    statuses: dict[int, str] = field(default_factory=dict)  # row id -> status after the attempt

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)


def deliver_due(engine: Engine, channel: Channel, *, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Deliver every queued row of the channel whose time has come (for the worker, a CLI or a test)."""
    now = now or now_utc()
    report = DeliveryReport()
    found = due(engine, channel, now, limit)
    for start in range(0, len(found), channel.batch):
        report.statuses.update(attempt_many(engine, channel, found[start:start + channel.batch], now=now))
    return report


_ONE = Channel("", None, RetryPolicy(timedelta(0), timedelta(0)), lambda engine, row_id: {})


class DeliveryWorker:
    """A daemon thread over some channels: delivers rows handed to it at once, and every `interval` seconds
    whatever is due (retries, rows queued by processes without a worker, rows left by a restart)."""

    def __init__(self, engine: Engine, channels: Sequence[Channel], interval: float = WORKER_INTERVAL_S) -> None:
        self.engine, self.interval = engine, interval
        self.channels = {channel.name: channel for channel in channels}
        self._inbox: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        wakeup.listen(self.engine, self._woken)
        self._thread = threading.Thread(target=self._loop, name="outbox-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        wakeup.unlisten(self.engine, self._woken)
        if self._thread is not None:
            self._inbox.put(None)
            self._thread.join(timeout)
            self._thread = None

    def submit(self, channel: str, row_id: int) -> None:
        self._inbox.put((channel, row_id))

    def _woken(self, channel: str, row_ids: Sequence[int]) -> None:
        if channel in self.channels:
            for row_id in row_ids:
                self.submit(channel, row_id)

    def _wait(self) -> float:
        """Until the next retry falls due (a short backoff is kept), but at least every `interval` seconds."""
        try:
            soonest = min((when for when in (next_due(self.engine, c) for c in self.channels.values()) if when),
                          default=None)
        except Exception:  # the database is away: the loop retries on its interval
            return self.interval
        if soonest is None:
            return self.interval
        return min(max((soonest - now_utc()).total_seconds(), 0.05), self.interval)

    def _loop(self) -> None:
        while True:
            try:  # rows handed over come first; the wait until the next retry is worked out only when idle
                item = self._inbox.get_nowait()
            except queue.Empty:
                try:
                    item = self._inbox.get(timeout=self._wait())
                except queue.Empty:
                    item = ("", 0)
            if item is None:
                return
            try:
                handed: dict[str, list[int]] = {}
                while item is not None:  # take what else is waiting, up to a batch per channel
                    handed.setdefault(item[0], []).append(item[1])
                    if len(handed[item[0]]) >= self.channels.get(item[0], _ONE).batch:
                        break
                    try:
                        item = self._inbox.get_nowait()
                    except queue.Empty:
                        break
                for name, row_ids in handed.items():
                    if name in self.channels:
                        attempt_many(self.engine, self.channels[name], row_ids)
                if item is None:
                    return
                if self._inbox.empty():  # a burst is worked through first; the scan then catches the rest
                    for channel in self.channels.values():
                        deliver_due(self.engine, channel)
            except Exception:  # a database outage must not end the thread
                log.exception("outbox delivery pass failed; retrying in %s s", self.interval)


def hand_over(engine: Engine, channel: Channel, row_ids: Sequence[int], worker: DeliveryWorker | None) -> None:
    """For an after-commit hook: rows just queued go out at once, by the worker when it runs (the request
    does not wait for the receiver), else right here. A failure here is the scan's to retry."""
    if not row_ids:
        return
    if worker is not None and worker.running:
        for row_id in row_ids:
            worker.submit(channel.name, row_id)
        return
    try:
        attempt_many(engine, channel, row_ids)
    except Exception:  # the command committed; the worker or deliver_due retries later
        log.exception("immediate %s delivery of %s failed", channel.name, list(row_ids))
