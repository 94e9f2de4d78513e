"""Settings from the environment (GATEWAY_*), overridable by CLI flags."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/gateway.sqlite3"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw.strip() else default


# FULL: SQLite fsyncs the WAL at every commit, so an acknowledged invoice (and the number it took) survives a
# power loss; NORMAL can lose the last commits, and a lost number would then be given to another invoice.
SQLITE_SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class SettingError(ValueError):
    """A GATEWAY_* value the gateway refuses to start with; the message names the variable."""


def sqlite_synchronous(raw: str | None = None) -> str:
    """GATEWAY_SQLITE_SYNCHRONOUS (or `raw`), upper-cased; FULL when unset, SettingError when not a mode."""
    value = (os.environ.get("GATEWAY_SQLITE_SYNCHRONOUS", "") if raw is None else raw).strip().upper() or "FULL"
    if value not in SQLITE_SYNCHRONOUS_MODES:
        raise SettingError(f"GATEWAY_SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_MODES)}, "
                           f"not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = 10 * 1024 * 1024
    smtp_url: str = ""  # smtp://user:pass@host:port?starttls=1 ; empty: write .eml files to outbox_dir
    mail_from: str = "invoices@invoice-gateway.local"
    outbox_dir: Path = field(default_factory=lambda: Path("var/outbox"))
    public_base_url: str = ""  # used in view_url and paging links; empty: taken from the request
    traffic_retention_days: int = 30
    secret_key: str = ""  # signs console sessions; generated per process when empty
    # GATEWAY_CONSOLE_SECRET signs console session cookies; empty: generated once and kept in
    # console_secret_file (mode 0600), so restarts and several workers share it.
    console_secret: str = ""
    console_secret_file: Path = field(default_factory=lambda: Path("var/console-secret"))
    log_json: bool = True  # GATEWAY_LOG_FORMAT=json (default) or text
    log_level: str = "INFO"  # GATEWAY_LOG_LEVEL: root level for `serve` (debug, info, warning, error)
    # Abuse limits (README: Reliability). Failed authentications per credential and per client address
    # within the sliding window, per worker process; 0 turns the limit off.
    auth_fail_limit: int = 10  # failures of one identifier from one address
    auth_fail_window: float = 60.0
    auth_spray_limit: int = 50  # failures from one address, whatever the identifiers
    # Peers whose X-Forwarded-For/-Proto/-Host are believed (gateway/proxies.py); "*" trusts every peer.
    trusted_proxies: str = "127.0.0.1"
    max_recipients: int = 10  # To + Cc + Bcc of one sent invoice
    # Hosts a mail's links may name when public_base_url is unset; "*.domain" matches its subdomains.
    allowed_hosts: str = "localhost, 127.0.0.1, *.localhost"
    body_timeout: float = 30.0  # seconds to receive a whole request body, else 408
    header_timeout: float = 10.0  # seconds for a request's head (serve only), else 408 and the connection closes
    sqlite_synchronous: str = "FULL"  # GATEWAY_SQLITE_SYNCHRONOUS; see SQLITE_SYNCHRONOUS_MODES
    # Webhooks (core/webhooks.py): hosts or addresses a webhook may name although private or loopback
    # (comma-separated), and the wait before the first retry, in seconds (it doubles after each failure).
    webhook_allow_hosts: str = ""
    webhook_retry_base: float = 30.0
    # KSeF (README: E-invoices). GATEWAY_KSEF_URL empty: the built-in simulator; else the KSeF API v2 at that
    # URL through ksef-client, signing in with GATEWAY_KSEF_TOKEN for the seller's NIP.
    ksef_url: str = ""
    ksef_token: str = ""
    ksef_send_error_chance: float = 0.0  # the simulator's chance of demo_send_error / send_error
    ksef_server_error_chance: float = 0.0  # ... and of demo_server_error / server_error
    ksef_poll_seconds: float = 1.0  # between status polls of the real KSeF API

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        base = cls(
            database_url=env.get("GATEWAY_DATABASE_URL", DEFAULT_DATABASE_URL),
            max_body_bytes=_int("GATEWAY_MAX_BODY_BYTES", 10 * 1024 * 1024),
            smtp_url=env.get("GATEWAY_SMTP_URL", ""),
            mail_from=env.get("GATEWAY_MAIL_FROM", "invoices@invoice-gateway.local"),
            outbox_dir=Path(env.get("GATEWAY_OUTBOX_DIR", "var/outbox")),
            public_base_url=env.get("GATEWAY_PUBLIC_BASE_URL", ""),
            traffic_retention_days=_int("GATEWAY_TRAFFIC_RETENTION_DAYS", 30),
            secret_key=env.get("GATEWAY_SECRET_KEY", ""),
            console_secret=env.get("GATEWAY_CONSOLE_SECRET", ""),
            console_secret_file=Path(env.get("GATEWAY_CONSOLE_SECRET_FILE", "var/console-secret")),
            log_json=env.get("GATEWAY_LOG_FORMAT", "json").strip().lower() != "text",
            log_level=(env.get("GATEWAY_LOG_LEVEL", "").strip() or "INFO").upper(),
            auth_fail_limit=_int("GATEWAY_AUTH_FAIL_LIMIT", 10),
            auth_fail_window=_float("GATEWAY_AUTH_FAIL_WINDOW", 60.0),
            auth_spray_limit=_int("GATEWAY_AUTH_SPRAY_LIMIT", 50),
            trusted_proxies=env.get("GATEWAY_TRUSTED_PROXIES", "127.0.0.1"),
            max_recipients=_int("GATEWAY_MAX_RECIPIENTS", 10),
            allowed_hosts=env.get("GATEWAY_ALLOWED_HOSTS", "localhost, 127.0.0.1, *.localhost"),
            body_timeout=_float("GATEWAY_BODY_TIMEOUT", 30.0),
            header_timeout=_float("GATEWAY_HEADER_TIMEOUT", 10.0),
            ksef_url=env.get("GATEWAY_KSEF_URL", ""),
            ksef_token=env.get("GATEWAY_KSEF_TOKEN", ""),
            ksef_send_error_chance=float(env.get("GATEWAY_KSEF_SEND_ERROR_CHANCE", "0") or 0),
            ksef_server_error_chance=float(env.get("GATEWAY_KSEF_SERVER_ERROR_CHANCE", "0") or 0),
            ksef_poll_seconds=float(env.get("GATEWAY_KSEF_POLL_SECONDS", "1") or 1),
            sqlite_synchronous=sqlite_synchronous(),
            webhook_allow_hosts=env.get("GATEWAY_WEBHOOK_ALLOW_HOSTS", ""),
            webhook_retry_base=_float("GATEWAY_WEBHOOK_RETRY_BASE", 30.0),
        )
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **clean) if clean else base  # type: ignore[arg-type]
