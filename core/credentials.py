"""An account's credentials for every dialect: list, create, revoke and rotate. No HTTP here: the
console and the `accounts credentials` CLI both call these inside a ledger transaction.

Each dialect registers its credential kinds (core.registrations.CredentialKind); a kind is kept in one of
three ways:

| store | row         | identity shown        | secret (shown once)                        |
|-------|-------------|-----------------------|--------------------------------------------|
| token | credentials | sha256 prefix         | the token (TOKEN/prefix when the kind says) |
| key   | credentials | key id                | the password                               |
| login | users       | login (its user number) | the password                             |

Rotation issues a new secret and revokes the old one in the same transaction. For tokens and
keys that is a new row (a new key id) with the same label; a login keeps its login and user number
(clients see the number) and gets a new password, so the old password stops working at once.
Revoked rows stay, so the traffic log can still name them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from core.accounts import add_user, issue_secret
from core.clock import now_utc
from core.errors import Conflict, Invalid, NotFound
from core.models import Account, Credential, User
from core.registrations import CredentialKind, credential_kinds, main_kind
from core.security import hash_password, random_secret


def dialect_of_kind() -> dict[str, str]:
    """kind -> the dialect that accepts it, in registration order."""
    return {kind.name: kind.dialect for kind in credential_kinds().values()}


def _kind(name: str) -> CredentialKind | None:
    return credential_kinds().get(name)


def _is_login(name: str) -> bool:
    kind = _kind(name)
    return kind is not None and kind.store == "login"


@dataclass(frozen=True)
class CredentialRef:
    """Names one credential across both tables: "<kind>-<id>", the id a users row's for a login kind."""

    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.kind}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> "CredentialRef":
        kind, _, number = str(text).strip().rpartition("-")
        if kind not in credential_kinds() or not number.isdigit() or len(number) > 18:
            examples = ", ".join(f"{name}-{n}" for n, name in enumerate(credential_kinds(), start=7))
            raise Invalid.one("credential", "invalid", f"expected KIND-ID, e.g. {examples}")
        return cls(kind, int(number))


@dataclass(frozen=True)
class CredentialInfo:
    ref: CredentialRef
    dialect: str
    identity: str  # what may be shown: never a secret
    label: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_login(self) -> bool:
        """A user's login: its ref id is a users row, and rotating it keeps the login with a new password."""
        return _is_login(self.kind)

    def as_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None
        return {"ref": str(self.ref), "kind": self.kind, "dialect": self.dialect, "identity": self.identity,
                "label": self.label, "created_at": iso(self.created_at), "last_used_at": iso(self.last_used_at),
                "revoked_at": iso(self.revoked_at), "active": self.active}


@dataclass(frozen=True)
class NewCredential:
    """A credential just issued, with its secret in clear: the only time anyone sees it."""

    info: CredentialInfo
    secrets: dict[str, str] = field(default_factory=dict)
    replaces: CredentialRef | None = None  # set by rotation

    def as_dict(self) -> dict[str, Any]:
        result = {**self.info.as_dict(), "secrets": dict(self.secrets)}
        if self.replaces is not None:
            result["replaces"] = str(self.replaces)
        return result


def _info_of_credential(row: Credential) -> CredentialInfo:
    kind = _kind(row.kind)
    identity = f"sha256:{row.key_id[:10]}…" if kind is not None and kind.store == "token" else row.key_id
    return CredentialInfo(CredentialRef(row.kind, row.id or 0), kind.dialect if kind else row.kind, identity,
                          row.label, row.created_at, row.last_used_at, row.revoked_at)


def _login_kind() -> CredentialKind:
    found = next((k for k in credential_kinds().values() if k.store == "login"), None)
    if found is None:
        raise NotFound("credential kind", "login")
    return found


def _info_of_user(user: User) -> CredentialInfo:
    kind = _login_kind()
    label = user.label or ("owner" if user.uid == 0 else f"user {user.uid}")
    return CredentialInfo(CredentialRef(kind.name, user.id or 0), kind.dialect, user.login, label,
                          user.created_at, user.last_used_at, user.revoked_at)


def list_credentials(session: Session, account_id: int, *, include_revoked: bool = True) -> list[CredentialInfo]:
    """Every credential of the account, dialect by dialect in registration order, each dialect's oldest first."""
    rows = session.execute(select(Credential).where(Credential.account_id == account_id)
                           .order_by(Credential.id)).scalars().all()  # type: ignore[arg-type]
    users = session.execute(select(User).where(User.account_id == account_id)
                            .order_by(User.uid)).scalars().all()  # type: ignore[arg-type]
    found: list[CredentialInfo] = []
    for dialect in dict.fromkeys(kind.dialect for kind in credential_kinds().values()):
        kinds = {k.name: k for k in credential_kinds().values() if k.dialect == dialect}
        if any(k.store == "login" for k in kinds.values()):
            found += [_info_of_user(u) for u in users]
        found += [_info_of_credential(r) for r in rows if r.kind in kinds and kinds[r.kind].store != "login"]
    return [info for info in found if include_revoked or info.active]


def _owner_id(session: Session, account_id: int) -> int | None:
    return session.execute(select(User.id).where(User.account_id == account_id)
                           .order_by(User.uid)).scalar()  # type: ignore[arg-type]


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("account", account_id)
    return account


def _free_login(session: Session, base: str) -> str:
    n = 2
    while True:
        candidate = f"{base}{n}"
        if not session.execute(select(User.id).where(User.login == candidate)).first():
            return candidate
        n += 1


def own_login(prefix: str, wanted: str) -> str:
    """A chosen login, in the account's own namespace: "erp" becomes "acme.erp". Logins are unique
    across accounts, so a free choice would answer "taken" for another account's login and tell a tenant
    which logins exist; prefixes are unique and never hold a ".", so a qualified name can only collide
    with the account's own logins."""
    if not wanted or wanted.startswith(prefix + "."):
        return wanted
    return f"{prefix}.{wanted}"


def kind_choices() -> tuple[str, ...]:
    """What `kind_of` takes: every kind, then every dialect name standing for its main kind."""
    kinds = credential_kinds().values()
    return (*(k.name for k in kinds), *(k.dialect for k in kinds if k.main))


def kind_of(name: str) -> str:
    """A kind, or a dialect name standing for its main kind."""
    main = main_kind(name)
    kind = main.name if main is not None else name
    if kind not in credential_kinds():
        raise Invalid.one("kind", "inclusion", f"must be one of {', '.join(kind_choices())}")
    return kind


def create_credential(session: Session, account_id: int, kind: str, *, label: str = "",
                      login: str | None = None, user_id: int | None = None) -> NewCredential:
    found = credential_kinds()[kind_of(kind)]
    account = _account(session, account_id)
    label = label.strip()[:80]
    if found.store != "login":
        row, secrets = issue_secret(session, found, account_id, user_id or _owner_id(session, account_id),
                                    account.prefix, label)
        session.flush()
        session.refresh(row)  # timestamps as the database keeps them, as every later read shows them
        return NewCredential(_info_of_credential(row), secrets)
    wanted = own_login(account.prefix, (login or "").strip())
    if wanted and (len(wanted) > 64 or any(c.isspace() or c == ":" for c in wanted)):
        raise Invalid.one("login", "invalid", "a login has no spaces or colons and at most 64 characters")
    password = random_secret(16)
    user = add_user(session, account_id, wanted or _free_login(session, account.prefix), password)
    user.label = label
    session.add(user)
    session.flush()
    return NewCredential(_info_of_user(user), {"login": user.login, "password": password})


def _find(session: Session, account_id: int, ref: CredentialRef) -> Credential | User:
    """The row, only if it belongs to the account: another account's ref is simply not found."""
    row: Credential | User | None
    if _is_login(ref.kind):
        row = session.get(User, ref.id)
    else:
        row = session.get(Credential, ref.id)
        if row is not None and row.kind != ref.kind:
            row = None
    if row is None or row.account_id != account_id:
        raise NotFound("credential", str(ref))
    return row


def get_credential(session: Session, account_id: int, ref: CredentialRef) -> CredentialInfo:
    row = _find(session, account_id, ref)
    return _info_of_user(row) if isinstance(row, User) else _info_of_credential(row)


def revoke_credential(session: Session, account_id: int, ref: CredentialRef) -> CredentialInfo:
    """Revoked from this transaction's commit on: every dialect re-reads revocation per request."""
    row = _find(session, account_id, ref)
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        session.add(row)
        session.flush()
    return _info_of_user(row) if isinstance(row, User) else _info_of_credential(row)


def rotate_credential(session: Session, account_id: int, ref: CredentialRef) -> NewCredential:
    row = _find(session, account_id, ref)
    if row.revoked_at is not None:
        raise Conflict("revoked", f"credential {ref} is revoked; create a new one instead")
    if isinstance(row, User):
        password = random_secret(16)
        row.password_hash = hash_password(password)  # the argon2 cache is keyed by the hash, so it misses
        session.add(row)
        session.flush()
        return NewCredential(_info_of_user(row), {"login": row.login, "password": password}, replaces=ref)
    new = create_credential(session, account_id, row.kind, label=row.label, user_id=row.user_id)
    revoke_credential(session, account_id, ref)
    return NewCredential(new.info, new.secrets, replaces=ref)


__all__ = ["CredentialInfo", "CredentialRef", "NewCredential", "dialect_of_kind", "kind_choices", "kind_of",
           "list_credentials", "get_credential", "create_credential", "revoke_credential", "rotate_credential"]
