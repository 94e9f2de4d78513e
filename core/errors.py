"""Domain errors. Dialects map each to their native error shape; core never formats HTTP."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Base of every error a handler may raise on purpose."""


@dataclass(frozen=True)
class FieldError:
    field: str          # dotted path in core terms: "buyer_name", "lines.0.name", "client.email"
    code: str           # stable code: blank, invalid, taken, too_long, not_found, ...
    message: str = ""   # human text in English
    details: dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. {"count": 30}


class Invalid(DomainError):
    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in self.errors))

    @classmethod
    def one(cls, field_name: str, code: str, message: str = "", **details: Any) -> "Invalid":
        return cls(FieldError(field_name, code, message or code.replace("_", " "), details))


class NotFound(DomainError):
    def __init__(self, entity: str, ident: object = None) -> None:
        self.entity, self.ident = entity, ident
        super().__init__(f"{entity} {ident!r} not found")


class Conflict(DomainError):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


class Unauthorized(DomainError):
    """No valid credential; each dialect answers it in its own 401 (or, in the form API, its error 1)."""


class Forbidden(DomainError):
    def __init__(self, code: str = "forbidden", message: str = "forbidden") -> None:
        self.code, self.message = code, message
        super().__init__(message)
