"""Authorities apply to sectors' working groups on the site, edit and withdraw applications.

The coordinator's CSV import (`importing.py`) is the other way in; both store the same row:
the sector's topics by their English names, a motivation of at most `MAX_MOTIVATION_LENGTH`
characters, a preference rank (1 is the authority's first choice).

The rule once a group is published: an application placed in a group of its sector's
published proposal can be withdrawn but no longer edited. The group was formed on its topics,
and partners read them on their cards ("shared interests"), next to the engine's stored
reasons; editing them would make the published group say things it was not formed on.
Withdrawing is always possible: nobody can be held in a working group. The published group
keeps its member (it is what the partners were told); the coordinator sees "withdrawn" on the
sector's answers page, hears of it in the daily summary, and the next run leaves it out (the
pool is the submitted applications only); the partners' group page marks it, a proposal not
yet published marks it too, and publishing mails it nothing. A withdrawn application carries
no new wish, and the CSV import leaves it withdrawn: only the authority submits it again, with
the same row, so wishes and the audit trail keep pointing at it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    MAX_MOTIVATION_LENGTH,
    Application,
    ApplicationBase,
    ApplicationStatus,
    Authority,
    Sector,
    User,
)
from webapp.audit import services as audit
from webapp.db import writes
from webapp.errors import NotYours, field_messages
from webapp.groupings.services.errors import (
    AlreadyApplied,
    ApplicationLocked,
    InvalidApplication,
)
from webapp.groupings.services.importing import topics_by_name
from webapp.groupings.services.members import authority_of, in_published_group, own_application
from webapp.i18n import in_sector_order, number, sector_in_locale
from webapp.inputs import MAX_ROW_ID
from webapp.sector_text import SectorText

__all__ = [
    "MAX_MOTIVATION_LENGTH", "ApplicationCreate", "ApplicationUpdate", "apply", "edit_form",
    "in_published_group", "new_form", "next_rank", "open_sectors", "schema_context", "update",
    "withdraw",
]

_TOPICS_DOC = ("Topics of the sector by their English names (as the applications list gives "
               "them); the sector's labels in another language are understood.")


# --- the schemas: the form and the API send these ---------------------------------------------
# (their messages are the form's: "minItems" and "maxLength" are told to the OpenAPI document,
# the validators below say them in words)

class ApplicationUpdate(ApplicationBase):
    """A change to an application: the fields sent replace the stored ones, None keeps them.

    The rules of every field are written here once, for the form and the API, and checked all
    at once. Those that depend on the sector read it from the validation context
    (``{"sector": Sector, "max_rank": int}``, given by :func:`_validated`).
    """

    model_config = ConfigDict(extra="forbid")

    topics: list[str] | None = Field(default=None, max_length=100, description=_TOPICS_DOC,
                                     json_schema_extra={"minItems": 1})
    motivation: str | None = Field(default=None, json_schema_extra={
        "maxLength": MAX_MOTIVATION_LENGTH})
    preference_rank: int | None = Field(default=None, ge=1, description=(
        "1 is your first choice among your sectors; at most the number of sectors."))

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        """The sector's topics, named in English or by a label in any language (as in CSV)."""
        if value is None:
            return None
        sector = (info.context or {}).get("sector")
        if sector is not None:
            by_name = topics_by_name(sector)
            unknown = [t for t in value if t.strip().casefold() not in by_name]
            if unknown:
                raise ValueError(_("These are no topics of this working group: %(topics)s.",
                                   topics=", ".join(unknown)))
            value = list(dict.fromkeys(by_name[t.strip().casefold()] for t in value))
        if not value:
            raise ValueError(_("Tick at least one topic you want to work on."))
        return value

    @field_validator("motivation")
    @classmethod
    def _motivation(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if len(value) > MAX_MOTIVATION_LENGTH:
            raise ValueError(_("Keep your motivation under %(n)s characters (it has "
                               "%(length)s).", n=number(MAX_MOTIVATION_LENGTH),
                               length=number(len(value))))
        return value

    @field_validator("preference_rank", mode="before")
    @classmethod
    def _preference_rank(cls, value: Any, info: ValidationInfo) -> int | None:
        """A whole number from 1 to the number of sectors, typed (ASCII digits) or sent."""
        if value is None:
            return None
        highest = (info.context or {}).get("max_rank") or MAX_ROW_ID  # no context: the shape
        text = str(value).strip() if isinstance(value, int | str) and \
            not isinstance(value, bool) else ""
        if text.isascii() and text.isdigit() and 1 <= int(text) <= highest:
            return int(text)
        raise ValueError(_("Give a whole number from 1 (your first choice) to %(n)s.",
                           n=number(highest)))


class ApplicationCreate(ApplicationUpdate):
    """A new application to a sector (or a withdrawn one submitted again): topics needed;
    without a rank, the rank after the authority's other applications."""

    sector_slug: str = Field(min_length=1, max_length=80)
    topics: list[str] = Field(max_length=100, description=_TOPICS_DOC,
                              json_schema_extra={"minItems": 1})
    motivation: str = Field(default="", json_schema_extra={"maxLength": MAX_MOTIVATION_LENGTH})


def schema_context(db: Session, sector: Sector | None = None) -> dict:
    """What the schemas' rules read besides the input: the sector (its topics), if known, and
    the highest rank (the number of sectors)."""
    return {"sector": sector, "max_rank": _max_rank(db)}


_FORM_ORDER = ("sector_slug", "topics", "motivation", "preference_rank")


def _validated(db: Session, schema: type[ApplicationUpdate], sector: Sector | None,
               payload: object) -> ApplicationUpdate:
    """`payload` (the form's fields or the API's body) as `schema`; InvalidApplication."""
    try:
        return schema.model_validate(payload, context=schema_context(db, sector))
    except ValidationError as error:
        errors = field_messages(error, top_level=True, default_field="body")
        # in the form's order (the table's base declares motivation and rank first)
        raise InvalidApplication(dict(sorted(errors.items(), key=lambda item: (
            _FORM_ORDER.index(item[0]) if item[0] in _FORM_ORDER else len(_FORM_ORDER))))
        ) from None


# --- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenSector:
    """A sector the authority may apply to, with its withdrawn application if it had one."""

    sector: Sector
    text: SectorText
    withdrawn: Application | None


@dataclass(frozen=True)
class ApplicationForm:
    """One application form, ready to draw: the sector's topics and the values to show."""

    sector: Sector
    text: SectorText
    application: Application | None  # None for a sector never applied to
    topics: list[str]
    motivation: str
    preference_rank: int
    max_rank: int
    is_new: bool  # submits a new application (or a withdrawn one again), else edits one
    locked: bool  # an edit of an application in a published group: shown, not editable

    @property
    def withdrawn(self) -> bool:
        return (self.application is not None
                and self.application.status == ApplicationStatus.WITHDRAWN)


def _sector(db: Session, slug: str) -> Sector:
    sector = db.exec(select(Sector).where(Sector.slug == slug)).first()
    if sector is None:
        raise NotYours(f"No sector {slug}.")
    return sector


def _max_rank(db: Session) -> int:
    """Ranks order the authority's sectors: there are never more ranks than sectors."""
    return db.exec(select(func.count(Sector.id))).one() or 1


def next_rank(db: Session, authority_id: int) -> int:
    """The rank a new application gets unless the authority says otherwise: after its others."""
    highest = db.exec(
        select(func.max(Application.preference_rank))
        .where(Application.authority_id == authority_id,
               Application.status == ApplicationStatus.SUBMITTED)
    ).one()
    return min((highest or 0) + 1, _max_rank(db))


def open_sectors(db: Session, user: User) -> list[OpenSector]:
    """The sectors without a submitted application of the authority, in the reader's order."""
    authority = authority_of(db, user)
    mine = {a.sector_id: a for a in db.exec(
        select(Application).where(Application.authority_id == authority.id)).all()}
    sectors = [s for s in db.exec(select(Sector).order_by(Sector.name)).all()
               if s.id not in mine or mine[s.id].status == ApplicationStatus.WITHDRAWN]
    return in_sector_order(
        (OpenSector(s, sector_in_locale(s), mine.get(s.id)) for s in sectors),
        lambda item: item.text.name)


def new_form(db: Session, user: User, slug: str) -> ApplicationForm:
    """The form for applying to a sector; a withdrawn application's answers fill it in."""
    authority = authority_of(db, user)
    sector = _sector(db, slug)
    application = db.exec(select(Application).where(
        Application.authority_id == authority.id, Application.sector_id == sector.id)).first()
    if application is not None and application.status == ApplicationStatus.SUBMITTED:
        raise AlreadyApplied(_("You have applied to this working group already: edit your "
                               "application instead."))
    return _form(db, sector, application, is_new=True,
                 rank=next_rank(db, authority.id) if application is None else None)


def edit_form(db: Session, user: User, application_id: int) -> ApplicationForm:
    """The form for one of the authority's applications, as it is stored."""
    application = own_application(db, user, application_id)
    return _form(db, db.get(Sector, application.sector_id), application, is_new=False)


def _form(db: Session, sector: Sector, application: Application | None, is_new: bool,
          rank: int | None = None) -> ApplicationForm:
    return ApplicationForm(
        sector=sector, text=sector_in_locale(sector), application=application,
        topics=list(application.topics) if application else [],
        motivation=application.motivation if application else "",
        preference_rank=rank or (application.preference_rank if application else 1),
        max_rank=_max_rank(db), is_new=is_new,
        locked=not is_new and in_published_group(db, application.id),
    )


def _record(db: Session, user: User, action: str, authority: Authority,
            application: Application) -> None:
    audit.record(db, user, action, sector_id=application.sector_id,
                 application_id=application.id, authority_id=authority.id,
                 authority=authority.name, topics=list(application.topics),
                 preference_rank=application.preference_rank)


@writes
def apply(db: Session, user: User, payload: Mapping[str, Any]) -> Application:
    """Apply to the sector named by ``sector_slug``, or submit a withdrawn application again.

    `payload` is an :class:`ApplicationCreate` as sent (the form's fields or the API's body).
    """
    slug = payload.get("sector_slug") if isinstance(payload, Mapping) else None
    # NotFound, or AlreadyApplied when a submitted one exists; no slug: the schema says so
    form = new_form(db, user, slug) if isinstance(slug, str) and slug else None
    data = _validated(db, ApplicationCreate, form.sector if form else None, payload)
    authority = authority_of(db, user)
    application = form.application
    if application is None:
        application = Application(authority_id=authority.id, sector_id=form.sector.id)
        db.add(application)
    _fill(application, data)
    if data.preference_rank is None:
        application.preference_rank = next_rank(db, authority.id)
    application.status = ApplicationStatus.SUBMITTED
    db.flush()
    _record(db, user, "application.submitted", authority, application)
    db.commit()
    return application


def _fill(application: Application, data: ApplicationUpdate) -> None:
    """Copy what was sent (fields left None stay as stored)."""
    for name, value in data.model_dump(include={"topics", "motivation", "preference_rank"},
                                       exclude_none=True).items():
        setattr(application, name, value)


@writes
def update(db: Session, user: User, application_id: int,
           payload: Mapping[str, Any]) -> Application:
    """Change a submitted application's topics, motivation or rank (fields left out stay).

    `payload` is an :class:`ApplicationUpdate` as sent (the form's fields or the API's body).
    """
    authority = authority_of(db, user)
    application = own_application(db, user, application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationLocked(_("This application is withdrawn: apply again to change it."))
    if in_published_group(db, application.id):
        raise ApplicationLocked(_("Your group in this working group is published: the "
                                  "application it was formed on can no longer change. You can "
                                  "still withdraw it, or decline the group."))
    sector = db.get(Sector, application.sector_id)
    _fill(application, _validated(db, ApplicationUpdate, sector, payload))
    _record(db, user, "application.updated", authority, application)
    db.commit()
    return application


@writes
def withdraw(db: Session, user: User, application_id: int) -> Application:
    """Withdraw a submitted application: the sector's next run leaves it out."""
    authority = authority_of(db, user)
    application = own_application(db, user, application_id)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application  # withdrawing twice (a second click, a retry) changes nothing
    application.status = ApplicationStatus.WITHDRAWN
    _record(db, user, "application.withdrawn", authority, application)
    db.commit()
    return application
