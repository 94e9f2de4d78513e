"""Which request hosts a sent mail's links may name (dialects/kit/sending.py); the sends themselves are tested over
HTTP with a real SMTP server in tests/parity/test_send_by_email.py."""
from __future__ import annotations

import pytest

from dialects.kit.sending import host_allowed
from gateway.settings import Settings

DEFAULT = Settings().allowed_hosts


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "acme.localhost", "a.b.localhost", "LOCALHOST"])
def test_the_default_list_allows_local_hosts_and_account_prefixes(host: str) -> None:
    assert host_allowed(host, DEFAULT)


@pytest.mark.parametrize("host", ["phish.example", "evil-localhost", "localhost.attacker.example", ".localhost",
                                  "127.0.0.2", "", "testserver"])
def test_a_host_the_list_does_not_name_is_refused(host: str) -> None:
    assert not host_allowed(host, DEFAULT)


def test_a_wildcard_entry_matches_subdomains_only() -> None:
    allowed = "*.faktury.example.com"
    assert host_allowed("acme.faktury.example.com", allowed)
    assert not host_allowed("faktury.example.com", allowed) and not host_allowed("xfaktury.example.com", allowed)
