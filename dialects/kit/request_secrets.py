"""The credentials of the current request, so any log line that echoes one is masked (gateway/logs.py).
They live here, below the dialects, because the dialect that finds a credential (in a body, XML, a header)
remembers it through the kit's auth, and the kit never imports the gateway.

Most requests write one log line, the access line, built from parts that are redacted by construction: the
credentials are only needed when some other line is written. So they are kept as they came (the raw values,
and a callable for the ones the middleware can find in the request itself) and expanded into the literals to
mask (quoted forms, a token's TOKEN part) the first time a line asks for them.
"""
from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Callable, Iterable
from urllib.parse import quote, quote_plus

_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*\Z")  # what quote() and quote_plus() never change
MIN_LITERAL = 6  # shorter request "secrets" would scrub innocent text and protect nothing


class RequestSecrets:
    """One request's credentials. Shared by reference: auth code running in the threadpool (which works on a
    copy of the context) adds to the same object the middleware created."""

    __slots__ = ("_raw", "_sources", "_plain", "_all")

    def __init__(self, sources: Callable[[], Iterable[object]] | None = None) -> None:
        self._raw: list[object] = []
        self._sources = sources  # called once, when the literals are first needed
        self._plain: list[str] | None = None
        self._all: list[str] | None = None

    def add(self, value: object) -> None:
        self._raw.append(value)
        self._plain = self._all = None

    def literals(self, text: str) -> list[str]:
        """The literals to mask in `text`, longest first (a longer one may contain a shorter). A credential's
        quoted forms differ from it only by "%XX" escapes and "+": text with neither cannot hold them, nor
        a credential that has either, so most text is checked against the credentials alone, and their
        quoted forms are only worked out for text that could hold one."""
        if "%" in text or "+" in text:
            found = self._all
            if found is None:
                found = self._all = sorted(self._expanded(), key=len, reverse=True)
            return found
        found = self._plain
        if found is None:
            found = self._plain = sorted([literal for literal in self._credentials()
                                          if "%" not in literal and "+" not in literal], key=len, reverse=True)
        return found

    def _credentials(self) -> set[str]:
        """The credentials, each whole and, in TOKEN/prefix form, as its token part too."""
        sources, self._sources = self._sources, None
        if sources is not None:
            self._raw[:0] = list(sources())
        found: set[str] = set()
        for value in self._raw:
            if isinstance(value, str):
                if len(value) >= MIN_LITERAL:
                    found.add(value)
                if "/" in value:
                    token = value.partition("/")[0]
                    if len(token) >= MIN_LITERAL:
                        found.add(token)
        return found

    def _expanded(self) -> set[str]:
        bag: set[str] = set()
        for literal in self._credentials():
            # Most credentials are letters and digits, which quoting leaves as they are.
            bag.update((literal,) if _UNQUOTED.match(literal) else (literal, quote(literal, safe=""),
                                                                    quote_plus(literal)))
        return bag


request_secrets: ContextVar[RequestSecrets | None] = ContextVar("gateway_request_secrets", default=None)


def remember_secret(value: object) -> None:
    """Mark a credential of the current request, so any log line that echoes it is masked.
    A token in TOKEN/prefix form is remembered both whole and as its token part."""
    bag = request_secrets.get()
    if bag is not None and isinstance(value, str):
        bag.add(value)
