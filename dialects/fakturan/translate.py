"""fakturan.nu's translator (Dialect.translator, run by gateway/translate.py): a /api/v2 request becomes a core
command through parse.py, the code its endpoints run, and a command becomes a request through encode.py."""
from __future__ import annotations

import re
import shlex
from typing import Any, Mapping

from core import commands as c
from dialects.fakturan.encode import encode
from dialects.fakturan.errors import ErrorBag, Rejected
from dialects.fakturan.parse import client_fields, payment_input, send_input, with_gross_prices
from dialects.fakturan.parse import invoice_input as fakturan_invoice
from dialects.kit import translate as kit

PATH = re.compile(r"^/api/v2/(?P<res>invoices|clients)(?:/(?P<id>\d+))?(?:/(?P<act>send|payments))?/?$")
CREDENTIAL = "$FAKTURAN_KEY_ID:$FAKTURAN_PASSWORD"


def _command(request: Mapping[str, Any]) -> Any:
    method, m, _query = kit.route(request, PATH)
    res, ident, act = m["res"], m["id"], m["act"]
    data = kit.json_body(request) if method != "GET" else {}
    bag = ErrorBag()
    command: Any = None
    if res == "invoices" and act is None:
        if method == "GET":
            return kit.GetInvoice(int(ident)) if ident else kit.ListInvoices()
        creating = method == "POST" and not ident
        if not creating and method not in ("PUT", "PATCH"):
            raise kit.TranslationError(f"{method} {m.group(0)}: fakturan.nu has no such invoice request")
        inp = fakturan_invoice(bag, data, creating=creating)
        bag.raise_if_any()
        fields = dict(inp.fields)
        if inp.extra:
            fields["extra"] = dict(inp.extra)
        lines = with_gross_prices(inp.lines) if fields.get("prices_gross") else inp.lines
        if creating:
            command = c.CreateInvoice(kit.ACCOUNT, "fakturan", fields, lines or (), new_client=inp.new_client,
                                      match_client=False, seq=inp.seq)
        else:
            command = c.UpdateInvoice(kit.ACCOUNT, int(ident), fields, lines, seq=inp.seq)
    elif res == "invoices" and act == "payments" and method == "POST":
        amount, paid_at = payment_input(bag, data)
        bag.raise_if_any()
        command = c.RecordPayment(kit.ACCOUNT, "fakturan", amount=amount, invoice_ids=(int(ident),), paid_date=paid_at)
    elif res == "invoices" and act == "send" and method == "POST":
        channel, reminder = send_input(bag, data)
        bag.raise_if_any()
        command = c.SendInvoice(kit.ACCOUNT, int(ident), "fakturan",
                                channel="letter" if channel == "letter" else "email", force=True, as_reminder=reminder)
    elif res == "clients" and method == "POST" and not ident:
        fields = client_fields(bag, data)
        bag.raise_if_any()
        command = c.CreateRecord("client", kit.ACCOUNT, {k: v for k, v in fields.items() if v != {}})
    if command is None:
        raise kit.TranslationError(f"{method} {m.group(0)}: translate does not handle this fakturan.nu request")
    return command


def curl(encoded: Mapping[str, Any], base_url: str) -> str:
    url = shlex.quote(f"{base_url.rstrip('/')}{encoded['path']}")
    return kit.json_curl(encoded["method"], ["-u", f'"{CREDENTIAL}"', url], encoded["body"])


TRANSLATOR = kit.Translator(
    parse=kit.refusing(_command, Rejected, lambda exc: f"fakturan.nu would refuse it (422): {exc}"),
    encode=encode, curl=curl)
