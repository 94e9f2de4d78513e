"""Shared by the Python flows: the same environment variables as lib.sh, and httpx clients whose
`call` prints each request and stops the script (exit 1) on an unexpected status.

    BASE_URL, CREDENTIALS_FILE, IO_TOKEN, INVO_LOGIN, INVO_PASSWORD, FK_KEY, FK_PASSWORD
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import httpx

EXAMPLES_DIR = Path(__file__).resolve().parent
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CREDENTIALS_FILE = Path(os.environ.get("CREDENTIALS_FILE", EXAMPLES_DIR.parent / "var" / "demo-credentials.json"))
TIMEOUT = httpx.Timeout(30.0)


def fail(message: str) -> NoReturn:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def credential(variable: str, dialect: str, key: str) -> str:
    """The variable if set, else the demo account's value from the credentials file."""
    if os.environ.get(variable):
        return os.environ[variable]
    try:
        return str(json.loads(CREDENTIALS_FILE.read_text())[dialect][key])
    except (OSError, ValueError, KeyError):
        fail(f"set {variable} or create {CREDENTIALS_FILE} (make run does)")


def step(title: str) -> None:
    print(f"\n== {title}")


def check(condition: bool, what: str) -> None:
    if not condition:
        fail(what)
    print(f"   ok: {what}")


class Api:
    """One dialect's client: base URL, its authentication, and checked calls."""

    def __init__(self, **client_options: Any) -> None:
        self.http = httpx.Client(base_url=BASE_URL, timeout=TIMEOUT, **client_options)

    def call(self, method: str, path: str, expect: int, **options: Any) -> httpx.Response:
        print(f"-> {method} {path}")
        try:
            response = self.http.request(method, path, **options)
        except httpx.HTTPError as error:
            fail(f"{method} {path}: {error!r}")
        shown = response.text[:160].replace("\n", " ") if "pdf" not in response.headers.get("content-type", "") \
            else f"<{len(response.content)} bytes of PDF>"
        print(f"<- {response.status_code} {shown}")
        if response.status_code != expect:
            fail(f"expected HTTP {expect}, got {response.status_code}: {response.text[:600]}")
        return response


class InvoiceOcean(Api):
    def __init__(self) -> None:
        super().__init__(headers={"Accept": "application/json"})
        self.token = credential("IO_TOKEN", "invoiceocean", "api_token")

    def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        return self.call("GET", path, expect, params={"api_token": self.token, **params}).json()

    def send(self, method: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        return self.call(method, path, expect, json={"api_token": self.token, **body}).json()


class Invo(Api):
    def __init__(self) -> None:
        super().__init__(auth=(credential("INVO_LOGIN", "invo", "login"),
                               credential("INVO_PASSWORD", "invo", "password")))

    def __call__(self, resource: str, q: dict[str, Any]) -> Any:
        """POST /api.json r=...&q=... (form-encoded, as an HTTP library sends it); errors stop the flow."""
        print(f"   r={resource} q={json.dumps(q, ensure_ascii=False)[:140]}")
        answer = self.call("POST", "/api.json", 200, data={"r": resource, "q": json.dumps(q)}).json()
        if isinstance(answer, dict) and "error" in answer:
            fail(f"INVO error {answer}")
        return answer


class Fakturan(Api):
    def __init__(self) -> None:
        super().__init__(auth=(credential("FK_KEY", "fakturan", "key_id"),
                               credential("FK_PASSWORD", "fakturan", "password")))
