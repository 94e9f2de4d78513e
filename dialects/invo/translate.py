"""INVO's translator (Dialect.translator, run by gateway/translate.py): an r/q request becomes a core command
through the readers its resources run (parse.py, resources/), and a command becomes r and q through encode.py."""
from __future__ import annotations

import re
import shlex
from typing import Any, Mapping

from core import commands as c
from dialects.invo.encode import encode
from dialects.invo.errors import InvoError
from dialects.invo.fields import STATUS_TO_CORE
from dialects.invo.invoice_input import header
from dialects.invo.lookups import Dictionaries
from dialects.invo.parse import as_id, as_int, parse_form, query_document
from dialects.invo.resources.customers import fields_of as customer_fields
from dialects.kit import translate as kit

CREDENTIAL = "$INVO_LOGIN:$INVO_PASSWORD"
NO_DICTIONARIES = Dictionaries({})


def _command(request: Mapping[str, Any]) -> Any:
    resource = request.get("r")
    q = query_document(request.get("q"))
    action = q.get("action")
    if resource == "invoices":
        if action == "list":
            return kit.GetInvoice(as_id(q["id"])) if "id" in q else kit.ListInvoices()
        if action == "delete":
            return c.DeleteInvoice(kit.ACCOUNT, as_id(q.get("id")))
        if action == "status":
            code = as_int(q.get("value"), "value")
            if code not in STATUS_TO_CORE:
                raise kit.TranslationError("value must be 0 to 5")
            target = STATUS_TO_CORE[code]
            ident = as_id(q.get("id"))
            return c.CancelInvoice(kit.ACCOUNT, ident) if target == "cancelled" else c.ChangeInvoiceStatus(
                kit.ACCOUNT, ident, target)
        if action in ("add", "edit"):
            data = header(q, NO_DICTIONARIES)
            fields = dict(data.fields)
            if data.extra:
                fields["extra"] = dict(data.extra)
            if data.recipient_id:
                fields["recipient_id"] = data.recipient_id
            if data.supplier_id:
                raise kit.TranslationError("cost documents (buy:1) are not translated: the other dialects keep "
                                       "purchases elsewhere")
            if action == "add":
                return c.CreateInvoice(kit.ACCOUNT, "invo", fields, data.lines or (), seq=data.seq)
            return c.UpdateInvoice(kit.ACCOUNT, as_id(q.get("id")), fields, data.lines,
                                   replace_lines=data.lines is not None, seq=data.seq)
    if resource == "customers" and action == "add":
        return c.CreateRecord("client", kit.ACCOUNT, customer_fields(q, NO_DICTIONARIES))
    if resource == "files" and action == "send":
        emails = tuple(a.strip() for a in re.split(r"[,;]", str(q.get("email") or "")) if a.strip())
        return c.SendInvoice(kit.ACCOUNT, as_id(q.get("id")), "invo", recipients=emails, force=True)
    raise kit.TranslationError(f"r={resource} action={action}: translate handles invoices (list, add, edit, status, "
                           "delete), customers add and files send")


def _refusal(exc: InvoError) -> str:
    fields = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
    return f"INVO error {exc.code}: {exc.message}" + (f" ({fields})" if fields else "")


def curl(encoded: Mapping[str, Any], base_url: str) -> str:
    """A curl command; the credentials are shell variables, never real secrets."""
    body = encoded["body"]
    return (f'curl -s -u "{CREDENTIAL}" {shlex.quote(base_url.rstrip("/") + encoded["path"])} '
            f"--data-urlencode r={shlex.quote(body['r'])} --data-urlencode {shlex.quote('q=' + kit.text(body['q']))}")


def read_body(body: str) -> dict[str, Any]:
    """A request file's body: a form body `r=invoices&q={...}` or a JSON body {"r","q"}."""
    body = body.strip()
    try:  # the form reader's own limits (field count, encoding) refuse as INVO would, not as a crash
        fields = kit.loads(body) if body.startswith("{") else parse_form(body)
    except InvoError as exc:
        raise kit.TranslationError(_refusal(exc)) from None
    return {"r": fields.get("r"), "q": fields.get("q")}


TRANSLATOR = kit.Translator(
    parse=kit.refusing(_command, InvoError, _refusal), encode=encode, curl=curl, read_body=read_body,
    shown=lambda encoded: {"r": encoded["body"]["r"], "q": kit.text(encoded["body"]["q"])})
