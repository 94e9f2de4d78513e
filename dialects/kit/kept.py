"""List pages whose unchanged invoices are written from what was presented of them before.

A page reads each invoice's key (id, version) with its total, takes the JSON this process kept for those
at that version (core.invoice_versions), and reads the views of the others only, in the same read-only
transaction: what is kept is always made from a committed state. The dialect presents and encodes the
others, keeps them, and writes the page with the kept JSON as orjson Fragments, copied verbatim.

`key` is everything besides the invoice's rows that its JSON depends on (the dialect, the options of the
list that change an item, the account's settings a presenter reads, the public base URL...): two requests
with equal keys must present an unchanged invoice byte for byte alike. Invoices with a KSeF document are
presented every time: their answer also shows the document, and they are few.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

import orjson
from sqlalchemy import Engine

from core.handlers.invoice_state import InvoiceView
from core.invoice_reads import PageKey, views_by_id
from core.invoice_versions import Kept, versioned
from core.queries import InvoiceFilter, Page, page_keys_with_total
from core.reader import Reader

KEPT = Kept()


@dataclass(frozen=True)
class KeptPage:
    """A page read by read_page: its keys in order, the kept JSON found for some, the views of the rest."""
    engine: Engine
    key: Hashable
    keys: list[PageKey]
    found: dict[int, bytes]
    views: list[InvoiceView]  # of the invoices not found, in page order
    ksef: set[int]  # ids among the views' with a KSeF document
    total: int
    versioned: bool

    def items(self, made: Sequence[bytes]) -> list[orjson.Fragment]:
        """The page's items in order: `made` is the JSON of each of `views`, in theirs. What was made is kept."""
        made_by_id = {view.invoice.id: value for view, value in zip(self.views, made, strict=True)}
        if self.versioned:
            KEPT.keep(self.engine, self.key, [(k.id, k.version, made_by_id[k.id]) for k in self.keys
                                              if k.id in made_by_id and not k.has_ksef])
        found = self.found
        return [orjson.Fragment(found[k.id] if k.id in found else made_by_id[k.id]) for k in self.keys
                if k.id in found or k.id in made_by_id]


def read_page(reader: Reader, key: Hashable, account_id: int, f: InvoiceFilter, page: Page,
              order: Sequence[tuple[str, bool]], *, with_lines: bool = False) -> KeptPage:
    """The page and its total in the reader's (read-only) transaction; views only of invoices nothing is kept for."""
    keys, total = page_keys_with_total(reader, account_id, f, page, order)
    numbered = versioned(reader)
    found = KEPT.found(reader.engine, key, [(k.id, k.version) for k in keys if not k.has_ksef]) if numbered else {}
    ksef: set[int] = set()
    views = views_by_id(reader, [k.id for k in keys if k.id not in found], with_lines=with_lines, ksef=ksef)
    return KeptPage(reader.engine, key, keys, found, views, ksef, total, numbered)


def made(page: KeptPage, present: Callable[[InvoiceView], Any],
         encode: Callable[[Any], bytes]) -> list[orjson.Fragment]:
    """The page's items, presenting and encoding only the invoices read as views."""
    return page.items([encode(present(view)) for view in page.views])
