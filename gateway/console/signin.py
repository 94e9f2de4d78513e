"""Signing in to the console with any one of the account's dialect credentials, resolved by the
same dialects.kit.auth functions the dialects use (so revoked credentials fail here exactly as there)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlmodel import Session

from core.models import User
from core.reader import Reader
from dialects.kit.auth import AccountContext, by_api_token, by_fakturan_key, by_login
from dialects.kit.ratelimit import identity_of
from gateway.console.session import fingerprint

METHODS = ("api_token", "invo", "fakturan")


@dataclass(frozen=True)
class SignInResult:
    account_id: int
    ref: str
    fingerprint: str


# The resolver each method signs in with, and which of (identity, secret) it is given.
RESOLVERS: dict[str, tuple[Callable[..., AccountContext | None], Callable[[str, str], tuple[str, ...]]]] = {
    "api_token": (by_api_token, lambda identity, secret: (secret,)),
    "invo": (by_login, lambda identity, secret: (identity, secret)),
    "fakturan": (by_fakturan_key, lambda identity, secret: (identity, secret)),
}


def attempt_identity(method: str, identity: str, secret: str) -> str | None:
    """What a sign-in attempt names, keyed as the dialects key the same credential (dialects.kit.ratelimit): failures
    here and through the API count together."""
    if method not in RESOLVERS:
        return None
    resolver, args = RESOLVERS[method]
    return identity_of(resolver, args(identity.strip(), secret.strip()))


def sign_in(session: Session, method: str, identity: str, secret: str) -> SignInResult | None:
    """None for a wrong, revoked or unknown credential and for a deactivated account alike."""
    identity, secret = identity.strip(), secret.strip()
    reader = Reader(session.connection())
    context: AccountContext | None = None
    if method == "api_token" and secret:
        context = by_api_token(reader, secret)
        ref = f"api_token-{context.credential_id}" if context and context.credential_id else ""
    elif method == "invo" and identity and secret:
        context = by_login(reader, identity, secret)
        ref = f"invo_login-{context.user_id}" if context and context.user_id else ""
    elif method == "fakturan" and identity and secret:
        context = by_fakturan_key(reader, identity, secret)
        ref = f"fakturan_key-{context.credential_id}" if context and context.credential_id else ""
    if context is None or not context.active or not ref:
        return None
    fp = ""
    if method == "invo":
        user = session.get(User, context.user_id)
        fp = fingerprint(user.password_hash) if user is not None else ""
    return SignInResult(context.account_id, ref, fp)
