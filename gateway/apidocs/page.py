"""The /docs page: each registered dialect's endpoints and support status, rendered (templates/docs.html)
from the section each dialect builds from the tables it routes with (Dialect.docs)."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.documents.html import TEMPLATES_DIR
from dialects.kit.dialect import Dialect


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined)


def render_page(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)


def render_docs_page(dialects: Sequence[Dialect]) -> str:
    documents = {d.name: f"/openapi/{d.name}.json" for d in dialects if d.openapi is not None}
    sections = [d.docs(documents.get(d.name, "")) for d in dialects if d.docs is not None]
    return render_page("docs.html", dialects=sections, documents=documents)
