"""Opening an account: owner user, each registered dialect's main credential, a main department and the
default dictionaries. Secrets are returned once, in clear, and stored only hashed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core.clock import now_utc
from core.errors import Conflict, Invalid, NotFound
from core.models import Account, Credential, Department, DictionaryEntry, User
from core.registrations import CredentialKind, credential_kinds, default_profile, profiles
from core.security import hash_password, random_secret, token_digest

# The Polish defaults of the form-API dialect's seed, which every new account starts with.
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



@dataclass(frozen=True)
class AccountSecrets:
    account_id: int
    prefix: str
    credentials: dict[str, dict[str, str]]  # dialect -> its main credential's secrets, in clear

    def as_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "prefix": self.prefix, **self.credentials}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "account"


def create_account(session: Session, name: str, *, profile: str | None = None,
                   password: str | None = None) -> AccountSecrets:
    """An account with the registered profile's defaults (the first registered when none is named), its owner,
    and each dialect's main credential."""
    defaults = profiles().get(profile) if profile is not None else default_profile()
    if defaults is None:  # with none registered, the composition root (gateway.registry) was never imported
        known = ", ".join(profiles()) or "the registered profiles"
        raise Invalid.one("profile", "inclusion", f"must be one of {known}")
    if not name.strip():
        raise Invalid.one("name", "blank", "can't be blank")
    if session.execute(select(Account.id).where(Account.name == name)).first():
        raise Conflict("taken", f"an account named {name!r} exists")
    prefix = _free_prefix(session, slug(name))
    account = Account(name=name, prefix=prefix, profile=defaults.name, timezone=defaults.timezone,
                      currency=defaults.currency, lang=defaults.lang, settings=dict(defaults.settings))
    session.add(account)
    session.flush()
    account_id = account.id or 0
    password = password or random_secret(16)
    owner = User(account_id=account_id, uid=0, login=_free_login(session, prefix),
                 password_hash=hash_password(password))
    session.add(owner)
    session.flush()
    credentials: dict[str, dict[str, str]] = {}
    for kind in credential_kinds().values():
        if kind.main:
            credentials[kind.dialect] = ({"login": owner.login, "password": password} if kind.store == "login"
                                         else issue_secret(session, kind, account_id, owner.id, prefix, "default")[1])
    session.add(Department(account_id=account_id, name=name, shortcut=prefix, main=True, country=defaults.country))
    for dictionary, rows in DEFAULT_DICTIONARIES.items():
        for position, data in enumerate(rows):
            session.add(DictionaryEntry(account_id=account_id, kind=dictionary, position=position, data=dict(data)))
    session.flush()
    return AccountSecrets(account_id, prefix, credentials)


def issue_secret(session: Session, kind: CredentialKind, account_id: int, user_id: int | None, prefix: str,
                 label: str = "") -> tuple[Credential, dict[str, str]]:
    """A new credential row of a "token" or "key" kind, and its secrets in clear (the only time anyone sees them).
    A token is its own identifier, so only its SHA-256 is kept; a key keeps its id and an argon2id password."""
    if kind.store == "token":
        token = random_secret(kind.token_bytes)
        row = Credential(account_id=account_id, user_id=user_id, kind=kind.name, key_id=token_digest(token),
                         label=label)
        session.add(row)
        return row, {kind.secret_name: f"{token}/{prefix}" if kind.with_prefix else token}
    if kind.store != "key":
        raise ValueError(f"{kind.name} is kept as a login, not as a credential row")
    key_id, key_password = random_secret(20), random_secret(32)
    row = Credential(account_id=account_id, user_id=user_id, kind=kind.name, key_id=key_id,
                     secret_hash=hash_password(key_password), label=label)
    session.add(row)
    return row, {"key_id": key_id, "password": key_password}


LOGIN_TOKEN_LABEL = "login.json"
LOGIN_TOKENS_KEPT = 10


def issue_login_token(session: Session, kind: CredentialKind, account_id: int, user_id: int) -> str:
    """A fresh token of `kind` for a user who signed in with a login and password (a dialect's sign-in call):
    tokens are stored as digests, so the one issued earlier cannot be shown again. Each sign-in adds a
    credential labelled LOGIN_TOKEN_LABEL; past the newest LOGIN_TOKENS_KEPT of them the oldest are revoked, so
    a script signing in on every run does not pile up live tokens. Tokens made in the console or CLI are never
    touched."""
    if kind.store != "token":
        raise ValueError(f"{kind.name} is not a token kind")
    token = random_secret(kind.token_bytes)
    session.add(Credential(account_id=account_id, user_id=user_id, kind=kind.name, key_id=token_digest(token),
                           label=LOGIN_TOKEN_LABEL))
    session.flush()
    live = session.execute(select(Credential).where(
        Credential.account_id == account_id, Credential.user_id == user_id, Credential.kind == kind.name,
        Credential.label == LOGIN_TOKEN_LABEL, col(Credential.revoked_at).is_(None))
        .order_by(col(Credential.id).desc())).scalars().all()
    for old in live[LOGIN_TOKENS_KEPT:]:
        old.revoked_at = now_utc()
    return token


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


__all__ = ["AccountSecrets", "DEFAULT_DICTIONARIES", "LOGIN_TOKENS_KEPT", "create_account", "set_active",
           "add_user", "issue_secret", "issue_login_token"]
