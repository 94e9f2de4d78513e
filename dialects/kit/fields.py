"""A resource's wire fields, declared once per dialect (its fields.py): each Field names the wire key, the core
column it shows, how a request's value is read (parse) and how the stored value is written (present), whether a
client may write it, and its OpenAPI schema. A dialect's parse, present, OpenAPI schema and error paths read
the same FieldTable, so renaming, adding or dropping a field is one edit.

Wire names may be dotted for a nested hash ("address.city" is {"address": {"city": ...}}).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

Schema = dict[str, Any]
MISSING: Any = object()  # a dotted wire name the request does not give


def same(value: Any) -> Any:
    return value


class Refusal(ValueError):
    """A parser's refusal, with the kind of fault in the dialect's own vocabulary where the field needs one
    ("not_a_number", "too_long"); the dialect words it under the field's wire name."""

    def __init__(self, kind: str = "invalid", **details: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class Field:
    wire: str                                 # the wire key; dotted for a nested hash
    core: str                                 # the core column (or LineSpec attribute) it shows
    parse: Callable[[Any], Any] = same        # request value -> core value; ValueError (Refusal) on garbage
    present: Callable[[Any], Any] = same      # core value -> wire value
    writable: bool = True                     # read from requests
    shown: bool = True                        # written in responses
    schema: Schema = field(default_factory=dict)  # its OpenAPI schema in responses
    input_schema: Schema | None = None        # in requests, when it differs from `schema`
    kind: str = ""                            # the value's kind in the dialect's own words, for its reference


def get_path(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted wire name, or MISSING."""
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return MISSING
        current = current[part]
    return current


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        set_path(data.setdefault(head, {}), rest, value)
    else:
        data[head] = value


def nest(flat: Mapping[str, Schema]) -> dict[str, Schema]:
    """{"address.city": s} -> {"address": {"type": "object", "properties": {"city": s}}}."""
    out: dict[str, Schema] = {}
    for key, schema in flat.items():
        head, _, rest = key.partition(".")
        if rest:
            out.setdefault(head, {"type": "object", "properties": {}})["properties"][rest] = schema
        else:
            out[key] = schema
    return out


@dataclass(frozen=True)
class FieldTable:
    resource: str
    fields: tuple[Field, ...]

    def __iter__(self) -> Any:
        return iter(self.fields)

    def with_fields(self, *more: Field) -> FieldTable:
        return replace(self, fields=self.fields + more)

    def without(self, wire: str) -> FieldTable:
        return replace(self, fields=tuple(f for f in self.fields if f.wire != wire))

    def by_wire(self) -> dict[str, Field]:
        return {f.wire: f for f in self.fields}

    def wire_to_core(self, *, writable: bool = False) -> dict[str, str]:
        return {f.wire: f.core for f in self.fields if f.writable or not writable}

    def core_to_wire(self) -> dict[str, str]:
        """core column -> wire name, for naming a core error; the first field showing a column wins."""
        out: dict[str, str] = {}
        for f in self.fields:
            out.setdefault(f.core, f.wire)
        return out

    def parse(self, data: Mapping[str, Any], problem: Callable[[str, Exception], None],
              skip: Callable[[Field, Any], bool] = lambda f, v: False) -> dict[str, Any]:
        """core column -> value, for every writable field `data` gives; a value its parser refuses is
        reported to `problem` under the wire name and left out; `skip` passes over values (absent ones)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            if not f.writable:
                continue
            value = get_path(data, f.wire)
            if value is MISSING or skip(f, value):
                continue
            try:
                out[f.core] = f.parse(value)
            except (ValueError, ArithmeticError) as exc:
                problem(f.wire, exc)
        return out

    def present(self, row: Any, names: Iterable[str] | None = None) -> dict[str, Any]:
        """The shown fields of `row` (an object with the core columns as attributes), nested by dotted name."""
        wanted = None if names is None else set(names)
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.shown and (wanted is None or f.wire in wanted):
                set_path(out, f.wire, f.present(getattr(row, f.core)))
        return out

    def schema(self) -> dict[str, Schema]:
        """OpenAPI properties of the shown fields, nested by dotted name."""
        return nest({f.wire: f.schema for f in self.fields if f.shown})

    def input_schema(self) -> dict[str, Schema]:
        """OpenAPI properties of the writable fields, nested by dotted name."""
        return nest({f.wire: f.schema if f.input_schema is None else f.input_schema
                     for f in self.fields if f.writable})


# --- fidelity: how faithfully a dialect shows an invoice (gateway/fidelity.py's table, one column per dialect) ---

KEPT = "kept in the ledger, not shown; survives an update through this dialect"
# The line kinds every dialect shows as lines (corrections' before/after states are shown by some only).
SHOWN_LINE_KINDS = ("normal", "text", "correction")


def line_key(line: Any) -> tuple[Any, ...]:
    """What "the same line" means when a dialect's lines are compared with the ledger's."""
    return (line.name, line.quantity, line.unit, line.tax, line.total_net, line.total_gross)


@dataclass(frozen=True)
class Shown:
    """How one dialect shows one core-level field of an invoice (gateway.fidelity's rule of that name)."""

    wire: str | None                      # the wire key or path showing it; None: cannot express it
    fidelity: str = "exact"               # exact | approximate | absent
    note: str = ""                        # what happens to it, or how it is approximated
    projection: Callable[[Any], Any] | None = None  # InvoiceView -> what the dialect must show, if not the ledger's


ABSENT = Shown(None, "absent")


@dataclass(frozen=True, eq=False)  # hashed by identity: a Dialect holding it is a cache key
class FidelityColumn:
    """A dialect's column in the fidelity table: field name -> Shown (a field it does not list is absent), the
    wire keys of its other panes (InvoiceOcean's XML), and the parity scenarios it cannot create, with why."""

    shows: Mapping[str, Shown]
    panes: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    cannot: Mapping[str, str] = field(default_factory=dict)

    def of(self, name: str) -> Shown:
        return self.shows.get(name, ABSENT)
