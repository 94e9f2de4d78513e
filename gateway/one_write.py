"""A connection's transport that sends a response's head and body in one write, for `invoice-gateway serve`.

uvicorn writes a response's head as soon as the app sends `http.response.start`, and its body on the next
message: two write() calls, so two TCP segments. On loopback or a local proxy the kernel then runs its whole
send path and the peer's receive path (and an ACK) once per segment, in the server's CPU time. Here a write is
held until the next one, and the two leave together in one writev (uvloop's writelines); a write nobody
follows within the event loop's current turn (a HEAD answer, a streamed answer's last chunk, `100 Continue`)
leaves at the end of that turn. Bytes keep their order and nothing waits on the client.
"""
from __future__ import annotations

import asyncio
from typing import Any


class OneWriteTransport:
    """Wraps the connection's transport. Everything but writing and closing passes through."""

    __slots__ = ("_transport", "_loop", "_held", "_flush_due")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._flush_due = False  # a flush is scheduled for the end of this turn

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is None:
            # A transport may be handed a buffer its writer reuses once write() returns: what is held is a copy
            # unless it is bytes already (uvicorn's heads and starlette's bodies are).
            self._held = data if type(data) is bytes else bytes(data)
            if not self._flush_due:
                self._flush_due = True
                self._loop.call_soon(self._flush_turn)
            return
        self._held = None
        self._transport.writelines((held, data))

    def writelines(self, lines: Any) -> None:
        self.flush()
        self._transport.writelines(lines)

    def flush(self) -> None:
        """Send what is held now."""
        held, self._held = self._held, None
        if held is not None:
            self._transport.write(held)

    def _flush_turn(self) -> None:
        self._flush_due = False
        if not self._transport.is_closing():
            self.flush()
        else:  # closed meanwhile (close() sent what was held; abort() dropped it)
            self._held = None

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + (len(self._held) if self._held is not None else 0)

    def __getattr__(self, name: str) -> Any:  # get_extra_info, is_closing, pause_reading, set_protocol...
        return getattr(self._transport, name)
