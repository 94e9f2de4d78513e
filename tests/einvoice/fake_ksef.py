"""A local stand-in for the KSeF API v2 endpoints an interactive send calls, for tests of the real transport.

It does what KSeF does with what it is sent, not just answer: the KSeF token must decrypt (RSA-OAEP with its
own key) to the expected token and the challenge's timestamp; the session key must decrypt; the invoice must
decrypt (AES-256-CBC), match its hashes and sizes, pass the FA(3) XSD and name the signed-in NIP as seller.
Only then does it give a KSeF number and a UPO. Served by uvicorn on 127.0.0.1 in a thread.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree as ET

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from cryptography.x509.oid import NameOID
from ksef_client.documents.fa3.xml import FA3XmlValidationError, validate_fa3_xml_xsd
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.einvoice import numbers, upo
from tests.support import free_port

FA = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _reference(kind: str) -> str:
    return f"{_now():%Y%m%d}-{kind}-{secrets.token_hex(5).upper()}-{secrets.token_hex(5).upper()}-" \
           f"{secrets.token_hex(1).upper()}"


def _token() -> dict[str, str]:
    return {"token": secrets.token_urlsafe(24), "validUntil": _stamp(_now() + timedelta(hours=1))}


@dataclass
class FakeKsef:
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    fail_next_session: int = 0  # answer this many session openings with 503
    received: list[bytes] = field(default_factory=list)  # every invoice decrypted, in order
    url: str = ""

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake KSeF")])
        self.certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                            .not_valid_before(_now() - timedelta(days=1)).not_valid_after(_now() + timedelta(days=30))
                            .sign(self.key, hashes.SHA256()))
        self.challenges: dict[str, int] = {}
        self.auths: dict[str, dict[str, Any]] = {}  # reference -> nip, ok, polls, token
        self.access: dict[str, str] = {}  # access token -> nip
        self.sessions: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    # --- security and authentication ---------------------------------------------------------------

    async def certificates(self, request: Request) -> Response:
        der = base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()
        return JSONResponse([{"certificate": der, "certificateId": "fake-1", "publicKeyId": "fake-1",
                              "usage": ["KsefTokenEncryption", "SymmetricKeyEncryption"],
                              "validFrom": _stamp(_now() - timedelta(days=1)),
                              "validTo": _stamp(_now() + timedelta(days=30))}])

    async def challenge(self, request: Request) -> Response:
        now = _now()
        challenge = _reference("CR")
        self.challenges[challenge] = int(now.timestamp() * 1000)
        return JSONResponse({"challenge": challenge, "clientIp": "127.0.0.1", "timestamp": _stamp(now),
                             "timestampMs": self.challenges[challenge]})

    async def ksef_token(self, request: Request) -> Response:
        body = await request.json()
        timestamp = self.challenges.pop(body["challenge"], None)
        try:
            plain = self.key.decrypt(base64.b64decode(body["encryptedToken"]), OAEP).decode()
        except ValueError:
            plain = ""
        ok = timestamp is not None and plain == f"{self.token}|{timestamp}"
        reference, token = _reference("AU"), _token()
        self.auths[reference] = {"nip": body["contextIdentifier"]["value"], "ok": ok, "polls": 0,
                                 "token": token["token"]}
        return JSONResponse({"referenceNumber": reference, "authenticationToken": token}, status_code=202)

    def _bearer(self, request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ")

    async def auth_status(self, request: Request) -> Response:
        auth = self.auths.get(request.path_params["ref"])
        if auth is None or auth["token"] != self._bearer(request):
            return JSONResponse({"exception": "unauthorized"}, status_code=401)
        auth["polls"] += 1
        code, description = (100, "Uwierzytelnianie w toku") if auth["polls"] == 1 else \
            (200, "Uwierzytelnianie zakończone sukcesem") if auth["ok"] else \
            (450, "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu")
        return JSONResponse({"authenticationMethod": "Token", "startDate": _stamp(_now()),
                             "authenticationMethodInfo": {"category": "Token", "code": "token",
                                                          "displayName": "Token KSeF"},
                             "status": {"code": code, "description": description}})

    async def redeem(self, request: Request) -> Response:
        auth = next((a for a in self.auths.values() if a["token"] == self._bearer(request) and a["ok"]), None)
        if auth is None:
            return JSONResponse({"exception": "unauthorized"}, status_code=401)
        access = _token()
        self.access[access["token"]] = auth["nip"]
        return JSONResponse({"accessToken": access, "refreshToken": _token()})

    # --- online sessions -----------------------------------------------------------------------------

    def _nip(self, request: Request) -> str | None:
        return self.access.get(self._bearer(request))

    async def open_session(self, request: Request) -> Response:
        nip = self._nip(request)
        if nip is None:
            return JSONResponse({"exception": "unauthorized"}, status_code=401)
        with self.lock:
            if self.fail_next_session:
                self.fail_next_session -= 1
                return JSONResponse({"exception": "service unavailable"}, status_code=503)
        body = await request.json()
        assert body["formCode"] == {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"}, body
        key = self.key.decrypt(base64.b64decode(body["encryption"]["encryptedSymmetricKey"]), OAEP)
        reference = _reference("SO")
        self.sessions[reference] = {"nip": nip, "key": key, "invoices": {}, "open": True,
                                    "iv": base64.b64decode(body["encryption"]["initializationVector"])}
        return JSONResponse({"referenceNumber": reference, "validUntil": _stamp(_now() + timedelta(hours=12))},
                            status_code=201)

    async def send_invoice(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["ref"])
        if session is None or self._nip(request) != session["nip"] or not session["open"]:
            return JSONResponse({"exception": "no such open session"}, status_code=400)
        body = await request.json()
        encrypted = base64.b64decode(body["encryptedInvoiceContent"])
        decryptor = Cipher(algorithms.AES(session["key"]), modes.CBC(session["iv"])).decryptor()
        unpadder = PKCS7(128).unpadder()
        xml = unpadder.update(decryptor.update(encrypted) + decryptor.finalize()) + unpadder.finalize()
        self.received.append(xml)
        problems = []
        if base64.b64encode(hashlib.sha256(encrypted).digest()).decode() != body["encryptedInvoiceHash"] or \
                len(encrypted) != body["encryptedInvoiceSize"]:
            problems.append("encrypted content does not match its hash or size")
        if base64.b64encode(hashlib.sha256(xml).digest()).decode() != body["invoiceHash"] or \
                len(xml) != body["invoiceSize"]:
            problems.append("invoice does not match its hash or size")
        try:
            validate_fa3_xml_xsd(xml)
            seller = ET.fromstring(xml).findtext(f"{FA}Podmiot1/{FA}DaneIdentyfikacyjne/{FA}NIP")
            if seller != session["nip"]:
                problems.append(f"seller NIP {seller} is not the signed-in context {session['nip']}")
        except FA3XmlValidationError as exc:
            problems.append(f"schema: {exc}")
        reference = _reference("EE")
        received = _now()
        number = numbers.ksef_number(session["nip"], received.date()) if not problems else None
        session["invoices"][reference] = {"xml": xml, "problems": problems, "polls": 0, "number": number,
                                          "received": received, "hash": body["invoiceHash"],
                                          "offline": bool(body.get("offlineMode"))}
        return JSONResponse({"referenceNumber": reference}, status_code=202)

    async def close_session(self, request: Request) -> Response:
        session = self.sessions.get(request.path_params["ref"])
        if session is None or self._nip(request) != session["nip"]:
            return JSONResponse({"exception": "no such session"}, status_code=400)
        session["open"] = False
        return Response(status_code=204)

    def _invoice(self, request: Request) -> dict[str, Any] | None:
        session = self.sessions.get(request.path_params["ref"])
        if session is None or self._nip(request) != session["nip"]:
            return None
        found: dict[str, Any] | None = session["invoices"].get(request.path_params["inv"])
        return found

    async def invoice_status(self, request: Request) -> Response:
        invoice = self._invoice(request)
        if invoice is None:
            return JSONResponse({"exception": "not found"}, status_code=404)
        invoice["polls"] += 1
        if invoice["polls"] == 1:
            status = {"code": 150, "description": "Trwa przetwarzanie"}
        elif invoice["problems"]:
            status = {"code": 450, "description": "Błąd weryfikacji semantyki dokumentu faktury",
                      "details": invoice["problems"]}
        else:
            status = {"code": 200, "description": "Sukces"}
        root = ET.fromstring(invoice["xml"])
        answer = {"ordinalNumber": 1, "referenceNumber": request.path_params["inv"], "invoiceHash": invoice["hash"],
                  "invoicingDate": _stamp(invoice["received"]), "status": status,
                  "invoiceNumber": root.findtext(f"{FA}Fa/{FA}P_2")}
        if status["code"] == 200:
            answer.update({"ksefNumber": invoice["number"], "acquisitionDate": _stamp(invoice["received"])})
        return JSONResponse(answer)

    async def invoice_upo(self, request: Request) -> Response:
        invoice = self._invoice(request)
        if invoice is None or not invoice["number"]:
            return JSONResponse({"exception": "not found"}, status_code=404)
        root = ET.fromstring(invoice["xml"])
        receipt = upo.receipt(session_reference=request.path_params["ref"], nip=str(self._nip(request)),
                              ksef_number=invoice["number"], invoice_number=root.findtext(f"{FA}Fa/{FA}P_2") or "",
                              issue_date=date.fromisoformat(root.findtext(f"{FA}Fa/{FA}P_1") or ""),
                              received_at=invoice["received"], xml_hash=invoice["hash"], offline=invoice["offline"])
        return Response(receipt.encode("utf-8"), media_type="application/xml")

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v2/security/public-key-certificates", self.certificates, methods=["GET"]),
            Route("/v2/auth/challenge", self.challenge, methods=["POST"]),
            Route("/v2/auth/ksef-token", self.ksef_token, methods=["POST"]),
            Route("/v2/auth/token/redeem", self.redeem, methods=["POST"]),
            Route("/v2/auth/{ref}", self.auth_status, methods=["GET"]),
            Route("/v2/sessions/online", self.open_session, methods=["POST"]),
            Route("/v2/sessions/online/{ref}/invoices", self.send_invoice, methods=["POST"]),
            Route("/v2/sessions/online/{ref}/close", self.close_session, methods=["POST"]),
            Route("/v2/sessions/{ref}/invoices/{inv}", self.invoice_status, methods=["GET"]),
            Route("/v2/sessions/{ref}/invoices/{inv}/upo", self.invoice_upo, methods=["GET"]),
        ])


class Served:
    """The fake on a free loopback port, in a uvicorn thread, for the `with` block."""

    def __init__(self, fake: FakeKsef) -> None:
        self.fake = fake
        port = free_port()
        fake.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="fake-ksef", daemon=True)

    def __enter__(self) -> FakeKsef:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake KSeF did not start")
            time.sleep(0.01)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
