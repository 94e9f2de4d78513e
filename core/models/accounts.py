"""Accounts, their users and the credentials each dialect signs in with."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from core.models.base import account_fk, created_at, json_field, timestamp


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    prefix: str = Field(unique=True, index=True)  # the account's subdomain in the REST dialect, also in TOKEN/prefix
    active: bool = True
    profile: str = ""  # the registered profile (core.registrations) the account was created with
    timezone: str = "Europe/Warsaw"
    currency: str = "PLN"
    lang: str = "pl"
    # Defaults that drive new documents: numbering patterns per kind, a dialect's client settings, ...
    settings: dict[str, Any] = json_field()
    created_at: datetime = created_at()


class User(SQLModel, table=True):
    """A person who signs in with login:password (the form API's and the XML API's Basic auth)."""

    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    uid: int = 0  # the user number within the account (the form API shows it): 0 is the owner, others from 1
    login: str = Field(unique=True, index=True)
    password_hash: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    created_at: datetime = created_at()
    # A login is a credential too (a "login" kind): the console lists, rotates (new password) and revokes it.
    label: str = Field(default="", sa_column_kwargs={"server_default": ""})
    last_used_at: datetime | None = timestamp()
    revoked_at: datetime | None = timestamp()


class Credential(SQLModel, table=True):
    """An API secret. Tokens are looked up by their SHA-256; passwords are argon2id hashes."""

    __tablename__ = "credentials"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = account_fk()
    user_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(index=True)  # a registered credential kind (core.registrations)
    key_id: str = Field(index=True)  # token: sha256 hex of the secret; key: the public key id
    secret_hash: str = ""  # key: argon2id of the password; token: empty (key_id is the hash)
    label: str = ""
    created_at: datetime = created_at()
    last_used_at: datetime | None = timestamp()
    revoked_at: datetime | None = timestamp()
