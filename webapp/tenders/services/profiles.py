"""Enterprise profiles: the input model shared by the page and the API, and its use cases."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlmodel import Session, select

from matcher.cpv import InvalidCpvCode, normalize_cpv
from matcher.nuts import COUNTRY_NAMES, InvalidNutsCode, normalize_nuts, nuts_to_iso_country
from matcher.reserved import ART20_MIN_DISADVANTAGED_SHARE
from models import CpvCode, Enterprise, EnterpriseKind, NutsRegion, Role, User, is_web_url
from webapp.db import writes
from webapp.errors import Invalid, NotFound, NotYours, field_messages
from webapp.i18n import money
from webapp.scope import may_change_enterprise
from webapp.tenders.services.index import note_changes
from webapp.tenders.services.matching import cpv_label_list, reference_lists, region_label

KIND_LABELS = {
    EnterpriseKind.WISE: _l("Work-integration social enterprise (WISE)"),
    EnterpriseKind.SHELTERED_WORKSHOP: _l("Sheltered workshop"),
    EnterpriseKind.SOCIAL_COOPERATIVE: _l("Social cooperative"),
    EnterpriseKind.OTHER: _l("Other social-economy enterprise"),
}
#: How far from its regions an enterprise wants tenders (matcher.tenders.rules.REACHES).
REACH_LABELS = {
    "regions": _l("The regions I serve and their neighbours"),
    "country": _l("My whole country"),
    "anywhere": _l("Anywhere"),
}
_SEPARATORS = re.compile(r"[\s,;]+")


class InvalidProfile(Invalid):
    """A profile that cannot be saved, with a message per field."""


class NoEnterprise(NotFound):
    """The user acts for no enterprise (yet)."""


def _split(value: Any) -> list:
    """A list of codes, from a list or from text separated by spaces, commas or semicolons."""
    if isinstance(value, str):
        return [part for part in _SEPARATORS.split(value) if part]
    if value is None:
        return []
    if not isinstance(value, list | tuple):  # a number or an object: no codes can be read
        raise PydanticCustomError("list_type", _("Give a list of codes."))
    return list(value)


def _nuts(value: Any) -> str:
    try:
        code = normalize_nuts(value)
    except InvalidNutsCode:
        raise PydanticCustomError(
            "nuts", _("'%(code)s' is not a NUTS code (for example NL33C or UKM75).",
                      code=str(value)[:20])
        ) from None
    if code[:2] not in COUNTRY_NAMES:
        raise PydanticCustomError(
            "nuts", _("'%(code)s' is not in a country with NUTS regions.", code=code)
        )
    return code


def _nuts_list(values: Any) -> list[str]:
    codes = [_nuts(v) for v in _split(values)]
    return list(dict.fromkeys(codes))


def _cpv_list(values: Any) -> list[str]:
    codes = []
    for value in _split(values):
        try:
            codes.append(normalize_cpv(value))
        except InvalidCpvCode:
            raise PydanticCustomError(
                "cpv", _("'%(code)s' is not a CPV code (eight digits, like 90910000).",
                         code=str(value)[:20])
            ) from None
    return list(dict.fromkeys(codes))


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _website(value: str) -> str:
    """Blank or an http(s) address: the website becomes a link on buyers' pages, so a
    ``javascript:`` or ``data:`` address would run in their browser."""
    value = value.strip()
    if value and not is_web_url(value):
        raise PydanticCustomError(
            "web_url", _("Give a web address starting with https:// or http://, "
                         "such as https://example.org.")
        )
    return value


def _email(value: Any) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", str(value)):
        raise PydanticCustomError(
            "email", _("'%(value)s' is not an e-mail address (like name@example.org).",
                       value=str(value)[:60]))
    return value


ContactEmail = Annotated[str, BeforeValidator(_email), Field(max_length=254)]
NutsCode = Annotated[str, BeforeValidator(_nuts)]
NutsCodes = Annotated[list[str], BeforeValidator(_nuts_list)]
CpvCodes = Annotated[list[str], BeforeValidator(_cpv_list)]
Euros = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_blank_to_none)]
Website = Annotated[str, AfterValidator(_website)]


class ProfileInput(BaseModel):
    """What an enterprise says about itself; the page's form and the API both send this."""

    name: str = Field(min_length=2, max_length=200)
    kind: EnterpriseKind
    disadvantaged_share: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="Share of staff who are disabled or disadvantaged workers, 0 to 1.",
    )
    public_service_mission: bool = False
    nuts: NutsCode = Field(description="Where the enterprise sits (NUTS code, any level).")
    regions_served: NutsCodes = Field(default_factory=list)
    cpv_codes: CpvCodes = Field(default_factory=list, description="Eight-digit CPV codes.")
    description: str = Field(default="", max_length=4000)
    employees: Euros = None
    turnover_eur: Euros = None
    min_contract_value_eur: Euros = None
    max_contract_value_eur: Euros = None
    website: Website = Field(default="", max_length=300,
                             description="Blank, or an address starting with http:// or https://.")
    contact_name: str = Field(default="", max_length=200,
                              description="Whom buyers may write to (public).")
    contact_email: ContactEmail = Field(default="", description="Public contact e-mail.")
    languages: list[str] = Field(default_factory=list, max_length=20)
    reach: Literal["regions", "country", "anywhere"] = Field(
        default="regions",
        description="How far from its regions it wants tenders: regions (those it serves and "
                    "their neighbours), country, or anywhere.")

    @model_validator(mode="after")
    def _range(self) -> ProfileInput:
        low, high = self.min_contract_value_eur, self.max_contract_value_eur
        if low is not None and high is not None and low > high:
            raise PydanticCustomError(
                "range", _("The smallest contract value is above the largest.")
            )
        return self


def validation_errors(error: ValidationError,
                      default_field: str = "max_contract_value_eur") -> dict[str, str]:
    """Pydantic's errors as {field: message} for people; model-level ones go to
    `default_field` (for a profile: the contract range)."""
    return field_messages(error, default_field=default_field, top_level=True)


def parse_profile(payload: dict) -> ProfileInput:
    """Validate a profile, raising InvalidProfile with a message per field."""
    try:
        return ProfileInput.model_validate(payload)
    except ValidationError as error:
        raise InvalidProfile(validation_errors(error)) from None


_FIELD_CHECKS = {
    "nuts": TypeAdapter(NutsCode), "regions_served": TypeAdapter(NutsCodes),
    "cpv_codes": TypeAdapter(CpvCodes), "min_contract_value_eur": TypeAdapter(Euros),
    "max_contract_value_eur": TypeAdapter(Euros),
}


def profile_errors(db: Session, payload: dict) -> dict[str, str]:
    """Every problem of a profile in one pass: the field rules, the contract range and the
    reference lists, even when other fields are wrong too (no second submit to find them)."""
    try:
        data = ProfileInput.model_validate(payload)
    except ValidationError as error:
        errors = validation_errors(error)
        valid = {}
        for name, adapter in _FIELD_CHECKS.items():
            if name not in errors:
                with contextlib.suppress(ValidationError):  # its own error is already listed
                    valid[name] = adapter.validate_python(payload.get(name))
        low, high = valid.get("min_contract_value_eur"), valid.get("max_contract_value_eur")
        if low is not None and high is not None and low > high:
            errors.setdefault("max_contract_value_eur",
                              _("The smallest contract value is above the largest."))
        reference = _reference_errors(db, valid.get("nuts"), valid.get("regions_served") or [],
                                      valid.get("cpv_codes") or [])
        return {**reference, **errors}
    return _reference_errors(db, data.nuts, data.regions_served, data.cpv_codes)


def unknown_codes(db: Session, cpv_codes: list[str], nuts_codes: list[str]
                  ) -> tuple[list[str], list[str]]:
    """The CPV and NUTS codes that are not in the official lists, each checked only when its
    list is loaded (without it, the format check is all there is)."""
    unknown_nuts: list[str] = []
    if nuts_codes and db.exec(select(NutsRegion.code).limit(1)).first() is not None:
        known = set(db.exec(select(NutsRegion.code).where(NutsRegion.code.in_(nuts_codes))).all())
        unknown_nuts = [c for c in nuts_codes if c not in known]
    unknown_cpv: list[str] = []
    if cpv_codes and db.exec(select(CpvCode.code).limit(1)).first() is not None:
        known = set(db.exec(select(CpvCode.code).where(CpvCode.code.in_(cpv_codes))).all())
        unknown_cpv = [c for c in cpv_codes if c not in known]
    return unknown_cpv, unknown_nuts


def unknown_cpv_message(codes: list[str]) -> str:
    return _("Not CPV 2008 codes: %(codes)s.", codes=", ".join(codes))


def unknown_nuts_message(code: str) -> str:
    return _("'%(code)s' is not a NUTS 2021 region.", code=code)


def _check_reference(db: Session, data: ProfileInput) -> None:
    """When the official lists are loaded, the codes must exist in them."""
    errors = _reference_errors(db, data.nuts, data.regions_served, data.cpv_codes)
    if errors:
        raise InvalidProfile(errors)


def _reference_errors(db: Session, nuts: str | None, regions_served: list[str],
                      cpv_codes: list[str]) -> dict[str, str]:
    errors = {}
    wanted_nuts = [c for c in [nuts, *regions_served] if c]
    unknown_cpv, unknown_nuts = unknown_codes(db, cpv_codes, wanted_nuts)
    if nuts and nuts in unknown_nuts:
        errors["nuts"] = unknown_nuts_message(nuts)
    unknown = [c for c in regions_served if c in unknown_nuts]
    if unknown:
        errors["regions_served"] = _("Not NUTS 2021 regions: %(codes)s.",
                                     codes=", ".join(unknown))
    if unknown_cpv:
        errors["cpv_codes"] = unknown_cpv_message(unknown_cpv)
    return errors


def _apply(enterprise: Enterprise, data: ProfileInput) -> None:
    for name, value in data.model_dump().items():
        setattr(enterprise, name, value)
    enterprise.country = nuts_to_iso_country(data.nuts)


def enterprise_of(db: Session, user: User) -> Enterprise:
    """The enterprise the user acts for."""
    enterprise = db.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    if enterprise is None:
        raise NoEnterprise()
    return enterprise


def editable_enterprise(db: Session, user: User, enterprise_id: int) -> Enterprise:
    """An enterprise the user may change: only its own (NotYours hides the others)."""
    enterprise = db.get(Enterprise, enterprise_id)
    if not may_change_enterprise(user, enterprise):
        raise NotYours()
    return enterprise


@writes
def update_profile(db: Session, enterprise: Enterprise, data: ProfileInput) -> Enterprise:
    """Save a validated profile; every worker's index re-encodes it on its next request."""
    _check_reference(db, data)
    _apply(enterprise, data)
    db.add(enterprise)
    db.flush()
    note_changes(db, "enterprise", [enterprise.id])
    db.commit()
    return enterprise


@writes
def patch_profile(db: Session, enterprise: Enterprise, changes: dict) -> Enterprise:
    """Change some fields: the merged profile is validated as a whole."""
    current = current_input(enterprise)
    merged = {**current, **changes}
    return update_profile(db, enterprise, parse_profile(merged))


@writes
def create_enterprise(db: Session, user: User, data: ProfileInput) -> Enterprise:
    """Create an enterprise: coordinators any, an enterprise user its own when it has none."""
    if user.role == Role.ENTERPRISE and user.enterprise_id is not None:
        raise InvalidProfile({"body": _("Your account already has an enterprise profile.")})
    if user.role not in (Role.ENTERPRISE, Role.COORDINATOR):
        raise NotYours()
    _check_reference(db, data)
    enterprise = Enterprise(name=data.name, kind=data.kind, country="", nuts=data.nuts)
    _apply(enterprise, data)
    db.add(enterprise)
    db.flush()
    if user.role == Role.ENTERPRISE:
        db.get(User, user.id).enterprise_id = enterprise.id
    note_changes(db, "enterprise", [enterprise.id])
    db.commit()
    return enterprise


def current_input(enterprise: Enterprise) -> dict:
    """The stored profile as ProfileInput fields."""
    return {name: getattr(enterprise, name) for name in ProfileInput.model_fields}


# --- read models ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileSummary:
    """What the enterprise's home page says about its profile."""

    enterprise: Enterprise
    kind_label: str
    place: str
    regions: list[str]
    cpv: list[str]
    contract_range: str
    art20_text: str
    art20_qualifies: bool
    missing: list[str]


def euros(amount: float | None) -> str:
    """Whole euros in the reader's format (€ 1.250.000 in Dutch), or a dash when unknown."""
    return money(amount)


def profile_summary(db: Session, enterprise: Enterprise) -> ProfileSummary:
    """Labels ready for display: kind, region names, CPV labels, range, Art. 20 status."""
    tree, names = reference_lists(db)
    qualifies = (
        enterprise.kind == EnterpriseKind.SHELTERED_WORKSHOP
        or (enterprise.disadvantaged_share or 0) >= ART20_MIN_DISADVANTAGED_SHARE
    )
    share = round(100 * (enterprise.disadvantaged_share or 0))
    art20 = (
        _("You can bid for contracts reserved under Art. 20 (%(share)s%% disadvantaged staff).",
          share=share)
        if qualifies
        else _("Contracts reserved under Art. 20 are not open to you: they need a sheltered "
               "workshop or at least 30%% disadvantaged staff (you state %(share)s%%).",
               share=share)
    )
    low, high = enterprise.min_contract_value_eur, enterprise.max_contract_value_eur
    missing = [str(label) for value, label in (
        (enterprise.cpv_codes, _l("CPV codes")),
        (enterprise.description, _l("a description")),
        (enterprise.turnover_eur or high, _l("turnover or largest contract value")),
    ) if not value]
    return ProfileSummary(
        enterprise=enterprise,
        kind_label=str(KIND_LABELS[EnterpriseKind(enterprise.kind)]),
        place=region_label(names, enterprise.nuts),
        regions=[region_label(names, code) for code in enterprise.regions_served],
        cpv=cpv_label_list(tree, enterprise.cpv_codes),
        contract_range=_("%(low)s to %(high)s", low=euros(low), high=euros(high)),
        art20_text=art20,
        art20_qualifies=qualifies,
        missing=missing,
    )
