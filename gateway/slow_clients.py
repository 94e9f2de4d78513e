"""uvicorn's HTTP protocol with a deadline for each request's head, for `invoice-gateway serve`.

uvicorn times out idle keep-alive connections (timeout_keep_alive), but not a client that has started a
request and trickles its request line and headers a byte at a time: that connection would stay open for
good. Here every connection must deliver a complete head within GATEWAY_HEADER_TIMEOUT seconds of
connecting, or of the previous response, and at most MAX_HEAD_BYTES of it; otherwise it is answered 408
(or 431) and closed. Bodies are bounded in the app instead (dialects/kit/http.py read_body, GATEWAY_BODY_TIMEOUT),
where the answer can be in the dialect's own format. The event loop never waits on a slow client, so other
requests are served meanwhile either way; the deadline is what releases the connection.

The protocol also hands uvicorn a transport that sends each response's head and body in one write
(gateway/one_write.py).
"""
from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

from gateway.one_write import OneWriteTransport
from gateway.settings import Settings

try:  # the protocol uvicorn's "auto" would pick
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - httptools is a dependency of uvicorn[standard]
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]

MAX_HEAD_BYTES = 64 * 1024


@functools.cache
def head_timeout() -> float:
    """Read once per worker process from the environment (workers are spawned, so not a class attribute)."""
    return Settings.from_env().header_timeout


def _answer(status: str, text: str) -> bytes:
    body = text.encode()
    return (f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\n"
            f"connection: close\r\n\r\n").encode() + body


class HeadDeadlineProtocol(_Base):
    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0

    def connection_made(self, transport: Any) -> None:
        # A response's head and body in one write, not two (gateway/one_write.py); it is a Transport by duck typing.
        super().connection_made(cast(asyncio.Transport, OneWriteTransport(transport, self.loop)))
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        waiting_for_head = not self._in_request()
        super().data_received(data)
        if waiting_for_head and not self._in_request() and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse("431 Request Header Fields Too Large", "request head too large")

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_deadline()  # the next request's head has its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _in_request(self) -> bool:
        cycle = getattr(self, "cycle", None)
        return cycle is not None and not cycle.response_complete

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        self._head_bytes = 0
        seconds = head_timeout()
        if seconds > 0:
            self._head_timer = self.loop.call_later(seconds, self._head_deadline_passed)

    def _cancel_head_deadline(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_deadline_passed(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self._in_request():
            return  # a request is being served: its body has the app's own deadline
        self._refuse("408 Request Timeout", "request timeout")

    def _refuse(self, status: str, text: str) -> None:
        self._cancel_head_deadline()
        self.transport.write(_answer(status, text))
        self.transport.close()
