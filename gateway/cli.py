"""The `invoice-gateway` command. Its sub-commands and flags are a contract other tools rely on."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from gateway.console.commands import RegisteredChoice
from gateway.settings import SettingError, Settings

DB_OPTION = click.option("--database-url", default=None, envvar="GATEWAY_DATABASE_URL",
                         help="SQLAlchemy URL; default sqlite:///var/gateway.sqlite3")


def _profile_names() -> tuple[str, ...]:
    from core.registrations import profiles
    return tuple(profiles())


def _settings(database_url: str | None) -> Settings:
    try:
        return Settings.from_env(database_url=database_url)
    except SettingError as exc:  # refused before anything starts, in one line naming the variable
        raise click.ClickException(str(exc)) from None


def _ledger(database_url: str | None) -> Any:
    import gateway.registry  # noqa: F401  (the dialects register their profiles and credential kinds with core)
    from core.ledger import Ledger
    from gateway.db import make_engine
    from gateway.registry import DIALECTS
    from gateway.webhooks import install_presenter

    settings = _settings(database_url)
    install_presenter(DIALECTS, settings)  # what this process changes (recurring invoices) reaches webhooks in full
    return Ledger(make_engine(settings.database_url))


@click.group()
def main() -> None:
    """Invoice Gateway: one ledger behind several invoicing APIs (`invoice-gateway translate --help` names them)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--scheduler", is_flag=True,
              help="also issue due recurring invoices in-process, every GATEWAY_SCHEDULER_INTERVAL "
                   "seconds (default 300); same as GATEWAY_SCHEDULER=1")
@DB_OPTION
def serve(host: str, port: int, workers: int, scheduler: bool, database_url: str | None) -> None:
    """Serve every registered dialect on one port."""
    import os

    import uvicorn

    settings = _settings(database_url)
    os.environ["GATEWAY_DATABASE_URL"] = settings.database_url  # the factory reads it in each worker
    if scheduler:
        os.environ["GATEWAY_SCHEDULER"] = "1"  # the app's lifespan starts it, in each worker
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile  # one /metrics total across workers: each writes its samples there

        metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="invoice-gateway-metrics-")
    from gateway.logs import logging_config
    from gateway.slow_clients import HeadDeadlineProtocol

    # JSON lines with request ids and secrets masked; uvicorn's access log (raw query strings) stays
    # off, the app writes a redacted `gateway.access` line per request instead.
    try:
        uvicorn.run("gateway.asgi:app", host=host, port=port, workers=workers,
                    log_level=settings.log_level.lower(),
                    log_config=logging_config(settings.log_level, settings.log_json),
                    # The app believes proxy headers itself, from GATEWAY_TRUSTED_PROXIES only (gateway/proxies.py).
                    access_log=False, proxy_headers=False, timeout_keep_alive=5,
                    # With --workers, uvicorn restarts a worker that is not serving within this many seconds;
                    # its 5 s default kills workers still importing the app on a loaded machine, forever.
                    timeout_worker_healthcheck=60,
                    http=HeadDeadlineProtocol)  # a request head must arrive within GATEWAY_HEADER_TIMEOUT
    finally:
        if metrics_dir is not None:  # counters restart with the server; stale files would be added in
            import shutil

            shutil.rmtree(metrics_dir, ignore_errors=True)


@main.command()
@DB_OPTION
def migrate(database_url: str | None) -> None:
    """Apply the database migrations."""
    from gateway.migrations import upgrade

    upgrade(_settings(database_url).database_url)
    click.echo("migrations applied")


def _report(report: Any, as_json: bool) -> None:
    click.echo(orjson.dumps(report.as_dict()).decode() if as_json else "\n".join(report.lines()))
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--check", "check_file", type=click.Path(path_type=Path), default=None,
              help="only verify an existing backup file (integrity, schema revision, row counts)")
@click.option("--force", is_flag=True, help="overwrite DEST if it exists")
@click.option("--json", "as_json", is_flag=True, help="print the restore check as one JSON object")
@DB_OPTION
def backup(dest: Path | None, check_file: Path | None, force: bool, as_json: bool, database_url: str | None) -> None:
    """Copy the live SQLite database to DEST (a file, or a folder for a timestamped file) with the
    online backup API, while the server runs, then run the restore check on the copy. Exit 1 when
    the check fails. PostgreSQL: use pg_dump (README, Operations)."""
    from gateway.backup import BackupError, check
    from gateway.backup import backup as run_backup

    if (dest is None) == (check_file is None):
        raise click.UsageError("give either DEST or --check FILE")
    if check_file is not None:
        _report(check(check_file), as_json)
        return
    assert dest is not None
    try:
        report = run_backup(_settings(database_url).database_url, dest, overwrite=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if not as_json:
        click.echo(f"backup written to {report.path}")
    _report(report, as_json)


@main.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace an existing database (it is kept as .before-restore-*)")
@DB_OPTION
def restore(backup_file: Path, force: bool, database_url: str | None) -> None:
    """Check BACKUP_FILE, then make it the SQLite database. Stop the server first."""
    from gateway.backup import BackupError
    from gateway.backup import restore as run_restore

    try:
        report, kept = run_restore(backup_file, _settings(database_url).database_url, overwrite=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if kept is not None:
        click.echo(f"previous database kept as {kept}")
    if report.ok:
        click.echo(f"restored {backup_file} to {report.path}")
    _report(report, False)


@main.group()
def accounts() -> None:
    """Create, deactivate and reactivate accounts."""


@accounts.command("create")
@click.argument("name")
@click.option("--profile", type=RegisteredChoice(_profile_names), default=None,
              help="whose defaults (timezone, currency, numbering) the account starts with; default: the first")
@click.option("--json", "as_json", is_flag=True, help="print exactly one JSON object with the credentials")
@DB_OPTION
def accounts_create(name: str, profile: str, as_json: bool, database_url: str | None) -> None:
    """Create an account and print its credentials for every dialect."""
    from core.accounts import create_account
    from core.errors import DomainError

    try:
        secrets = _ledger(database_url).write(create_account, name, profile=profile)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(orjson.dumps(secrets.as_dict()).decode())
    else:
        click.echo(describe_credentials(name, secrets.as_dict()))


def _write_account(database_url: str | None, change: Any, name: str, *args: Any) -> None:
    """Run a core write that finds the account by name; an unknown name is a CLI error, not a traceback."""
    from core.errors import NotFound

    try:
        _ledger(database_url).write(change, name, *args)
    except NotFound:
        raise click.ClickException(f"no account named {name!r}") from None


def _set_active(name: str, active: bool, database_url: str | None) -> None:
    from core.accounts import set_active

    _write_account(database_url, set_active, name, active)
    click.echo(f"account {name} {'activated' if active else 'deactivated'}")


@accounts.command("deactivate")
@click.argument("name")
@DB_OPTION
def accounts_deactivate(name: str, database_url: str | None) -> None:
    """Deactivate an account (every dialect then refuses its credentials in its own way)."""
    _set_active(name, False, database_url)


@accounts.command("activate")
@click.argument("name")
@DB_OPTION
def accounts_activate(name: str, database_url: str | None) -> None:
    """Reactivate an account."""
    _set_active(name, True, database_url)


@accounts.command("negative-stock")
@click.argument("name")
@click.option("--allow/--forbid", default=True, show_default=True,
              help="whether warehouse documents and invoices may take a product's stock below zero")
@DB_OPTION
def accounts_negative_stock(name: str, allow: bool, database_url: str | None) -> None:
    """Allow or forbid negative stock for an account (new accounts allow it)."""
    from core.stock import set_negative_stock

    _write_account(database_url, set_negative_stock, name, allow)
    click.echo(f"account {name}: negative stock {'allowed' if allow else 'forbidden'}")


@accounts.command("ksef")
@click.argument("account")
@click.option("--mode", type=click.Choice(["off", "demo", "production"]), default=None,
              help="KSeF mode: off (nothing is sent), demo (the default: demo_* statuses, no lock, no QR), production")
@click.option("--validate/--no-validate", "validate", default=None,
              help="validate_invoices_for_gov: refuse (422) invoices KSeF would refuse, or save them with "
                   "gov_error_messages")
@DB_OPTION
def accounts_ksef(account: str, mode: str | None, validate: bool | None, database_url: str | None) -> None:
    """Show or set ACCOUNT's (name or prefix) KSeF mode."""
    from core.einvoice.service import apply_mode, blocks_invalid, mode_of
    from gateway.console.commands import run_in_account

    def change(session: Any, account_id: int) -> str:
        changed = apply_mode(session, account_id, mode, validate)
        return f"ksef mode {mode_of(changed)}, validate_invoices_for_gov {'on' if blocks_invalid(changed) else 'off'}"

    click.echo(run_in_account(database_url, change, account))


from gateway.console.commands import credentials_group, traffic_group  # noqa: E402  (click only)

accounts.add_command(credentials_group)
main.add_command(traffic_group)

from gateway.translate import cli_command as translate_command  # noqa: E402  (invoice-gateway translate)

main.add_command(translate_command())

from gateway.webhook_commands import webhooks_group  # noqa: E402  (invoice-gateway webhooks)

main.add_command(webhooks_group)


@main.group()
def recurrings() -> None:
    """Recurring invoice definitions."""


@recurrings.command("run")
@click.option("--date", "run_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="issue what is due on this date; default: today in each account's timezone")
@DB_OPTION
def recurrings_run(run_date: Any, database_url: str | None) -> None:
    """Issue every due recurring invoice, one line per invoice. Safe to run again (for cron):
    each period is issued exactly once; at most 24 missed periods per definition per run."""
    import logging

    from core.recurring import run_due

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    day = run_date.date() if run_date is not None else None
    for issued in run_due(_ledger(database_url).engine, day):
        click.echo(f"{issued.number}\trecurring={issued.recurring_id}\tperiod={issued.period_date.isoformat()}"
                   f"\tinvoice_id={issued.invoice_id}")


@main.group()
def invoices() -> None:
    """Invoices' public links."""


@invoices.command("rotate-link")
@click.argument("account")
@click.argument("invoice_id", type=int)
@DB_OPTION
def invoices_rotate_link(account: str, invoice_id: int, database_url: str | None) -> None:
    """Give invoice INVOICE_ID of ACCOUNT (name or prefix) a new public link; the old one answers 404 at once."""
    from core.documents.access import rotate_public_token
    from core.documents.html import view_path
    from gateway.console.commands import run_in_account

    def rotate(session: Any, account_id: int) -> str:
        invoice = rotate_public_token(session, account_id, invoice_id)
        return view_path(invoice.number, invoice.token)

    path = run_in_account(database_url, rotate, account)
    base = _settings(database_url).public_base_url.rstrip("/")
    click.echo(f"{base}{path}" if base else path)


@main.command()
@click.option("--if-empty", is_flag=True, help="only when the database holds no account yet")
@click.option("--json", "as_json", is_flag=True)
@click.option("--credentials-file", type=click.Path(dir_okay=False), default="var/demo-credentials.json",
              show_default=True, help="where the demo's secrets are kept (mode 0600) to be shown again")
@DB_OPTION
def demo(if_empty: bool, as_json: bool, credentials_file: str, database_url: str | None) -> None:
    """Seed a realistic demo account and print its credentials."""
    from pathlib import Path

    from gateway.demo import DEMO_NAME, seed_demo

    saved = Path(credentials_file)
    result = seed_demo(_ledger(database_url), only_if_empty=if_empty)
    if result is None:
        if not saved.exists():
            click.echo("the database already holds accounts; no demo account was created")
            return
        # Secrets are stored hashed, so the only copy to show again is the one saved at creation.
        result = orjson.loads(saved.read_bytes())
    else:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(orjson.dumps(result))
        saved.chmod(0o600)
    click.echo(orjson.dumps(result).decode() if as_json else describe_credentials(DEMO_NAME, result))


def describe_credentials(name: str, creds: dict[str, Any], base: str = "http://127.0.0.1:8000") -> str:
    """Each dialect's main credential with a command that uses it (Dialect.try_it), in the registry's order."""
    from gateway.registry import DIALECTS

    out = [f"Account {name!r} (id {creds['account_id']}, prefix {creds['prefix']})"]
    for dialect in DIALECTS:
        secrets = creds.get(dialect.name)
        if not isinstance(secrets, dict):
            continue
        lines = dialect.try_it(secrets, base) if dialect.try_it else (
            " ".join(f"{key}={value}" for key, value in secrets.items()),)
        out += [f"  {label:<14}{line}" for label, line in zip((dialect.label, *[""] * (len(lines) - 1)), lines,
                                                              strict=True)]
    return "\n".join(out)


class _References(click.Group):
    """`docs NAME`, one per registered dialect with a generated Markdown reference (Dialect.reference)."""

    def _with_reference(self) -> dict[str, Any]:
        from gateway.registry import DIALECTS
        return {d.name: d for d in DIALECTS if d.reference is not None}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._with_reference())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        dialect = self._with_reference().get(cmd_name)
        return None if dialect is None else _reference_command(dialect)


def _reference_command(dialect: Any) -> click.Command:
    render, write, default = dialect.reference
    shown = Path(default).resolve()
    root = Path(__file__).resolve().parents[1]
    shown_path = shown.relative_to(root) if shown.is_relative_to(root) else shown

    @click.command(dialect.name, help=f"Write the {dialect.label} Markdown reference, generated from the "
                   "dialect's resource table.")
    @click.option("--output", type=click.Path(dir_okay=False), default=None,
                  help=f"where to write; default {shown_path}; - prints it")
    def reference(output: str | None) -> None:
        if output == "-":
            click.echo(render(), nl=False)
            return
        click.echo(f"wrote {write(Path(output) if output else default)}")
    return reference


@main.group(cls=_References)
def docs() -> None:
    """Generated API documents."""


if __name__ == "__main__":
    sys.exit(main())
