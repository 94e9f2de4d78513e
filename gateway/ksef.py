"""Which KSeF transport this gateway sends through: the built-in simulator unless GATEWAY_KSEF_URL names a
KSeF API v2 (the Ministry's test, demo or production environment, or a local stand-in)."""
from __future__ import annotations

from core.einvoice.simulator import Simulator
from core.einvoice.transport import Transport
from gateway.settings import Settings


def transport_for(settings: Settings) -> Transport:
    if settings.ksef_url:
        from gateway.ksef_client_transport import KsefClientTransport
        return KsefClientTransport(settings.ksef_url, settings.ksef_token, poll_interval=settings.ksef_poll_seconds)
    return Simulator(settings.ksef_send_error_chance, settings.ksef_server_error_chance)
