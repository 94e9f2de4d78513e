"""Signing in to the console with any one of the account's dialect credentials, resolved by the
same resolvers the dialects authenticate with (so revoked credentials fail here exactly as there). Each
dialect brings its own sign-in forms (Dialect.sign_in)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlmodel import Session

from core.models import User
from core.reader import Reader
from dialects.kit.dialect import Dialect, SignInForm
from dialects.kit.ratelimit import Identity, identity_of
from gateway.console.session import fingerprint


@dataclass(frozen=True)
class SignInResult:
    account_id: int
    ref: str
    fingerprint: str


def sign_in_forms(dialects: Sequence[Dialect]) -> dict[str, SignInForm]:
    """form method -> form, in the registry's order (the first is the form shown chosen)."""
    return {form.method: form for dialect in dialects for form in dialect.sign_in}


def attempt_identity(forms: Mapping[str, SignInForm], method: str, identity: str,
                     secret: str) -> Identity:
    """What a sign-in attempt names, keyed as the dialects key the same credential (dialects.kit.ratelimit): failures
    here and through the API count together."""
    form = forms.get(method)
    if form is None:
        return None
    return identity_of(form.resolver, form.arguments(identity.strip(), secret.strip()))


def sign_in(session: Session, forms: Mapping[str, SignInForm], method: str, identity: str,
            secret: str) -> SignInResult | None:
    """None for a wrong, revoked or unknown credential and for a deactivated account alike."""
    identity, secret = identity.strip(), secret.strip()
    form = forms.get(method)
    if form is None or not secret or (form.needs_identity and not identity):
        return None
    context = form.resolver(Reader(session.connection()), *form.arguments(identity, secret))
    if context is None or not context.active:
        return None
    ref_id = context.user_id if form.by_user else context.credential_id
    if not ref_id:
        return None
    fp = ""
    if form.by_user:  # the session ends when the user's password changes
        user = session.get(User, context.user_id)
        fp = fingerprint(user.password_hash) if user is not None else ""
    return SignInResult(context.account_id, f"{form.credential_kind}-{ref_id}", fp)
