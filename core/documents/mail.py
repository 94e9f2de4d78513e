"""Invoice e-mail: the words (Jinja2 templates per language), the MIME message, and the two
transports: SMTP, or .eml files in a folder when no SMTP server is configured.

SMTP URLs: smtp://user:pass@host:port (plain; add ?starttls=1 to upgrade), smtps://... for
implicit TLS (port 465 by default). User and password are percent-decoded.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from core.documents.html import environment, format_money, page_word
from core.documents.labels import label, primary_language
from core.documents.view import DocumentView

MAIL_LANGUAGES = ("en", "pl", "sv")  # templates/mail/<lang>/; other languages get English
SMTP_TIMEOUT_S = 20.0
_TRUE = {"1", "true", "yes", "on"}


def mail_language(lang: str) -> str:
    primary = primary_language(lang)
    return primary if primary in MAIL_LANGUAGES else "en"


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str


def render_mail(doc: DocumentView, *, view_url: str, payment_url: str, reminder: bool = False) -> MailContent:
    """Subject, text and HTML body of an invoice e-mail, in the invoice's language."""
    lang = mail_language(doc.lang)
    due = doc.amount_due
    context = {
        "doc": doc, "lang": lang, "reminder": reminder, "view_url": view_url, "payment_url": payment_url,
        "title": f"{label(lang, f'title.{doc.kind}')} {doc.number}",
        "money": lambda value: format_money(value, lang), "remaining": max(due - doc.paid, Decimal(0)),
        "bank_account": doc.bank_account or doc.seller.bank_account,
        "view_label": label(lang, "view_online"), "pay_label": page_word(lang, "pay"),
    }
    env = environment()
    subject = env.get_template(f"mail/{lang}/subject.txt").render(context)
    return MailContent(subject=" ".join(subject.split()),
                       text=env.get_template(f"mail/{lang}/body.txt").render(context).strip() + "\n",
                       html=env.get_template(f"mail/{lang}/body.html").render(context))


def pdf_filename(number: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in number.replace("/", "-"))
    return f"{safe or 'invoice'}.pdf"


@dataclass(frozen=True)
class FileAttachment:
    name: str
    content_type: str
    data: bytes


def build_email(*, mail_from: str, recipients: list[str], cc: list[str], content: MailContent,
                pdf: bytes, pdf_name: str, files: tuple[FileAttachment, ...] = ()) -> EmailMessage:
    """multipart/mixed: (text | html) alternative, then the PDF, then any further files (the e-invoice)."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(recipients)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = content.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    for file in files:
        maintype, _, subtype = file.content_type.partition("/")
        message.add_attachment(file.data, maintype=maintype, subtype=subtype, filename=file.name)
    return message


# -- transports ----------------------------------------------------------------------------
class Transport(Protocol):
    def send(self, message: EmailMessage, key: str) -> str:
        """Deliver; returns where it went (for the outbox row). Raises on failure."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str = ""
    password: str = ""
    security: str = "none"  # none | starttls | tls


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"not an SMTP URL (smtp://user:pass@host:port or smtps://...): {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "smtps":
        security = "tls"
    else:
        security = "starttls" if query.get("starttls", "").lower() in _TRUE else "none"
    return SmtpTarget(host=parts.hostname, port=parts.port or (465 if security == "tls" else 25),
                      username=unquote(parts.username or ""), password=unquote(parts.password or ""),
                      security=security)


class SmtpTransport:
    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT_S) -> None:
        self.target = parse_smtp_url(url)
        self.timeout = timeout

    def send(self, message: EmailMessage, key: str) -> str:
        target = self.target
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if target.security == "tls":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        with client:
            if target.security == "starttls":
                client.starttls(context=context)
            if target.username:
                client.login(target.username, target.password)
            client.send_message(message)
        return f"smtp://{target.host}:{target.port}"


class EmlTransport:
    """No SMTP server configured: each message becomes <folder>/<key>.eml, ready to open or relay."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage, key: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.eml"
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(bytes(message))
        partial.replace(path)  # a reader never sees half a message
        return str(path)


def transport_for(smtp_url: str, outbox_dir: Path) -> Transport:
    return SmtpTransport(smtp_url) if smtp_url.strip() else EmlTransport(outbox_dir)
