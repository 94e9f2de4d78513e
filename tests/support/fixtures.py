"""pytest fixtures over the real components; loaded by the root conftest as a plugin.

Each fixture skips, with the install command in the reason, when its component is not
on the machine, so a bare developer checkout still runs everything else. CI installs
all of them (.ci/run), so there nothing is skipped.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

import pytest

from .live_server import CLI, LiveServer
from .postgres import PostgresServer, postgres_available
from .smtp import SmtpServer

if TYPE_CHECKING:
    from .browser import BrowserPage, ChromiumBrowser

# Fixture name -> marker, so `-m "not postgres"` also deselects tests that only use the fixture.
_MARKER_FOR_FIXTURE = {
    "postgres_server": "postgres",
    "postgres_url": "postgres",
    "chromium_browser": "browser",
    "browser_page": "browser",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            marker = _MARKER_FOR_FIXTURE.get(name)
            if marker is not None and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


# -- PostgreSQL -------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One cluster per pytest-xdist worker: startup is ~1 s, databases are cheap."""
    if not postgres_available():
        pytest.skip("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of a new, empty database that no other test sees."""
    return postgres_server.create_database(f"test_{uuid.uuid4().hex}")


# -- SMTP -------------------------------------------------------------------------
@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


# -- Chromium ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[ChromiumBrowser]:
    """Module scope: one browser start (~1 s) per test file, yet Playwright's event loop
    never outlives the file and so never blocks ``asyncio.run`` in other test files."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    from .browser import ChromiumBrowser, chromium_available

    if not chromium_available():
        pytest.skip("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    with ChromiumBrowser() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium_browser: ChromiumBrowser) -> Iterator[BrowserPage]:
    page = chromium_browser.new_page()
    try:
        yield page
    finally:
        page.close()


# -- The gateway as a process -----------------------------------------------------
def _require_cli() -> None:
    if importlib.util.find_spec("gateway.cli") is None:
        pytest.skip("gateway.cli does not exist yet, so there is no CLI to run")
    if not CLI.exists():
        pytest.skip(f"the invoice-gateway console script is missing at {CLI} (pip install -e '.[test]')")


LiveServerFactory = Callable[..., LiveServer]


@pytest.fixture
def live_server_factory() -> Iterator[LiveServerFactory]:
    """Starts servers with extra settings, e.g. ``factory(env={"GATEWAY_SMTP_URL": url})``;
    every server it started is stopped and its folder removed after the test."""
    _require_cli()
    started: list[LiveServer] = []

    def start(env: Mapping[str, str] | None = None, database_url: str | None = None,
              workers: int | None = None) -> LiveServer:
        server = LiveServer(env=env, database_url=database_url, workers=workers)
        started.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()


@pytest.fixture
def live_server(live_server_factory: LiveServerFactory) -> LiveServer:
    """A migrated, empty gateway on a fresh SQLite database, listening on 127.0.0.1."""
    return live_server_factory()


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords argon2 is asked to verify, in order: equal timing is counted, not timed (an unknown login
    costs one verification against a dummy hash, as a wrong password does)."""
    import dialects.kit.auth

    seen: list[str] = []
    real = dialects.kit.auth.verify_password

    def counting(stored_hash: str, password: str) -> bool:
        seen.append(password)
        return real(stored_hash, password)

    monkeypatch.setattr(dialects.kit.auth, "verify_password", counting)
    return seen
