"""Saved searches: an enterprise user's filters of the ranked tender list, named, with a
frequency. Their ranked list is the tenders feature's (`ranked_for` with the same filters)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, func, select

from models import Enterprise, Role, SavedSearch, User, utcnow
from webapp.db import writes
from webapp.errors import Conflict, Invalid, NotYours, field_messages
from webapp.i18n import day, number
from webapp.tenders.services import (
    REACH_LABELS,
    ListFilters,
    MatchFilters,
    MatchList,
    parse_filters,
    with_current_names,
)
from webapp.tenders.services import ranked_for as tenders_ranked_for
from webapp.tenders.services.listing import LEGACY_FILTER_NAMES

#: The filters of the ranked list that a search keeps (paging and display switches are not).
SAVED_FILTERS = tuple(ListFilters.model_fields)
FREQUENCIES = ("daily", "weekly", "off")
FREQUENCY_LABELS = {"daily": _l("Every day"), "weekly": _l("Every week"),
                    "off": _l("No e-mail (feed only)")}
MAX_PER_USER = 25
#: How deep into a search's ranked list digests and feeds look (the list's first page).
LIST_DEPTH = 20


class UnknownSearch(NotYours):
    """No such saved search, or another user's."""


class InvalidSearch(Invalid):
    """A saved search that cannot be stored, with a message per field."""


class SearchRefused(Conflict):
    """No search can be kept now: the user has no enterprise yet, or keeps the most."""


class SavedFiltersIn(ListFilters):
    """The ranked list's filters a search keeps (ListFilters; any other name is an error)."""

    model_config = ConfigDict(extra="forbid")


_FORMER = {"deprecated": True}  # marked so in the OpenAPI document


class SavedFiltersOut(ListFilters):
    """The filters as the API answers them: the list's names, and the former names beside
    them with the same values, for clients written before the rename (deprecated)."""

    region: str = Field(default="", description="Former name of nuts.",
                        json_schema_extra=_FORMER)
    closing_after: date | None = Field(default=None, description="Former name of "
                                       "deadline_after.", json_schema_extra=_FORMER)
    reserved_only: bool = Field(default=False, description="Former name of reserved.",
                                json_schema_extra=_FORMER)

    @model_validator(mode="after")
    def _former_names(self) -> SavedFiltersOut:
        self.region, self.closing_after = self.nuts, self.deadline_after
        self.reserved_only = self.reserved
        return self


class SavedSearchIn(BaseModel):
    """A saved search to create (all fields) or change (PATCH: any of them)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    frequency: Literal["daily", "weekly", "off"] = "daily"
    filters: SavedFiltersIn = Field(default_factory=SavedFiltersIn)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Give the search a name.")
        return value


class SavedSearchPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    frequency: Literal["daily", "weekly", "off"] | None = None
    filters: SavedFiltersIn | None = None


@dataclass(frozen=True)
class SearchRow:
    search: SavedSearch
    frequency_label: str
    summary: str
    list_args: dict


# --- reading and writing ----------------------------------------------------------------------

def stored_filters(filters: ListFilters) -> dict:
    """The filters to keep, JSON-ready, leaving out those at their default."""
    kept = {}
    for name in SAVED_FILTERS:
        value = getattr(filters, name)
        if value in (None, "", False):
            continue
        kept[name] = value.isoformat() if isinstance(value, date) else value
    return kept


def match_filters(search: SavedSearch, limit: int = LIST_DEPTH) -> MatchFilters:
    """The saved filters as the ranked list's MatchFilters."""
    return parse_filters({**search.filters, "limit": limit})


def saved_args(form) -> dict:
    """The list's filters among a form's fields, by their current names."""
    current = with_current_names(dict(form))
    return {name: current[name] for name in SAVED_FILTERS if current.get(name)}


def list_args(search: SavedSearch) -> dict:
    """The query string that opens the search in the ranked list."""
    return {name: ("on" if value is True else value) for name, value in search.filters.items()}


def validate_filters(raw: dict) -> dict:
    """Check filters as the ranked list does; InvalidSearch names each bad one."""
    values = {k: ("on" if v is True else v) for k, v in raw.items() if v not in (None, False)}
    try:
        return stored_filters(SavedFiltersIn.model_validate(values))
    except ValidationError as error:
        raise InvalidSearch({f"filters.{name}": message for name, message
                             in field_messages(error, top_level=True).items()}) from None


def parse_form(form: dict) -> SavedSearchIn:
    """The page's form: name, frequency and the list's filters as hidden fields."""
    errors: dict[str, str] = {}
    raw_filters = saved_args(form)
    try:
        filters = validate_filters(raw_filters)
    except InvalidSearch as invalid:
        errors.update(invalid.errors)
        filters = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the search a name.")
    elif len(name) > 120:
        errors["name"] = _("Keep the name under 120 characters.")
    frequency = form.get("frequency") or "daily"
    if frequency not in FREQUENCIES:
        errors["frequency"] = _("Choose how often you want an e-mail.")
    if errors:
        raise InvalidSearch(errors)
    return SavedSearchIn.model_construct(name=name, frequency=frequency,
                                         filters=SavedFiltersIn.model_construct(**filters))


def parse_json(payload) -> SavedSearchIn:
    """The API body; InvalidSearch with a message per field path."""
    return _parse_body(SavedSearchIn, payload)


def parse_patch(payload) -> SavedSearchPatch:
    data = _parse_body(SavedSearchPatch, payload)
    if data.name is not None and not data.name.strip():
        raise InvalidSearch({"name": _("Give the search a name.")})
    return data


def _parse_body(model, payload):
    """`payload` as `model`, its filters checked as the list checks them. Errors name a
    filter by the name the client sent (a former name, if it used one)."""
    sent = payload.get("filters") if isinstance(payload, dict) else None
    renamed = {f"filters.{new}": f"filters.{old}" for old, new in LEGACY_FILTER_NAMES.items()
               if isinstance(sent, dict) and old in sent and new not in sent}
    try:
        data = model.model_validate(payload)
        if data.filters is not None:
            validate_filters(data.filters.model_dump(exclude_defaults=True))
    except ValidationError as error:
        errors = field_messages(error, default_field="body")
    except InvalidSearch as invalid:
        errors = invalid.errors
    else:
        return data
    raise InvalidSearch({renamed.get(name, name): message for name, message in errors.items()})


def searches_of(db: Session, user: User) -> list[SavedSearch]:
    return list(db.exec(select(SavedSearch).where(SavedSearch.user_id == user.id)
                        .order_by(SavedSearch.created_at, SavedSearch.id)).all())


def search_rows(db: Session, user: User) -> list[SearchRow]:
    return [SearchRow(search=s, frequency_label=str(FREQUENCY_LABELS[s.frequency]),
                      summary=describe(s.filters), list_args=list_args(s))
            for s in searches_of(db, user)]


def own_search(db: Session, user: User, search_id: int) -> SavedSearch:
    search = db.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id:
        raise UnknownSearch()
    return search


def _enterprise_id(user: User) -> int:
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise SearchRefused(_("Tell us about your enterprise first: then searches can find "
                              "tenders for you."))
    return user.enterprise_id


@writes
def create_search(db: Session, user: User, data: SavedSearchIn) -> SavedSearch:
    enterprise_id = _enterprise_id(user)
    count = db.exec(select(func.count(SavedSearch.id))
                    .where(SavedSearch.user_id == user.id)).one()
    if count >= MAX_PER_USER:
        raise SearchRefused(_("You have %(n)s saved searches, the most we keep; delete one "
                              "first.", n=count))
    now = utcnow()
    search = SavedSearch(
        user_id=user.id, enterprise_id=enterprise_id, name=data.name.strip(),
        frequency=data.frequency,
        filters=validate_filters(_filters_dict(data.filters)),
        feed_token=new_feed_token(), created_at=now, updated_at=now,
    )
    db.add(search)
    db.commit()
    return search


@writes
def update_search(db: Session, search: SavedSearch, *, name: str | None = None,
                  frequency: str | None = None, filters=None) -> SavedSearch:
    if name is not None:
        search.name = name.strip()
    if frequency is not None:
        if frequency not in FREQUENCIES:
            raise InvalidSearch({"frequency": _("Choose how often you want an e-mail.")})
        search.frequency = frequency
    if filters is not None:
        search.filters = validate_filters(_filters_dict(filters))
    search.updated_at = utcnow()
    db.add(search)
    db.commit()
    return search


@writes
def delete_search(db: Session, search: SavedSearch) -> None:
    db.delete(search)
    db.commit()


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


@writes
def renew_feed_token(db: Session, search: SavedSearch) -> SavedSearch:
    """A new private feed address; the old one stops working at once."""
    search.feed_token = new_feed_token()
    search.updated_at = utcnow()
    db.add(search)
    db.commit()
    return search


def search_by_feed_token(db: Session, token: str) -> SavedSearch | None:
    if not token or len(token) > 64:
        return None
    return db.exec(select(SavedSearch).where(SavedSearch.feed_token == token)).first()


def ranked_list(db: Session, search: SavedSearch, limit: int = LIST_DEPTH) -> MatchList:
    """The search's tenders: the ranked list of the tenders feature with the saved filters."""
    enterprise = db.get(Enterprise, search.enterprise_id)
    return tenders_ranked_for(db, enterprise, match_filters(search, limit))


def describe(filters: dict) -> str:
    """The saved filters in words."""
    parts = []
    if filters.get("q"):
        parts.append(_("words “%(q)s”", q=filters["q"]))
    if filters.get("nuts"):
        parts.append(_("in %(region)s", region=filters["nuts"]))
    if filters.get("min_value") is not None:
        parts.append(_("worth at least %(v)s EUR", v=number(filters["min_value"])))
    if filters.get("max_value") is not None:
        parts.append(_("worth at most %(v)s EUR", v=number(filters["max_value"])))
    if filters.get("deadline_after"):
        parts.append(_("closing on or after %(d)s",
                       d=day(date.fromisoformat(filters["deadline_after"]))))
    if filters.get("reserved"):
        parts.append(_("reserved tenders only"))
    if filters.get("reach"):
        parts.append(_("where from: %(reach)s", reach=REACH_LABELS[filters["reach"]]))
    return "; ".join(parts) or _("all tenders that fit your profile")


def _filters_dict(filters) -> dict:
    if filters is None:
        return {}
    if isinstance(filters, BaseModel):
        return {k: v for k, v in filters.model_dump().items() if v not in (None, "", False)}
    return dict(filters)


def due(search: SavedSearch, now: datetime) -> bool:
    """Whether the search's digest is due at `now` (a little early counts: cron drifts)."""
    if search.frequency == "off":
        return False
    if search.last_digest_at is None:
        return True
    every = timedelta(hours=20) if search.frequency == "daily" else timedelta(days=6, hours=20)
    return now - search.last_digest_at >= every
