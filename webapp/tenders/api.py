"""Enterprises, tenders, matches in both directions and market research over the JSON API.

Who may do what:

- ``POST /enterprises``: an enterprise user whose account has no enterprise yet creates its
  own (and is linked to it); a coordinator creates any. Authorities may not (403).
- ``GET /enterprises/{id}``: the enterprise's own users (and coordinators) get the full record
  with its feedback; everyone else gets the public fields only (never turnover, staff
  figures or feedback).
- ``PATCH``/``PUT /enterprises/{id}``: its own users only; any other id answers 404, so the
  existence of other enterprises does not leak through this route.
- ``GET /enterprises/{id}/matches``: its own users and coordinators; 404 otherwise.
- ``GET /tenders/{id}/candidates``: authorities for their own tenders, coordinators any.
- ``POST /market-research``: authorities and coordinators.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from flask import abort, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, create_model

from matcher.tenders import STRONG_FIT
from models import Enterprise, Role, Tender
from webapp import ratelimit
from webapp.api import bp, respond
from webapp.api import openapi as doc
from webapp.api.auth import token_required
from webapp.api.validation import InvalidInput, parse_json, parse_query
from webapp.db import get_session
from webapp.tenders import services as tenders
from webapp.tenders.services import InvalidProfile, ListFilters, MatchFilters, ProfileInput, buyer
from webapp.tenders.services.catalogue import TenderQuery, search_tenders
from webapp.tenders.services.matching import lots_by_tender

# --- models (also the OpenAPI schemas) --------------------------------------------------------


def _partial(model: type[BaseModel], name: str, doc_: str) -> type[BaseModel]:
    """``model`` with every field optional and only typed: a PATCH sends any subset, and the
    profile merged from it is validated as a whole by ``model`` itself (one set of rules)."""
    fields = {field_name: (info.annotation | None, Field(default=None,
                                                          description=info.description))
              for field_name, info in model.model_fields.items()}
    return create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc_, **fields)


EnterprisePatch = _partial(ProfileInput, "EnterprisePatch",
                           "Any subset of the profile's fields; the merged profile is validated "
                           "as a whole.")


class EnterprisePublicOut(BaseModel):
    """What anyone may see of an enterprise, read from the table row (or a page's read model)."""

    # No other property: the full record must not also match this schema (a `oneOf` with both
    # branches matching is invalid), so the public schema is closed.
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    id: int
    name: str
    kind: str
    country: str
    nuts: str
    regions_served: list[str]
    cpv_codes: list[str]
    description: str
    website: str
    public_service_mission: bool
    contact_name: str = Field(description="Whom buyers may write to.")
    contact_email: str


class FeedbackOut(BaseModel):
    tender_id: int
    action: Literal["saved", "dismissed"]


class EnterpriseOut(EnterprisePublicOut):
    """The full record, for the enterprise itself (and coordinators)."""

    disadvantaged_share: float
    employees: int | None
    turnover_eur: int | None
    min_contract_value_eur: int | None
    max_contract_value_eur: int | None
    languages: list[str]
    reach: str
    feedback: list[FeedbackOut] = Field(default_factory=list)


class LotOut(BaseModel):
    id: int
    lot_ref: str
    title: str
    description: str
    cpv_codes: list[str]
    value_eur: float | None
    reservation: Literal["none", "art20", "art77"]


class TenderOut(BaseModel):
    id: int
    source: str
    source_id: str
    title: str
    buyer_name: str
    authority_id: int | None
    description: str
    cpv_main: str
    cpv_additional: list[str]
    nuts_codes: list[str]
    value_eur: float | None
    deadline: datetime | None
    published_at: datetime | None
    procedure: str
    reservation: Literal["none", "art20", "art77"]
    status: Literal["planned", "open", "closed"]
    url: str
    lots: list[LotOut]


class TenderListOut(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TenderOut]


class TenderListQuery(BaseModel):
    cpv: Annotated[str | None, Field(pattern=r"^\d{2,8}$")] = None
    nuts: Annotated[str | None, Field(pattern=r"^[A-Za-z]{2}[A-Za-z0-9]{0,3}$")] = None
    min_value: float | None = Field(default=None, ge=0)
    max_value: float | None = Field(default=None, ge=0)
    reserved: bool | None = None
    deadline_after: datetime | date | None = None
    q: str = Field(default="", max_length=200)
    status: Literal["planned", "open", "closed"] | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)  # beyond any catalogue; SQL-safe


STRONG_DESCRIPTION = (
    "An addition to v1 (December 2026): whether the score reaches the strong-fit line "
    f"({STRONG_FIT}), from which an enterprise's list shows the tender among its strong "
    "matches and a buyer's research counts the enterprise as able to bid.")


class SignalOut(BaseModel):
    name: str
    value: float | None = Field(description=(
        "In [0, 1]; null when the signal does not count, and for the value signal in views "
        "of other parties' enterprises (candidates, market research), which get `band`."))
    weight: float
    reason: str
    band: Literal["fits", "stretch", "too_large", "too_small"] | None = Field(
        default=None, description=(
            "Other parties' view of the value signal: how the contract value sits with the "
            "enterprise's capacity, coarsely (its figures stay private)."))


class GateOut(BaseModel):
    tender_id: int
    lot_id: int | None
    code: str
    reason: str


class BestLotOut(BaseModel):
    id: int
    name: str


class MatchOut(BaseModel):
    tender_id: int
    title: str
    buyer_name: str
    deadline: str
    score: float
    strong: bool = Field(description=STRONG_DESCRIPTION)
    best_lot: BestLotOut | None
    signals: list[SignalOut]
    feedback: Literal["saved", "dismissed"] | None


class MatchesOut(BaseModel):
    enterprise_id: int
    total: int
    matches: list[MatchOut]
    gates: list[GateOut] | None = Field(
        default=None, description="Tenders left out and why (with include_gates=true)."
    )


class MatchesQuery(ListFilters):
    """The page's filters (the catalogue's names), a length, and whether to list the gates."""

    limit: int = Field(default=20, ge=1, le=200)
    include_gates: bool = False


class RegionCountOut(BaseModel):
    code: str
    name: str
    n_enterprises: int


class LeftOutOut(BaseModel):
    code: Literal["art20", "art77_mission", "outside_reach"] = Field(
        description="Why they cannot bid: art20, not qualifying for the Art. 20 reservation; "
                    "art77_mission, no public-service mission for an Art. 77 reservation; "
                    "outside_reach, not serving the tender's place.")
    n_enterprises: int
    message: str = Field(description="The same, as a sentence in the reader's language.")


class CandidateOut(BaseModel):
    enterprise: EnterprisePublicOut
    score: float
    strong: bool = Field(description=STRONG_DESCRIPTION)
    best_lot: str | None
    signals: list[SignalOut]


class CandidatesOut(BaseModel):
    tender_id: int
    n_able: int = Field(
        description=f"Enterprises scoring at least {STRONG_FIT}, counted per region.")
    region_counts: list[RegionCountOut]
    candidates: list[CandidateOut]
    left_out: list[LeftOutOut] = Field(
        default_factory=list,
        description="An addition to v1 (December 2026): the enterprises that do this work "
                    "but cannot bid, counted by why not.")


class CandidatesQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)


class MarketResearchOut(BaseModel):
    n_able: int
    n_art20: int = Field(description="Enterprises that qualify under Art. 20, serve the place "
                                     "and would fit the tender reserved under it.")
    art20_region_counts: list[RegionCountOut] = Field(
        description="Where those qualifying enterprises are (NUTS 2).")
    art20_verdict: str
    region_counts: list[RegionCountOut]
    candidates: list[CandidateOut]
    left_out: list[LeftOutOut] = Field(default_factory=list,
                                       description="As in the candidates answer.")


# --- helpers ----------------------------------------------------------------------------------

def _left_out(reasons) -> list[LeftOutOut]:
    return [LeftOutOut.model_validate(r, from_attributes=True) for r in reasons]


def _region_counts_out(counts) -> list[RegionCountOut]:
    return [RegionCountOut(code=r.code, name=r.name, n_enterprises=r.n_enterprises)
            for r in counts]


def _public(enterprise: Enterprise) -> EnterprisePublicOut:
    return EnterprisePublicOut.model_validate(enterprise)


def _full(enterprise: Enterprise) -> EnterpriseOut:
    feedback = tenders.feedback_of(get_session(), enterprise.id)
    return EnterpriseOut.model_validate(enterprise).model_copy(update={"feedback": [
        FeedbackOut(tender_id=t, action=a) for t, a in sorted(feedback.items())]})


def _tender_out(tender: Tender, lots) -> TenderOut:
    return TenderOut(
        id=tender.id, source=tender.source, source_id=tender.source_id, title=tender.title,
        buyer_name=tender.buyer_name, authority_id=tender.authority_id,
        description=tender.description, cpv_main=tender.cpv_main,
        cpv_additional=list(tender.cpv_additional), nuts_codes=list(tender.nuts_codes),
        value_eur=tender.value_eur, deadline=tender.deadline, published_at=tender.published_at,
        procedure=tender.procedure, reservation=str(tender.reservation.value),
        status=str(tender.status.value), url=tender.url,
        lots=[LotOut(id=lot.id, lot_ref=lot.lot_ref, title=lot.title,
                     description=lot.description, cpv_codes=list(lot.cpv_codes),
                     value_eur=lot.value_eur, reservation=str(lot.reservation.value))
              for lot in lots],
    )


def _signals(signals) -> list[SignalOut]:
    return [SignalOut(name=s.name, value=s.value, weight=s.weight_percent / 100,
                      reason=s.reason, band=s.band) for s in signals]


def _candidate_out(candidate: buyer.Candidate) -> CandidateOut:
    return CandidateOut(
        enterprise=EnterprisePublicOut.model_validate(candidate.enterprise),
        score=round(candidate.score, 4), strong=candidate.strong, best_lot=candidate.best_lot,
        signals=_signals(candidate.signals),
    )


def _own_enterprise(enterprise_id: int) -> Enterprise:
    """The caller's own enterprise (coordinators: any); 404 for anything else."""
    user = g.user
    enterprise = get_session().get(Enterprise, enterprise_id)
    own = user.role == Role.ENTERPRISE and user.enterprise_id == enterprise_id
    if enterprise is None or not (own or user.role == Role.COORDINATOR):
        abort(404, _("No such enterprise, or not yours."))
    return enterprise


# --- enterprises ------------------------------------------------------------------------------

@bp.post("/enterprises")
@token_required(Role.ENTERPRISE, Role.COORDINATOR)
def enterprise_create():
    """Create an enterprise profile (your own when your account has none; coordinators any)."""
    data = parse_json(ProfileInput)
    db = get_session()
    try:
        enterprise = tenders.create_enterprise(db, g.user, data)
    except InvalidProfile as invalid:
        if "body" in invalid.errors:
            abort(409, invalid.errors["body"])
        raise InvalidInput(invalid.errors) from None
    return respond(_full(enterprise), 201)


@bp.get("/enterprises/<int:enterprise_id>")
@token_required()
def enterprise_show(enterprise_id: int):
    """The full record for its own users and coordinators; public fields for everyone else."""
    enterprise = get_session().get(Enterprise, enterprise_id) or abort(404)
    user = g.user
    if user.role == Role.COORDINATOR or user.enterprise_id == enterprise_id:
        return respond(_full(enterprise))
    return respond(_public(enterprise))


@bp.route("/enterprises/<int:enterprise_id>", methods=["PATCH", "PUT"])
@token_required(Role.ENTERPRISE)
def enterprise_update(enterprise_id: int):
    """Change your own profile: PUT sends it whole, PATCH only the fields that change."""
    db = get_session()
    enterprise = tenders.editable_enterprise(db, g.user, enterprise_id)
    try:
        if request.method == "PUT":
            tenders.update_profile(db, enterprise, parse_json(ProfileInput))
        else:
            changes = parse_json(EnterprisePatch).model_dump(exclude_unset=True)
            tenders.patch_profile(db, enterprise, changes)
    except InvalidProfile as invalid:
        raise InvalidInput(invalid.errors) from None
    return respond(_full(enterprise))


@bp.get("/enterprises/<int:enterprise_id>/matches")
@token_required(Role.ENTERPRISE, Role.COORDINATOR)
def enterprise_matches(enterprise_id: int):
    """Open tenders for the enterprise, best first, with the best lot and each signal's reason."""
    query = parse_query(MatchesQuery)
    enterprise = _own_enterprise(enterprise_id)
    view = tenders.ranked_for(get_session(), enterprise, MatchFilters(
        **query.model_dump(exclude={"include_gates"}), show_excluded=query.include_gates),
        brief=True)
    return respond(MatchesOut(
        enterprise_id=enterprise.id,
        total=view.n_total,
        matches=[
            MatchOut(tender_id=m.tender_id, title=m.title, buyer_name=m.buyer,
                     deadline=m.deadline_text, score=round(m.score, 4), strong=m.strong,
                     best_lot=BestLotOut(id=m.best_lot_id, name=m.best_lot)
                     if m.best_lot_id is not None else None,
                     signals=_signals(m.signals), feedback=m.feedback)
            for m in view.matches
        ],
        gates=[GateOut(tender_id=x.tender_id, lot_id=x.lot_id, code=x.code, reason=x.reason)
               for x in view.excluded] if query.include_gates else None,
    ))


# --- tenders ----------------------------------------------------------------------------------

@bp.get("/tenders")
@token_required()
def tender_list():
    """Tenders, filtered (cpv, nuts, min/max value, reserved, deadline_after, q, status)."""
    query = parse_query(TenderListQuery)
    deadline_after = query.deadline_after
    if isinstance(deadline_after, date) and not isinstance(deadline_after, datetime):
        deadline_after = datetime.combine(deadline_after, datetime.min.time())
    page = search_tenders(get_session(), TenderQuery(
        cpv=query.cpv, nuts=query.nuts.upper() if query.nuts else None,
        min_value=query.min_value, max_value=query.max_value, reserved=query.reserved,
        deadline_after=deadline_after, q=query.q, status=query.status,
        limit=query.limit, offset=query.offset,
    ))
    return respond(TenderListOut(
        total=page.total, limit=query.limit, offset=query.offset,
        items=[_tender_out(t, page.lots.get(t.id, [])) for t in page.tenders],
    ))


@bp.get("/tenders/<int:tender_id>")
@token_required()
def tender_show(tender_id: int):
    """One tender with its lots."""
    db = get_session()
    tender = db.get(Tender, tender_id) or abort(404, _("No such tender."))
    return respond(_tender_out(tender, lots_by_tender(db, [tender.id]).get(tender.id, [])))


@bp.get("/tenders/<int:tender_id>/candidates")
@token_required(Role.AUTHORITY, Role.COORDINATOR)
def tender_candidates(tender_id: int):
    """Social enterprises that could bid for one of your tenders (coordinators: any)."""
    query = parse_query(CandidatesQuery)
    view = buyer.tender_candidates(get_session(), g.user, tender_id, n=query.limit)
    return respond(CandidatesOut(
        tender_id=tender_id, n_able=view.n_able,
        region_counts=_region_counts_out(view.region_counts),
        candidates=[_candidate_out(c) for c in view.candidates], left_out=_left_out(view.left_out),
    ))


@bp.post("/market-research")
@token_required(Role.AUTHORITY, Role.COORDINATOR)
def market_research():
    """For a planned tender: how many social enterprises could bid, where, and who."""
    planned = parse_json(buyer.ResearchInput)
    ratelimit.check("market-research", g.user.id, "MARKET_RESEARCH_LIMIT")
    result = buyer.market_research(get_session(), planned)
    return respond(MarketResearchOut(
        n_able=result.n_able, n_art20=result.n_art20, art20_verdict=result.art20_verdict,
        art20_region_counts=_region_counts_out(result.art20_region_counts),
        region_counts=_region_counts_out(result.region_counts),
        candidates=[_candidate_out(c) for c in result.candidates],
        left_out=_left_out(result.left_out),
    ))


# --- OpenAPI ----------------------------------------------------------------------------------

_ENTERPRISE = "EnterpriseFull (own, coordinators) or EnterprisePublic (anyone else)"
_ENTERPRISE_ID = doc.path_param("enterprise_id")
_TENDER_ID = doc.path_param("tender_id")
_SAVED_PROFILE = doc.ok("EnterpriseFull", "The saved profile")


def _ranking(summary: str, schema: str, description: str, of: dict, query) -> dict:
    """A match ranking for one enterprise or one tender (the path's id), filtered by ``query``."""
    return {"get": doc.operation(summary, doc.ok(schema, description),
                                 "Unauthorized", "Forbidden", "NotFound", "Invalid",
                                 parameters=[of, *doc.query_params(query)])}


OPENAPI_PATHS = {
    "/enterprises": {"post": doc.operation(
        "Create an enterprise: your own if your account has none; coordinators any",
        doc.ok("EnterpriseFull", "The created enterprise"),
        "Unauthorized", "Forbidden", "Invalid", "Conflict", status="201", request="EnterpriseIn")},
    "/enterprises/{enterprise_id}": {
        "get": doc.operation(
            "An enterprise: " + _ENTERPRISE,
            {"description": _ENTERPRISE, "content": {"application/json": {
                "schema": {"oneOf": [{"$ref": "#/components/schemas/EnterpriseFull"},
                                     {"$ref": "#/components/schemas/EnterprisePublic"}]}}}},
            "Unauthorized", "NotFound", parameters=[_ENTERPRISE_ID]),
        "put": doc.operation(
            "Replace your own profile (404 for any other id)", _SAVED_PROFILE,
            "Unauthorized", "Forbidden", "NotFound", "Invalid", parameters=[_ENTERPRISE_ID],
            request="EnterpriseIn"),
        "patch": doc.operation(
            "Change fields of your own profile (404 for any other id)", _SAVED_PROFILE,
            "Unauthorized", "Forbidden", "NotFound", "Invalid", parameters=[_ENTERPRISE_ID],
            request="EnterprisePatch"),
    },
    "/enterprises/{enterprise_id}/matches": _ranking(
        "Open tenders for your enterprise, ranked, with the best lot and reasons",
        "Matches", "Ranked tenders", _ENTERPRISE_ID, MatchesQuery),
    "/tenders": {"get": doc.operation(
        "Tenders, filtered and paginated", doc.ok("TenderList", "A page of tenders and the total"),
        "Unauthorized", "Invalid", parameters=doc.query_params(TenderListQuery))},
    "/tenders/{tender_id}": {"get": doc.operation(
        "One tender with its lots", doc.ok("Tender", "The tender"),
        "Unauthorized", "NotFound", parameters=[_TENDER_ID])},
    "/tenders/{tender_id}/candidates": _ranking(
        "Social enterprises that could bid for your tender (coordinators: any)",
        "Candidates", "Ranked enterprises, public fields only", _TENDER_ID, CandidatesQuery),
    "/market-research": {"post": doc.operation(
        "For a planned tender: how many social enterprises could bid, where, who",
        doc.ok("MarketResearch", "Counts per region and the enterprises"),
        "Unauthorized", "Forbidden", "Invalid", "TooMany", request="MarketResearchIn")},
}

OPENAPI_SCHEMAS = {
    "EnterpriseIn": ProfileInput,
    "EnterprisePatch": EnterprisePatch,
    "EnterprisePublic": EnterprisePublicOut,
    "EnterpriseFull": EnterpriseOut,
    "Tender": TenderOut,
    "TenderList": TenderListOut,
    "Matches": MatchesOut,
    "Candidates": CandidatesOut,
    "MarketResearchIn": buyer.ResearchInput,
    "MarketResearch": MarketResearchOut,
}
