"""Passwords of local accounts: Argon2id hashes, a minimum length, lock-out.

Only the hash is stored (argon2-cffi's encoded form, which carries its own
salt and parameters, so stronger parameters later still verify old hashes).
"""

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # hashing a megabyte of "password" is a denial of service

_hasher = PasswordHasher()


class PasswordError(ValueError):
    """A password that cannot be used; the message says why."""


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"password: at least {MIN_LENGTH} characters, got {len(password)}")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"password: at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_new(password)
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    if not stored_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the username does not exist, so that a wrong
# username takes as long as a wrong password and names cannot be probed by timing.
DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def locked_until(
    failures: list[datetime], *, max_failures: int, window: timedelta
) -> datetime | None:
    """When a lock-out ends, given the times of failed attempts since the last
    success: ``max_failures`` within ``window`` lock the account for ``window``
    after the last of them. Pure."""
    if len(failures) < max_failures:
        return None
    recent = sorted(failures)[-max_failures:]
    if recent[-1] - recent[0] > window:
        return None
    return recent[-1] + window
