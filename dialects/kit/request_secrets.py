"""The credentials of the current request, so any log line that echoes one is masked (gateway/logs.py).
They live here, below the dialects, because the dialect that finds a credential (in a body, XML, a header)
remembers it through the kit's auth, and the kit never imports the gateway."""
from __future__ import annotations

import re
from contextvars import ContextVar
from urllib.parse import quote, quote_plus

_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*\Z")  # what quote() and quote_plus() never change
MIN_LITERAL = 6  # shorter request "secrets" would scrub innocent text and protect nothing

# A mutable set, so auth code running in the threadpool (which works on a copy of the context) adds to
# the same set the middleware created.
request_secrets: ContextVar[set[str] | None] = ContextVar("gateway_request_secrets", default=None)


def remember_secret(value: object) -> None:
    """Mark a credential of the current request, so any log line that echoes it is masked.
    A token in TOKEN/prefix form is remembered both whole and as its token part."""
    bag = request_secrets.get()
    if bag is None or not isinstance(value, str):
        return
    for literal in {value, value.partition("/")[0]}:
        if len(literal) >= MIN_LITERAL and literal not in bag:
            # Most credentials are letters and digits, which quoting leaves as they are.
            bag.update((literal,) if _UNQUOTED.match(literal) else (literal, quote(literal, safe=""),
                                                                    quote_plus(literal)))
