"""Working groups over the JSON API.

Stateless: ``POST /groupings`` groups applicants sent in the body (any valid token; nothing is
stored). Stateful, for coordinators and only in their sectors (404 elsewhere): list sectors,
run proposals, read one, move / lock / undo (each with the ``version`` it saw: 409 when
stale), approve, publish, export CSV or XLSX.
"""

from io import BytesIO
from typing import Literal

from flask import g, jsonify, send_file
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from matcher.groupings import Applicant as EngineApplicant
from models import Role
from webapp.api import bp, respond
from webapp.api import openapi as doc
from webapp.api.auth import token_required
from webapp.api.validation import parse_json
from webapp.db import get_session
from webapp.groupings import services as groupings
from webapp.groupings.services import ApplicantCard, RunParameters

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- request and response models (they are also the OpenAPI schemas) -------------------------


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    interests: list[str] = Field(default_factory=list, max_length=100)
    motivation: str = Field("", max_length=5000)
    size: float | None = Field(None, ge=0, description="Population served or yearly spend")
    country: str = Field("", max_length=2)
    nuts: str = Field("", max_length=5)
    languages: list[str] = Field(default_factory=list, max_length=30)
    name: str = Field("", max_length=300)


class GroupingIn(RunParameters):
    """Applicants and settings; weights of 0 switch a criterion off.

    The run's settings are the coordinator's (`RunParameters`); this adds only what is its own:
    the applicants and the pairs to keep together or apart.
    """

    model_config = ConfigDict(extra="forbid")

    applicants: list[ApplicantIn] = Field(min_length=1, max_length=2000)
    together: list[tuple[str, str]] = Field(default_factory=list)
    apart: list[tuple[str, str]] = Field(default_factory=list)
    # This API has always answered one proposal unless asked, and named this `large_buyer`.
    n_alternatives: int = Field(1, ge=1, le=5, description="How many alternative proposals")
    large_buyers: Literal["off", "soft", "hard"] = Field(
        "off", validation_alias="large_buyer",
        description="Spread the largest buyers over the groups: off, soft or hard")

    @field_validator("applicants")
    @classmethod
    def _unique_ids(cls, applicants: list[ApplicantIn]) -> list[ApplicantIn]:
        seen, twice = set(), []
        for a in applicants:
            if a.id in seen:
                twice.append(a.id)
            seen.add(a.id)
        if twice:
            raise ValueError(_("duplicate applicant ids: %(ids)s",
                               ids=", ".join(sorted(set(twice)))))
        return applicants

    @field_validator("together", "apart")
    @classmethod
    def _known_ids(cls, pairs: list[tuple[str, str]], info: ValidationInfo):
        known = {a.id for a in info.data.get("applicants") or []}
        unknown = sorted({i for pair in pairs for i in pair if i not in known})
        if info.data.get("applicants") is not None and unknown:
            raise ValueError(ngettext("unknown applicant id: %(ids)s",
                                      "unknown applicant ids: %(ids)s",
                                      len(unknown), ids=", ".join(unknown)))
        return pairs


class GroupOut(BaseModel):
    members: list[str]
    score: float
    explanation: dict


class WaitOut(BaseModel):
    id: str
    reason: str


class AlternativeOut(BaseModel):
    groups: list[GroupOut]
    waitlist: list[WaitOut]
    objective: float


class GroupingOut(AlternativeOut):
    alternatives: list[AlternativeOut] = Field(
        default_factory=list, description="Further distinct proposals, best first")


class SectorOut(BaseModel):
    slug: str
    name: str
    n_applications: int
    n_proposals: int
    latest_status: str | None


class MemberOut(ApplicantCard):
    locked: bool
    why_here: list[str]
    best_alternative: str


class StoredGroupOut(BaseModel):
    id: int
    number: int
    score: float
    members: list[MemberOut]
    explanation: dict


class StoredWaitOut(BaseModel):
    application_id: int
    name: str
    rank: int
    reason: str


class ProposalOut(BaseModel):
    id: int
    sector: str
    run_key: str
    alternative: int
    alternatives: list[int] = Field(description="Ids of the proposals of the same run")
    status: Literal["draft", "approved", "published", "retired"]
    version: int
    objective: float
    parameters: RunParameters
    groups: list[StoredGroupOut]
    waitlist: list[StoredWaitOut]


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version you saw; a stale one answers 409")


class MoveIn(VersionIn):
    application_id: int
    target: int | Literal["waitlist"] = Field(description="A group number, or 'waitlist'")


class LockIn(VersionIn):
    application_id: int
    locked: bool = True


# --- helpers ----------------------------------------------------------------------------------

#: What a member shows of its applicant; the rest (the engine's inputs, the application's own
#: text) stays in the service.
_CARD_FIELDS = set(ApplicantCard.model_fields)


def _alternative(p) -> AlternativeOut:
    return AlternativeOut(
        groups=[GroupOut(members=list(m), score=s, explanation=e)
                for m, s, e in zip(p.groups, p.scores, p.explanations, strict=True)],
        waitlist=[WaitOut(id=i, reason=r) for i, r in p.waitlist], objective=p.objective)


def _proposal_out(slug: str, proposal_id: int) -> ProposalOut:
    loaded, applicants = groupings.proposal_record(get_session(), g.user, slug, proposal_id)
    p = loaded.proposal
    groups = []
    for group in loaded.groups:
        members = []
        for m in loaded.members[group.id]:
            a = applicants[m.application_id]
            why, best = groupings.member_reasons(group.explanation or {}, a.application_id)
            members.append(MemberOut(**a.model_dump(include=_CARD_FIELDS), locked=m.locked,
                                     why_here=why, best_alternative=best))
        groups.append(StoredGroupOut(id=group.id, number=group.number, score=group.score,
                                     members=members, explanation=group.explanation or {}))
    return ProposalOut(
        id=p.id, sector=loaded.sector.slug, run_key=p.run_key, alternative=p.alternative,
        alternatives=groupings.alternative_ids(get_session(), p), status=p.status.value,
        version=p.version, objective=p.objective,
        parameters=groupings.stored_parameters(p.parameters), groups=groups,
        waitlist=[StoredWaitOut(application_id=w.application_id,
                                name=applicants[w.application_id].name, rank=w.rank,
                                reason=w.reason) for w in loaded.waitlist])


# --- stateless --------------------------------------------------------------------------------

@bp.post("/groupings")
@token_required()
def grouping_run():
    """Group the applicants in the body; nothing is stored."""
    body = parse_json(GroupingIn)
    applicants = [EngineApplicant(**a.model_dump()) for a in body.applicants]
    proposals = groupings.group_applicants(applicants, body, together=body.together,
                                           apart=body.apart)
    best = _alternative(proposals[0])
    return respond(GroupingOut(**best.model_dump(),
                             alternatives=[_alternative(p) for p in proposals[1:]]))


# --- stateful (coordinators) ------------------------------------------------------------------

@bp.get("/groupings/sectors")
@token_required(Role.COORDINATOR)
def grouping_sectors():
    """The sectors the coordinator runs, with their pool sizes."""
    rows = groupings.coordinated_sectors(get_session(), g.user)
    return jsonify([SectorOut(slug=s.sector.slug, name=s.sector.name,
                              n_applications=s.n_applications, n_proposals=s.n_proposals,
                              latest_status=s.latest_status).model_dump() for s in rows])


@bp.post("/groupings/sectors/<slug>/proposals")
@token_required(Role.COORDINATOR)
def grouping_generate(slug: str):
    """Run the engine for a sector and store its alternatives; answers the best one."""
    parameters = parse_json(RunParameters)
    proposal = groupings.generate(get_session(), g.user, slug, parameters)
    return respond(_proposal_out(slug, proposal.id), 201)


@bp.get("/groupings/sectors/<slug>/proposals/<int:proposal_id>")
@token_required(Role.COORDINATOR)
def grouping_proposal(slug: str, proposal_id: int):
    """A stored proposal with its groups, explanations and waitlist."""
    return respond(_proposal_out(slug, proposal_id))


def _edit(slug: str, proposal_id: int, change):
    change(get_session())
    return respond(_proposal_out(slug, proposal_id))


@bp.post("/groupings/sectors/<slug>/proposals/<int:proposal_id>/move")
@token_required(Role.COORDINATOR)
def grouping_move(slug: str, proposal_id: int):
    """Move a member to another group or to the waitlist; both groups are re-scored."""
    body = parse_json(MoveIn)
    return _edit(slug, proposal_id, lambda db: groupings.move(
        db, g.user, slug, proposal_id, body.application_id, str(body.target), body.version))


@bp.post("/groupings/sectors/<slug>/proposals/<int:proposal_id>/lock")
@token_required(Role.COORDINATOR)
def grouping_lock(slug: str, proposal_id: int):
    """Lock (or with locked=false unlock) a member in its group."""
    body = parse_json(LockIn)
    return _edit(slug, proposal_id, lambda db: groupings.set_locked(
        db, g.user, slug, proposal_id, body.application_id, body.locked, body.version))


@bp.post("/groupings/sectors/<slug>/proposals/<int:proposal_id>/<any(undo, approve, publish):step>")
@token_required(Role.COORDINATOR)
def grouping_step(slug: str, proposal_id: int, step: str):
    """Undo the last move, approve the draft, or publish the approved proposal."""
    body = parse_json(VersionIn)
    action = {"undo": groupings.undo, "approve": groupings.approve,
              "publish": groupings.publish}[step]
    return _edit(slug, proposal_id,
                 lambda db: action(db, g.user, slug, proposal_id, body.version))


@bp.get("/groupings/sectors/<slug>/proposals/<int:proposal_id>/export.<any(csv, xlsx):fmt>")
@token_required(Role.COORDINATOR)
def grouping_export(slug: str, proposal_id: int, fmt: str):
    """The proposal as CSV or XLSX."""
    exporter = groupings.export_csv if fmt == "csv" else groupings.export_xlsx
    name, content = exporter(get_session(), g.user, slug, proposal_id)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else _XLSX
    return send_file(BytesIO(content), as_attachment=True, download_name=name, mimetype=mimetype)


# --- OpenAPI ------------------------------------------------------------------------------------

_SLUG = doc.path_param("slug", "string")
_PID = doc.path_param("proposal_id")


def _edit_path(summary: str, body: str) -> dict:
    return {"post": doc.operation(
        summary, doc.ok("GroupingProposal", "The proposal after the change"),
        "Unauthorized", "Forbidden", "NotFound", "Conflict", "Invalid",
        parameters=[_SLUG, _PID], request=body)}


def _export_path(summary: str, description: str, media_type: str, schema: dict) -> dict:
    return {"get": doc.operation(
        summary, {"description": description, "content": {media_type: {"schema": schema}}},
        "Unauthorized", "Forbidden", "NotFound", parameters=[_SLUG, _PID])}


_PROPOSAL = "/groupings/sectors/{slug}/proposals/{proposal_id}"

OPENAPI_PATHS = {
    "/groupings": {"post": doc.operation(
        "Group applicants sent in the body (stateless; nothing is stored)",
        doc.ok("GroupingResult", "Groups, waitlist and objective"),
        "Unauthorized", "Invalid", request="GroupingRequest")},
    "/groupings/sectors": {"get": doc.operation(
        "Coordinators: my sectors with their pool sizes",
        doc.ok("GroupingSector", "Sectors", array=True), "Unauthorized", "Forbidden")},
    "/groupings/sectors/{slug}/proposals": {"post": doc.operation(
        "Coordinators: run the engine for a sector and store the alternatives",
        doc.ok("GroupingProposal", "The best proposal of the run"),
        "Unauthorized", "Forbidden", "NotFound", "Invalid",
        status="201", parameters=[_SLUG], request="GroupingParameters")},
    _PROPOSAL: {"get": doc.operation(
        "Coordinators: a proposal with groups, explanations and waitlist",
        doc.ok("GroupingProposal", "The proposal"),
        "Unauthorized", "Forbidden", "NotFound", parameters=[_SLUG, _PID])},
    _PROPOSAL + "/move": _edit_path("Move a member to a group or the waitlist", "GroupingMove"),
    _PROPOSAL + "/lock": _edit_path("Lock or unlock a member in its group", "GroupingLock"),
    _PROPOSAL + "/undo": _edit_path("Undo the last move", "GroupingVersion"),
    _PROPOSAL + "/approve": _edit_path("Approve the draft (no more edits)", "GroupingVersion"),
    _PROPOSAL + "/publish": _edit_path("Publish to the authorities", "GroupingVersion"),
    _PROPOSAL + "/export.csv": _export_path("The proposal as CSV", "CSV", "text/csv",
                                            {"type": "string"}),
    _PROPOSAL + "/export.xlsx": _export_path("The proposal as an Excel workbook", "XLSX", _XLSX,
                                             {"type": "string", "format": "binary"}),
}

OPENAPI_SCHEMAS = {
    "GroupingRequest": GroupingIn,
    "GroupingResult": GroupingOut,
    "GroupingSector": SectorOut,
    "GroupingParameters": RunParameters,
    "GroupingProposal": ProposalOut,
    "GroupingMove": MoveIn,
    "GroupingLock": LockIn,
    "GroupingVersion": VersionIn,
}

