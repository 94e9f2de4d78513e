"""Headless Chromium, driven by Playwright, for tests that look at pages as a person would.

Why Debian's /usr/bin/chromium: the network here reaches only package registries, so
Playwright's own browser download (``playwright install``) can never run. Playwright's
protocol is stable enough to drive the distribution build through ``executable_path``.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
# As root the sandbox cannot start; the rest keeps Chromium from phoning home on a closed
# network (each such attempt costs a timeout) and from needing a GPU or a large /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DEFAULT_TIMEOUT_MS = 10_000


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


class ChromiumBrowser:
    """Context manager owning Playwright and one browser process.

    Playwright's sync API marks an asyncio loop as running on this thread for as long as
    it is started, so ``asyncio.run`` fails meanwhile: keep its lifetime short (the
    fixture scopes it to one test module).
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self.browser: Browser | None = None

    def __enter__(self) -> ChromiumBrowser:
        self._playwright = sync_playwright().start()
        try:
            # A plain launch gives every run a fresh temporary user data dir.
            self.browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except BaseException:
            self._playwright.stop()
            self._playwright = None
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.browser = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None

    def new_page(self) -> BrowserPage:
        if self.browser is None:
            raise RuntimeError("ChromiumBrowser is not started")
        # A context per page: cookies and storage never leak from one test to the next.
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        return BrowserPage(context)


class BrowserPage:
    """One tab, recording every console error and uncaught exception the page produces."""

    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self.page: Page = context.new_page()
        self.page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.console_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    def goto(self, url: str) -> Response | None:
        """Load ``url`` and wait for the load event; the response lets tests check status."""
        return self.page.goto(url, wait_until="load")

    def text(self) -> str:
        """The visible text of the body, as a person would read it."""
        return self.page.inner_text("body")

    def title(self) -> str:
        return self.page.title()

    def screenshot(self, path: str | Path) -> Path:
        target = Path(path)
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def close(self) -> None:
        self._context.close()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_page_error(self, error: Error) -> None:
        self.console_errors.append(f"{error.name}: {error.message}")
