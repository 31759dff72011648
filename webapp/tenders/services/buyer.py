"""Contracting authorities: their tenders, the social enterprises that could bid, market research.

Authorities see only the public side of an enterprise (name, kind, region, CPV, description,
website): never turnover, staff figures or an enterprise's feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from sqlmodel import Session, select

from matcher.languages import detect_language
from matcher.reserved import ART20_MIN_DISADVANTAGED_SHARE, is_art77_cpv
from matcher.tenders import (
    STRONG_FIT,
    EnterpriseMatch,
    EnterpriseRanking,
    RegionCount,
    TenderItem,
)
from matcher.tenders.explain import VALUE_BAND_LEVELS, value_band
from models import Enterprise, EnterpriseKind, Reservation, Tender, TenderStatus, User
from webapp.cards import PublicCard
from webapp.errors import Invalid, NotYours
from webapp.i18n import Localizer, localize, number
from webapp.scope import may_read_candidates
from webapp.tenders.services.charts import BarChart, region_chart
from webapp.tenders.services.index import current_index
from webapp.tenders.services.listing import (
    RESERVATION_LABELS,
    STATUS_LABELS,
    Badge,
    SignalView,
    _badges,
    _deadline_text,
    _signal_view,
    signal_labels,
)
from webapp.tenders.services.matching import (
    FittedMatcher,
    cpv_label,
    cpv_label_list,
    enterprise_profile,
    lots_by_tender,
    reference_lists,
    rows_for,
    tender_item,
)
from webapp.tenders.services.profiles import (
    KIND_LABELS,
    _cpv_list,
    _nuts,
    euros,
    region_label,
    unknown_codes,
    unknown_cpv_message,
    unknown_nuts_message,
    validation_errors,
)

#: Below this many qualifying enterprises, an Art. 20 reservation risks too few bids.
ART20_REALISTIC = 3
#: What a buyer reads instead of the value signal's number.
VALUE_BAND_LABELS = {"fits": _l("fits"), "stretch": _l("stretch"),
                     "too_large": _l("too large"), "too_small": _l("too small")}


class InvalidResearch(Invalid):
    """Market research input that cannot be used, with a message per field."""


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _optional_nuts(value: Any) -> Any:
    value = _blank_to_none(value)
    return None if value is None else _nuts(value)


class ResearchInput(BaseModel):
    """A planned tender: what, where, how much, and whether it would be reserved."""

    cpv_codes: Annotated[list[str], BeforeValidator(_cpv_list)] = Field(
        min_length=1, max_length=20, description="Eight-digit CPV codes; the first is the main."
    )
    nuts: Annotated[str | None, BeforeValidator(_optional_nuts)] = Field(
        default=None, description="Place of performance (NUTS code)."
    )
    value_eur: Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_blank_to_none)] = None
    reservation: Literal["none", "art20", "art77"] = "none"
    description: str = Field(default="", max_length=2000,
                             description="What you plan to buy, in a few sentences.")


def parse_research(payload: dict) -> ResearchInput:
    """Validate market research input; InvalidResearch names each bad field."""
    try:
        return ResearchInput.model_validate(payload)
    except ValidationError as error:
        errors = validation_errors(error, default_field="cpv_codes")
        given = payload.get("cpv_codes")
        if "cpv_codes" in errors and (not given or isinstance(given, str) and not given.strip()):
            errors["cpv_codes"] = _("Give at least one CPV code, such as 90910000 (cleaning "
                                    "services).")
        raise InvalidResearch(errors) from None


# --- read models ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class PublicEnterprise(PublicCard):
    """What anyone may see of an enterprise."""

    kind: str
    kind_label: str
    country: str
    nuts: str
    region: str
    regions_served: list[str]
    cpv_codes: list[str]
    cpv: list[str]
    public_service_mission: bool


@dataclass(frozen=True)
class Candidate:
    enterprise: PublicEnterprise
    score: float
    score_percent: int
    best_lot: str | None
    signals: list[SignalView]

    @property
    def strong(self) -> bool:
        """Whether the enterprise counts as able to bid (``STRONG_FIT``)."""
        return self.score >= STRONG_FIT


@dataclass(frozen=True)
class LeftOut:
    """Enterprises that do a tender's work but cannot bid, counted by why not."""

    code: str  # the engine's reason (EnterpriseRanking.left_out): art20, art77_mission, ...
    n_enterprises: int
    message: str  # the sentence in the reader's language


@dataclass(frozen=True)
class TenderRow:
    tender: Tender
    status_label: str
    deadline_text: str
    value_text: str
    badges: list[Badge]


@dataclass
class CandidatesView:
    tender: Tender
    row: TenderRow
    place: str
    cpv: list[str]
    candidates: list[Candidate]
    n_able: int
    region_chart: BarChart | None
    region_counts: list[RegionCount]
    left_out: list[LeftOut]  # who does this work but cannot bid, and why


@dataclass
class ResearchResult:
    research: ResearchInput
    n_able: int
    candidates: list[Candidate]
    region_chart: BarChart | None
    n_art20: int
    art20_region_counts: list[RegionCount]
    art20_verdict: str
    art20_tone: str
    summary: str
    region_counts: list[RegionCount]
    left_out: list[LeftOut]  # as in CandidatesView


# --- use cases --------------------------------------------------------------------------------

def my_tenders(db: Session, user: User) -> list[TenderRow]:
    """The tenders of the user's authority, the open ones first, latest deadline first."""
    tenders = db.exec(
        select(Tender).where(Tender.authority_id == user.authority_id)
        .order_by(Tender.status.desc(), Tender.deadline.desc())
    ).all()
    lots = lots_by_tender(db, [t.id for t in tenders])
    return [_row(t, lots.get(t.id, [])) for t in tenders]


def tender_candidates(db: Session, user: User, tender_id: int, n: int = 20) -> CandidatesView:
    """Social enterprises that could bid for a tender, with why; own tenders only."""
    tender = db.get(Tender, tender_id)
    if not may_read_candidates(user, tender):
        raise NotYours()
    lots = lots_by_tender(db, [tender.id]).get(tender.id, [])
    index = current_index(db)
    item = tender_item(tender, lots)
    ranking = index.matcher.rank_enterprises(item, n=n, min_score=STRONG_FIT)
    fitted = rows_for(db, index, enterprise_ids=[m.enterprise_id for m in ranking.matches])
    lot_names = {lot.id: (f"{lot.lot_ref}: {lot.title}" if lot.title else lot.lot_ref)
                 for lot in lots}
    values = {lot.id: lot.value_eur for lot in lots} if lots else {None: tender.value_eur}
    return CandidatesView(
        tender=tender,
        row=_row(tender, lots),
        place=", ".join(region_label(fitted.nuts_names, c) for c in tender.nuts_codes) or "—",
        cpv=cpv_label_list(fitted.cpv_tree, tender.cpv_codes),
        candidates=_candidates(fitted, ranking.matches, lot_names, values),
        n_able=sum(r.n_enterprises for r in ranking.region_counts),
        region_chart=_region_chart(ranking, "candidates-by-region"),
        region_counts=ranking.region_counts,
        left_out=left_out_reasons(ranking.left_out),
    )


def left_out_reasons(counts: dict[str, int]) -> list[LeftOut]:
    """The engine's left-out counts (``EnterpriseRanking.left_out``), each with its sentence:
    the enterprises that do this work but cannot bid, and why."""
    sentences = {
        "art20": lambda n: ngettext(
            "%(num)s social enterprise does this work but does not qualify for the Art. 20 "
            "reservation (a sheltered workshop, or at least 30%% disadvantaged staff).",
            "%(num)s social enterprises do this work but do not qualify for the Art. 20 "
            "reservation (a sheltered workshop, or at least 30%% disadvantaged staff).", n),
        "art77_mission": lambda n: ngettext(
            "%(num)s social enterprise does this work but has no public-service mission, "
            "which the Art. 77 reservation requires.",
            "%(num)s social enterprises do this work but have no public-service mission, "
            "which the Art. 77 reservation requires.", n),
        "outside_reach": lambda n: ngettext(
            "%(num)s social enterprise does this work but does not serve the tender's place.",
            "%(num)s social enterprises do this work but do not serve the tender's place.", n),
    }
    return [LeftOut(code, n, str(sentences[code](n)))
            for code, n in counts.items() if code in sentences and n]


def check_research(db: Session, research: ResearchInput) -> None:
    """What the format check cannot see: codes missing from the official lists (when they
    are loaded), and an Art. 77 reservation for work Art. 77 does not cover; InvalidResearch
    names the field."""
    errors = {}
    unknown_cpv, unknown_nuts = unknown_codes(db, research.cpv_codes,
                                              [research.nuts] if research.nuts else [])
    if unknown_cpv:
        errors["cpv_codes"] = unknown_cpv_message(unknown_cpv)
    if unknown_nuts:
        errors["nuts"] = unknown_nuts_message(research.nuts)
    main = research.cpv_codes[0] if research.cpv_codes else None
    if research.reservation == "art77" and main and not is_art77_cpv(main):
        errors["reservation"] = _(
            "Art. 77(1) of Directive 2014/24/EU lets a buyer reserve only the health, social "
            "and cultural services whose CPV codes it lists (85000000 to 85323000, and a few "
            "others such as 80110000 and 92500000); %(code)s is not one of them, so this "
            "contract cannot be reserved under Art. 77. An Art. 20 reservation (sheltered "
            "workshops and enterprises with at least 30%% disadvantaged staff) may fit "
            "instead.", code=main)
    if errors:
        raise InvalidResearch(errors)


def market_research(db: Session, research: ResearchInput, n: int = 20) -> ResearchResult:
    """How many social enterprises could bid for a planned tender, where, and who.

    The input is checked first (``check_research``), so every surface answers the same
    inputs with the same counts or the same error."""
    check_research(db, research)
    index = current_index(db)
    # Art. 20: the same planned tender reserved, so only qualifying enterprises count, and
    # only those whose reach takes in its place (the matcher's reach gate); the same inputs
    # give the same count whichever reservation was chosen.
    planned = [_planned_item(research, research.reservation)]
    if research.reservation != "art20":
        planned.append(_planned_item(research, "art20"))
    rankings = index.matcher.rank_enterprises_many(planned, n=n, min_score=STRONG_FIT)
    ranking, art20_counts = rankings[0], rankings[-1].region_counts
    fitted = rows_for(db, index, enterprise_ids=[m.enterprise_id for m in ranking.matches])
    n_able = sum(r.n_enterprises for r in ranking.region_counts)
    n_art20 = sum(r.n_enterprises for r in art20_counts)
    verdict, tone = _art20_verdict(n_art20, art20_counts)
    labels = ", ".join(cpv_label(fitted.cpv_tree, c) for c in research.cpv_codes)
    place = region_label(fitted.nuts_names, research.nuts) if research.nuts else _("anywhere")
    return ResearchResult(
        research=research,
        n_able=n_able,
        candidates=_candidates(fitted, ranking.matches, {}, {None: research.value_eur}),
        region_chart=_region_chart(ranking, "research-by-region"),
        n_art20=n_art20,
        art20_region_counts=art20_counts,
        art20_verdict=verdict,
        art20_tone=tone,
        region_counts=ranking.region_counts,
        left_out=left_out_reasons(ranking.left_out),
        summary=ngettext("%(num)s social enterprise fits a tender for %(cpv)s in %(place)s "
                         "(score of at least %(min)s%%).",
                         "%(num)s social enterprises fit a tender for %(cpv)s in %(place)s "
                         "(score of at least %(min)s%%).",
                         n_able, cpv=labels, place=place, min=round(100 * STRONG_FIT)),
    )


def public_enterprise(fitted_or_db, enterprise: Enterprise,
                      text: Localizer | None = None) -> PublicEnterprise:
    """The public fields of an enterprise, with labels (``text``: the list's Localizer)."""
    if isinstance(fitted_or_db, FittedMatcher):
        tree, names = fitted_or_db.cpv_tree, fitted_or_db.nuts_names
    else:
        tree, names = reference_lists(fitted_or_db)
    kind = EnterpriseKind(enterprise.kind)
    text = text or Localizer()
    return PublicEnterprise(
        **PublicCard.fields_of(enterprise), kind=kind.value,
        kind_label=str(KIND_LABELS[kind]), country=enterprise.country, nuts=enterprise.nuts,
        region=region_label(names, enterprise.nuts, text),
        regions_served=list(enterprise.regions_served), cpv_codes=list(enterprise.cpv_codes),
        cpv=cpv_label_list(tree, enterprise.cpv_codes, text),
        public_service_mission=enterprise.public_service_mission,
    )


# --- helpers ----------------------------------------------------------------------------------

def _planned_item(research: ResearchInput, reservation: str) -> TenderItem:
    return TenderItem(
        id="planned",
        title=research.description[:200],
        description=research.description,
        cpv_codes=list(research.cpv_codes),
        nuts_codes=[research.nuts] if research.nuts else [],
        value_eur=research.value_eur,
        reservation=reservation,
        language=detect_language(research.description),
    )


ART20_PERCENT = round(100 * ART20_MIN_DISADVANTAGED_SHARE)
#: Regions named in the Art. 20 verdict; the rest are summed up as "elsewhere".
ART20_REGIONS_NAMED = 4


def _art20_where(counts: list[RegionCount]) -> str:
    """Where the qualifying enterprises are: "Zuid-Holland: 3; Utrecht: 1"."""
    named = [_("%(region)s: %(n)s", region=c.name, n=c.n_enterprises)
             for c in counts[:ART20_REGIONS_NAMED]]
    rest = sum(c.n_enterprises for c in counts[ART20_REGIONS_NAMED:])
    if rest:
        named.append(_("elsewhere: %(n)s", n=rest))
    return "; ".join(named)


def _art20_verdict(n_art20: int, counts: list[RegionCount]) -> tuple[str, str]:
    if n_art20 >= ART20_REALISTIC:
        return _("Reserving under Art. 20 looks realistic: %(n)s sheltered workshops or "
                 "enterprises with at least %(share)s%% disadvantaged staff that serve the "
                 "place fit this tender, in %(where)s.",
                 n=n_art20, share=ART20_PERCENT, where=_art20_where(counts)), "good"
    if n_art20 > 0:
        return ngettext("Reserving under Art. 20 is possible but risky: only %(num)s "
                        "qualifying enterprise that serves the place fits (in %(where)s), so "
                        "you may receive too few bids.",
                        "Reserving under Art. 20 is possible but risky: only %(num)s "
                        "qualifying enterprises that serve the place fit (in %(where)s), so "
                        "you may receive too few bids.",
                        n_art20, where=_art20_where(counts)), "warn"
    # a parameter, so that "%%" becomes "%" (gettext formats only when given parameters)
    return _("Reserving under Art. 20 does not look realistic: no sheltered workshop or "
             "enterprise with at least %(share)s%% disadvantaged staff that serves the place "
             "fits this tender.", share=ART20_PERCENT), "bad"


def _candidates(fitted: FittedMatcher, matches: list[EnterpriseMatch], lot_names: dict,
                values: dict) -> list[Candidate]:
    """Candidates as other parties see them, best public score first."""
    labels, text = signal_labels(), Localizer()
    made = [_candidate(fitted, m, lot_names, values.get(m.best_lot_id), labels, text)
            for m in matches]
    return sorted(made, key=lambda c: -c.score)


def _candidate(fitted: FittedMatcher, match: EnterpriseMatch, lot_names: dict,
               value_eur: float | None, labels: dict[str, str] | None = None,
               text: Localizer | None = None) -> Candidate:
    """An enterprise for a buyer: its value fit as a coarse band, never a number.

    The engine's value signal (and the score that contains it) is a continuous function of
    the enterprise's private turnover and contract range; a buyer who varies the value of a
    planned tender could read them back. The band is computed against that capacity rounded
    to a 1-2-5 grid (matcher.tenders.explain.value_band), and the score shown here is the
    same weighted mean with the band's level in place of the exact value signal.
    """
    enterprise = fitted.enterprises[match.enterprise_id]
    band = value_band(enterprise_profile(enterprise), value_eur)
    score = _public_score(match, band)
    return Candidate(
        enterprise=public_enterprise(fitted, enterprise, text),
        score=score,
        score_percent=round(100 * score),
        best_lot=lot_names.get(match.best_lot_id),
        signals=[_public_signal(_signal_view(s, labels, text), band) for s in match.signals],
    )


def _public_score(match: EnterpriseMatch, band: str | None) -> float:
    total = weights = 0.0
    for signal in match.signals:
        value = signal.value
        if signal.name == "value":
            value = None if value is None or band is None else VALUE_BAND_LEVELS[band]
        if value is not None:
            total += signal.weight * value
            weights += signal.weight
    return min(1.0, max(0.0, total / weights)) if weights else 0.0


def _public_signal(signal: SignalView, band: str | None) -> SignalView:
    """The value signal as a band with its sentence; the other signals derive from public
    fields (CPV codes, regions, description) and stay as they are."""
    if signal.name != "value":
        return signal
    reasons = {
        None: _("The tender or the enterprise states no value, so value does not count."),
        "fits": _("The contract value fits what the enterprise can take on."),
        "stretch": _("The contract value is somewhat above what the enterprise can take on "
                     "alone; a consortium or lots could help."),
        "too_large": _("The contract value is well above what the enterprise can take on; "
                       "smaller lots would help."),
        "too_small": _("The contract value is below the contracts the enterprise looks for."),
    }
    return replace(signal, value=None, percent=None, band=band, band_label=(
        str(VALUE_BAND_LABELS[band]) if band else None), reason=reasons[band])


def _row(tender: Tender, lots) -> TenderRow:
    return TenderRow(
        tender=tender,
        status_label=str(STATUS_LABELS[TenderStatus(tender.status)]),
        deadline_text=_deadline_text(tender.deadline),
        value_text=euros(tender.value_eur),
        badges=_badges(tender, lots, None),
    )


#: A chart of more regions than this becomes a list: the table below it has them all.
MAX_CHART_REGIONS = 40


def _region_chart(ranking: EnterpriseRanking, chart_id: str) -> BarChart | None:
    counts = ranking.region_counts
    if not counts:
        return None
    # every region, so that the one the buyer asked about is never the one left out
    shown = counts[:MAX_CHART_REGIONS]
    names = [str(localize(c.name)) for c in shown]
    rows = [(name if name.startswith(c.code) else f"{c.code} {name}",
             float(c.n_enterprises), number(c.n_enterprises))
            for c, name in zip(shown, names, strict=True)]
    total = sum(c.n_enterprises for c in counts)
    regions = ngettext("%(num)s region", "%(num)s regions", len(counts))
    return region_chart(
        chart_id, _("Social enterprises that could bid, by region"),
        ngettext("%(num)s enterprise in %(regions)s", "%(num)s enterprises in %(regions)s",
                 total, regions=regions),
        rows, _("Enterprises"))


def reservation_choices() -> list[tuple[str, str]]:
    """The reservations a planned tender can have, with their labels."""
    return [
        ("none", _("Not reserved")),
        ("art20", str(RESERVATION_LABELS[Reservation.ART20])),
        ("art77", str(RESERVATION_LABELS[Reservation.ART77])),
    ]
