"""The generic OpenAPI 3.1 builder. A dialect describes each endpoint of its route table as an Operation;
this module turns (method, path, Operation) triples into one document, adding the path parameters
its templates name, unique operation ids and shared error components.

Nothing here knows a dialect: paths come from the dialects' route tables, schemas from their
openapi.py modules, so a route added to a table without a description fails to build (KeyError)
instead of silently missing from the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:  # only named in a signature: a dialect's field tables describe values without loading sqlmodel
    from sqlmodel import SQLModel

OPENAPI_VERSION = "3.1.0"
Schema = dict[str, Any]
_PARAM = re.compile(r"{(\w+)}")
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 400: "Malformed body", 401: "Not signed in",
               403: "Forbidden", 404: "Not found", 405: "Method not allowed", 413: "Body too large",
               422: "Validation error", 429: "Too many requests", 500: "Internal error"}


@dataclass(frozen=True)
class Body:
    """One response (or request) body: its media types, each with a schema."""

    content: Mapping[str, Schema]
    description: str = ""
    headers: Mapping[str, Schema] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: Mapping[int, Body | str]  # a str names a components/responses entry
    description: str = ""
    tag: str = ""
    query: Mapping[str, Schema] = field(default_factory=dict)  # query parameter -> schema (optional ones)
    body: Schema | None = None  # JSON request body
    body_required: bool = False
    path_ids: Mapping[str, Schema] = field(default_factory=dict)  # overrides for path parameter schemas


def json_body(schema: Schema, description: str = "", headers: Mapping[str, Schema] | None = None) -> Body:
    return Body({"application/json": schema}, description, headers or {})


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    kind = schema.get("type")
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"] if "null" not in kinds else kinds}


# Python column types as they leave a renderer that prints Decimal as a string (both REST dialects do).
OUTPUT_TYPES: dict[type, Schema] = {
    int: {"type": "integer"}, bool: {"type": "boolean"}, str: {"type": "string"},
    Decimal: {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    date: {"type": "string", "format": "date"}, datetime: {"type": "string", "format": "date-time"},
    dict: {"type": "object"}, list: {"type": "array"},
}
# What lenient input readers accept for a column of that type: numbers may come as strings.
INPUT_TYPES: dict[type, Schema] = {
    int: {"type": ["integer", "string"]}, bool: {"type": ["boolean", "string", "integer"]}, str: {"type": "string"},
    Decimal: {"type": ["number", "string"]}, date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"}, dict: {"type": "object"}, list: {"type": "array"},
}


def column_schema(model: type[SQLModel], name: str, table: Mapping[type, Schema] = OUTPUT_TYPES) -> Schema:
    from core.fields import column_types  # reads SQLModel models: loaded when a model is described
    expected, is_nullable = column_types(model)[name]
    schema = dict(table[expected])
    return nullable(schema) if is_nullable else schema


def operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words}"


def _parameters(path: str, op: Operation) -> list[Schema]:
    params: list[Schema] = [
        {"name": name, "in": "path", "required": True,
         "schema": op.path_ids.get(name, {"type": "integer", "minimum": 1, "maximum": 2**63 - 1})}
        for name in _PARAM.findall(path)]
    params += [{"name": name, "in": "query", "required": False, "schema": schema}
               for name, schema in op.query.items()]
    return params


def _response(status: int, body: Body | str) -> Schema:
    if isinstance(body, str):
        return {"$ref": f"#/components/responses/{body}"}
    out: Schema = {"description": body.description or STATUS_TEXT.get(status, str(status))}
    if body.content:
        out["content"] = {media: {"schema": schema} for media, schema in body.content.items()}
    if body.headers:
        out["headers"] = {name: {"schema": schema} for name, schema in body.headers.items()}
    return out


def operation_object(method: str, path: str, op: Operation) -> Schema:
    out: Schema = {"operationId": operation_id(method, path), "summary": op.summary}
    if op.description:
        out["description"] = op.description
    if op.tag:
        out["tags"] = [op.tag]
    params = _parameters(path, op)
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required,
                              "content": {"application/json": {"schema": op.body}}}
    out["responses"] = {str(status): _response(status, body) for status, body in sorted(op.responses.items())}
    return out


def build_document(*, title: str, version: str, description: str,
                   operations: Iterable[tuple[str, str, Operation]],
                   schemas: Mapping[str, Schema], responses: Mapping[str, Body],
                   security_schemes: Mapping[str, Schema], tags: Iterable[tuple[str, str]] = ()) -> Schema:
    """The document: `operations` are (METHOD, OpenAPI path, Operation), in route-table order."""
    paths: dict[str, dict[str, Schema]] = {}
    for method, path, op in operations:
        by_method = paths.setdefault(path, {})
        if method.lower() in by_method:
            raise ValueError(f"{method} {path} is described twice")
        by_method[method.lower()] = operation_object(method, path, op)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/", "description": "this gateway"}],
        "tags": [{"name": name, "description": text} for name, text in tags],
        "security": [{name: []} for name in security_schemes],
        "paths": paths,
        "components": {
            "schemas": dict(schemas),
            "responses": {name: _response(0, body) for name, body in responses.items()},
            "securitySchemes": dict(security_schemes),
        },
    }
