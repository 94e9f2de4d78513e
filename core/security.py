"""Secrets: API tokens are random and stored as SHA-256 (they carry enough entropy that a fast
hash is safe and lets us look them up); passwords are argon2id."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def _make_hasher() -> PasswordHasher:
    """argon2id with the library's defaults; GATEWAY_ARGON2_PROFILE=test lowers the cost (still
    argon2id) so a test suite that opens hundreds of accounts is not dominated by hashing."""
    if os.environ.get("GATEWAY_ARGON2_PROFILE") == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


_hasher = _make_hasher()
_ALPHABET = string.ascii_letters + string.digits


def random_secret(length: int = 24) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
