"""`invoice-gateway webhooks list|create|delete ACCOUNT ...`, attached by gateway.cli. Imports stay lazy so
`invoice-gateway --help` does not load the ledger."""
from __future__ import annotations

from typing import Any, Callable

import click
import orjson

from gateway.console.commands import DB_OPTION, _account_id, _ledger


def _run(database_url: str | None, account: str, command: Callable[[int], Any]) -> Any:
    from core.errors import DomainError, Invalid, NotFound

    ledger = _ledger(database_url)
    try:
        return ledger.execute(command(ledger.read(_account_id, account)))
    except NotFound as exc:
        raise click.ClickException(f"no {exc.entity} {exc.ident!r}") from None
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


def _row(hook: Any) -> dict[str, Any]:
    return {"id": hook.id, "kind": hook.kind, "url": hook.url, "api_token": hook.api_token, "active": hook.active}


@click.group("webhooks")
def webhooks_group() -> None:
    """An account's webhooks (the webhooks resource a dialect serves)."""


@webhooks_group.command("list")
@click.argument("account")
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
@DB_OPTION
def webhooks_list(account: str, as_json: bool, database_url: str | None) -> None:
    """ACCOUNT's webhooks (name or prefix)."""
    from core.handlers.webhooks import list_webhooks

    ledger = _ledger(database_url)
    try:
        rows = [_row(h) for h in ledger.read(lambda s: list_webhooks(s, _account_id(s, account)))]
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(orjson.dumps(rows).decode())
        return
    for row in rows:
        click.echo(f"{row['id']}\t{row['kind']}\t{'active' if row['active'] else 'inactive'}\t{row['url']}")


@webhooks_group.command("create")
@click.argument("account")
@click.argument("kind")
@click.argument("url")
@click.option("--api-token", default="", help="the receiver's own token, sent back in every delivery")
@click.option("--inactive", is_flag=True, help="create it switched off")
@click.option("--json", "as_json", is_flag=True, help="one JSON object, with the signing secret")
@DB_OPTION
def webhooks_create(account: str, kind: str, url: str, api_token: str, inactive: bool, as_json: bool,
                    database_url: str | None) -> None:
    """Create a webhook of KIND (e.g. invoice:create) posting to URL; prints its signing secret, once."""
    from core.commands import CreateWebhook
    from core.errors import Invalid
    from core.webhooks import allowed_hosts, check_target
    from gateway.settings import Settings

    try:
        check_target(url, allowed_hosts(Settings.from_env().webhook_allow_hosts))
    except Invalid as exc:
        raise click.ClickException(f"url: {exc.errors[0].message}") from None
    fields = {"kind": kind, "url": url, "api_token": api_token, "active": not inactive}
    hook = _run(database_url, account, lambda account_id: CreateWebhook(account_id, fields))
    if as_json:
        click.echo(orjson.dumps({**_row(hook), "secret": hook.secret}).decode())
        return
    click.echo(f"webhook {hook.id}: {hook.kind} -> {hook.url}")
    click.echo(f"secret (shown once): {hook.secret}")


@webhooks_group.command("delete")
@click.argument("account")
@click.argument("webhook_id", type=int)
@DB_OPTION
def webhooks_delete(account: str, webhook_id: int, database_url: str | None) -> None:
    """Delete ACCOUNT's webhook WEBHOOK_ID, with its deliveries."""
    from core.commands import DeleteWebhook

    _run(database_url, account, lambda account_id: DeleteWebhook(account_id, webhook_id))
    click.echo(f"webhook {webhook_id} deleted")
