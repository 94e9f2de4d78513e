"""Translate one dialect's request into the equivalent requests of the others, without running it.

The source request goes through its dialect's translator, which uses the same parse-to-command code the
dialect's endpoints use; the command goes through each target's encoder (dialects/<name>/encode.py), which
reads the dialect's own field tables backwards. Nothing here maps a field: there is no second mapping to
drift. Nothing touches the database either, so lookups that need the account's data (dictionary ids)
are refused with a clear message. The dialects are the registry's (gateway/registry.py).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

from core.errors import DomainError, Invalid
from dialects.kit.dialect import Dialect
from dialects.kit.translate import TranslationError, Translator, loads, text
from gateway.registry import DIALECTS as REGISTERED


def translators(dialects: Sequence[Dialect]) -> dict[str, Translator]:
    return {d.name: d.translator for d in dialects if d.translator is not None}


TRANSLATORS = translators(REGISTERED)
DIALECTS = tuple(TRANSLATORS)



def parse(source: str, request: Mapping[str, Any], known: Mapping[str, Translator] = TRANSLATORS) -> Any:
    """The source request as a core command (or a GetInvoice/ListInvoices read)."""
    if source not in known:
        raise TranslationError(f"unknown dialect {source!r}; one of {', '.join(known)}")
    try:
        return known[source].parse(request)
    except TranslationError:
        raise
    except Invalid as exc:
        problems = ", ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise TranslationError(f"{source} would refuse it: {problems}") from None
    except DomainError as exc:
        raise TranslationError(f"{source} would refuse it: {getattr(exc, 'message', exc)}") from None
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise TranslationError(f"the request cannot be read: {exc}") from None


# -- writing the target requests ---------------------------------------------------------------------
def command_name(command: Any) -> str:
    return type(command).__name__


def translate(source_dialect: str, request: Mapping[str, Any], targets: Sequence[str] | None = None,
              base_url: str = "http://127.0.0.1:8000", dialects: Sequence[Dialect] = REGISTERED) -> dict[str, Any]:
    """{"from", "command", "requests": {dialect: {"method","path","body","curl"} or None},
    "lossy": {dialect: [notes]}}. A target that cannot express the request gets None and a note.
    `dialects`: the registry to translate among (an app's own, app.state.dialects)."""
    known = translators(dialects)
    command = parse(source_dialect, request, known)
    chosen = [d for d in (targets or known) if d != source_dialect] if targets else \
        [d for d in known if d != source_dialect]
    unknown = [d for d in chosen if d not in known]
    if unknown:
        raise TranslationError(f"unknown dialect {unknown[0]!r}; one of {', '.join(known)}")
    requests: dict[str, Any] = {}
    lossy: dict[str, list[str]] = {}
    for target in chosen:
        translator = known[target]
        try:
            encoded = translator.encode(command)
        except ValueError as exc:
            requests[target], lossy[target] = None, [str(exc)]
            continue
        path = encoded["path"] + (f"?{urlencode(encoded['query'])}" if encoded["query"] else "")
        requests[target] = {"method": encoded["method"], "path": path, "body": text(encoded["body"]) or None,
                            "curl": translator.curl(encoded, base_url), **translator.shown(encoded)}
        lossy[target] = list(encoded["lossy"])
    return {"from": source_dialect, "command": command_name(command), "requests": requests, "lossy": lossy}


# -- the CLI: invoice-gateway translate ---------------------------------------------------------------
def read_request(text: str, source: str) -> dict[str, Any]:
    """A request file: JSON {"method","path","body"} or {"r","q"} (body/q may be objects), or HTTP-ish
    text: a `METHOD /path` line, optional header lines, a blank line, then the body (read by the dialect's
    translator when it has its own reading, as a form body `r=invoices&q={...}`)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        document = loads(stripped)
        if not isinstance(document, dict):
            raise TranslationError("the request file must hold a JSON object")
        return dict(document)
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    first = head.strip().splitlines()[0] if head.strip() else ""
    method, _, path = first.partition(" ")
    if not method or not path.strip():
        raise TranslationError("the request file starts with neither `{` nor a `METHOD /path` line")
    translator = TRANSLATORS.get(source)
    if translator is not None and translator.read_body is not None:
        return translator.read_body(body)
    return {"method": method.upper(), "path": path.strip().split(" ")[0], "body": body.strip() or None}


def render_text(result: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for dialect, request in result["requests"].items():
        lines.append(f"# {dialect}" + ("" if request else ": cannot be expressed"))
        lines.extend(f"#   lossy: {note}" for note in result["lossy"].get(dialect, []))
        if request:
            lines.append(request["curl"])
        lines.append("")
    return "\n".join(lines)


def cli_command() -> Any:
    import click

    @click.command("translate")
    @click.option("--from", "source", required=True, type=click.Choice(DIALECTS), help="the request's dialect")
    @click.option("--to", "targets", multiple=True, type=click.Choice(DIALECTS),
                  help="a target dialect (repeatable); default: the other two")
    @click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="used in the curl lines")
    @click.argument("file", type=click.File("r", encoding="utf-8"))
    def command(source: str, targets: tuple[str, ...], base_url: str, file: Any) -> None:
        """Print the requests of the other dialects equivalent to FILE's request, as curl commands.
        Nothing is executed. FILE (`-` for stdin) is JSON {"method","path","body"} or {"r","q"},
        or `METHOD /path`, optional headers, a blank line and the body."""
        try:
            result = translate(source, read_request(file.read(), source), list(targets) or None, base_url)
        except TranslationError as exc:
            click.echo(f"error: {exc}")
            raise SystemExit(1) from None
        click.echo(render_text(result), nl=False)

    return command
