"""Accounts people make themselves: enterprises sign up; anyone resets a forgotten password.

Links in e-mails carry tokens signed with the app's SECRET_KEY (itsdangerous, which Flask
already depends on): nothing to store, and a token cannot be forged or changed.

- A sign-up makes a *pending* enterprise account and its profile. It becomes active when the
  e-mail address is confirmed (the link of the confirmation token) or when a coordinator
  approves it.
- A reset token expires after an hour and is single-use: it names the password hash it was
  issued for, so it stops working once the password has changed.

The links go out as e-mails through the outbox (``webapp.alerts.services``: a row committed
with the account, sent by the outbox job over ``MATCHMAKER_SMTP_URL``), in the language the
person used. A development or test instance without an SMTP server (TESTING, or the embedded
SQLite default) shows the link in the message after the form instead, and says why; a
production instance never shows it.
"""

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from matcher.nuts import nuts_to_iso_country
from models import Enterprise, EnterpriseKind, Role, User
from webapp.alerts.services.mail import send_to
from webapp.audit import services as audit
from webapp.auth import EmailAddress, login_required
from webapp.db import get_session
from webapp.i18n import get_locale
from webapp.passwords import password_problems
from webapp.rendering import render
from webapp.security import hash_password
from webapp.tenders.services import (
    KIND_LABELS,
    InvalidProfile,
    note_changes,
    parse_profile,
    region_choices,
)

bp = Blueprint("accounts", __name__)

CONFIRM_SALT = "matchmaker.confirm-email"
RESET_SALT = "matchmaker.reset-password"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # three days to click the confirmation link
RESET_MAX_AGE = 3600  # an hour for a password reset


class _AcceptablePassword:
    """The password rules of webapp.passwords (the form's e-mail address, if any, counts as
    a personal word)."""

    def __call__(self, form, field) -> None:
        email = form.email.data if hasattr(form, "email") else ""
        problems = password_problems(field.data or "", email or "")
        if problems:
            raise ValidationError(" ".join(problems))


class SignupForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), _AcceptablePassword()])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords differ."))])
    name = StringField(_l("Name of the enterprise"),
                       validators=[DataRequired(), Length(min=2, max=200)])
    kind = SelectField(_l("Kind of enterprise"),
                       choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    nuts = StringField(_l("Where you are (region)"), validators=[DataRequired()],
                       render_kw={"list": "nuts-regions", "autocomplete": "off"})


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress()])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), _AcceptablePassword()])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"])


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


def _mail(db, user: User, template: str, subject, link: str) -> None:
    """Put one account mail in the outbox; the caller commits it with what it tells of.
    Account mails are not alerts: no unsubscribe link, whatever the user's preferences."""
    send_to(db, user, "account", template, subject, unsubscribe=None, link=link)


def _mail_link(db, user: User, endpoint: str, salt: str, payload: dict, template: str,
               subject) -> str:
    """The signed link to ``endpoint``, put in the outbox for ``user`` when mail is configured
    (the caller commits it with what it tells of)."""
    token = _serializer().dumps(payload, salt=salt)
    link = url_for(endpoint, token=token, _external=True)
    if mail_configured():
        _mail(db, user, template, subject, link)
    return link


def links_shown() -> bool:
    """Show a link on the page instead of mailing it: only without mail, and only on a test
    or embedded (SQLite) instance, never in production."""
    embedded = str(current_app.config.get("DATABASE_URL", "")).startswith("sqlite")
    return not mail_configured() and (current_app.testing or embedded)


def _flash_link(what: str, link: str) -> None:
    flash(_("No e-mail is configured on this instance, so here is the %(what)s link that "
            "would have been mailed: %(link)s", what=what, link=link))


# --- sign-up ----------------------------------------------------------------------------------

@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """An enterprise makes its account and a first profile; it waits for confirmation."""
    if g.user is not None:
        return redirect(url_for("home.index"))
    db = get_session()
    form = SignupForm()
    if request.method == "POST":
        # every check runs at once, so that a person corrects all fields in one go
        form.validate()
        email = (form.email.data or "").strip().lower()
        if email and db.exec(select(User).where(User.email == email)).first() is not None:
            form.email.errors = [*form.email.errors, _(
                "An account with this e-mail exists: log in, or reset its password.")]
        data = None
        try:
            data = parse_profile({"name": form.name.data or "", "kind": form.kind.data,
                                  "nuts": form.nuts.data or ""})
        except InvalidProfile as invalid:
            for name, message in invalid.errors.items():
                target = getattr(form, name, form.name)
                if not target.errors:
                    target.errors = [*target.errors, message]
        if not form.errors and data is not None:
            return _create(db, email, form.password.data, data)
    return render("accounts/signup.html", form=form, regions=region_choices(db),
                  status=422 if form.errors else 200)


def _create(db, email: str, password: str, data):
    enterprise = Enterprise(name=data.name, kind=EnterpriseKind(data.kind), nuts=data.nuts,
                            country=nuts_to_iso_country(data.nuts), contact_email=email)
    db.add(enterprise)
    db.flush()
    user = User(email=email, role=Role.ENTERPRISE, enterprise_id=enterprise.id,
                password_hash=hash_password(password), pending=True,
                locale=str(get_locale().language))  # its mails in the language it signed up in
    db.add(user)
    db.flush()
    audit.record(db, user, "account.signup", email=email, enterprise=enterprise.name)
    note_changes(db, "enterprise", [enterprise.id])  # the matching index encodes it
    link = _mail_link(db, user, ".confirm", CONFIRM_SALT, {"user": user.id, "email": email},
                      "account_confirm", lambda: _("Confirm your e-mail address"))
    db.commit()
    if links_shown():
        _flash_link(_("confirmation"), link)
    elif mail_configured():
        flash(_("We sent a link to %(email)s: open it to activate your account.", email=email))
    else:
        flash(_("Your account is made. A coordinator activates it; you can log in then."))
    return redirect(url_for("auth.login"), code=303)


@bp.get("/signup/confirm/<token>")
def confirm(token: str):
    """The link of the confirmation e-mail: the account becomes active."""
    try:
        data = _serializer().loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        return render("error.html", status=410, title=_("Link expired"),
                      message=_("This confirmation link has expired. Sign up again."))
    except BadSignature:
        return render("error.html", status=404, title=_("Not found"),
                      message=_("This confirmation link is not valid."))
    db = get_session()
    user = db.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        return render("error.html", status=404, title=_("Not found"),
                      message=_("This confirmation link is not valid."))
    if user.pending:
        user.pending = False
        audit.record(db, user, "account.confirmed", email=user.email)
        db.commit()
    flash(_("Your e-mail address is confirmed: log in."))
    return redirect(url_for("auth.login"), code=303)


@bp.get("/accounts/pending")
@login_required(Role.COORDINATOR)
def pending():
    """Coordinators: enterprise accounts waiting to be activated."""
    db = get_session()
    rows = db.exec(select(User, Enterprise).outerjoin(Enterprise, Enterprise.id ==
                                                      User.enterprise_id)
                   .where(User.pending.is_(True)).order_by(User.created_at)).all()
    return render("accounts/pending.html", rows=rows)


@bp.post("/accounts/<int:user_id>/approve")
@login_required(Role.COORDINATOR)
def approve(user_id: int):
    """A coordinator activates a pending enterprise account."""
    db = get_session()
    user = db.get(User, user_id)
    if user is None or not user.pending:
        return render("error.html", status=404, title=_("Not found"),
                      message=_("No account waits for approval under this number."))
    user.pending = False
    audit.record(db, g.user, "account.approved", email=user.email)
    db.commit()
    flash(_("%(email)s can log in now.", email=user.email))
    return redirect(url_for(".pending"), code=303)


# --- forgotten password -------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link; the answer is the same whether the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        db = get_session()
        email = form.email.data.strip().lower()
        user = db.exec(select(User).where(User.email == email)).first()
        if user is not None:
            link = _mail_link(db, user, ".reset", RESET_SALT,
                              {"user": user.id, "h": user.password_hash[-16:]},
                              "account_reset", lambda: _("Choose a new password"))
            db.commit()
            if links_shown():
                _flash_link(_("password reset"), link)
        flash(_("If %(email)s has an account, a link to choose a new password is on its way. "
                "It works for an hour, once.", email=email))
        return redirect(url_for("auth.login"), code=303)
    return render("accounts/forgot.html", form=form, status=422 if form.errors else 200)


def _reset_user(token: str) -> User | None:
    try:
        data = _serializer().loads(token, salt=RESET_SALT, max_age=RESET_MAX_AGE)
    except BadSignature:  # SignatureExpired is one too
        return None
    user = get_session().get(User, data.get("user"))
    if user is None or user.password_hash[-16:] != data.get("h"):
        return None  # the password changed since: the link was used
    return user


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password with the link's token."""
    user = _reset_user(token)
    if user is None:
        return render("error.html", status=410, title=_("Link no longer valid"),
                      message=_("This link has expired or was used already. Ask for a new "
                                "one under “Forgot your password?”."))
    form = ResetForm()
    if form.validate_on_submit():
        db = get_session()
        user.password_hash = hash_password(form.password.data)
        user.session_version += 1  # a reset password ends the sessions that had the old one
        audit.record(db, user, "account.password_reset", email=user.email)
        db.commit()
        flash(_("Your password is changed: log in with it."))
        return redirect(url_for("auth.login"), code=303)
    return render("accounts/reset.html", form=form, status=422 if form.errors else 200)
