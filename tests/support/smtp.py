"""A real SMTP server in-process that keeps every message it is sent.

Why a real server instead of mocking smtplib: the gateway's mailer is then exercised
through its actual network code (connect, EHLO, MAIL/RCPT/DATA, UTF-8 headers), and a
live server in a subprocess can be pointed at it with GATEWAY_SMTP_URL.
"""

from __future__ import annotations

import email
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from . import free_port

HOST = "127.0.0.1"
# Another process may grab the port free_port() found before we bind it; retry then.
BIND_ATTEMPTS = 5


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _RecordingHandler:
    """aiosmtpd handler: runs on the controller's thread, hands messages to the owner."""

    def __init__(self, sink: SmtpServer) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        # SMTP puts CRLF on the wire; a mailbox stores LF, and so tests compare "\n" text.
        parsed = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self._sink._record(ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=parsed,
        ))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Context manager: listens on 127.0.0.1 while open; ``messages`` grows as mail arrives."""

    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self.messages: list[ReceivedMessage] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        last_error: OSError | None = None
        for _ in range(BIND_ATTEMPTS):
            port = free_port()
            # SMTPUTF8 lets Polish and Swedish names through unencoded, as real relays do.
            controller = Controller(_RecordingHandler(self), hostname=self.host, port=port,
                                    enable_SMTPUTF8=True)
            try:
                controller.start()
            except OSError as error:
                last_error = error
                continue
            self._controller, self.port = controller, port
            return
        raise RuntimeError(f"SMTP server could not bind a port on {self.host}") from last_error

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 5) -> list[ReceivedMessage]:
        """Block until at least ``count`` messages arrived; mail is sent asynchronously."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout}s, got {len(self.messages)}"
                    )
                self._arrived.wait(remaining)
            return list(self.messages)

    def _record(self, message: ReceivedMessage) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def __repr__(self) -> str:
        return f"SmtpServer(url={self.url!r}, messages={len(self.messages)})"
