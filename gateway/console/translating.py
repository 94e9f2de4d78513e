"""The console's door to gateway.translate (the one parse-to-command, command-to-request engine
the CLI's `translate` uses too). Imported lazily: without it the page says so instead of failing."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

UNAVAILABLE = "the translation engine (gateway.translate) is not installed in this build"


class EngineMissing(Exception):
    pass


def engine() -> tuple[Any, type[Exception]]:
    try:
        from gateway.translate import TranslationError, translate
    except ImportError as exc:
        raise EngineMissing(UNAVAILABLE) from exc
    return translate, TranslationError


def check_request(source: Any, request: Any, targets: Any, dialects: Sequence[Any]) -> str:
    """A message for input translate() should never see, or ''. `dialects`: the app's registry."""
    fields = {d.name: d.request_fields for d in dialects}
    choices = list(fields)
    if source not in choices:
        return f"'from' must be one of {', '.join(choices)}"
    if not isinstance(request, Mapping):
        return "'request' must be an object: {" + ",".join(f'"{name}"' for name in fields[source]) + "}"
    if targets is not None and (not isinstance(targets, Sequence) or isinstance(targets, str)
                                or any(t not in choices for t in targets)):
        return f"'to' must be a list of dialects among {', '.join(choices)}"
    return ""


def run_translation(source: str, request: Mapping[str, Any], targets: Sequence[str] | None,
                    base_url: str, dialects: Sequence[Any]) -> tuple[dict[str, Any] | None, str]:
    """(result, '') or (None, a message to show). `dialects`: the app's registry."""
    choices = [d.name for d in dialects]
    problem = check_request(source, request, targets, dialects)
    if problem:
        return None, problem
    try:
        translate, translation_error = engine()
    except EngineMissing as exc:
        return None, str(exc)
    wanted = [t for t in (targets or choices) if t != source] or None
    try:
        return translate(source, request, wanted, base_url=base_url, dialects=dialects), ""
    except translation_error as exc:
        return None, str(exc)
