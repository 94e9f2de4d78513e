"""One invoice in every registered dialect's wire forms (Dialect.rosetta), each produced by the dialect's own
presenter and renderer (never a mapping of the console's own), with the fields each form cannot express
exactly.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlmodel import Session

from core.handlers.invoice_state import account_of, view_of
from dialects.kit.dialect import Dialect

log = logging.getLogger("gateway.console")


@dataclass(frozen=True)
class Line:
    text: str
    lossy: str | None = None  # the note, when this line shows a field the dialect renders lossily


@dataclass
class Pane:
    key: str
    title: str
    request: str
    lines: list[Line]
    lossy: list[tuple[str, str | None, str]] = field(default_factory=list)  # (field, wire key, note)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Rosetta:
    invoice_id: int
    number: str
    kind: str
    status: str
    buyer: str
    gross: Any
    currency: str
    panes: list[Pane]
    fidelity_note: str = ""
    ksef: Any = None  # the invoice's KSeF document (core.models.KsefDocument), None until it is sent
    ksef_mode: str = ""


def reindent_json(raw: str) -> str:
    """Indent compact JSON without parsing it, so every number keeps the exact digits the dialect
    wrote ("currval":4.1783 and "0.2300" stay as they are on the wire)."""
    out: list[str] = []
    depth, in_string, escaped = 0, False, False
    pad = "  "
    i = 0
    while i < len(raw):
        ch = raw[i]
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch in "{[":
            closing = "}" if ch == "{" else "]"
            if i + 1 < len(raw) and raw[i + 1] == closing:  # {} and [] stay on one line
                out.append(ch + closing)
                i += 1
            else:
                depth += 1
                out.append(ch + "\n" + pad * depth)
        elif ch in "}]":
            depth -= 1
            out.append("\n" + pad * depth + ch)
        elif ch == ",":
            out.append(",\n" + pad * depth)
        elif ch == ":":
            out.append(": ")
        elif not ch.isspace():
            out.append(ch)
        i += 1
    return "".join(out)


def _fidelity() -> tuple[Any, Any] | None:
    """gateway.fidelity (the one table of lossy mappings), imported lazily: the console works,
    without highlights, where it is absent."""
    try:
        from gateway.fidelity import lossy_fields, wire_key
    except ImportError:
        return None
    return lossy_fields, wire_key


def _lossy_of(pane_key: str) -> list[tuple[str, str | None, str]]:
    found = _fidelity()
    if found is None:
        return []
    lossy_fields, wire_key = found
    try:
        notes = lossy_fields(pane_key)
    except (KeyError, ValueError):
        return []
    result = []
    for name, note in notes.items():
        try:
            key = wire_key(name, pane_key)
        except (KeyError, ValueError):
            key = None
        result.append((name, key, str(note)))
    return result


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _leaf_keys(wire: str) -> list[str]:
    """The element/key names a fidelity wire path ends in: "c1name, c1street" -> both;
    "items[].discount" -> discount; "invoice/status" -> status; "rows[] by tax" -> rows."""
    leaves = []
    for part in wire.split(","):
        words = part.strip().split(" ")
        leaf = re.split(r"[./]", words[0].replace("[]", ""))[-1] if words and words[0] else ""
        if _IDENT.match(leaf):
            leaves.append(leaf)
    return leaves


def _key_patterns(xml: bool, wire: str) -> list[re.Pattern[str]]:
    if xml:
        return [re.compile(r"^\s*<" + re.escape(leaf.replace("_", "-")) + r"[\s>/]") for leaf in _leaf_keys(wire)]
    return [re.compile(r'^\s*"' + re.escape(leaf) + r'":') for leaf in _leaf_keys(wire)]


def _mark(xml: bool, text: str, lossy: list[tuple[str, str | None, str]]) -> list[Line]:
    patterns = [(pattern, f"{name}: {note}") for name, wire, note in lossy if wire
                for pattern in _key_patterns(xml, wire)]
    lines = []
    for raw in text.splitlines():
        note = next((n for pattern, n in patterns if pattern.match(raw)), None)
        lines.append(Line(raw, note))
    return lines


def rosetta(session: Session, account_id: int, invoice_id: int, base_url: str,
            dialects: Sequence[Dialect]) -> Rosetta:
    view = view_of(session, account_id, invoice_id)  # NotFound for another account's id
    panes = []
    for pane in (pane for dialect in dialects for pane in dialect.rosetta):
        text = pane.render(session, view, base_url)
        lossy = _lossy_of(pane.key)
        panes.append(Pane(pane.key, pane.title, pane.request.replace("{id}", str(invoice_id)),
                          _mark(pane.xml, text if pane.xml else reindent_json(text), lossy), lossy))
    inv = view.invoice
    note = "" if _fidelity() is not None else "The fidelity table (gateway.fidelity) is not installed: no highlights."
    from sqlmodel import select

    from core.einvoice.service import mode_of
    from core.models import KsefDocument
    document = session.execute(select(KsefDocument).where(KsefDocument.invoice_id == invoice_id,
                                                          KsefDocument.account_id == account_id)).scalars().first()
    return Rosetta(invoice_id, inv.number, inv.kind, inv.status, inv.buyer_name, inv.price_gross, inv.currency,
                   panes, note, document, mode_of(account_of(session, account_id)))
