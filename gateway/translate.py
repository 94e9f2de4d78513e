"""Translate one dialect's request into the equivalent requests of the others, without running it.

The source request goes through the same parse-to-command code the dialect's endpoints use
(dialects/<name>/parse.py, invoice_input.py, mapping.py); the command goes through each target's
encoder (dialects/<name>/encode.py), which reads the dialect's own field tables backwards. Nothing
here maps a field: there is no second mapping to drift. Nothing touches the database either, so
lookups that need the account's data (INVO dictionary ids) are refused with a clear message.
"""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from core import commands as c
from core.errors import DomainError, Invalid
from core.models import Client
from dialects.fakturan import encode as fakturan_encode
from dialects.fakturan.errors import ErrorBag, Rejected
from dialects.fakturan.parse import client_fields, invoice_input as fakturan_invoice, payment_input, send_input
from dialects.fakturan.parse import with_gross_prices
from dialects.invo import encode as invo_encode
from dialects.invo.errors import InvoError
from dialects.invo.invoice_input import header
from dialects.invo.lookups import Dictionaries
from dialects.invo.mapping import STATUS_TO_CORE
from dialects.invo.parse import as_id, as_int
from dialects.invo.protocol import query_document
from dialects.invo.resources.customers import fields_of as customer_fields
from dialects.invoiceocean import encode as io_encode
from dialects.invoiceocean.errors import ApiError
from dialects.invoiceocean.parse import invoice_input as io_invoice, payment_input as io_payment
from dialects.invoiceocean.parse import record_fields, wrapped
from dialects.invoiceocean.present import STATUS_INPUT
from dialects.invoiceocean.xml import XmlRejected, parse_xml

DIALECTS = ("invoiceocean", "invo", "fakturan")
ACCOUNT = 0  # commands are never executed, so they belong to no account
ENCODERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "invoiceocean": io_encode.encode, "invo": invo_encode.encode, "fakturan": fakturan_encode.encode}
CREDENTIALS = {"invoiceocean": "$API_TOKEN", "invo": "$INVO_LOGIN:$INVO_PASSWORD",
               "fakturan": "$FAKTURAN_KEY_ID:$FAKTURAN_PASSWORD"}


class TranslationError(Exception):
    """The request cannot be translated; the message is safe to show to a user."""


@dataclass(frozen=True)
class GetInvoice:
    """A read, which has no core command: translated as the same read in each dialect."""

    invoice_id: int


@dataclass(frozen=True)
class ListInvoices:
    pass


# -- reading the source request -------------------------------------------------------------------
def _loads(text: Any) -> Any:
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    if not isinstance(text, (str, bytes)):
        return text
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        raise TranslationError("the body is not valid JSON") from None


def _body(request: Mapping[str, Any], fmt: str = "json") -> dict[str, Any]:
    raw = request.get("body")
    if fmt == "xml" and isinstance(raw, str) and raw.lstrip().startswith("<"):
        try:
            root, value = parse_xml(raw.encode())
        except XmlRejected as exc:
            raise TranslationError(f"the XML body is refused: {exc}") from None
        return {root: value} if root in io_encode_wrappers() else (value if isinstance(value, dict) else {})
    data = _loads(raw)
    if not isinstance(data, dict):
        raise TranslationError("the body must be a JSON object")
    return data


def io_encode_wrappers() -> frozenset[str]:
    from dialects.invoiceocean.respond import WRAPPERS
    return WRAPPERS


IO_PATH = re.compile(r"^/(?P<res>invoices|clients|banking/payments)(?:/(?P<id>\d+))?(?:/(?P<act>[a-z_]+))?"
                     r"\.(?P<fmt>json|xml)$")
FK_PATH = re.compile(r"^/api/v2/(?P<res>invoices|clients)(?:/(?P<id>\d+))?(?:/(?P<act>send|payments))?/?$")


def _route(request: Mapping[str, Any], pattern: re.Pattern[str]) -> tuple[str, re.Match[str], dict[str, str]]:
    method = str(request.get("method") or "GET").upper()
    url = urlsplit(str(request.get("path") or ""))
    found = pattern.match(url.path)
    if found is None:
        raise TranslationError(f"{method} {url.path or '(no path)'} is not a request translate knows: invoices "
                               "(create, update, status, cancel, delete, get, list), payments and client create")
    return method, found, dict(parse_qsl(url.query))


def from_invoiceocean(request: Mapping[str, Any]) -> Any:
    method, m, query = _route(request, IO_PATH)
    res, ident, act, fmt = m["res"], m["id"], m["act"], m["fmt"]
    data = _body(request, fmt) if method != "GET" else {}
    arg = {**{k: v for k, v in data.items() if not isinstance(v, dict)}, **query}
    if res == "invoices" and act is None:
        if method == "GET":
            return GetInvoice(int(ident)) if ident else ListInvoices()
        if method == "DELETE" and ident:
            return c.DeleteInvoice(ACCOUNT, int(ident))
        parsed = io_invoice(wrapped(data, "invoice") or ({"status": data["status"]} if "status" in data else {}))
        if method == "POST" and not ident:
            return c.CreateInvoice(ACCOUNT, "invoiceocean", parsed.fields, parsed.lines or (),
                                   copy_from=parsed.copy_from, oid_unique=parsed.oid_unique,
                                   price_list_id=parsed.price_list_id, use_price_lists=parsed.use_price_lists)
        if method in ("PUT", "PATCH") and ident:
            if set(parsed.fields) == {"status"} and parsed.lines is None:
                return c.ChangeInvoiceStatus(ACCOUNT, int(ident), parsed.fields["status"])
            return c.UpdateInvoice(ACCOUNT, int(ident), parsed.fields, parsed.lines)
    if res == "invoices" and method == "POST" and act == "change_status" and ident:
        status = str(arg.get("status") or wrapped(data, "invoice").get("status") or "").strip().lower()
        if status not in STATUS_INPUT:
            raise TranslationError(f"status {status!r} is not an InvoiceOcean status")
        return c.ChangeInvoiceStatus(ACCOUNT, int(ident), status)
    if res == "invoices" and method == "POST" and act == "cancel" and ident:
        return c.CancelInvoice(ACCOUNT, int(ident), str(arg.get("cancel_reason") or ""))
    if res == "invoices" and method == "POST" and act == "send_by_email" and ident:
        split = lambda v: tuple(a.strip() for a in re.split(r"[,;]", str(v or "")) if a.strip())  # noqa: E731
        return c.SendInvoice(ACCOUNT, int(ident), "invoiceocean", recipients=split(arg.get("email_to")),
                             cc=split(arg.get("email_cc")), force=str(arg.get("force")).lower() in ("true", "1"))
    if res == "banking/payments" and method == "POST" and not ident:
        payment = io_payment(wrapped(data, "banking_payment", "payment"))
        return c.RecordPayment(ACCOUNT, "invoiceocean", amount=payment.amount, invoice_ids=payment.invoice_ids or (),
                               paid_date=payment.paid_date, fields=payment.fields)
    if res == "clients" and method == "POST" and not ident:
        return c.CreateRecord("client", ACCOUNT, record_fields("client", Client, wrapped(data, "client")))
    raise TranslationError(f"{method} {m.group(0)}: translate does not handle this InvoiceOcean request")


NO_DICTIONARIES = Dictionaries({})


def from_invo(request: Mapping[str, Any]) -> Any:
    resource = request.get("r")
    q = query_document(request.get("q"))
    action = q.get("action")
    if resource == "invoices":
        if action == "list":
            return GetInvoice(as_id(q["id"])) if "id" in q else ListInvoices()
        if action == "delete":
            return c.DeleteInvoice(ACCOUNT, as_id(q.get("id")))
        if action == "status":
            code = as_int(q.get("value"), "value")
            if code not in STATUS_TO_CORE:
                raise TranslationError("value must be 0 to 5")
            target = STATUS_TO_CORE[code]
            ident = as_id(q.get("id"))
            return c.CancelInvoice(ACCOUNT, ident) if target == "cancelled" else c.ChangeInvoiceStatus(
                ACCOUNT, ident, target)
        if action in ("add", "edit"):
            data = header(q, NO_DICTIONARIES)
            fields = dict(data.fields)
            if data.extra:
                fields["extra"] = dict(data.extra)
            if data.recipient_id:
                fields["recipient_id"] = data.recipient_id
            if data.supplier_id:
                raise TranslationError("cost documents (buy:1) are not translated: the other dialects keep "
                                       "purchases elsewhere")
            if action == "add":
                return c.CreateInvoice(ACCOUNT, "invo", fields, data.lines or (), seq=data.seq)
            return c.UpdateInvoice(ACCOUNT, as_id(q.get("id")), fields, data.lines,
                                   replace_lines=data.lines is not None, seq=data.seq)
    if resource == "customers" and action == "add":
        return c.CreateRecord("client", ACCOUNT, customer_fields(q, NO_DICTIONARIES))
    if resource == "files" and action == "send":
        emails = tuple(a.strip() for a in re.split(r"[,;]", str(q.get("email") or "")) if a.strip())
        return c.SendInvoice(ACCOUNT, as_id(q.get("id")), "invo", recipients=emails, force=True)
    raise TranslationError(f"r={resource} action={action}: translate handles invoices (list, add, edit, status, "
                           "delete), customers add and files send")


def from_fakturan(request: Mapping[str, Any]) -> Any:
    method, m, _query = _route(request, FK_PATH)
    res, ident, act = m["res"], m["id"], m["act"]
    data = _body(request) if method != "GET" else {}
    bag = ErrorBag()
    command: Any = None
    if res == "invoices" and act is None:
        if method == "GET":
            return GetInvoice(int(ident)) if ident else ListInvoices()
        creating = method == "POST" and not ident
        if not creating and method not in ("PUT", "PATCH"):
            raise TranslationError(f"{method} {m.group(0)}: fakturan.nu has no such invoice request")
        inp = fakturan_invoice(bag, data, creating=creating)
        bag.raise_if_any()
        fields = dict(inp.fields)
        if inp.extra:
            fields["extra"] = dict(inp.extra)
        lines = with_gross_prices(inp.lines) if fields.get("prices_gross") else inp.lines
        if creating:
            command = c.CreateInvoice(ACCOUNT, "fakturan", fields, lines or (), new_client=inp.new_client,
                                      match_client=False, seq=inp.seq)
        else:
            command = c.UpdateInvoice(ACCOUNT, int(ident), fields, lines, seq=inp.seq)
    elif res == "invoices" and act == "payments" and method == "POST":
        amount, paid_at = payment_input(bag, data)
        bag.raise_if_any()
        command = c.RecordPayment(ACCOUNT, "fakturan", amount=amount, invoice_ids=(int(ident),), paid_date=paid_at)
    elif res == "invoices" and act == "send" and method == "POST":
        channel, reminder = send_input(bag, data)
        bag.raise_if_any()
        command = c.SendInvoice(ACCOUNT, int(ident), "fakturan", channel="letter" if channel == "letter" else "email",
                                force=True, as_reminder=reminder)
    elif res == "clients" and method == "POST" and not ident:
        fields = client_fields(bag, data)
        bag.raise_if_any()
        command = c.CreateRecord("client", ACCOUNT, {k: v for k, v in fields.items() if v != {}})
    if command is None:
        raise TranslationError(f"{method} {m.group(0)}: translate does not handle this fakturan.nu request")
    return command


PARSERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "invoiceocean": from_invoiceocean, "invo": from_invo, "fakturan": from_fakturan}


def parse(source: str, request: Mapping[str, Any]) -> Any:
    """The source request as a core command (or a GetInvoice/ListInvoices read)."""
    if source not in PARSERS:
        raise TranslationError(f"unknown dialect {source!r}; one of {', '.join(DIALECTS)}")
    try:
        return PARSERS[source](request)
    except TranslationError:
        raise
    except InvoError as exc:
        fields = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
        raise TranslationError(f"INVO error {exc.code}: {exc.message}" + (f" ({fields})" if fields else "")) from None
    except Rejected as exc:
        problems = str(exc)
        raise TranslationError(f"fakturan.nu would refuse it (422): {problems}") from None
    except Invalid as exc:
        problems = ", ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise TranslationError(f"{source} would refuse it: {problems}") from None
    except (ApiError, DomainError) as exc:
        raise TranslationError(f"{source} would refuse it: {getattr(exc, 'message', exc)}") from None
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise TranslationError(f"the request cannot be read: {exc}") from None


# -- writing the target requests ---------------------------------------------------------------------
def _text(body: Any) -> str:
    return "" if body is None else json.dumps(body, ensure_ascii=False, default=str)


def curl(dialect: str, encoded: Mapping[str, Any], base_url: str) -> str:
    """A curl command; credentials are shell variables, never real secrets."""
    base = base_url.rstrip("/")
    method, path, query, body = encoded["method"], encoded["path"], encoded["query"], encoded["body"]
    if dialect == "invo":
        return (f'curl -s -u "{CREDENTIALS["invo"]}" {shlex.quote(base + path)} '
                f"--data-urlencode r={shlex.quote(body['r'])} --data-urlencode {shlex.quote('q=' + _text(body['q']))}")
    parts = ["curl", "-s", "-X", method]
    if dialect == "invoiceocean":
        url = f"{base}{path}?{urlencode({**query, 'api_token': 'TOKEN'})}".replace("TOKEN", CREDENTIALS[dialect])
        parts.append(f'"{url}"')
    else:
        parts += ["-u", f'"{CREDENTIALS[dialect]}"', shlex.quote(f"{base}{path}")]
    if body is not None:
        parts += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote(_text(body))]
    return " ".join(parts)


def command_name(command: Any) -> str:
    return type(command).__name__


def translate(source_dialect: str, request: Mapping[str, Any], targets: Sequence[str] | None = None,
              base_url: str = "http://127.0.0.1:8000") -> dict[str, Any]:
    """{"from", "command", "requests": {dialect: {"method","path","body","curl"} or None},
    "lossy": {dialect: [notes]}}. A target that cannot express the request gets None and a note."""
    command = parse(source_dialect, request)
    chosen = [d for d in (targets or DIALECTS) if d != source_dialect] if targets else \
        [d for d in DIALECTS if d != source_dialect]
    unknown = [d for d in chosen if d not in ENCODERS]
    if unknown:
        raise TranslationError(f"unknown dialect {unknown[0]!r}; one of {', '.join(DIALECTS)}")
    requests: dict[str, Any] = {}
    lossy: dict[str, list[str]] = {}
    for target in chosen:
        try:
            encoded = ENCODERS[target](command)
        except ValueError as exc:
            requests[target], lossy[target] = None, [str(exc)]
            continue
        path = encoded["path"] + (f"?{urlencode(encoded['query'])}" if encoded["query"] else "")
        requests[target] = {"method": encoded["method"], "path": path, "body": _text(encoded["body"]) or None,
                            "curl": curl(target, encoded, base_url)}
        if target == "invo":
            requests[target].update(r=encoded["body"]["r"], q=_text(encoded["body"]["q"]))
        lossy[target] = list(encoded["lossy"])
    return {"from": source_dialect, "command": command_name(command), "requests": requests, "lossy": lossy}


# -- the CLI: invoice-gateway translate ---------------------------------------------------------------
def read_request(text: str, source: str) -> dict[str, Any]:
    """A request file: JSON {"method","path","body"} or {"r","q"} (body/q may be objects), or HTTP-ish
    text: a `METHOD /path` line, optional header lines, a blank line, then the body (INVO: a form
    body `r=invoices&q={...}` or a JSON body {"r","q"})."""
    stripped = text.strip()
    if stripped.startswith("{"):
        document = _loads(stripped)
        if not isinstance(document, dict):
            raise TranslationError("the request file must hold a JSON object")
        return dict(document)
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    first = head.strip().splitlines()[0] if head.strip() else ""
    method, _, path = first.partition(" ")
    if not method or not path.strip():
        raise TranslationError("the request file starts with neither `{` nor a `METHOD /path` line")
    if source == "invo":
        from dialects.invo.protocol import parse_form
        body = body.strip()
        fields = _loads(body) if body.startswith("{") else parse_form(body)
        return {"r": fields.get("r"), "q": fields.get("q")}
    return {"method": method.upper(), "path": path.strip().split(" ")[0], "body": body.strip() or None}


def render_text(result: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for dialect, request in result["requests"].items():
        lines.append(f"# {dialect}" + ("" if request else ": cannot be expressed"))
        lines.extend(f"#   lossy: {note}" for note in result["lossy"].get(dialect, []))
        if request:
            lines.append(request["curl"])
        lines.append("")
    return "\n".join(lines)


def cli_command() -> Any:
    import click

    @click.command("translate")
    @click.option("--from", "source", required=True, type=click.Choice(DIALECTS), help="the request's dialect")
    @click.option("--to", "targets", multiple=True, type=click.Choice(DIALECTS),
                  help="a target dialect (repeatable); default: the other two")
    @click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="used in the curl lines")
    @click.argument("file", type=click.File("r", encoding="utf-8"))
    def command(source: str, targets: tuple[str, ...], base_url: str, file: Any) -> None:
        """Print the requests of the other dialects equivalent to FILE's request, as curl commands.
        Nothing is executed. FILE (`-` for stdin) is JSON {"method","path","body"} or {"r","q"},
        or `METHOD /path`, optional headers, a blank line and the body."""
        try:
            result = translate(source, read_request(file.read(), source), list(targets) or None, base_url)
        except TranslationError as exc:
            click.echo(f"error: {exc}")
            raise SystemExit(1) from None
        click.echo(render_text(result), nl=False)

    return command
