"""Use cases of accounts shared by the pages, the API and the CLI: API tokens, deactivation."""

from datetime import timedelta

from sqlmodel import Session, select

from models import ApiToken, User, utcnow
from webapp.security import hash_api_token, new_api_token

DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
MAX_TOKEN_NAME = 100
# Recording every use would write on every API call; a minute is precise enough to tell
# whether a token is still in use.
_LAST_USED_PRECISION = timedelta(minutes=1)


def create_token(db: Session, user: User, name: str = "",
                 days: int = DEFAULT_TOKEN_DAYS) -> tuple[str, ApiToken]:
    """A new bearer token for `user`, valid `days` days; the token itself is returned once and
    only its SHA-256 is stored."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_TOKEN_DAYS}")
    token, digest = new_api_token()
    now = utcnow()
    row = ApiToken(user_id=user.id, token_hash=digest, name=name.strip()[:MAX_TOKEN_NAME],
                   created_at=now, expires_at=now + timedelta(days=days))
    db.add(row)
    db.commit()
    return token, row


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (expired ones too, until revoked)."""
    return list(db.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all())


def revoke_token(db: Session, token_id: int, owner: User | None = None) -> bool:
    """Delete a token (only one of `owner`'s when given); False when there is no such token."""
    row = db.get(ApiToken, token_id)
    if row is None or (owner is not None and row.user_id != owner.id):
        return False
    db.delete(row)
    db.commit()
    return True


def user_for_token(db: Session, token: str) -> User | None:
    """The active user a valid, unexpired bearer token belongs to, recording its use."""
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_api_token(token))).first()
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= _LAST_USED_PRECISION:
        row.last_used_at = now
        db.commit()
    return user


def set_active(db: Session, user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; deactivation ends its sessions at once and its
    tokens stop working."""
    user.is_active = active
    if not active:
        user.session_version += 1
    db.commit()
