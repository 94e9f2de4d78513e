"""Gets and list pages that write an unchanged invoice from what was presented of it before.

A page reads each invoice's key (id, version) with its total, takes the JSON this process kept for those
at that version (core.invoice_versions), and reads the views of the others only, in the same read-only
transaction: what is kept is always made from a committed state. The dialect presents and encodes the
others, keeps them, and writes the page with the kept JSON as orjson Fragments, copied verbatim. A get
(read_one) does the same for one invoice; a client paging through everything once (an export) soon reads
its pages' rows at once again (read_page).

`key` is everything besides the invoice's rows that its JSON depends on (the dialect, the options of the
list that change an item, the account's settings a presenter reads, the public base URL...): two requests
with equal keys must present an unchanged invoice byte for byte alike. Invoices with a KSeF document are
presented every time: their answer also shows the document, and they are few.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Sequence, TypeVar

import orjson
from sqlalchemy import Engine

from core.handlers.invoice_state import InvoiceView
from core.invoice_reads import PageKey, key_of, views_by_id
from core.invoice_versions import Kept, versioned
from core.queries import InvoiceFilter, Page, list_invoices, page_keys, page_with_total, page_with_versions
from core.reader import Reader

KEPT = Kept()
T = TypeVar("T")


@dataclass(frozen=True)
class KeptPage:
    """A page read by read_page: its keys in order, the kept JSON found for some, the views of the rest."""
    engine: Engine
    key: Hashable
    keys: list[PageKey]
    found: dict[int, bytes]
    views: list[InvoiceView]  # of the invoices not found, in page order
    ksef: set[int]  # ids among the views' with a KSeF document
    total: int | None  # when read_page was asked for it
    versioned: bool

    @property
    def counted(self) -> int:
        """The total of a page read with it."""
        if self.total is None:
            raise ValueError("read_page(..., with_total=False) reads no total")
        return self.total

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
              order: Sequence[tuple[str, bool]], *, with_lines: bool = False, with_total: bool = True) -> KeptPage:
    """The page (and its total, when asked) in the reader's (read-only) transaction; views only of invoices
    nothing is kept for. After pages under `key` found nothing kept (an export paging through everything once:
    core.invoice_versions.COLD_PAGES), the next reads its rows with their versions in the page's statement, as a
    page did before anything was kept, and goes back to keys first once that finds something kept again."""
    ksef: set[int] = set()
    if not versioned(reader):  # nothing is kept (PostgreSQL): the page's rows in the page's statement, as before
        if with_total:
            views, total = page_with_total(reader, account_id, f, page, order, with_lines=with_lines, ksef=ksef)
        else:
            views, total = list_invoices(reader, account_id, f, page, order, with_lines=with_lines, ksef=ksef), None
        keys = [PageKey(v.invoice.id or 0, 0, v.invoice.id in ksef) for v in views]
        return KeptPage(reader.engine, key, keys, {}, views, ksef, total, False)
    engine = reader.engine
    if KEPT.cold(engine, key):
        versions: dict[int, int] = {}
        views, total = page_with_versions(reader, account_id, f, page, order, with_lines=with_lines,
                                          with_total=with_total, ksef=ksef, versions=versions)
        keys = [PageKey(v.invoice.id or 0, versions[v.invoice.id or 0], v.invoice.id in ksef) for v in views]
        found = KEPT.found(engine, key, [(k.id, k.version) for k in keys if not k.has_ksef])
        if found:
            KEPT.mark(engine, key, cold=False)
            views = [v for v in views if v.invoice.id not in found]
        return KeptPage(engine, key, keys, found, views, ksef, total, True)
    keys, total = page_keys(reader, account_id, f, page, order, with_total=with_total)
    found = KEPT.found(engine, key, [(k.id, k.version) for k in keys if not k.has_ksef])
    if keys:
        KEPT.mark(engine, key, cold=not found)
    views = views_by_id(reader, [k.id for k in keys if k.id not in found], with_lines=with_lines, ksef=ksef)
    return KeptPage(engine, key, keys, found, views, ksef, total, True)


def made(page: KeptPage, present: Callable[[InvoiceView], Any],
         encode: Callable[[Any], bytes]) -> list[orjson.Fragment]:
    """The page's items, presenting and encoding only the invoices read as views."""
    return page.items([encode(present(view)) for view in page.views])


@dataclass(frozen=True)
class KeptOne(Generic[T]):
    """One invoice read by read_one: what was kept of it at its version, or what the dialect's own read found."""
    engine: Engine
    key: Hashable
    invoice: PageKey | None  # None where invoices have no versions
    found: bytes | None
    read: T | None  # the dialect's read, when nothing was found

    def keep(self, made: bytes) -> bytes:
        """`made` (what the dialect presented of the read), kept; returned as it is."""
        if self.invoice is not None and not self.invoice.has_ksef:
            KEPT.keep(self.engine, self.key, [(self.invoice.id, self.invoice.version, made)])
        return made


def read_one(reader: Reader, key: Hashable | Callable[[Any], Hashable], account_id: int, invoice_id: int,
             read: Callable[[], T], along: str = "") -> KeptOne[T]:
    """The invoice's key (NotFound for another account's id), then what is kept of it or else `read()`, in the
    reader's (read-only) transaction. `along`: SQL of one more value the key's statement reads (which may name
    the invoices row); `key` is then a function of that value (what the caller's key depends on besides the
    invoice, read in the same statement: one statement less per get)."""
    if not versioned(reader):
        return KeptOne(reader.engine, None, None, None, read())
    found_key, value = key_of(reader, account_id, invoice_id, along)
    if along:
        assert callable(key), "with `along`, the key is a function of the value read along"
        key = key(value)
    found = None if found_key.has_ksef else KEPT.found(reader.engine, key, [(found_key.id, found_key.version)]).get(
        found_key.id)
    return KeptOne(reader.engine, key, found_key, found, None if found is not None else read())
