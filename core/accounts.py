"""Opening an account: owner user, credentials for all three dialects, a main department and the
default dictionaries. Secrets are returned once, in clear, and stored only hashed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core.clock import now_utc
from core.errors import Conflict, Invalid, NotFound
from core.models import Account, Credential, Department, DictionaryEntry, User
from core.security import hash_password, random_secret, token_digest

# The INVO seed's Polish defaults, which every new account starts with.
DEFAULT_DICTIONARIES: dict[str, list[dict[str, Any]]] = {
    "taxrates": [
        {"name": "Podatek VAT 23%", "symbol": "23%", "rate": "0.2300"},
        {"name": "Podatek VAT 7%", "symbol": "7%", "rate": "0.0700"},
        {"name": "Stawka VAT 5%", "symbol": "5%", "rate": "0.0500"},
        {"name": "Podatek VAT 3%", "symbol": "3%", "rate": "0.0300"},
        {"name": "Podatek VAT 0%", "symbol": "0%", "rate": "0.0000"},
        {"name": "Zwolnienie z podatku VAT", "symbol": "zw", "rate": "0.0000"},
        {"name": "Podatek eksportowy", "symbol": "ex", "rate": "0.0000"},
        {"name": "Nie podlega", "symbol": "np", "rate": "0.0000"},
    ],
    "units": [
        {"name": "Sztuka", "symbol": "szt.", "precision": 0},
        {"name": "Godzina", "symbol": "h", "precision": 1},
        {"name": "Metr kw.", "symbol": "m2", "precision": 2},
    ],
    "paytypes": [
        {"name": "Gotówka", "days": 0, "cash_percent": 100, "transfer": 0, "card": 0},
        {"name": "Przelew 14 dni", "days": 14, "cash_percent": 0, "transfer": 1, "card": 0},
        {"name": "Przelew 7 dni", "days": 7, "cash_percent": 0, "transfer": 1, "card": 0},
    ],
}

PROFILES: dict[str, dict[str, Any]] = {
    "invoiceocean": {"timezone": "Europe/Warsaw", "currency": "PLN", "lang": "pl", "settings": {"payment_days": 7}},
    "fakturan": {"timezone": "Europe/Stockholm", "currency": "SEK", "lang": "sv", "settings": {
        "payment_days": 30, "invoice_template": "croatia", "prices_inc_tax": "no", "tax": 25,
        "invoice_delivery_method": "email"}},
}


@dataclass(frozen=True)
class AccountSecrets:
    account_id: int
    prefix: str
    api_token: str
    login: str
    password: str
    key_id: str
    key_password: str

    def as_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "prefix": self.prefix,
                "invoiceocean": {"api_token": f"{self.api_token}/{self.prefix}"},
                "invo": {"login": self.login, "password": self.password},
                "fakturan": {"key_id": self.key_id, "password": self.key_password}}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "account"


def create_account(session: Session, name: str, *, profile: str = "invoiceocean", password: str | None = None,
                   api_token: str | None = None) -> AccountSecrets:
    if profile not in PROFILES:
        raise Invalid.one("profile", "inclusion", f"must be one of {', '.join(PROFILES)}")
    if not name.strip():
        raise Invalid.one("name", "blank", "can't be blank")
    if session.execute(select(Account.id).where(Account.name == name)).first():
        raise Conflict("taken", f"an account named {name!r} exists")
    prefix = _free_prefix(session, slug(name))
    defaults = PROFILES[profile]
    account = Account(name=name, prefix=prefix, profile=profile, timezone=defaults["timezone"],
                      currency=defaults["currency"], lang=defaults["lang"], settings=dict(defaults["settings"]))
    session.add(account)
    session.flush()
    password = password or random_secret(16)
    owner = User(account_id=account.id or 0, uid=0, login=_free_login(session, prefix),
                 password_hash=hash_password(password))
    session.add(owner)
    session.flush()
    token = api_token or random_secret(24)
    session.add(Credential(account_id=account.id or 0, user_id=owner.id, kind="api_token", key_id=token_digest(token),
                           label="default"))
    key_id, key_password = issue_fakturan_key(session, account.id or 0, owner.id, "default")
    session.add(Department(account_id=account.id or 0, name=name, shortcut=prefix, main=True,
                           country="SE" if profile == "fakturan" else "PL"))
    for kind, rows in DEFAULT_DICTIONARIES.items():
        for position, data in enumerate(rows):
            session.add(DictionaryEntry(account_id=account.id or 0, kind=kind, position=position, data=dict(data)))
    session.flush()
    return AccountSecrets(account.id or 0, prefix, token, owner.login, password, key_id, key_password)


def issue_api_token(session: Session, account_id: int, user_id: int | None, label: str = "") -> str:
    token = random_secret(24)
    session.add(Credential(account_id=account_id, user_id=user_id, kind="api_token", key_id=token_digest(token),
                           label=label))
    return token


LOGIN_TOKEN_LABEL = "login.json"
LOGIN_TOKENS_KEPT = 10


def issue_login_token(session: Session, account_id: int, user_id: int) -> str:
    """A fresh API token for a user who signed in with POST /login.json: tokens are stored as digests, so
    the one issued earlier cannot be shown again. Each sign-in adds a credential labelled login.json; past
    the newest LOGIN_TOKENS_KEPT of them the oldest are revoked, so a script signing in on every run does not
    pile up live tokens. Tokens made in the console or CLI are never touched."""
    token = issue_api_token(session, account_id, user_id, LOGIN_TOKEN_LABEL)
    session.flush()
    live = session.execute(select(Credential).where(
        Credential.account_id == account_id, Credential.user_id == user_id, Credential.kind == "api_token",
        Credential.label == LOGIN_TOKEN_LABEL, col(Credential.revoked_at).is_(None))
        .order_by(col(Credential.id).desc())).scalars().all()
    for old in live[LOGIN_TOKENS_KEPT:]:
        old.revoked_at = now_utc()
    return token


def issue_fakturan_token(session: Session, account_id: int, user_id: int | None, label: str = "") -> str:
    """The token form of a fakturan credential (`Authorization: Token token="..."`): like an API token it is
    its own identifier, so it is stored as its SHA-256 only."""
    token = random_secret(32)
    session.add(Credential(account_id=account_id, user_id=user_id, kind="fakturan_token", key_id=token_digest(token),
                           label=label))
    return token


def issue_fakturan_key(session: Session, account_id: int, user_id: int | None, label: str = "") -> tuple[str, str]:
    key_id, key_password = random_secret(20), random_secret(32)
    session.add(Credential(account_id=account_id, user_id=user_id, kind="fakturan_key", key_id=key_id,
                           secret_hash=hash_password(key_password), label=label))
    return key_id, key_password


def _free_prefix(session: Session, base: str) -> str:
    candidate, n = base, 1
    while session.execute(select(Account.id).where(Account.prefix == candidate)).first():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _free_login(session: Session, base: str) -> str:
    candidate, n = base, 1
    while session.execute(select(User.id).where(User.login == candidate)).first():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def set_active(session: Session, name: str, active: bool) -> Account:
    account: Account | None = session.execute(select(Account).where(Account.name == name)).scalars().first()
    if account is None:
        raise NotFound("account", name)
    account.active = active
    return account


def add_user(session: Session, account_id: int, login: str, password: str) -> User:
    if session.execute(select(User.id).where(User.login == login)).first():
        raise Conflict("taken", f"login {login!r} is taken")
    top = session.execute(select(User.uid).where(User.account_id == account_id).order_by(col(User.uid).desc())).scalar()
    user = User(account_id=account_id, uid=int(top or 0) + 1, login=login, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


__all__ = ["AccountSecrets", "DEFAULT_DICTIONARIES", "PROFILES", "create_account", "set_active", "add_user",
           "issue_api_token", "issue_fakturan_key", "issue_fakturan_token", "issue_login_token"]
