"""KSeF numbers and the verification links printed as QR codes.

A KSeF number is `NIP-YYYYMMDD-XXXXXXXXXXXX-XX`: the seller's NIP, the day KSeF received the invoice,
12 hex digits of its own, and a CRC-8 (polynomial 0x07, initial 0) of the 32 characters before it, in hex.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import date

KSEF_NUMBER = re.compile(r"[1-9]((\d[1-9])|([1-9]\d))\d{7}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}")

# KOD I links, per KSeF environment (the Ministry's QR verification service).
QR_BASE = {"production": "https://qr.ksef.mf.gov.pl", "demo": "https://qr-demo.ksef.mf.gov.pl",
           "test": "https://qr-test.ksef.mf.gov.pl"}


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_number(nip: str, day: date, unique: str | None = None) -> str:
    """A new number for an invoice of seller `nip` received on `day`; `unique`: 12 hex digits, else random."""
    unique = unique or secrets.token_hex(6).upper()
    body = f"{nip}-{day:%Y%m%d}-{unique}"
    return f"{body}-{crc8(body.encode('ascii')):02X}"


def is_ksef_number(value: str) -> bool:
    return bool(KSEF_NUMBER.fullmatch(value)) and crc8(value[:32].encode("ascii")) == int(value[-2:], 16)


def document_hash(xml: bytes) -> str:
    """SHA-256 of the document as sent, base64 (the form KSeF's session API and the UPO carry)."""
    return base64.b64encode(hashlib.sha256(xml).digest()).decode("ascii")


def _url_hash(hash_b64: str) -> str:
    return base64.urlsafe_b64encode(base64.b64decode(hash_b64)).decode("ascii").rstrip("=")


def verification_link(environment: str, nip: str, issue_date: date, hash_b64: str) -> str:
    """KOD I: anyone holding the printout can check the invoice in KSeF by seller, issue date and hash."""
    return f"{QR_BASE[environment]}/invoice/{nip}/{issue_date:%d-%m-%Y}/{_url_hash(hash_b64)}"


def certificate_link(environment: str, nip: str, certificate_serial: str, hash_b64: str, signature: str) -> str:
    """KOD II, printed on offline invoices: the issuer's KSeF certificate vouches for the document."""
    return (f"{QR_BASE[environment]}/certificate/Nip/{nip}/{nip}/{certificate_serial}/{_url_hash(hash_b64)}/"
            f"{signature}")
