"""What the protocol dialects bring to core, registered at start-up by the composition root: account profiles
(defaults and numbering patterns a new account starts with) and credential kinds. Core keys both by opaque
names and never knows which dialect a name belongs to beyond what the registration says, so a new dialect
adds its own without an edit here. Registration order is the order people see (listings, error messages)."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

# How a kind is kept: "token" is its own identifier, stored as its SHA-256 in credentials.key_id;
# "key" is a public key id plus an argon2id password; "login" is a user's login and password (users table).
Store = Literal["token", "key", "login"]
# A document kind no profile numbers gets this pattern.
FALLBACK_PATTERN = "{KIND}/nr-m/mm/yyyy"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: its mappings are not hashable
class Profile:
    """The defaults an account is created with (`Account.profile` keeps the name)."""
    name: str
    timezone: str
    currency: str
    lang: str
    country: str  # of the account's main department
    settings: Mapping[str, Any] = field(default_factory=dict)
    # Document kind -> numbering pattern; accounts may override them in settings["numbering"].
    numbering: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CredentialKind:
    name: str  # kept in credentials.kind, and the first half of a reference "<kind>-<id>"
    dialect: str  # the dialect that accepts it
    store: Store
    label: str  # as people know it, in the console's "new credential" choices
    # Issued with every new account (a login kind: the owner's own login); the dialect's name stands for it.
    main: bool = False
    token_bytes: int = 24  # "token" store: the random secret's length
    secret_name: str = "token"  # "token" store: the key the secret is shown under
    with_prefix: bool = False  # "token" store: shown as TOKEN/prefix, so the account is named by the token


_PROFILES: dict[str, Profile] = {}
_KINDS: dict[str, CredentialKind] = {}


def register_profile(profile: Profile) -> None:
    """Idempotent for the same profile; a different profile under a taken name is a wiring error."""
    if _PROFILES.setdefault(profile.name, profile) != profile:
        raise ValueError(f"profile {profile.name!r} is registered twice, differently")


def register_credential_kind(kind: CredentialKind) -> None:
    if _KINDS.setdefault(kind.name, kind) != kind:
        raise ValueError(f"credential kind {kind.name!r} is registered twice, differently")
    if kind.main and any(k.main and k.dialect == kind.dialect and k is not kind for k in _KINDS.values()):
        raise ValueError(f"dialect {kind.dialect!r} has two main credential kinds")


def profiles() -> Mapping[str, Profile]:
    return MappingProxyType(_PROFILES)


def default_profile() -> Profile | None:
    """The first registered: new accounts start with it unless told otherwise."""
    return next(iter(_PROFILES.values()), None)


def profile_of(name: str) -> Profile | None:
    """An account's profile; an unregistered name (a dialect since removed) reads as the default."""
    return _PROFILES.get(name) or default_profile()


def credential_kinds() -> Mapping[str, CredentialKind]:
    return MappingProxyType(_KINDS)


def main_kind(dialect: str) -> CredentialKind | None:
    return next((k for k in _KINDS.values() if k.main and k.dialect == dialect), None)


def numbering_pattern(profile: str, kind: str) -> str:
    """A document kind's default pattern: the profile's, else the default profile's, else the fallback."""
    own, default = profile_of(profile), default_profile()
    return ((own.numbering.get(kind) if own else None) or (default.numbering.get(kind) if default else None)
            or FALLBACK_PATTERN.replace("{KIND}", kind.upper()))


__all__ = ["CredentialKind", "Profile", "Store", "credential_kinds", "default_profile", "main_kind",
           "numbering_pattern", "profile_of", "profiles", "register_credential_kind", "register_profile"]
