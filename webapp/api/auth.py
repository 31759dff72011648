"""Bearer-token authentication for the JSON API."""

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request

from models import Role, User
from webapp import accounts
from webapp.db import get_session


def token_required(*roles: Role) -> Callable:
    """Authenticate by `Authorization: Bearer <token>`; 401 without a valid one, 403 on role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = user_for_token(request.headers.get("Authorization", ""))
            if user is None:
                abort(401, "Send a valid API token as 'Authorization: Bearer <token>'.")
            if roles and user.role not in roles:
                abort(403, "Your role may not use this endpoint.")
            g.user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def user_for_token(header: str) -> User | None:
    """The user a bearer token belongs to; None when it is unknown, expired, revoked, or its
    user is deactivated."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return accounts.user_for_token(get_session(), token.strip())
