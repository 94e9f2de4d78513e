"""The README's 10-line signature check accepts a real delivery and refuses a changed body or another secret."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from core.events import new_secret
from tests.webhooks.conftest import Receiver, subscribe

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_verify() -> Any:
    text = README.read_text(encoding="utf-8")
    start = text.index("```python\nimport base64, hashlib, hmac, time") + len("```python\n")
    code = text[start:text.index("```", start)]
    assert len(code.strip().splitlines()) <= 10
    scope: dict[str, Any] = {}
    exec(code, scope)  # the README's own example, run as a reader would paste it
    return scope["verify"]


def test_the_readme_check_verifies_a_real_delivery(client: TestClient, account: dict[str, Any],
                                                   receiver: Receiver) -> None:
    token = account["invoiceocean"]["api_token"]
    hook = subscribe(client, token, "product:create", receiver.url)
    client.post("/products.json", json={"api_token": token, "product": {"name": "Produkt", "price_net": "5"}})
    [received] = receiver.wait_for(1)
    verify = _readme_verify()
    assert verify(hook["secret"], received.headers, received.body)
    assert not verify(hook["secret"], received.headers, received.body.replace(b"Produkt", b"Produkx"))
    assert not verify(new_secret(), received.headers, received.body)
