"""The real KSeF transport: the KSeF API v2 through the `ksef-client` package.

One send is the interactive flow KSeF documents: sign in with a KSeF token for the seller's NIP (challenge,
token encrypted with KSeF's public key, status polling, token redeemed for an access token), open an online
session (a fresh AES key, encrypted for KSeF), send the encrypted FA(3) document, close the session, poll the
document's status until KSeF has judged it, then download its UPO.

Transport failures (network, 5xx, 429) raise, so the queue retries them; KSeF's judgement of the document
is an Outcome.
"""
from __future__ import annotations

import time
from datetime import datetime

from ksef_client import KsefClient, KsefClientOptions
from ksef_client import models as m
from ksef_client.exceptions import KsefHttpError
from ksef_client.services import AuthCoordinator, OnlineSessionWorkflow

from core.einvoice.transport import Outcome, Submission

FORM_CODE = m.FormCode(system_code="FA (3)", schema_version="1-0E", value="FA")
ACCEPTED, PROCESSING = 200, (100, 150)  # KSeF's status codes of a document in a session


class KsefClientTransport:
    name = "ksef-client"

    def __init__(self, base_url: str, token: str, *, poll_interval: float = 1.0, max_polls: int = 60) -> None:
        self.base_url, self.token = base_url, token
        self.poll_interval, self.max_polls = poll_interval, max_polls

    def send(self, submission: Submission) -> Outcome:
        with KsefClient(KsefClientOptions(base_url=self.base_url)) as client:
            try:
                return self._send(client, submission)
            except KsefHttpError as exc:
                if exc.status_code >= 500 or exc.status_code == 429:
                    raise  # KSeF unavailable or throttling: the queue tries again later
                return Outcome(False, error=f"KSeF: {exc}")

    def _send(self, client: KsefClient, submission: Submission) -> Outcome:
        token_certificate = client.security.get_public_key_certificate_pem(
            m.PublicKeyCertificateUsage.KSEFTOKENENCRYPTION)
        try:
            access = AuthCoordinator(client.auth).authenticate_with_ksef_token(
                token=self.token, public_certificate=token_certificate, context_identifier_type="nip",
                context_identifier_value=submission.seller_nip, poll_interval_seconds=self.poll_interval,
                max_attempts=self.max_polls).access_token
        except RuntimeError as exc:  # KSeF judged the sign-in and refused it (ksef-client raises it so)
            return Outcome(False, error=f"KSeF: {exc}", not_connected=True)
        session_certificate = client.security.get_public_key_certificate_pem(
            m.PublicKeyCertificateUsage.SYMMETRICKEYENCRYPTION)
        session = OnlineSessionWorkflow(client.sessions).open_session(
            form_code=FORM_CODE, public_certificate=session_certificate, access_token=access)
        sent = session.send_invoice(submission.xml, offline_mode=submission.offline or None, access_token=access)
        session.close(access_token=access)
        reference = f"{session.reference_number}/{sent.reference_number}"
        for _ in range(self.max_polls):
            state = client.sessions.get_session_invoice_status(session.reference_number, sent.reference_number,
                                                               access_token=access)
            if state.status.code == ACCEPTED:
                upo = client.sessions.get_session_invoice_upo_by_ref(session.reference_number, sent.reference_number,
                                                                     access_token=access)
                received = datetime.fromisoformat(state.acquisition_date) if state.acquisition_date else None
                return Outcome(True, ksef_number=state.ksef_number or "", received_at=received,
                               upo=upo.decode("utf-8"), reference=reference)
            if state.status.code not in PROCESSING:
                details = "; ".join(state.status.details or ())
                return Outcome(False, reference=reference,
                               error=f"{state.status.code} {state.status.description}" + (f": {details}" if details
                                                                                          else ""))
            time.sleep(self.poll_interval)
        raise TimeoutError(f"KSeF did not judge document {reference} in time")
