"""After-commit wake-ups: a writer that queued deliveries tells the delivery workers of its engine, so they
send at once instead of at their next scan. Nothing is lost when nobody listens: the scan finds the rows."""
from __future__ import annotations

import weakref
from typing import Callable, Sequence

from sqlalchemy import Engine

Listener = Callable[[str, Sequence[int]], None]  # (channel name, row ids)
_LISTENERS: "weakref.WeakKeyDictionary[Engine, list[Listener]]" = weakref.WeakKeyDictionary()


def listen(engine: Engine, listener: Listener) -> None:
    _LISTENERS.setdefault(engine, []).append(listener)


def unlisten(engine: Engine, listener: Listener) -> None:
    listeners = _LISTENERS.get(engine, [])
    if listener in listeners:
        listeners.remove(listener)


def wake(engine: Engine, channel: str, row_ids: Sequence[int]) -> None:
    for listener in list(_LISTENERS.get(engine, ())):
        listener(channel, row_ids)
