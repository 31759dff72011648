"""Password and token hashing, kept in one place so every caller does it the same way."""

import hashlib
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's salted scrypt."""
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its stored hash."""
    return check_password_hash(password_hash, password)


def new_api_token() -> tuple[str, str]:
    """Return a fresh bearer token and the SHA-256 hex digest that is stored instead of it."""
    token = "mm_" + secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    """Digest of a bearer token; tokens are random and long, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()
