"""Rails-style XML for the InvoiceOcean dialect: `to_xml` rendering and `Hash.from_xml` parsing.

Pure functions over plain values; the routes decide which resource is rendered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from core.money import plain_text
from dialects.kit.lenient import typed_decimal, typed_int

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_INDENT = "  "
_TAG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters XML 1.0 cannot carry at all; Rails' Builder replaces them with "*" too.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# "\r" would be normalised to "\n" by any parser, so it travels as a character reference.
_TEXT_ENTITIES = {"\r": "&#13;"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class XmlRejected(ValueError):
    """The body is not XML this gateway will read; `reason` is safe to show the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- rendering ---------------------------------------------------------------------------


def dasherize(name: str) -> str:
    return name.replace("_", "-")


def underscore(name: str) -> str:
    return name.replace("-", "_")


def singular(name: str) -> str:
    """The element name for one item of the list `name` (the generic half of Rails' singularize)."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def render_xml(
    root: str,
    value: Any,
    *,
    item_names: Mapping[str, str] | None = None,
    types: Mapping[str, str] | None = None,
    lenient: bool = False,
) -> bytes:
    """Render `value` under `root` as Rails' `to_xml` does.

    `item_names` maps a list's key to its item element name when the generic singular is wrong;
    `types` maps a key to its XML type so that a None value still says what it would have been.
    `lenient` (answers that carry round-tripped client keys): keys that cannot be element names are
    left out instead of refused, and floats are written from their shortest repr.
    """
    lines: list[str] = []
    _render(lines, underscore(root), value, 0, item_names or {}, types or {}, lenient)
    return (_DECLARATION + "\n".join(lines) + "\n").encode("utf-8")


@functools.lru_cache(maxsize=4096)
def _tag(key: str) -> str:
    """The element name of a key (the same few hundred keys, every response)."""
    tag = dasherize(key)
    if not _TAG_NAME.match(tag):
        raise ValueError(f"{key!r} cannot be an XML element name")
    return tag


@functools.lru_cache(maxsize=4096)
def _child_key(key: object) -> str:
    return underscore(str(key))


@functools.lru_cache(maxsize=4096)
def _can_be_tag(key: object) -> bool:
    try:
        _tag(_child_key(key))
    except ValueError:
        return False
    return True


# A mapping key -> (its underscored name, its element name), or None when it cannot name an element. The same
# few hundred keys every response: one dict lookup per element instead of three cached calls.
_ELEMENTS: dict[object, tuple[str, str] | None] = {}
_MAX_ELEMENTS = 4096  # keys a client sent (round-tripped extras) must not grow it without bound


def _element(key: object) -> tuple[str, str] | None:
    found = _ELEMENTS.get(key, False)
    if found is False:
        if len(_ELEMENTS) >= _MAX_ELEMENTS:
            _ELEMENTS.clear()
        name = _child_key(key)
        found = _ELEMENTS[key] = (name, _tag(name)) if _can_be_tag(key) else None
    return found  # type: ignore[return-value]


# A record's children as one %-template per shape: its keys, the exact type of each value (None, str, Decimal, ...)
# and its indent. A document repeats a few shapes (an invoice, its positions), so a record is then written by one
# conversion per value and one `%` in C, instead of a pass of _render's loop per child (~0.4 µs each, ~190 in an
# invoice). The nil elements and the fixed ends of each line are in the template; a nested record or list is
# rendered as before and put in whole. Held to _render's own loop over random documents
# (tests/dialects/invoiceocean/test_xml_forms.py).
_FORMS_ON = True
# (value index, conversion or None for a nested record or list, key name) per slot of the template
Slots = tuple[tuple[int, Any, str], ...]
# the types mapping it was made with, the template, its slots, the same slots with _AS_IT_IS for each text (used when
# no text of the record needs escaping), the indexes of the texts, and whether a slot is nested
Form = tuple[Mapping[str, str], str, Slots, Slots, tuple[int, ...], bool]
_FORMS: dict[tuple[tuple[object, ...], tuple[type, ...], str, bool], object] = {}
_MAX_FORMS = 1024  # shapes with a client's own keys (round-tripped extras) must not grow it without bound
_AS_IT_IS = object()  # a slot whose text is written without conversion
_UNSEEN = object()


def _form(keys: tuple[object, ...], kinds: tuple[type, ...], inner: str, types: Mapping[str, str],
          lenient: bool) -> Form | None:
    parts: list[str] = []
    slots: list[tuple[int, Any, str]] = []
    nested = False
    for index, (key, kind) in enumerate(zip(keys, kinds, strict=True)):
        element = _element(key)
        if element is None:
            if lenient:
                continue
            return None  # refused by the loop, at the first such key in document order
        name, tag = element
        if kind is type(None):
            parts.append((inner + _nil(tag, types.get(name))).replace("%", "%%"))
        elif kind is dict or kind is list:
            parts.append("%s")
            slots.append((index, None, name))
            nested = True
        else:
            leaf = _FORM_LEAVES.get(kind)
            if leaf is None:
                return None
            type_attr, convert = leaf
            parts.append(f"{inner}<{tag}{type_attr}>%s</{tag}>")
            slots.append((index, convert, name))
    if not parts:
        return None
    texts = tuple(index for index, convert, _name in slots if convert is _escape_text)
    plain = tuple((index, _AS_IT_IS if convert is _escape_text else convert, name) for index, convert, name in slots)
    return types, "\n".join(parts), tuple(slots), plain, texts, nested


def _by_form(lines: list[str], record: Mapping[Any, Any], inner: str, depth: int, item_names: Mapping[str, str],
             types: Mapping[str, str], lenient: bool) -> bool:
    """The record's children written by its shape's form; False (nothing written) where there is none."""
    values = tuple(record.values())
    key = (tuple(record), tuple(map(type, values)), inner, lenient)
    found = _FORMS.get(key, _UNSEEN)
    if found is _UNSEEN or (found is not None and found[0] is not types):  # type: ignore[index]
        if len(_FORMS) >= _MAX_FORMS:
            _FORMS.clear()
        # The form keeps the types mapping it was made with: that mapping's id can then never be another's.
        found = _FORMS[key] = _form(key[0], key[1], inner, types, lenient)
    if found is None:
        return False
    _types, template, escaped, plain, text_indexes, nested = cast(Form, found)
    # One search over the record's texts joined instead of one per text: a character needing escape is in the
    # joined texts exactly when it is in one of them.
    slots = plain if _NEEDS_ESCAPE.search("".join([values[i] for i in text_indexes])) is None else escaped
    if not nested:
        lines.append(template % tuple([values[index] if convert is _AS_IT_IS else convert(values[index])
                                       for index, convert, _name in slots]))
        return True
    texts = []
    for index, convert, name in slots:
        if convert is None:
            inside: list[str] = []
            _render(inside, name, values[index], depth + 1, item_names, types, lenient)
            texts.append("\n".join(inside))
        else:
            texts.append(values[index] if convert is _AS_IT_IS else convert(values[index]))
    lines.append(template % tuple(texts))
    return True


def _render(
    lines: list[str], key: str, value: Any, depth: int, item_names: Mapping[str, str], types: Mapping[str, str],
    lenient: bool = False,
) -> None:
    tag = _tag(key)
    pad = _INDENT * depth
    kind = type(value)
    # A record or a list (the items of a list are records) goes straight to its branch: the scalar checks
    # of _leaf end in ABC isinstance walks.
    leaf = None if kind is dict or kind is list else _leaf(pad, tag, key, value, types, lenient)
    if leaf is not None:
        lines.append(leaf)
    elif kind is dict or isinstance(value, Mapping):  # dict first: an exact type check, not an ABC walk
        if not value:
            lines.append(f"{pad}<{tag}/>")
            return
        lines.append(f"{pad}<{tag}>")
        inner = pad + _INDENT
        if _FORMS_ON and _by_form(lines, value, inner, depth, item_names, types, lenient):
            lines.append(f"{pad}</{tag}>")
            return
        # No form (a float, a subclass of a leaf type, a key a strict render refuses): child by child.
        append = lines.append
        known = _ELEMENTS.get
        needs_escape = _NEEDS_ESCAPE.search
        for child_key, child in value.items():
            element = known(child_key, False)
            if element is False:
                element = _element(child_key)
            if element is None:
                if lenient:
                    continue
                _tag(_child_key(child_key))  # raises: the key cannot be an element name
            name, child_tag = element  # type: ignore[misc]
            # The leaves of a record (most of a document) are written here, the common types without a call.
            kind = type(child)
            if kind is str:
                text = child if needs_escape(child) is None else _escape_text(child)
                append(f"{inner}<{child_tag}>{text}</{child_tag}>")
            elif child is None:
                append(inner + _nil(child_tag, types.get(name)))
            elif kind is Decimal:
                append(f'{inner}<{child_tag} type="decimal">{plain_text(child)}</{child_tag}>')
            elif kind is int:
                append(f'{inner}<{child_tag} type="integer">{child}</{child_tag}>')
            elif kind is bool:
                append(f'{inner}<{child_tag} type="boolean">{"true" if child else "false"}</{child_tag}>')
            else:
                leaf = _leaf(inner, child_tag, name, child, types, lenient)
                if leaf is None:
                    _render(lines, name, child, depth + 1, item_names, types, lenient)
                else:
                    append(leaf)
        lines.append(f"{pad}</{tag}>")
    else:  # a list or another sequence
        if not value:
            lines.append(f'{pad}<{tag} type="array"/>')
            return
        lines.append(f'{pad}<{tag} type="array">')
        item_key = underscore(item_names.get(key, singular(key)))
        for item in value:
            _render(lines, item_key, item, depth + 1, item_names, types, lenient)
        lines.append(f"{pad}</{tag}>")


def _leaf(pad: str, tag: str, key: str, value: Any, types: Mapping[str, str], lenient: bool) -> str | None:
    """The line of a value that is not a container, or None for a mapping or a list."""
    kind = type(value)  # the concrete types first: ABC isinstance checks were a tenth of a render
    if kind is str:
        return f"{pad}<{tag}>{_escape_text(value)}</{tag}>"
    if value is None:
        return pad + _nil(tag, types.get(key))
    written = _WRITTEN.get(kind)
    if written is not None:  # digits, signs, dashes and colons: nothing to escape
        type_attr, text_of = written
        return f"{pad}<{tag}{type_attr}>{text_of(value)}</{tag}>"
    if kind is float and lenient:
        value = Decimal(repr(value))
    elif isinstance(value, (Mapping, Sequence)) and not isinstance(value, (str, bytes)):
        return None
    xml_type, text = _scalar(key, value)
    type_attr = f' type="{xml_type}"' if xml_type else ""
    return f"{pad}<{tag}{type_attr}>{_escape_text(text)}</{tag}>"


@functools.lru_cache(maxsize=4096)
def _nil(tag: str, xml_type: str | None) -> str:
    """<payment-to type="date" nil="true"/>: the same few hundred (key, type) pairs, every response."""
    type_attr = f" type={quoteattr(xml_type)}" if xml_type is not None else ""
    return f'<{tag}{type_attr} nil="true"/>'


def _datetime_text(value: dt.datetime) -> str:
    # Rails' xmlschema: whole seconds, "Z" for UTC.
    stamp = value.isoformat(timespec="seconds")
    return stamp[:-6] + "Z" if stamp.endswith("+00:00") else stamp


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


# The exact scalar types and how they are written (type attribute, text of the value); subclasses go through _scalar.
_WRITTEN: dict[type, tuple[str, Callable[[Any], str]]] = {
    bool: (' type="boolean"', _bool_text),
    int: (' type="integer"', str),
    Decimal: (' type="decimal"', plain_text),  # never "1E+2"
    dt.datetime: (' type="dateTime"', _datetime_text),
    dt.date: (' type="date"', dt.date.isoformat),
}


def _scalar(key: str, value: Any) -> tuple[str | None, str]:
    # bool before int (bool is an int), datetime before date (datetime is a date).
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return "integer", str(value)
    if isinstance(value, Decimal):
        return "decimal", plain_text(value)
    if isinstance(value, dt.datetime):
        return "dateTime", _datetime_text(value)
    if isinstance(value, dt.date):
        return "date", value.isoformat()
    if isinstance(value, str):
        return None, value
    # Floats are refused on purpose: money must reach the renderer as Decimal.
    raise TypeError(f"{key}: cannot render {type(value).__name__} as XML")


# Anything _escape_text would change; most texts have none of it and are returned as they are.
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape_text(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return escape(_INVALID_XML_CHARS.sub("*", text), _TEXT_ENTITIES)


# The exact leaf types a form writes, and how (_WRITTEN's, and texts escaped); anything else (a subclass, a float)
# takes the loop.
_FORM_LEAVES: dict[type, tuple[str, Callable[[Any], str]]] = {**_WRITTEN, str: ("", _escape_text)}


# --- parsing ------------------------------------------------------------------------------


class _DepthLimitedBuilder:
    """Parser target that stops at the first element deeper than `max_depth`, before it is built."""

    def __init__(self, max_depth: int) -> None:
        self._builder = TreeBuilder()
        self._depth = 0
        self._max_depth = max_depth

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        if self._depth > self._max_depth:
            raise XmlRejected(f"XML nested deeper than {self._max_depth} levels")
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self._builder.data(text)

    def close(self) -> Element:
        return self._builder.close()


# Bounds on the work one body may cause (README: Security). Each element and each attribute needs a "<" or a
# "=", so counting those bytes (in C, before any parsing) over-approximates both: more is refused unparsed.
MAX_XML_ELEMENTS = 20_000
# The body goes to expat in pieces this large, so that no single call holds the interpreter for long (10 MiB of
# text, comments or entity references took 35-70 ms in one call); the async reader yields between pieces.
XML_CHUNK_BYTES = 64 * 1024


class XmlReader:
    """One body, parsed as Rails' `Hash.from_xml` does, a chunk at a time: feed every chunk, then close()."""

    def __init__(self, body: bytes, *, max_depth: int = 32, max_bytes: int = 10 * 1024 * 1024) -> None:
        if len(body) > max_bytes:
            raise XmlRejected(f"XML body larger than {max_bytes} bytes")
        if not body.strip():
            raise XmlRejected("empty XML body")
        if body.count(b"<") > MAX_XML_ELEMENTS or body.count(b"=") > MAX_XML_ELEMENTS:
            raise XmlRejected(f"XML with more than {MAX_XML_ELEMENTS} elements or attributes")
        self._body = body
        self._parser = DefusedXMLParser(
            target=_DepthLimitedBuilder(max_depth), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

    def chunks(self) -> Iterator[memoryview]:
        view = memoryview(self._body)
        for start in range(0, len(view), XML_CHUNK_BYTES):
            yield view[start:start + XML_CHUNK_BYTES]

    def feed(self, chunk: bytes | memoryview) -> None:
        with _refusals():
            self._parser.feed(bytes(chunk))

    def close(self) -> tuple[str, Any]:
        """(root name, value), names underscored."""
        with _refusals():
            root = self._parser.close()
        name = _local_name(root.tag)
        return name, _convert(root, name)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except XmlRejected:
        raise
    except DefusedXmlException:
        raise XmlRejected("DTDs, entity declarations and external references are not allowed") from None
    except ParseError as exc:
        raise XmlRejected(f"malformed XML: {exc}") from None
    except (LookupError, UnicodeError):  # an unknown or lying encoding declaration
        raise XmlRejected("malformed XML: the text does not match its declared encoding") from None
    except ValueError:  # expat reads only single-byte encodings besides UTF-8 and UTF-16 (utf-7, shift_jis…)
        raise XmlRejected("malformed XML: unsupported encoding; send UTF-8") from None


def parse_xml(body: bytes, *, max_depth: int = 32, max_bytes: int = 10 * 1024 * 1024) -> tuple[str, Any]:
    """Parse a request body as Rails' `Hash.from_xml` does; returns (root name, value), names underscored."""
    reader = XmlReader(body, max_depth=max_depth, max_bytes=max_bytes)
    for chunk in reader.chunks():
        reader.feed(chunk)
    return reader.close()


def _local_name(tag: str) -> str:
    return underscore(tag.rpartition("}")[2])


def _convert(element: Element, path: str) -> Any:
    if element.get("nil") == "true":
        return None
    xml_type = element.get("type")
    if xml_type == "array":
        return [_convert(child, f"{path}[{index}]") for index, child in enumerate(element)]
    if len(element):
        result: dict[str, Any] = {}
        repeated: set[str] = set()  # a value that is itself an array must not be extended
        for child in element:
            key = _local_name(child.tag)
            value = _convert(child, f"{path}.{key}")
            if key in repeated:
                result[key].append(value)
            elif key in result:
                result[key] = [result[key], value]
                repeated.add(key)
            else:
                result[key] = value
        return result
    return _typecast(element.text or "", xml_type, path)


def _typecast(text: str, xml_type: str | None, path: str) -> Any:
    caster = _CASTERS.get(xml_type or "")
    if caster is None:  # untyped, "string", or a model class name such as "InvoicePosition"
        return text
    stripped = text.strip()
    if not stripped:  # Rails reads an empty typed element as nil
        return None
    try:
        return caster(stripped)
    except ValueError:
        raise XmlRejected(f"{path}: {stripped[:40]!r} is not a valid {xml_type}") from None


def _to_bool(text: str) -> bool:
    try:
        return _BOOLEANS[text.lower()]
    except KeyError:
        raise ValueError(text) from None


def _to_date(text: str) -> dt.date:
    if not _DATE.match(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


_CASTERS: dict[str, Any] = {
    "integer": typed_int,
    "decimal": typed_decimal,
    "float": typed_decimal,  # never a float: money stays Decimal
    "boolean": _to_bool,
    "date": _to_date,
    "dateTime": dt.datetime.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
}
