"""Sessions for the pages: login, logout, the current user and role checks, the account page.

Sessions are Flask's signed cookies, made revocable by a version: the cookie carries the
user's `session_version` from the moment of login, and every request compares it with the
database. Logging out, changing the password or deactivating the account raises the version,
so every copy of an older cookie stops working at once, on every worker, without a session
store. (Logging out therefore ends the user's sessions on all devices.)
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import format_time, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import select
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, NumberRange, ValidationError

from models import Role, User
from webapp import accounts, throttle
from webapp.db import get_session
from webapp.i18n import (
    LANGUAGE_NAMES,
    LOCALE_COOKIE,
    SUPPORTED_LOCALES,
    european_timezones,
    is_timezone,
    timezone_label,
)
from webapp.passwords import password_problems
from webapp.rendering import render
from webapp.security import (
    InvalidEmail,
    hash_password,
    normalize_email,
    safe_next,
    verify_password,
    waste_password_check,
)

bp = Blueprint("auth", __name__)

KNOWN_DEVICE_COOKIE = "matchmaker_device"
_KNOWN_DEVICE_SALT = "matchmaker.known-device"
_KNOWN_DEVICE_AGE = timedelta(days=180)
_KNOWN_DEVICE_MAX_USERS = 5


class EmailAddress:
    """The shared e-mail check (webapp.security.normalize_email) as a form validator; the
    field's data becomes the normalised address."""

    def __call__(self, form, field) -> None:
        try:
            field.data = normalize_email(field.data or "")
        except InvalidEmail as error:
            raise ValidationError(_("Enter a valid email address.")) from error


class AcceptablePassword:
    """The password rules of webapp.passwords, for the account of the logged-in user."""

    def __call__(self, form, field) -> None:
        problems = password_problems(field.data or "", g.user.email if g.user else "")
        if problems:
            raise ValidationError(" ".join(problems))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), AcceptablePassword()]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class AccountForm(FlaskForm):
    locale = SelectField(_l("Language"), validators=[AnyOf(
        SUPPORTED_LOCALES, message=_l("Choose one of the languages in the list."))])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]
        names = european_timezones()
        kept = g.user.timezone if g.get("user") is not None else None
        if kept and kept not in names and is_timezone(kept):  # an alias chosen before
            names = [*names, kept]
        # By place, as the labels read (Amsterdam, Azores, Brussels, Canary ...).
        self.timezone.choices = sorted(((name, timezone_label(name)) for name in names),
                                       key=lambda choice: choice[1])
        self.timezone.validators = [AnyOf(names, message=_l(
            "Choose one of the time zones in the list."))]


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"),
                       validators=[Length(max=accounts.MAX_TOKEN_NAME)])
    days = IntegerField(
        _l("Valid for (days)"), default=accounts.DEFAULT_TOKEN_DAYS,
        validators=[NumberRange(min=1, max=accounts.MAX_TOKEN_DAYS)],
    )


@bp.before_app_request
def load_user() -> None:
    """Put the logged-in user (or None) on `g`; a session of an older version, or of a
    deactivated user, is ended here."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = get_session().get(User, user_id)
    if user is None or not user.is_active or session.get("version") != user.session_version:
        session.clear()
        return
    g.user = user


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
            _start_session(user)
            response = redirect(safe_next(request.args.get("next"), url_for("home.index")))
            _remember_device(response, user)
            return response
    status = 422 if form.errors else 200
    return render("auth/login.html", form=form, status=status)


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """Check the credentials under the login throttle (webapp.throttle).

    Known and unknown e-mails take the same path and the same time (a password hash is
    checked either way) and get the same messages, so neither tells whether an account exists.
    """
    db = get_session()
    user = db.exec(select(User).where(User.email == email)).first()
    known_device = user is not None and user.id in _known_device_users()
    client = request.remote_addr or "-"
    verdict = throttle.reserve(db, email, client, known_device)
    if not verdict.allowed:
        retry = datetime.fromtimestamp(verdict.retry_at, UTC)
        # in the reader's time zone, with its name: the one they will read the clock in
        return None, _("Too many failed attempts. Try again after %(time)s.",
                       time=format_time(retry, "HH:mm zzz"))
    wrong = _("Wrong email or password.")
    if user is None:
        waste_password_check(password)
        return None, wrong
    if not verify_password(user.password_hash, password):
        return None, wrong
    if not user.is_active:  # said only to someone who knows the password
        return None, _("This account is deactivated. Ask a coordinator to reactivate it.")
    if user.pending:  # signed up on its own: confirmed by e-mail or by a coordinator first
        return None, _("Your account is not active yet: open the link we sent to your e-mail "
                       "address, or wait for a coordinator to approve it.")
    throttle.succeeded(db, email, client, known_device)
    return user, ""


def _start_session(user: User) -> None:
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    session["user_id"] = user.id
    session["version"] = user.session_version


def _end_sessions(user: User) -> None:
    """Raise the user's session version: every session cookie issued so far stops working."""
    user.session_version += 1
    get_session().commit()


# --- known devices ----------------------------------------------------------------------------

def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_KNOWN_DEVICE_SALT)


def _known_device_users() -> list[int]:
    """The users who logged in from this browser before (a signed cookie), for the throttle."""
    value = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return []
    try:
        ids = _device_serializer().loads(value, max_age=_KNOWN_DEVICE_AGE.total_seconds())
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _remember_device(response, user: User) -> None:
    ids = [user.id, *(i for i in _known_device_users() if i != user.id)]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(ids[:_KNOWN_DEVICE_MAX_USERS]),
        max_age=int(_KNOWN_DEVICE_AGE.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


# --- logout and the account page ---------------------------------------------------------------

@bp.post("/logout")
def logout():
    """End the session, and every other copy of it."""
    if g.user is not None:
        _end_sessions(g.user)
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def change_password():
    """Let a logged-in user choose a new password; their other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(g.user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            g.user.password_hash = hash_password(form.new_password.data)
            _end_sessions(g.user)
            session["version"] = g.user.session_version  # this session goes on
            flash(_("Your password has been changed. Your other sessions have ended."))
            return redirect(url_for("home.index"))
    status = 422 if form.errors else 200
    return _account_page(form=form, status=status)


@bp.route("/account", methods=["GET", "POST"])
@login_required()
def account():
    """The user's language and time zone (dates and times are shown in that zone)."""
    form = AccountForm()
    if request.method == "GET":
        form.locale.data = g.user.locale or str(get_locale())
        form.timezone.data = g.user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        g.user.locale = form.locale.data
        g.user.timezone = form.timezone.data
        get_session().commit()
        refresh()  # the confirmation below is already in the language just chosen
        flash(_("Your settings have been saved."))
        response = redirect(url_for("auth.account"), code=303)
        response.set_cookie(LOCALE_COOKIE, g.user.locale, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True, secure=request.is_secure)
        return response
    status = 422 if form.errors else 200
    return render("auth/account.html", form=form, status=status, now=datetime.now(UTC))


def _account_page(form=None, token_form=None, new_token=None, status=200):
    return render(
        "auth/password.html",
        form=form or PasswordChangeForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        tokens=accounts.tokens_of(get_session(), g.user),
        new_token=new_token,
        now=datetime.now(UTC),
        max_token_days=accounts.MAX_TOKEN_DAYS,
        status=status,
    )


@bp.post("/account/tokens")
@login_required()
def create_token():
    """Create an API token; the page shows it this once (it is stored only as a hash)."""
    token_form = TokenForm()
    if not token_form.validate_on_submit():
        return _account_page(token_form=token_form, status=422)
    token, _row = accounts.create_token(get_session(), g.user, token_form.name.data or "",
                                        token_form.days.data)
    return _account_page(new_token=token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required()
def revoke_token(token_id: int):
    """Revoke one of one's own API tokens (someone else's is not found)."""
    if not accounts.revoke_token(get_session(), token_id, owner=g.user):
        abort(404)
    flash(_("The token is revoked."))
    return redirect(url_for(".change_password"), code=303)
