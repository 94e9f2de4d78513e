"""SQL expressions whose text differs by backend; each backend's module compiles its own form."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class like_case_sensitive(FunctionElement[bool]):
    """column, LIKE pattern, GLOB pattern: a case-sensitive match (LIKE, where it is case-sensitive)."""
    type = Boolean()
    inherit_cache = True
    name = "like_case_sensitive"


@compiles(like_case_sensitive)
def _like_case_sensitive(element: like_case_sensitive, compiler: Any, **kw: Any) -> str:
    column, pattern, _glob = list(element.clauses)
    return f"{compiler.process(column, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"
