"""Proxy headers, believed only from trusted proxies (GATEWAY_TRUSTED_PROXIES, default 127.0.0.1 as
uvicorn's --forwarded-allow-ips).

Outermost ASGI middleware. From a trusted peer, X-Forwarded-For names the client (the rightmost address
that is not itself a trusted proxy, as uvicorn does) and X-Forwarded-Proto the scheme; X-Forwarded-Host
stays for the dialects to read. From any other peer all three headers are dropped before anything sees
them, so a client cannot pick the address its failed sign-ins are counted under, nor the host that
account prefixes and links are taken from.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

FORWARDED = frozenset((b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"))
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_REMEMBERED_PEERS = 4096


class TrustedHosts:
    """A list of addresses and networks ("10.0.0.0/8"); "*" is everyone."""

    def __init__(self, entries: Iterable[str]) -> None:
        cleaned = [e.strip() for e in entries if e.strip()]
        self.everyone = "*" in cleaned
        self.networks: list[Network] = []
        self.names: set[str] = set()  # e.g. a unix socket's peer, which has no address
        for entry in cleaned:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry)

    @classmethod
    def parse(cls, text: str) -> "TrustedHosts":
        return cls(text.split(","))

    def __contains__(self, host: str) -> bool:
        if self.everyone or host in self.names:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class ProxyHeadersMiddleware:
    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app, self.trusted = app, TrustedHosts.parse(trusted)
        self._verdicts: dict[str, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = scope.get("headers") or []
            # Without forwarded headers there is nothing to believe or to drop, whoever the peer is
            # (a plain loop: the request's few headers are looked at once, with no generator to set up).
            for name, _ in headers:
                if name in FORWARDED:
                    scope = self._forwarded(scope, headers)
                    break
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> Scope:
        client = scope.get("client")
        if client and self._trusts(client[0]):
            return self._believed(scope, client, headers)
        return dict(scope, headers=[(n, v) for n, v in headers if n not in FORWARDED])

    def _trusts(self, host: str) -> bool:
        """`host in self.trusted`, remembered: parsing the address and testing each network cost more than
        the rest of this middleware. Peers are few (the proxies in front); the memory is bounded anyway."""
        known = self._verdicts.get(host)
        if known is None:
            if len(self._verdicts) >= MAX_REMEMBERED_PEERS:
                self._verdicts.clear()
            known = self._verdicts[host] = host in self.trusted
        return known

    def _believed(self, scope: Scope, client: tuple[str, int], headers: list[tuple[bytes, bytes]]) -> Scope:
        values = {name.decode(): value.decode("latin-1") for name, value in headers if name in FORWARDED}
        scope = dict(scope)
        proto = values.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto
        hops = [hop.strip() for hop in values.get("x-forwarded-for", "").split(",") if hop.strip()]
        for position in range(len(hops) - 1, -1, -1):  # the nearest hop that is not a proxy of ours
            if hops[position] not in self.trusted or position == 0:
                scope["client"] = (hops[position], 0)
                break
        return scope
