"""argon2id password hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import N_

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# long passphrases are welcome; the cap only keeps one request from hashing megabytes
MAX_PASSWORD_LENGTH = 1024


def password_error(password: str) -> str | None:
    """Why a new password cannot be used, or None: the one length rule of every password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("Use a password of at least 10 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("Use a password of at most 1024 characters.")
    return None


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
