"""argon2id password hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps the time of an unknown e-mail equal to a wrong password;
    made on first use, with the same parameters as real hashes, not at import."""
    return _hasher.hash("kaizen-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    # surrogatepass: a lone surrogate from a hostile form is just a wrong password, not an error
    secret = password.encode("utf-8", "surrogatepass")
    try:
        return _hasher.verify(password_hash or _dummy_hash(), secret) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
