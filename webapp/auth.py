"""Sessions for the pages: login, logout, the current user and role checks."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from models import Role, User, utcnow
from webapp.db import get_session
from webapp.rendering import render
from webapp.security import MIN_PASSWORD_LENGTH, hash_password, verify_password

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


@bp.before_app_request
def load_user() -> None:
    """Put the logged-in user (or None) on `g`."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        g.user = get_session().get(User, user_id)


def login_required(*roles: Role) -> Callable:
    """Require a logged-in user, and one of `roles` when given (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success start a session and go where the user was heading."""
    form = LoginForm()
    if form.validate_on_submit():
        user, error = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(error)
        else:
            session.clear()
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            session["user_id"] = user.id
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if form.errors else 200
    return render("auth/login.html", form=form, status=status)


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """Check the credentials, counting failures and locking the account after too many."""
    db = get_session()
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    wrong = _("Wrong email or password.")
    if user is None:
        return None, wrong
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return None, _("Too many failed attempts. Try again after %(time)s UTC.",
                       time=user.locked_until.strftime("%H:%M"))
    if not verify_password(user.password_hash, password):
        _count_failure(user, now)
        db.commit()
        return None, wrong
    if user.pending:  # signed up on its own: confirmed by e-mail or by a coordinator first
        return None, _("Your account is not active yet: open the link we sent to your e-mail "
                       "address, or wait for a coordinator to approve it.")
    user.failed_logins = 0
    user.locked_until = None
    db.commit()
    return user, ""


def _count_failure(user: User, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        user.failed_logins = 0


def _safe_next(target: str | None) -> str:
    """Only follow local paths after login, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.post("/logout")
def logout():
    """End the session."""
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def change_password():
    """Let a logged-in user choose a new password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(g.user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            g.user.password_hash = hash_password(form.new_password.data)
            get_session().commit()
            flash(_("Your password has been changed."))
            return redirect(url_for("home.index"))
    status = 422 if form.errors else 200
    return render("auth/password.html", form=form, status=status)
