"""The gateway's side of webhooks: the HTTP client that delivers them (core speaks no HTTP), and the
presenter that shows a resource as the webhook dialect's GET does, installed into core.events."""
from __future__ import annotations

from functools import partial
from typing import Any, Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from core import events
from core.delivery import Channel
from core.documents.outbox import DEFAULT_PUBLIC_BASE_URL
from core.models import Account
from core.webhooks import TIMEOUT_S, Target, allowed_hosts, webhook_channel
from dialects.kit.dialect import Dialect
from gateway.settings import Settings

USER_AGENT = "invoice-gateway-webhooks/1"


class Sender:
    """POSTs to the address core.webhooks checked, naming the host in Host and in TLS (SNI and the
    certificate check), never following a redirect (it could lead anywhere), within TIMEOUT_S."""

    def __init__(self) -> None:
        self.client = httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False)

    def __call__(self, target: Target, headers: dict[str, str], body: bytes) -> int:
        parts = urlsplit(target.url)
        address = f"[{target.address}]" if ":" in target.address else target.address
        netloc = address + (f":{parts.port}" if parts.port else "")
        url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": target.host} if parts.scheme == "https" else {}
        response = self.client.post(url, content=body, headers={**headers, "host": host, "user-agent": USER_AGENT},
                                    extensions=extensions)
        return response.status_code


def webhook_channels(settings: Settings) -> list[Channel]:
    return [webhook_channel(Sender(), allowed_hosts(settings.webhook_allow_hosts), settings.webhook_retry_base)]


def install_presenter(dialects: Sequence[Dialect], settings: Settings) -> None:
    """The first dialect that presents webhook payloads shows every event, whichever dialect
    made the change."""
    presenter = next((d.webhook_payload for d in dialects if d.webhook_payload is not None), None)
    if presenter is not None:
        base = (settings.public_base_url or DEFAULT_PUBLIC_BASE_URL).rstrip("/")
        events.install_presenter(partial(_present, presenter, base))


def _present(presenter: Any, base: str, entity: str, subject: Any, account: Account, session: Any) -> dict[str, Any]:
    shown: dict[str, Any] = presenter(entity, subject, account, base, session)
    return shown
