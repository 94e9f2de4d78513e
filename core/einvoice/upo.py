"""The UPO (Urzędowe Poświadczenie Odbioru), KSeF's receipt for an accepted document, in the shape of the
Ministry's UPO v4-3 schema: who received it, the session, and per document its KSeF number and hash."""
from __future__ import annotations

from datetime import date, datetime, timezone
from xml.etree import ElementTree as ET

UPO_NAMESPACE = "http://upo.schematy.mf.gov.pl/KSeF/v4-3"


def receipt(*, session_reference: str, nip: str, ksef_number: str, invoice_number: str, issue_date: date,
            received_at: datetime, xml_hash: str, offline: bool) -> str:
    ET.register_namespace("", UPO_NAMESPACE)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{UPO_NAMESPACE}}}{tag}")
        element.text = text
        return element

    stamp = received_at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    root = ET.Element(f"{{{UPO_NAMESPACE}}}Potwierdzenie")
    sub(root, "NazwaPodmiotuPrzyjmujacego", "Ministerstwo Finansów")
    sub(root, "NumerReferencyjnySesji", session_reference)
    auth = sub(root, "Uwierzytelnienie")
    context = sub(auth, "IdKontekstu")
    sub(context, "Nip", nip)
    sub(root, "KodFormularza", "FA (3)")
    document = sub(root, "Dokument")
    sub(document, "NipSprzedawcy", nip)
    sub(document, "NumerKSeFDokumentu", ksef_number)
    sub(document, "NumerFaktury", invoice_number)
    sub(document, "DataWystawieniaFaktury", issue_date.isoformat())
    sub(document, "DataPrzeslaniaDokumentu", stamp)
    sub(document, "DataNadaniaNumeruKSeF", stamp)
    sub(document, "SkrotDokumentu", xml_hash)
    sub(document, "TrybWysylki", "Offline" if offline else "Online")
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
