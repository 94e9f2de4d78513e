"""The official FA(3) XSD (as the ksef-client package ships it, with its MF type libraries), compiled once.

Schema imports name the Ministry's URLs; the resolver answers them from the package's files only, so
validation never reaches the network.
"""
from __future__ import annotations

import functools
import threading
from importlib import resources
from typing import Any

from lxml import etree

SCHEMA_PACKAGE = "ksef_client.documents.fa3.schemas"
MAIN = "schemat_FA(3)_v1-0E.xsd"
_lock = threading.Lock()


class SchemaError(ValueError):
    """The document breaks the FA(3) schema: a bug in the builder, never the client's input."""


class _Bundled(etree.Resolver):  # type: ignore[misc]  # lxml ships no types
    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        name = (url or "").rsplit("/", 1)[-1]
        path = resources.files(SCHEMA_PACKAGE) / name
        if not name.endswith(".xsd") or not path.is_file():
            raise SchemaError(f"schema {url!r} is not bundled")
        return self.resolve_string(path.read_bytes(), context)


@functools.cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Bundled())
    main = resources.files(SCHEMA_PACKAGE) / MAIN
    return etree.XMLSchema(etree.fromstring(main.read_bytes(), parser, base_url=MAIN))


def validate(xml: bytes) -> None:
    """Raise SchemaError naming the first breach of the FA(3) schema."""
    document = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    with _lock:  # an XMLSchema object is not safe to share between threads while it validates
        schema = _schema()
        if not schema.validate(document):
            raise SchemaError(str(schema.error_log.last_error))
