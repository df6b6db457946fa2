"""Password hashes for the accounts file: PBKDF2-SHA256, no dependency beyond the standard library."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os

ITERATIONS = 240_000


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, binascii.Error):  # a mangled hash in secrets.toml: no sign-in, no traceback
        return False


@functools.cache
def _dummy_hash() -> str:
    return hash_password(os.urandom(16).hex())


def check(password: str, stored: str | None) -> bool:
    """verify_password, taking as long for a user name that does not exist (``stored`` None): a dummy
    hash is checked instead, so the time a sign-in takes does not tell which names are real (issue 10)."""
    if stored is None:
        verify_password(password, _dummy_hash())
        return False
    return verify_password(password, stored)
