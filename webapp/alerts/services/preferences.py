"""What each user wants to receive, in which language, and the signed unsubscribe tokens."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, select

from models import AlertPreference, Role, User, utcnow
from webapp.errors import Invalid

#: The kinds of mail a user can turn off, per role (the unsubscribe link names one).
KINDS_BY_ROLE = {
    Role.ENTERPRISE: ("digests", "calls"),
    Role.AUTHORITY: ("notices",),
    Role.COORDINATOR: ("notices",),
}
KIND_LABELS = {
    "digests": _l("Digests of new tenders for my saved searches"),
    "calls": _l("Calls for interest from contracting authorities"),
    "notices": _l("Notices about my working groups (published groups, partners' answers; "
                  "coordinators: the daily summary of answers and wishes)"),
}
_SALT = "matchmaker.alerts.unsubscribe"


def preference_of(db: Session, user_id: int) -> AlertPreference:
    """The user's preferences, or the defaults (everything on) when never set."""
    return db.get(AlertPreference, user_id) or AlertPreference(user_id=user_id)


def preferences_of(db: Session, user_ids: list[int]) -> dict[int, AlertPreference]:
    """Preferences of many users at once (defaults for those without a row)."""
    found = {p.user_id: p for p in db.exec(
        select(AlertPreference).where(AlertPreference.user_id.in_(user_ids)))} if user_ids else {}
    return {uid: found.get(uid) or AlertPreference(user_id=uid) for uid in user_ids}


def wants(preference: AlertPreference, kind: str) -> bool:
    return bool(getattr(preference, kind))


@dataclass(frozen=True)
class PreferenceInput:
    locale: str
    kinds: dict[str, bool]


class InvalidPreferences(Invalid):
    """Preferences that cannot be saved, with a message per field."""


def parse_preferences(user: User, form: dict,
                      supported_locales: tuple[str, ...]) -> PreferenceInput:
    """The preferences form: a locale and a tick per kind of mail of the user's role."""
    locale = (form.get("locale") or "en").strip()
    if locale not in supported_locales:
        raise InvalidPreferences({"locale": str(_l("Choose one of the languages offered."))})
    return PreferenceInput(
        locale=locale,
        kinds={kind: form.get(kind) in ("on", "true", "1", True)
               for kind in KINDS_BY_ROLE[user.role]},
    )


def save_preferences(db: Session, user: User, data: PreferenceInput) -> AlertPreference:
    preference = db.get(AlertPreference, user.id) or AlertPreference(user_id=user.id)
    user.locale = data.locale  # the user's one language setting: pages and mails
    db.add(user)
    for kind, value in data.kinds.items():
        setattr(preference, kind, value)
    preference.updated_at = utcnow()
    db.add(preference)
    db.commit()
    return preference


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming the user and the kind of mail; it needs no login to use."""
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind), or None for a token that was not signed by us."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KIND_LABELS \
            or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def unsubscribe(db: Session, token: str) -> tuple[User, str] | None:
    """Turn the kind of mail off for the token's user; None when the token is not valid."""
    read = read_unsubscribe_token(token)
    if read is None:
        return None
    user = db.get(User, read[0])
    if user is None:
        return None
    preference = db.get(AlertPreference, user.id) or AlertPreference(user_id=user.id)
    setattr(preference, read[1], False)
    preference.updated_at = utcnow()
    db.add(preference)
    db.commit()
    return user, read[1]
