"""Tenders for one enterprise: the ranked, filtered list, one tender's detail, and feedback."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from matcher.nuts import InvalidNutsCode, normalize_nuts
from matcher.tenders import STRONG_FIT, Gate, Signal, TenderMatch, top_k_rows
from models import (
    Enterprise,
    FeedbackAction,
    Lot,
    MatchFeedback,
    Reservation,
    Tender,
    TenderStatus,
    User,
    utcnow,
)
from webapp.errors import Invalid, field_messages
from webapp.i18n import Localizer, localize, localized, moment, percent_text
from webapp.tenders.services.catalogue import TenderQuery, search_tenders
from webapp.tenders.services.charts import BarChart, bar_chart, region_chart
from webapp.tenders.services.index import MatchingIndex, current_index, deadline_after_timestamp
from webapp.tenders.services.matching import (
    FittedMatcher,
    cpv_label_list,
    enterprise_profile,
    reference_lists,
    region_label,
    rows_for,
    shown_rows,
)
from webapp.tenders.services.profiles import enterprise_of, euros

SIGNAL_LABELS = {
    "cpv": _l("Activity (CPV)"),
    "text": _l("Description"),
    "region": _l("Region"),
    "value": _l("Contract value"),
    "social": _l("Social fit"),
}
RESERVATION_LABELS = {
    Reservation.ART20: _l("Reserved: Art. 20 (sheltered workshops, work integration)"),
    Reservation.ART77: _l("Reserved: Art. 77 (public-service mission)"),
}
STATUS_LABELS = {
    TenderStatus.OPEN: _l("open"),
    TenderStatus.CLOSED: _l("closed"),
    TenderStatus.PLANNED: _l("planned"),
}
GATE_LABELS = {
    "closed": _l("Deadline passed"),
    "closing_soon": _l("Closes too soon"),
    "art20": _l("Reserved under Art. 20"),
    "art77_mission": _l("Reserved under Art. 77"),
    "art77_cpv": _l("Questionable Art. 77 reservation"),
    "outside_reach": _l("Outside your regions"),
    "no_evidence": _l("Nothing in common with your activity"),
}
MAX_LIMIT = 200
PAGE = 20


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


OptionalInt = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none), Field(default=None)]


#: The list's filter names before pages took the catalogue API's names; bookmarks, saved links
#: and older API clients still send them, so they are read as the new ones.
LEGACY_FILTER_NAMES = {"region": "nuts", "closing_after": "deadline_after",
                       "reserved_only": "reserved"}


def with_current_names(data: Any) -> Any:
    """A filters mapping with any legacy name read as its current one (the current one wins)."""
    if not isinstance(data, dict) or not LEGACY_FILTER_NAMES.keys() & data.keys():
        return data
    renamed = {name: value for name, value in data.items() if name not in LEGACY_FILTER_NAMES}
    for old, new in LEGACY_FILTER_NAMES.items():
        if old in data and new not in renamed:
            renamed[new] = data[old]
    return renamed


class ListFilters(BaseModel):
    """What the ranked list is filtered by, one vocabulary for the page, saved searches and the
    API: the catalogue API's names (``GET /api/v1/tenders``); former page names are read too."""

    q: str = Field(default="", max_length=200, description="Words that must all appear.")
    # The pattern is for the API's document; the validator below gives the reader's message.
    nuts: str = Field(default="", max_length=5, description="NUTS code, e.g. NL33.",
                      json_schema_extra={"pattern": r"^([A-Za-z]{2}[A-Za-z0-9]{0,3})?$"})
    min_value: OptionalInt = None
    max_value: OptionalInt = None
    deadline_after: OptionalDate = Field(default=None, description="Closing on or after.")
    reserved: bool = Field(default=False, description="Reserved tenders only.")
    # How far to look: blank keeps the profile's reach (Enterprise.reach, set on the profile
    # page); the others widen or narrow it for this list only.
    reach: Literal["", "regions", "country", "anywhere"] = Field(
        default="", description="How far to look; blank keeps the profile's reach.")

    @model_validator(mode="before")
    @classmethod
    def _legacy_names(cls, data: Any) -> Any:
        return with_current_names(data)

    @field_validator("nuts")
    @classmethod
    def _nuts(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalize_nuts(value)
        except InvalidNutsCode:
            raise PydanticCustomError(
                "nuts", _("Give a NUTS code, for example NL33 or UKM.")
            ) from None

    @field_validator("max_value")
    @classmethod
    def _range(cls, value: int | None, info) -> int | None:
        low = info.data.get("min_value")
        if value is not None and low is not None and value < low:
            raise PydanticCustomError("range", _("The maximum is below the minimum."))
        return value


class MatchFilters(ListFilters):
    """The list's filters with its paging and display switches, read from the query string."""

    show_dismissed: bool = False
    show_excluded: bool = False
    # Closed tenders (deadline passed, awarded, cancelled) are never offered, but a user may
    # look them up: past buyers and contracts of its trade, for the next round.
    include_closed: bool = False
    limit: int = Field(default=PAGE, ge=1, le=MAX_LIMIT)
    page: int = Field(default=1, ge=1, le=10_000)


class InvalidFilters(Invalid):
    """Filters that cannot be applied, with a message per field."""


def parse_filters(args: dict) -> MatchFilters:
    """The filters from a query string; InvalidFilters names each bad one."""
    try:
        return MatchFilters.model_validate(args)
    except ValidationError as error:
        raise InvalidFilters(field_messages(error, default_field="q", top_level=True)) from None


# --- read models ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # good / warn / bad / plain


@dataclass(frozen=True)
class SignalView:
    name: str
    label: str
    value: float | None
    percent: int | None
    weight: float  # the engine's
    reason: str
    band: str | None = None  # other parties' view of the value signal: fits, stretch, …
    band_label: str | None = None

    @property
    def weight_percent(self) -> int:
        return round(100 * self.weight)


@dataclass(frozen=True)
class MatchView:
    tender_id: int
    best_lot_id: int | None
    title: str
    buyer: str
    place: str
    deadline_text: str
    value_text: str
    score: float
    score_percent: int
    best_lot: str | None
    signals: list[SignalView]
    badges: list[Badge]
    feedback: str | None
    chart: BarChart | None  # None in the API's brief views (``ranked_for(brief=True)``)

    @property
    def strong(self) -> bool:
        """Whether the list shows it among the strong matches (``STRONG_FIT``)."""
        return self.score >= STRONG_FIT


@dataclass(frozen=True)
class GateView:
    tender_id: int
    lot_id: int | None
    code: str
    title: str
    buyer: str
    lot: str | None
    label: str
    reason: str


@dataclass
class MatchList:
    enterprise: Enterprise
    filters: MatchFilters
    matches: list[MatchView]
    n_total: int
    excluded: list[GateView] = field(default_factory=list)
    closed: list[ClosedView] = field(default_factory=list)
    n_closed: int = 0
    more_limit: int | None = None
    region_chart: BarChart | None = None
    n_dismissed: int = 0
    page: int = 1
    n_pages: int = 1
    n_saved: int = 0

    strong_fit = STRONG_FIT

    def by_strength(self) -> tuple[list[MatchView], list[MatchView]]:
        """This page's strong matches, and those below ``STRONG_FIT`` (:func:`by_strength`)."""
        return by_strength(self.matches)


def by_strength(items: list) -> tuple[list, list]:
    """Ranked items with a ``strong`` flag as (strong, weaker), each in its order: the list
    and the digests show the weaker ones after the others, under "Weaker matches"."""
    strong = [item for item in items if item.strong]
    return strong, [item for item in items if not item.strong]


@dataclass(frozen=True)
class ClosedView:
    """A closed tender found by the user's search (never offered as a match)."""

    tender_id: int
    title: str
    buyer: str
    deadline_text: str
    value_text: str


@dataclass(frozen=True)
class LotView:
    lot_id: int
    ref: str
    title: str
    value_text: str
    cpv: list[str]
    reservation: str | None
    best: bool
    gate: str | None


@dataclass
class TenderDetail:
    tender: Tender
    buyer: str
    place: str
    deadline_text: str
    value_text: str
    cpv: list[str]
    badges: list[Badge]
    lots: list[LotView]
    match: MatchView | None
    gates: list[GateView]
    feedback: str | None


# --- use cases --------------------------------------------------------------------------------

def ranked_tenders(db: Session, user: User, filters: MatchFilters) -> MatchList:
    """Open tenders for the user's enterprise, best first, filtered, each with its why."""
    return ranked_for(db, enterprise_of(db, user), filters)


def ranked_for(db: Session, enterprise: Enterprise, filters: MatchFilters,
               brief: bool = False) -> MatchList:
    """Open tenders for an enterprise, best first, filtered, each with its why.

    Array work only: the enterprise is scored once against every tender of the index, the
    filters and dismissed tenders are masks, counts per region a ``bincount`` and the shown
    page a top-k; signals and reasons are computed for the shown tenders alone.

    ``brief`` (the JSON API) leaves out what only the page draws: each match's chart,
    badges, place and value, and the chart by region. Formatting those was about a third of
    an API request, for fields it never sends.
    """
    index = current_index(db)
    profile = enterprise_profile(enterprise)
    if filters.reach:
        profile = replace(profile, reach=filters.reach)
    feedback = feedback_of(db, enterprise.id)
    side, _unit_scores, scores = index.scores_for(profile)
    now = _now()
    open_now = index.open_mask(now)
    shown_filter = filter_mask(db, index, filters)
    kept = open_now & (scores > 0) & shown_filter
    dismissed = np.zeros(len(kept), dtype=bool)
    dismissed[index.position_array(
        [tid for tid, action in feedback.items() if action == FeedbackAction.DISMISSED]
    )] = True
    n_dismissed = int((kept & dismissed).sum())
    if not filters.show_dismissed:
        kept &= ~dismissed
    n_total = int(kept.sum())
    n_pages = max(1, -(-n_total // filters.limit))
    page = min(filters.page, n_pages)
    offset = (page - 1) * filters.limit
    # the best `page * limit`, of which this page shows the last `limit`
    _top_scores, top = top_k_rows(np.where(kept, scores, 0)[None, :], offset + filters.limit)
    shown = top[0][top[0] >= 0][offset:]
    fitted = shown_rows(db, index, index.tender_ids[shown].tolist())
    labels, text = signal_labels(), Localizer()
    matches = [
        _match_view(fitted, match, feedback.get(match.tender_id), brief, labels, text)
        for match in index.matcher.explain_tenders(profile, side, shown)
    ]
    excluded = []
    if filters.show_excluded:
        unreserved = filters.model_copy(update={"reserved": False})
        left_out = index.alive & (~open_now | (scores < 0)) & filter_mask(db, index, unreserved)
        # Those that share the enterprise's activity first: they are the ones worth a why.
        candidates = np.flatnonzero(left_out)
        related = index.matcher.tender_evidence(side)[candidates]
        candidates = np.concatenate([candidates[related], candidates[~related]])[:MAX_LIMIT]
        gates = index.matcher.gates_of(profile, side, candidates, now)
        gated = shown_rows(db, index, [g.tender_id for g in gates])
        excluded = [_gate_view(gated, gate) for gate in gates]
    closed, n_closed = _closed_tenders(db, filters) if filters.include_closed else ([], 0)
    more = min(filters.limit + PAGE, MAX_LIMIT) if n_total > filters.limit else None
    return MatchList(
        enterprise=enterprise, filters=filters, matches=matches, n_total=n_total,
        excluded=excluded, closed=closed, n_closed=n_closed, more_limit=more,
        n_dismissed=n_dismissed,
        region_chart=None if brief else _region_chart(index, kept),
        page=page, n_pages=n_pages,
        n_saved=sum(1 for action in feedback.values() if action == FeedbackAction.SAVED),
    )


@dataclass(frozen=True)
class SavedRow:
    tender: Tender
    status_label: str
    deadline_text: str
    value_text: str
    place: str


def saved_tenders(db: Session, user: User) -> list[SavedRow]:
    """The tenders the enterprise saved, open ones first by deadline, closed ones after."""
    enterprise = enterprise_of(db, user)
    rows = db.exec(
        select(Tender).join(MatchFeedback, MatchFeedback.tender_id == Tender.id)
        .where(MatchFeedback.enterprise_id == enterprise.id,
               MatchFeedback.action == FeedbackAction.SAVED.value)
    ).all()
    _tree, names = reference_lists(db)
    far = datetime.max.replace(tzinfo=UTC)

    def order(t: Tender):
        deadline = t.deadline if t.deadline is None or t.deadline.tzinfo else \
            t.deadline.replace(tzinfo=UTC)
        return (str(t.status.value) != "open", deadline or far, t.title)

    return [SavedRow(tender=t, status_label=str(STATUS_LABELS[TenderStatus(t.status)]),
                     deadline_text=_deadline_text(t.deadline), value_text=euros(t.value_eur),
                     place=", ".join(region_label(names, c) for c in t.nuts_codes) or "—")
            for t in sorted(rows, key=order)]


def _closed_tenders(db: Session, filters: MatchFilters) -> tuple[list[ClosedView], int]:
    """Closed tenders matching the words, region, values and reservation of the filters, by
    the catalogue's search (SQL, paged): they are not in the matching index."""
    page = search_tenders(db, TenderQuery(
        status=TenderStatus.CLOSED.value, q=filters.q, nuts=filters.nuts or None,
        min_value=filters.min_value, max_value=filters.max_value,
        reserved=True if filters.reserved else None, limit=filters.limit,
    ))
    return [
        ClosedView(tender_id=t.id, title=localized(t, "title"), buyer=t.buyer_name,
                   deadline_text=_deadline_text(t.deadline), value_text=euros(t.value_eur))
        for t in page.tenders
    ], page.total


def top_matches(db: Session, user: User, n: int = 5) -> list[MatchView]:
    """The enterprise's best few tenders, dismissed ones left out (for its home page)."""
    return ranked_tenders(db, user, MatchFilters(limit=n)).matches


def tender_detail(db: Session, user: User, tender_id: int) -> TenderDetail | None:
    """One tender for the enterprise: lots, its match and why, or why it is left out."""
    enterprise = enterprise_of(db, user)
    tender = db.get(Tender, tender_id)
    if tender is None:
        return None
    index = current_index(db)
    fitted = rows_for(db, index, [tender.id])
    lots = fitted.lots.get(tender.id, [])
    profile = enterprise_profile(enterprise)
    feedback = feedback_of(db, enterprise.id).get(tender.id)
    match, gates, lot_gates = None, [], []
    position = index.positions.get(tender.id)
    now = _now()
    if position is not None:
        side, _unit_scores, scores = index.scores_for(profile)
        if index.open_mask(now)[position] and scores[position] > 0:
            found = index.matcher.explain_tenders(profile, side, [position])[0]
            match = _match_view(fitted, found, feedback)
            lot_gates = [_gate_view(fitted, g) for g in found.gated_lots]
        else:
            gates = [replace(_gate_view(fitted, g), lot=None)
                     for g in index.matcher.gates_of(profile, side, [position], now)]
    else:
        gates = [GateView(tender.id, None, "closed", localized(tender, "title"),
                          tender.buyer_name, None,
                          str(GATE_LABELS["closed"]),
                          _("This tender is closed: it no longer takes bids."))]
    gated_lots = {g.lot: g.reason for g in lot_gates}
    best_lot = match.best_lot if match else None
    return TenderDetail(
        tender=tender,
        buyer=tender.buyer_name,
        place=", ".join(region_label(fitted.nuts_names, c) for c in tender.nuts_codes) or "—",
        deadline_text=_deadline_text(tender.deadline),
        value_text=euros(tender.value_eur),
        cpv=cpv_label_list(fitted.cpv_tree, tender.cpv_codes),
        badges=_badges(tender, lots, feedback),
        lots=[
            LotView(
                lot_id=lot.id, ref=lot.lot_ref, title=localized(lot, "title") or lot.lot_ref,
                value_text=euros(lot.value_eur),
                cpv=cpv_label_list(fitted.cpv_tree, lot.cpv_codes),
                reservation=_reservation_label(lot.reservation),
                best=best_lot is not None and _lot_name(lot) == best_lot,
                gate=gated_lots.get(_lot_name(lot)),
            )
            for lot in lots
        ],
        match=match,
        gates=gates,
        feedback=feedback,
    )


def record_feedback(db: Session, user: User, tender_id: int, action: str) -> str | None:
    """Save or dismiss a tender for the enterprise, or clear that; returns the new state."""
    enterprise = enterprise_of(db, user)
    if db.get(Tender, tender_id) is None:
        raise LookupError(tender_id)
    row = db.exec(select(MatchFeedback).where(
        MatchFeedback.enterprise_id == enterprise.id, MatchFeedback.tender_id == tender_id
    )).first()
    if action == "clear":
        if row is not None:
            db.delete(row)
        db.commit()
        return None
    state = FeedbackAction(action)
    if row is None:
        row = MatchFeedback(enterprise_id=enterprise.id, tender_id=tender_id, action=state.value)
    row.action, row.at = state.value, utcnow()
    db.add(row)
    db.commit()
    return state.value


def feedback_of(db: Session, enterprise_id: int) -> dict[int, str]:
    """Tender id -> "saved" / "dismissed" for one enterprise."""
    rows = db.exec(select(MatchFeedback).where(MatchFeedback.enterprise_id == enterprise_id))
    return {row.tender_id: row.action for row in rows}


# --- helpers ----------------------------------------------------------------------------------

def _now() -> datetime:
    """The moment deadlines are checked against (MATCHER_NOW pins it for demos and tests)."""
    return current_app.config.get("MATCHER_NOW") or datetime.now(UTC)


def filter_mask(db: Session, index: MatchingIndex, filters: MatchFilters) -> np.ndarray:
    """Tenders of the index that pass the filters, as a boolean array (the list's and the
    saved searches' digests and feeds)."""
    mask = index.alive.copy()
    if filters.nuts:
        mask &= index.region_mask(filters.nuts)
    if filters.min_value is not None:
        mask &= np.nan_to_num(index.value, nan=-1.0) >= filters.min_value
    if filters.max_value is not None:
        mask &= ~np.isnan(index.value) & (np.nan_to_num(index.value) <= filters.max_value)
    if filters.deadline_after is not None:
        # NaN (no deadline) compares False: left out, as before.
        mask &= index.deadline >= deadline_after_timestamp(filters.deadline_after)
    if filters.reserved:
        mask &= index.reserved
    if filters.q:
        found = np.zeros(len(mask), dtype=bool)
        found[index.position_array(_text_matches(db, filters.q))] = True
        mask &= found
    return mask


def _text_matches(db: Session, query: str) -> list[int]:
    """Ids of tenders whose title, description, buyer or a lot title holds every word."""
    condition = []
    for word in query.lower().split():
        pattern = f"%{word}%"
        condition.append(or_(
            func.lower(Tender.title).like(pattern),
            func.lower(Tender.description).like(pattern),
            func.lower(Tender.buyer_name).like(pattern),
            exists().where(Lot.tender_id == Tender.id, func.lower(Lot.title).like(pattern)),
        ))
    return list(db.exec(select(Tender.id).where(
        Tender.status != TenderStatus.CLOSED, and_(*condition)
    )))


def _is_reserved(tender: Tender, lots: list[Lot]) -> bool:
    return Reservation(tender.reservation) != Reservation.NONE or any(
        Reservation(lot.reservation) != Reservation.NONE for lot in lots
    )


def _lot_name(lot: Lot) -> str:
    return f"{lot.lot_ref}: {lot.title}" if lot.title else lot.lot_ref


def signal_labels() -> dict[str, str]:
    """The signals' labels in the reader's language, looked up once per list rather than once
    per signal of every row (each lookup goes through the request's translations)."""
    return {name: str(label) for name, label in SIGNAL_LABELS.items()}


def _signal_view(signal: Signal, labels: dict[str, str] | None = None,
                 text: Localizer | None = None) -> SignalView:
    """``labels`` (:func:`signal_labels`) and ``text`` (a :class:`Localizer`) shared by the
    signals of a whole list."""
    labels = labels if labels is not None else signal_labels()
    return SignalView(
        name=signal.name,
        label=labels.get(signal.name, signal.name),
        value=signal.value,
        percent=None if signal.value is None else round(100 * signal.value),
        weight=signal.weight,
        reason=(text or localize)(signal.reason),
    )


def _weight_label(signal: SignalView) -> str:
    """A signal's row label with its weight; a weight that rounds to 0 % but counts reads
    "under 1 %" (the social signal's learned weight is 0.4 %: "weight 0 %" read as not counted)."""
    if signal.weight_percent == 0 and signal.weight > 0:
        return _("%(label)s (weight under 1%%)", label=signal.label)
    return _("%(label)s (weight %(weight)s%%)", label=signal.label, weight=signal.weight_percent)


def _match_view(fitted: FittedMatcher, match: TenderMatch, feedback: str | None,
                brief: bool = False, labels: dict[str, str] | None = None,
                text: Localizer | None = None) -> MatchView:
    tender = fitted.tenders[match.tender_id]
    lots = fitted.lots.get(tender.id, [])
    best = next((lot for lot in lots if lot.id == match.best_lot_id), None)
    labels = labels if labels is not None else signal_labels()
    text = text or Localizer()
    signals = [_signal_view(s, labels, text) for s in match.signals]
    percent = round(100 * match.score)
    if brief:
        return MatchView(
            tender_id=tender.id, best_lot_id=best.id if best else None,
            title=localized(tender, "title"), buyer=tender.buyer_name, place="",
            deadline_text=_deadline_text(tender.deadline), value_text="", score=match.score,
            score_percent=percent, best_lot=_lot_name(best) if best else None,
            signals=signals, badges=[], feedback=feedback, chart=None,
        )
    chart = bar_chart(
        chart_id=f"why-{tender.id}",
        title=_("Score breakdown for %(title)s", title=localized(tender, "title")),
        summary=_("Overall %(score)s%%. ", score=percent) + "; ".join(
            f"{s.label} {percent_text(s.percent)}" if s.percent is not None
            else f"{s.label}: {_('not counted')}" for s in signals
        ),
        rows=[
            (_weight_label(s), s.value,
             percent_text(s.percent) if s.percent is not None else _("not counted"))
            for s in signals
        ],
        label_header=_("Signal"),
        value_header=_("Fit"),
        max_value=1.0,
    )
    return MatchView(
        tender_id=tender.id,
        best_lot_id=best.id if best else None,
        title=localized(tender, "title"),
        buyer=tender.buyer_name,
        place=", ".join(region_label(fitted.nuts_names, c) for c in tender.nuts_codes) or "—",
        deadline_text=_deadline_text(tender.deadline),
        value_text=euros(tender.value_eur),
        score=match.score,
        score_percent=percent,
        best_lot=_lot_name(best) if best else None,
        signals=signals,
        badges=_badges(tender, lots, feedback),
        feedback=feedback,
        chart=chart,
    )


def _gate_view(fitted: FittedMatcher, gate: Gate) -> GateView:
    tender = fitted.tenders[gate.tender_id]
    lot = next((x for x in fitted.lots.get(tender.id, []) if x.id == gate.lot_id), None)
    return GateView(
        tender_id=tender.id, lot_id=gate.lot_id, code=gate.code, title=localized(tender, "title"),
        buyer=tender.buyer_name,
        lot=_lot_name(lot) if lot else None,
        label=str(GATE_LABELS.get(gate.code, gate.code)), reason=localize(gate.reason),
    )


def _reservation_label(reservation) -> str | None:
    label = RESERVATION_LABELS.get(Reservation(reservation))
    return str(label) if label else None


def _badges(tender: Tender, lots: list[Lot], feedback: str | None) -> list[Badge]:
    badges = []
    label = _reservation_label(tender.reservation)
    if label:
        badges.append(Badge(label, "good"))
    elif any(Reservation(lot.reservation) != Reservation.NONE for lot in lots):
        badges.append(Badge(_("Has a reserved lot"), "good"))
    if tender.status == "planned":
        badges.append(Badge(_("Planned"), "plain"))
    days = _days_left(tender.deadline)
    if days is not None and 0 <= days < 1:
        badges.append(Badge(_("Closes within a day"), "warn"))
    elif days is not None and 1 <= days < 14:
        # Rounded: a deadline 1 day 23 hours away is two days off to a reader, not "1 days".
        badges.append(Badge(ngettext("Closes in %(num)s day", "Closes in %(num)s days",
                                     round(days)), "warn"))
    if feedback == FeedbackAction.SAVED:
        badges.append(Badge(_("Saved"), "good"))
    elif feedback == FeedbackAction.DISMISSED:
        badges.append(Badge(_("Dismissed"), "bad"))
    return badges


def _days_left(deadline: datetime | None) -> float | None:
    if deadline is None:
        return None
    moment = deadline if deadline.tzinfo else deadline.replace(tzinfo=UTC)
    return (moment - _now()).total_seconds() / 86400


def _deadline_text(deadline: datetime | None) -> str:
    if deadline is None:
        return _("no deadline yet")
    return moment(deadline)  # in the reader's time zone, with its abbreviation


def _region_chart(index: MatchingIndex, kept: np.ndarray) -> BarChart | None:
    counts = np.bincount(index.region[kept] + 1, minlength=len(index.region_codes) + 1)
    n_kept = int(counts.sum())
    if not n_kept:
        return None
    order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], i))
    rows = [
        (region_label(index.nuts_names, index.region_codes[i - 1]) if i
         else _("place not stated"), float(counts[i]), str(int(counts[i])))
        for i in order[:8]
    ]
    regions = ngettext("%(num)s region", "%(num)s regions", len(order))
    return region_chart(
        "matches-by-region", _("Matching tenders by region"),
        ngettext("%(num)s matching tender in %(regions)s",
                 "%(num)s matching tenders in %(regions)s", n_kept, regions=regions),
        rows, _("Tenders"))


FeedbackChoice = Literal["saved", "dismissed", "clear"]
