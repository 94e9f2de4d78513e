"""The default KSeF transport: a KSeF simulator in the gateway's own process.

It judges a document as KSeF does the parts that can be judged here (the FA(3) schema, the seller's NIP),
gives an accepted one a KSeF number in the real format with its CRC-8 and returns a UPO. A configurable
chance of refusing (send_error) or failing (server_error) lets tests and demos see the other statuses.
In-process rather than behind an HTTP route: the queue calls it as it calls the real transport, and
nothing outside the gateway can reach it by mistake.
"""
from __future__ import annotations

import random
import secrets
from datetime import date

from core.clock import now_utc
from core.einvoice import numbers, schema, upo
from core.einvoice.transport import Outcome, Submission

SEND_ERROR = "Dokument odrzucony przez KSeF (symulator): błąd weryfikacji semantyki dokumentu"
SERVER_ERROR = "Błąd serwera KSeF (symulator): usługa chwilowo niedostępna"


class Simulator:
    name = "simulator"

    def __init__(self, send_error_chance: float = 0.0, server_error_chance: float = 0.0,
                 rng: random.Random | None = None) -> None:
        self.send_error_chance, self.server_error_chance = send_error_chance, server_error_chance
        self.rng = rng or random.Random()

    def send(self, submission: Submission) -> Outcome:
        reference = f"{now_utc():%Y%m%d}-SE-{secrets.token_hex(5).upper()}-{secrets.token_hex(5).upper()}-" \
                    f"{secrets.token_hex(1).upper()}"
        roll = self.rng.random()
        if roll < self.server_error_chance:
            return Outcome(False, reference=reference, error=SERVER_ERROR, server_error=True)
        if roll < self.server_error_chance + self.send_error_chance:
            return Outcome(False, reference=reference, error=SEND_ERROR)
        try:
            schema.validate(submission.xml)
        except schema.SchemaError as exc:
            return Outcome(False, reference=reference, error=f"Dokument niezgodny ze schematem FA(3): {exc}")
        if numbers.document_hash(submission.xml) != submission.xml_hash:
            return Outcome(False, reference=reference, error="Skrót dokumentu nie zgadza się z przesłanym")
        received = now_utc()
        number = numbers.ksef_number(submission.seller_nip, received.date())
        receipt = upo.receipt(session_reference=reference, nip=submission.seller_nip, ksef_number=number,
                              invoice_number=submission.invoice_number, issue_date=_issue_date(submission.xml),
                              received_at=received, xml_hash=submission.xml_hash, offline=submission.offline)
        return Outcome(True, ksef_number=number, received_at=received, upo=receipt, reference=reference)


def _issue_date(xml: bytes) -> date:
    from xml.etree import ElementTree as ET

    from core.einvoice.fa3 import NAMESPACE
    text = ET.fromstring(xml).findtext(f"{{{NAMESPACE}}}Fa/{{{NAMESPACE}}}P_1") or ""
    return date.fromisoformat(text)
