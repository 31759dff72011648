"""Password and token hashing, e-mail normalisation and safe redirects, kept in one place so
every caller does them the same way."""

import hashlib
import re
import secrets
from functools import cache
from urllib.parse import unquote, urlsplit

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 12  # ASVS 2.1.1
MAX_PASSWORD_LENGTH = 128  # ASVS 2.1.2 asks that at least 64 be allowed


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's salted scrypt."""
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its stored hash."""
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def waste_password_check(password: str) -> None:
    """Spend the time of one real password check, for an e-mail that has no account: the
    answer then takes as long as for a real account, so timing does not tell which exist."""
    verify_password(_dummy_hash(), password)


def new_api_token() -> tuple[str, str]:
    """Return a fresh bearer token and the SHA-256 hex digest that is stored instead of it."""
    token = "mm_" + secrets.token_urlsafe(32)
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    """Digest of a bearer token; tokens are random and long, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- e-mail addresses -------------------------------------------------------------------------

class InvalidEmail(ValueError):
    """The text is not an e-mail address we accept; the message says why (in English)."""


def normalize_email(value: str) -> str:
    """The one check of an e-mail address, shared by the CLI, the forms and the login.

    email-validator checks the syntax (and refuses special-use domains such as `.local`);
    the whole address is then lower-cased, as every stored address is, so look-ups match.
    No DNS look-up: the CLI and the tests must work offline.
    """
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return result.normalized.lower()


# --- redirects after a form -------------------------------------------------------------------

# Browsers drop ASCII tab, newline and carriage return anywhere in a URL and strip other C0
# controls and spaces at its ends; what they would drop must not hide a `//` from the check.
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def safe_next(target: str | None, default: str, prefix: str = "/") -> str:
    """`target` when it is a path on this site (under `prefix`), else `default`.

    Used wherever a `next` parameter is followed. The target is normalised as a browser would
    read it (controls and whitespace removed, backslashes as slashes), and also after
    percent-decoding, and refused when any reading is not a plain local path: no scheme, no
    host, not scheme-relative (`//host`).
    """
    if not target:
        return default
    readings = [target]
    for _ in range(3):  # %252F%252F… decodes in steps; three rounds cover any sane double-encoding
        decoded = unquote(readings[-1])
        if decoded == readings[-1]:
            break
        readings.append(decoded)
    cleaned = [_IGNORED_BY_BROWSERS.sub("", r).replace("\\", "/") for r in readings]
    if all(_is_local_path(c, prefix) for c in cleaned):
        return cleaned[0]
    return default


def _is_local_path(path: str, prefix: str) -> bool:
    if not path.startswith("/") or path.startswith("//"):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc and path.startswith(prefix)
