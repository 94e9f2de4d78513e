"""CLI groups for credentials and the traffic log, attached by gateway.cli:

    invoice-gateway accounts credentials list|create|revoke|rotate ACCOUNT ...
    invoice-gateway traffic prune [--days N]

Imports stay lazy so `invoice-gateway --help` does not load the ledger."""
from __future__ import annotations

from typing import Any

import click
import orjson

DB_OPTION = click.option("--database-url", default=None, envvar="GATEWAY_DATABASE_URL",
                         help="SQLAlchemy URL; default sqlite:///var/gateway.sqlite3")
KIND_CHOICES = click.Choice(["invoiceocean", "invo", "fakturan", "api_token", "invo_login", "fakturan_key",
                             "fakturan_token"])


def _ledger(database_url: str | None) -> Any:
    from core.ledger import Ledger
    from gateway.db import make_engine
    from gateway.settings import Settings
    return Ledger(make_engine(Settings.from_env(database_url=database_url).database_url))


def _account_id(session: Any, name: str) -> int:
    """An account by name or prefix."""
    from sqlalchemy import or_, select
    from sqlmodel import col

    from core.errors import NotFound
    from core.models import Account

    found = session.execute(select(col(Account.id)).where(or_(col(Account.name) == name,
                                                             col(Account.prefix) == name))).scalar()
    if found is None:
        raise NotFound("account", name)
    return int(found)


def run_in_account(database_url: str | None, work: Any, account: str, *args: Any, **kwargs: Any) -> Any:
    from core.errors import Conflict, DomainError, Invalid, NotFound

    def in_account(session: Any) -> Any:
        return work(session, _account_id(session, account), *args, **kwargs)
    try:
        return _ledger(database_url).write(in_account)
    except NotFound as exc:
        raise click.ClickException(f"no {exc.entity} {exc.ident!r}" + (" in this account" if exc.entity ==
                                                                         "credential" else "")) from None
    except Invalid as exc:
        raise click.ClickException("; ".join(e.message for e in exc.errors)) from None
    except (Conflict, DomainError) as exc:
        raise click.ClickException(str(exc)) from None


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "never"


def _show_new(new: Any, as_json: bool) -> None:
    if as_json:
        click.echo(orjson.dumps(new.as_dict()).decode())
        return
    info = new.info
    if new.replaces is not None:
        click.echo(f"rotated {new.replaces} -> {info.ref}" if str(new.replaces) != str(info.ref)
                   else f"rotated {info.ref} (new password, same login)")
    else:
        click.echo(f"created {info.ref} ({info.dialect})")
    for key, value in new.secrets.items():
        click.echo(f"  {key}={value}")
    click.echo("The secret is shown only now; it is stored hashed.")


@click.group("credentials")
def credentials_group() -> None:
    """List, create, revoke and rotate an account's credentials (tokens, INVO logins, fakturan keys and tokens)."""


@credentials_group.command("list")
@click.argument("account")
@click.option("--active", "only_active", is_flag=True, help="leave revoked credentials out")
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
@DB_OPTION
def credentials_list(account: str, only_active: bool, as_json: bool, database_url: str | None) -> None:
    """ACCOUNT is the account's name or prefix."""
    from core.credentials import list_credentials

    found = run_in_account(database_url, list_credentials, account, include_revoked=not only_active)
    if as_json:
        click.echo(orjson.dumps([info.as_dict() for info in found]).decode())
        return
    click.echo(f"{'REF':<18} {'DIALECT':<13} {'IDENTITY':<24} {'LABEL':<12} {'LAST USED':<24} STATE")
    for info in found:
        state = "active" if info.active else f"revoked {_stamp(info.revoked_at)}"
        click.echo(f"{str(info.ref):<18} {info.dialect:<13} {info.identity:<24} {info.label:<12} "
                   f"{_stamp(info.last_used_at):<24} {state}")


@credentials_group.command("create")
@click.argument("account")
@click.option("--kind", required=True, type=KIND_CHOICES, help="a dialect or a credential kind")
@click.option("--label", default="", help="a note, e.g. which integration uses it")
@click.option("--login", default=None, help="INVO only: the new user's login (default: generated)")
@click.option("--json", "as_json", is_flag=True)
@DB_OPTION
def credentials_create(account: str, kind: str, label: str, login: str | None, as_json: bool,
                       database_url: str | None) -> None:
    """Issue a new credential and print its secret once."""
    from core.credentials import create_credential

    _show_new(run_in_account(database_url, create_credential, account, kind, label=label, login=login), as_json)


@credentials_group.command("revoke")
@click.argument("account")
@click.argument("ref")
@DB_OPTION
def credentials_revoke(account: str, ref: str, database_url: str | None) -> None:
    """Revoke REF (e.g. api_token-12) at once, in every dialect and in the console."""
    from core.credentials import CredentialRef, revoke_credential

    def revoke(session: Any, account_id: int) -> Any:
        return revoke_credential(session, account_id, CredentialRef.parse(ref))
    info = run_in_account(database_url, revoke, account)
    click.echo(f"revoked {info.ref} ({info.dialect}, {info.identity}) at {_stamp(info.revoked_at)}")


@credentials_group.command("rotate")
@click.argument("account")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@DB_OPTION
def credentials_rotate(account: str, ref: str, as_json: bool, database_url: str | None) -> None:
    """Issue a replacement for REF and revoke REF, in one transaction."""
    from core.credentials import CredentialRef, rotate_credential

    def rotate(session: Any, account_id: int) -> Any:
        return rotate_credential(session, account_id, CredentialRef.parse(ref))
    _show_new(run_in_account(database_url, rotate, account), as_json)


@click.group("traffic")
def traffic_group() -> None:
    """The traffic log."""


@traffic_group.command("prune")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="keep this many days; default GATEWAY_TRAFFIC_RETENTION_DAYS (30)")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True, help="rows per transaction")
@DB_OPTION
def traffic_prune(days: int | None, batch: int, database_url: str | None) -> None:
    """Delete traffic log rows older than the retention period (the server also does it every 10 minutes)."""
    from gateway.db import make_engine
    from gateway.settings import Settings
    from gateway.traffic import prune_traffic

    settings = Settings.from_env(database_url=database_url)
    keep = settings.traffic_retention_days if days is None else days
    result = prune_traffic(make_engine(settings.database_url), keep, batch=batch)
    click.echo(f"pruned {result.deleted} traffic rows older than {result.cutoff:%Y-%m-%d %H:%M:%S} UTC "
               f"({keep} days) in {result.batches} batches, {result.seconds:.2f} s")
