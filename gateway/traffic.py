"""The traffic log: one row per request, written in batches off the request path."""
from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, insert, update

from core.models import Credential, TrafficEntry

log = logging.getLogger("gateway.traffic")


class TrafficRecorder:
    def __init__(self, engine: Engine, interval: float = 1.0) -> None:
        self.engine = engine
        self.interval = interval
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, **entry: Any) -> None:
        with self._lock:
            self._pending.append(entry)

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        last_use: dict[int, Any] = {}
        for entry in batch:
            if entry.get("credential_id"):
                last_use[entry["credential_id"]] = entry["created_at"]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(TrafficEntry), batch)
                for credential_id, when in last_use.items():
                    conn.execute(update(Credential).where(Credential.id == credential_id).values(last_used_at=when))
        except Exception:  # the log must never take requests down with it
            log.exception("traffic log flush failed; %d entries dropped", len(batch))
        return len(batch)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="traffic-log", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
