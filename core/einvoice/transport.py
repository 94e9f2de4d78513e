"""What carries an FA(3) document to KSeF: one call, one outcome. The queue (core.einvoice.outbox) retries
a transport that raises; an Outcome is KSeF's answer and is final."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Submission:
    environment: str  # demo | production: the account's KSeF mode
    seller_nip: str
    invoice_number: str
    xml: bytes
    xml_hash: str  # SHA-256, base64
    offline: bool  # OFFLINE24: sent later than issued


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    ksef_number: str = ""
    received_at: datetime | None = None
    upo: str = ""  # the UPO XML
    reference: str = ""  # the transport's reference of the send (session / element reference)
    error: str = ""  # why KSeF refused it
    server_error: bool = False  # KSeF failed (5xx), the document itself was not judged
    not_connected: bool = False  # KSeF refused the gateway's credentials: the account is not connected


class Transport(Protocol):
    name: str

    def send(self, submission: Submission) -> Outcome: ...
