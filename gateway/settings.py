"""Settings from the environment (GATEWAY_*), overridable by CLI flags."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/gateway.sqlite3"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


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
    log_json: bool = True

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
        )
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **clean) if clean else base  # type: ignore[arg-type]
