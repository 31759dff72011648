"""Social enterprises: their profile, the tenders they can win and why, save and dismiss."""

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import Role
from webapp.auth import login_required
from webapp.db import get_session
from webapp.rendering import render
from webapp.security import safe_next
from webapp.tenders import services as tenders
from webapp.tenders.services import InvalidFilters, InvalidProfile, NoEnterprise

bp = Blueprint("enterprise", __name__, url_prefix="/opportunities")

FEEDBACK_ACTIONS = ("saved", "dismissed", "clear")


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    kind = SelectField(_l("Kind of enterprise"),
                       choices=[SelectChoice(k.value, label)
                                for k, label in tenders.KIND_LABELS.items()])
    disadvantaged_percent = IntegerField(
        _l("Disabled or disadvantaged staff (%)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    public_service_mission = BooleanField(_l("We have a public-service mission (Art. 77)"))
    nuts = StringField(_l("Where you are (region)"), validators=[DataRequired()],
                       render_kw={"list": "nuts-regions", "autocomplete": "off"})
    regions_served = StringField(_l("Regions you serve"))
    cpv_codes = StringField(_l("What you deliver (CPV codes)"))
    cpv_q = SearchField(_l("Find CPV codes by word or number"))
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)],
                                render_kw={"maxlength": 4000, "rows": 6})
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0)])
    turnover_eur = IntegerField(_l("Yearly turnover (EUR)"),
                                validators=[Optional(), NumberRange(min=0)])
    min_contract_value_eur = IntegerField(_l("Smallest contract you want (EUR)"),
                                          validators=[Optional(), NumberRange(min=0)])
    max_contract_value_eur = IntegerField(_l("Largest contract you can take (EUR)"),
                                          validators=[Optional(), NumberRange(min=0)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    reach = SelectField(_l("Where you want tenders from"),
                        choices=[SelectChoice(value, label)
                                 for value, label in tenders.REACH_LABELS.items()],
                        default="regions")

    def payload(self, picked: list[str]) -> dict:
        """The form as ProfileInput fields; picked CPV codes are added to the typed ones."""
        percent = self.disadvantaged_percent.data
        return {
            "name": self.name.data, "kind": self.kind.data,
            "disadvantaged_share": (percent or 0) / 100,
            "public_service_mission": self.public_service_mission.data,
            "nuts": self.nuts.data or "", "regions_served": self.regions_served.data or "",
            "cpv_codes": " ".join([self.cpv_codes.data or "", *picked]),
            "description": self.description.data or "", "employees": self.employees.data,
            "turnover_eur": self.turnover_eur.data,
            "min_contract_value_eur": self.min_contract_value_eur.data,
            "max_contract_value_eur": self.max_contract_value_eur.data,
            "website": self.website.data or "",
            "contact_name": self.contact_name.data or "",
            "contact_email": self.contact_email.data or "",
            "reach": self.reach.data or "regions",
        }

    def add_errors(self, errors: dict[str, str]) -> None:
        """Put the service's messages beside their fields."""
        for name, message in errors.items():
            name = "disadvantaged_percent" if name == "disadvantaged_share" else name
            target = getattr(self, name, None) or self.name
            target.errors = [*target.errors, message]


def _form_for(enterprise) -> ProfileForm:
    if enterprise is None or request.method == "POST":
        return ProfileForm()
    data = tenders.current_input(enterprise)
    return ProfileForm(
        data={**data, "kind": enterprise.kind.value,
              "disadvantaged_percent": round(100 * (enterprise.disadvantaged_share or 0)),
              "regions_served": " ".join(enterprise.regions_served),
              "cpv_codes": " ".join(enterprise.cpv_codes)}
    )


def _enterprise_or_none():
    try:
        return tenders.enterprise_of(get_session(), g.user)
    except NoEnterprise:
        return None


@bp.get("/")
@login_required(Role.ENTERPRISE)
def index():
    """Open tenders for the enterprise, best first, with filters that update the list live."""
    args = request.args.to_dict()
    current = tenders.with_current_names(args)
    if current is not args:
        # A bookmark from before the filters took the API's names: the same list, new names.
        return redirect(url_for(".index", **current), 301)
    db = get_session()
    try:
        filters = tenders.parse_filters(args)
        view = tenders.ranked_tenders(db, g.user, filters)
    except InvalidFilters as invalid:
        return render("tenders/enterprise/index.html", block="results", view=None,
                      errors=invalid.errors, args=request.args, reaches=tenders.REACH_LABELS,
                      status=422, regions=tenders.region_choices(db, max_length=4))
    except NoEnterprise:
        flash(_("Tell us about your enterprise first: then we can find tenders for you."))
        return redirect(url_for(".profile"))
    return render("tenders/enterprise/index.html", block="results", view=view, errors={},
                  args=request.args, here=request.full_path.rstrip("?"),
                  reaches=tenders.REACH_LABELS, regions=tenders.region_choices(db, max_length=4))


@bp.get("/saved")
@login_required(Role.ENTERPRISE)
def saved():
    """The tenders the enterprise saved, open or closed, to come back to."""
    try:
        rows = tenders.saved_tenders(get_session(), g.user)
    except NoEnterprise:
        return redirect(url_for(".profile"))
    return render("tenders/enterprise/saved.html", rows=rows,
                  here=request.full_path.rstrip("?"))


@bp.get("/tenders/<int:tender_id>")
@login_required(Role.ENTERPRISE)
def tender(tender_id: int):
    """One tender with its lots, and why it fits the enterprise (or why it is left out)."""
    try:
        detail = tenders.tender_detail(get_session(), g.user, tender_id)
    except NoEnterprise:
        return redirect(url_for(".profile"))
    if detail is None:
        abort(404)
    return render("tenders/enterprise/tender.html", detail=detail,
                  here=request.full_path.rstrip("?"))


@bp.post("/tenders/<int:tender_id>/feedback")
@login_required(Role.ENTERPRISE)
def feedback(tender_id: int):
    """Save or dismiss a tender (or undo that), then go back where the person was."""
    action = request.form.get("action", "")
    if action not in FEEDBACK_ACTIONS:
        abort(400, _("Choose to save or dismiss the tender."))
    try:
        tenders.record_feedback(get_session(), g.user, tender_id, action)
    except LookupError:
        abort(404)
    except NoEnterprise:
        return redirect(url_for(".profile"))
    return redirect(safe_next(request.form.get("next"), url_for(".index")), code=303)


@bp.route("/profile", methods=["GET", "POST"])
@login_required(Role.ENTERPRISE)
def profile():
    """Edit the enterprise's profile (or create it when the account has none).

    The form has two submit buttons: "Search" (the first, so Enter in the CPV search box
    searches) re-shows the form with the CPV codes found and saves nothing; "Save profile"
    checks every field in one pass and saves.
    """
    db = get_session()
    enterprise = _enterprise_or_none()
    form = _form_for(enterprise)
    picked = request.form.getlist("cpv_pick")
    query = request.values.get("cpv_q", "")
    if request.method == "POST" and request.form.get("action") == "search":
        return render("tenders/enterprise/profile.html", form=form, enterprise=enterprise,
                      options=tenders.cpv_picker(db, query, picked), searched=True,
                      saved_cpv=tenders.cpv_labels(db, enterprise),
                      regions=tenders.region_choices(db),
                      saved_regions=tenders.region_labels(db, enterprise))
    if request.method == "POST":
        form.validate()
        payload = form.payload(picked)
        # the service's checks run even when the form's own fail, so that a person sees
        # every error at once; a field keeps the form's message when both have one
        form.add_errors({name: message for name, message in
                         tenders.profile_errors(db, payload).items()
                         if not getattr(form, _field_name(name), form.name).errors})
        if not form.errors:
            try:
                data = tenders.parse_profile(payload)
                if enterprise is None:
                    tenders.create_enterprise(db, g.user, data)
                else:
                    tenders.update_profile(db, enterprise, data)
            except InvalidProfile as invalid:
                form.add_errors(invalid.errors)
            else:
                flash(_("Your profile is saved; your tenders are ranked again."))
                return redirect(url_for(".profile"))
    status = 422 if form.errors else 200
    return render("tenders/enterprise/profile.html", form=form, enterprise=enterprise,
                  options=tenders.cpv_picker(db, "", picked), status=status,
                  error_list=_error_list(form), saved_cpv=tenders.cpv_labels(db, enterprise),
                  regions=tenders.region_choices(db),
                  saved_regions=tenders.region_labels(db, enterprise))


def _field_name(name: str) -> str:
    return "disadvantaged_percent" if name == "disadvantaged_share" else name


def _error_list(form: ProfileForm) -> list[tuple[str, str]]:
    """(field id, message) in the order of the form, for the error summary's links."""
    return [(f.id, " ".join(f.errors)) for f in form if f.errors and f.name != "csrf_token"]


@bp.get("/profile/cpv-options")
@login_required(Role.ENTERPRISE)
def cpv_options():
    """CPV codes matching the words typed in the picker; picked ones stay ticked."""
    db = get_session()
    options = tenders.cpv_picker(db, request.args.get("cpv_q", ""),
                                       request.args.getlist("cpv_pick"))
    enterprise = _enterprise_or_none()
    return render("tenders/enterprise/profile.html", block="cpv_options",
                  form=_form_for(enterprise), enterprise=enterprise, options=options)


@bp.app_context_processor
def enterprise_home_helpers():
    """`enterprise_overview()` for the enterprise home page (home.py stays unaware of us)."""

    def enterprise_overview():
        db = get_session()
        enterprise = _enterprise_or_none()
        if enterprise is None:
            return None
        return {"summary": tenders.profile_summary(db, enterprise),
                "matches": tenders.top_matches(db, g.user, 5)}

    return {"enterprise_overview": enterprise_overview}
