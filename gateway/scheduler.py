"""The optional in-process scheduler: a daemon thread that runs the recurring engine every
GATEWAY_SCHEDULER_INTERVAL seconds (default 300), once right at start.

It is switched on by GATEWAY_SCHEDULER=1 (`invoice-gateway serve --scheduler` sets it). Each
uvicorn worker then runs its own thread; that is safe, because the engine issues every period
exactly once however many runners there are, only redundant. Without it, run
`invoice-gateway recurrings run` from cron.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Callable

from sqlalchemy import Engine

from core.recurring import Issued, run_due

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 300.0


class Scheduler:
    def __init__(self, engine: Engine, interval: float = DEFAULT_INTERVAL_S,
                 run: Callable[[Engine], list[Issued]] = run_due) -> None:
        if interval <= 0:
            raise ValueError("the scheduler interval must be positive")
        self.engine = engine
        self.interval = interval
        self._run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # completed passes, successful or not

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="recurring-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for issued in self._run(self.engine):
                    log.info("recurring %s issued %s for %s", issued.recurring_id, issued.number,
                             issued.period_date)
            except Exception:  # one failed pass (database down) must not end the thread
                log.exception("recurring run failed; retrying in %s s", self.interval)
            self.runs += 1
            self._stop.wait(self.interval)


def from_env(engine: Engine, run: Callable[[Engine], list[Issued]] = run_due) -> Scheduler | None:
    """A started scheduler when GATEWAY_SCHEDULER=1, else None. The app passes `run_due` wrapped
    by its metrics, which count passes and issued invoices."""
    if os.environ.get("GATEWAY_SCHEDULER", "").strip() != "1":
        return None
    raw = os.environ.get("GATEWAY_SCHEDULER_INTERVAL", "").strip()
    scheduler = Scheduler(engine, float(raw) if raw else DEFAULT_INTERVAL_S, run)
    scheduler.start()
    return scheduler
