"""Authorities' groups, answers and wishes over the JSON API; coordinators' view of answers.

The same service functions and the same rules as the pages: an authority sees only its own
applications and the published groups it belongs to; anything else is 404.
"""

from datetime import datetime
from typing import Literal

from flask import g, request
from pydantic import BaseModel, Field

from models import Role
from webapp.api import bp, respond
from webapp.api import openapi as doc
from webapp.api.auth import token_required
from webapp.api.validation import InvalidInput, parse_json
from webapp.db import get_session
from webapp.groupings.services import applications, members
from webapp.groupings.services.applications import ApplicationCreate, ApplicationUpdate
from webapp.inputs import MAX_ROW_ID, row_id

# --- request and response models (they are also the OpenAPI schemas) -------------------------


class AnswerIn(BaseModel):
    answer: Literal["accepted", "declined"]
    reason: str = Field(default="", max_length=members.MAX_REASON_LENGTH,
                        description="Needed when declining.")


class WishIn(BaseModel):
    application_id: int = Field(description="Your application; the wish is for its sector.")
    other_authority_id: int = Field(description="Another applicant of the same sector.")
    kind: Literal["together", "apart"]


class SectorOut(BaseModel):
    id: int
    slug: str
    name: str


class ApplicationOut(BaseModel):
    id: int
    sector: SectorOut
    topics: list[str]
    preference_rank: int
    group_id: int | None = Field(description="Your group in the sector's published proposal.")
    answer: Literal["accepted", "declined"] | None
    status: Literal["submitted", "withdrawn"] = "submitted"
    motivation: str = ""
    editable: bool = Field(default=True, description="False once withdrawn, or once a "
                           "published proposal placed it in a group (it can still be withdrawn).")


class ProfileOut(BaseModel):
    id: int
    name: str
    kind: str
    country: str
    nuts: str
    population: int | None
    languages: list[str]
    description: str
    website: str


class PartnerOut(BaseModel):
    profile: ProfileOut
    reasons: list[str]
    shared_topics: list[str]


class ResponseOut(BaseModel):
    answer: Literal["accepted", "declined"]
    reason: str
    answered_at: datetime


class GroupOut(BaseModel):
    id: int
    number: int
    proposal_id: int
    sector: SectorOut
    why_here: list[str]
    partners: list[PartnerOut]
    makeup: str = Field(description="The group's make-up in one sentence.")
    response: ResponseOut | None


class WishOut(BaseModel):
    id: int
    sector_id: int
    sector_name: str
    authority_name: str
    other_name: str
    kind: Literal["together", "apart"]
    accepted: bool


class AnswerRowOut(BaseModel):
    group_id: int
    group_number: int
    authority_id: int
    authority_name: str
    answer: Literal["accepted", "declined"] | None
    reason: str
    answered_at: datetime | None
    withdrawn: bool = Field(default=False, description="The authority withdrew its "
                            "application after the publication.")


class ReviewOut(BaseModel):
    sector: SectorOut
    proposal_id: int | None
    answers: list[AnswerRowOut]
    wishes: list[WishOut]


def _sector(sector) -> SectorOut:
    return SectorOut(id=sector.id, slug=sector.slug, name=sector.name)


def _wish(wish: members.WishView) -> WishOut:
    return WishOut(id=wish.id, sector_id=wish.sector_id, sector_name=wish.sector_name,
                   authority_name=wish.authority_name, other_name=wish.other_name,
                   kind=wish.kind, accepted=wish.accepted)


# --- authorities ------------------------------------------------------------------------------

@bp.get("/partners/applications")
@token_required(Role.AUTHORITY)
def partner_applications():
    """The authority's applications, with its group once a proposal is published."""
    page = members.authority_page(get_session(), g.user)
    return respond([_application(item) for item in page.applications])


def _application(item: members.ApplicationView) -> ApplicationOut:
    application = item.application
    return ApplicationOut(
        id=application.id, sector=_sector(item.sector), topics=application.topics,
        preference_rank=application.preference_rank,
        group_id=item.group.id if item.group else None,
        answer=item.response.answer if item.response else None,
        status=str(application.status), motivation=application.motivation,
        editable=item.editable,
    )


def _application_by_id(application_id: int) -> ApplicationOut:
    """One application as the list shows it (with its group and answer)."""
    page = members.authority_page(get_session(), g.user)
    return _application(next(i for i in page.applications if i.application.id == application_id))


@bp.post("/partners/applications")
@token_required(Role.AUTHORITY)
def partner_application_create():
    """Apply to a sector's working groups, or submit a withdrawn application again."""
    db = get_session()
    # the schema's rules that need no sector first (422 per field), the sector's in the service
    body = parse_json(ApplicationCreate, applications.schema_context(db))
    application = applications.apply(db, g.user, body.model_dump(exclude_unset=True))
    return respond(_application_by_id(application.id), 201)


@bp.patch("/partners/applications/<int:application_id>")
@token_required(Role.AUTHORITY)
def partner_application_update(application_id: int):
    """Change a submitted application; 409 once withdrawn or once its group is published."""
    db = get_session()
    # as above: a misspelt field is a 422 even before the application is looked up
    body = parse_json(ApplicationUpdate, applications.schema_context(db))
    applications.update(db, g.user, application_id, body.model_dump(exclude_unset=True))
    return respond(_application_by_id(application_id))


@bp.post("/partners/applications/<int:application_id>/withdraw")
@token_required(Role.AUTHORITY)
def partner_application_withdraw(application_id: int):
    """Withdraw an application. It stays (withdrawn): a POST, not a DELETE, as it can be
    submitted again and a published group keeps showing it."""
    applications.withdraw(get_session(), g.user, application_id)
    return respond(_application_by_id(application_id))


@bp.get("/partners/groups/<int:group_id>")
@token_required(Role.AUTHORITY)
def partner_group(group_id: int):
    """A published group the authority belongs to, with its partners and why they are there."""
    view = members.group_view(get_session(), g.user, group_id)
    return respond(_group_out(view))


def _group_out(view: members.GroupView) -> GroupOut:
    response = view.response
    return GroupOut(
        id=view.group.id, number=view.group.number, proposal_id=view.proposal.id,
        sector=_sector(view.sector), why_here=view.why_here,
        partners=[
            PartnerOut(
                profile=ProfileOut(
                    id=c.profile.id, name=c.profile.name, kind=c.profile.kind,
                    country=c.profile.country, nuts=c.profile.nuts,
                    population=c.profile.population, languages=c.profile.languages,
                    description=c.profile.description, website=c.profile.website,
                ),
                reasons=c.reasons, shared_topics=c.shared_topics,
            )
            for c in view.partners
        ],
        makeup=view.makeup.summary,
        response=ResponseOut(answer=response.answer, reason=response.reason,
                             answered_at=response.answered_at) if response else None,
    )


@bp.post("/partners/groups/<int:group_id>/answer")
@token_required(Role.AUTHORITY)
def partner_answer(group_id: int):
    """Accept the group, or decline it with a reason; answering again replaces the answer."""
    body = parse_json(AnswerIn)
    db = get_session()
    response = members.answer_group(db, g.user, group_id, body.answer, body.reason)
    return respond(ResponseOut(answer=response.answer, reason=response.reason,
                             answered_at=response.answered_at))


@bp.get("/partners/wishes")
@token_required(Role.AUTHORITY)
def partner_wishes():
    """The authority's wishes in every sector."""
    wishes = members.wishes_of(get_session(), g.user)
    return respond([_wish(w) for w in wishes])


@bp.post("/partners/wishes")
@token_required(Role.AUTHORITY)
def partner_wish_create():
    """Ask to be placed with or apart from another applicant of one of your sectors."""
    body = parse_json(WishIn)
    db = get_session()
    wish = members.add_wish(db, g.user, body.application_id, body.other_authority_id, body.kind)
    found = next(w for w in members.wishes_of(db, g.user) if w.id == wish.id)
    return respond(_wish(found), 201)


@bp.delete("/partners/wishes/<int:wish_id>")
@token_required(Role.AUTHORITY)
def partner_wish_delete(wish_id: int):
    """Withdraw one of your wishes."""
    members.withdraw_wish(get_session(), g.user, wish_id)
    return "", 204


# --- coordinators -----------------------------------------------------------------------------

@bp.get("/partners/sectors/<slug>/answers")
@token_required(Role.COORDINATOR)
def partner_review(slug: str):
    """Answers to a published proposal of a coordinated sector (?proposal=id), and its wishes."""
    proposal = request.args.get("proposal", "")
    if proposal and row_id(proposal) is None:
        raise InvalidInput({"proposal": "Give a proposal id."})
    review = members.sector_review(get_session(), g.user, slug, row_id(proposal))
    return respond(ReviewOut(
        sector=_sector(review.sector),
        proposal_id=review.proposal.id if review.proposal else None,
        answers=[AnswerRowOut(group_id=a.group_id, group_number=a.group_number,
                              authority_id=a.authority_id, authority_name=a.authority_name,
                              answer=a.answer, reason=a.reason, answered_at=a.answered_at,
                              withdrawn=a.withdrawn)
                 for a in review.answers],
        wishes=[_wish(w) for w in review.wishes],
    ))


@bp.post("/partners/sectors/<slug>/wishes/<int:wish_id>/accept")
@token_required(Role.COORDINATOR)
def partner_wish_accept(slug: str, wish_id: int):
    """Accept a wish: the next run places the two authorities together (or apart)."""
    wish = members.decide_wish(get_session(), g.user, slug, wish_id, accept=True)
    return respond(_wish(wish))


@bp.post("/partners/sectors/<slug>/wishes/<int:wish_id>/reject")
@token_required(Role.COORDINATOR)
def partner_wish_reject(slug: str, wish_id: int):
    """Reject a wish; it is removed (the audit trail keeps it)."""
    members.decide_wish(get_session(), g.user, slug, wish_id, accept=False)
    return "", 204


# --- OpenAPI ----------------------------------------------------------------------------------


_APPLICATION_ID = doc.path_param("application_id")
_GROUP_ID = doc.path_param("group_id")
_WISH_ID = doc.path_param("wish_id")
_SLUG = doc.path_param("slug", "string")

OPENAPI_PATHS = {
    "/partners/applications": {
        "get": doc.operation(
            "My applications, with my published group per sector",
            doc.ok("PartnerApplication", "Applications", array=True),
            "Unauthorized", "Forbidden", "NotFound"),
        "post": doc.operation(
            "Apply to a sector's working groups (or submit a withdrawn application again)",
            doc.ok("PartnerApplication", "The submitted application"),
            "Unauthorized", "Forbidden", "NotFound", "Invalid", "Conflict", status="201",
            request="PartnerApplicationIn"),
    },
    "/partners/applications/{application_id}": {"patch": doc.operation(
        "Change my application's topics, motivation or rank (not once its group is published)",
        doc.ok("PartnerApplication", "The application"),
        "Unauthorized", "Forbidden", "NotFound", "Invalid", "Conflict",
        parameters=[_APPLICATION_ID], request="PartnerApplicationPatch")},
    "/partners/applications/{application_id}/withdraw": {"post": doc.operation(
        "Withdraw my application: the sector's next run leaves it out",
        doc.ok("PartnerApplication", "The withdrawn application"),
        "Unauthorized", "Forbidden", "NotFound", parameters=[_APPLICATION_ID])},
    "/partners/groups/{group_id}": {"get": doc.operation(
        "A published group I belong to", doc.ok("PartnerGroup", "The group"),
        "Unauthorized", "Forbidden", "NotFound", parameters=[_GROUP_ID])},
    "/partners/groups/{group_id}/answer": {"post": doc.operation(
        "Accept my group, or decline it with a reason",
        doc.ok("PartnerResponse", "The recorded answer"),
        "Unauthorized", "Forbidden", "NotFound", "Invalid", parameters=[_GROUP_ID],
        request="PartnerAnswerIn")},
    "/partners/wishes": {
        "get": doc.operation(
            "My wishes", doc.ok("PartnerWish", "Wishes", array=True),
            "Unauthorized", "Forbidden", "NotFound"),
        "post": doc.operation(
            "Ask to be placed with or apart from another applicant",
            doc.ok("PartnerWish", "The wish, waiting for the coordinator"),
            "Unauthorized", "Forbidden", "NotFound", "Invalid", status="201",
            request="PartnerWishIn"),
    },
    "/partners/wishes/{wish_id}": {"delete": doc.operation(
        "Withdraw one of my wishes", doc.ok(None, "Withdrawn"),
        "Unauthorized", "Forbidden", "NotFound", status="204", parameters=[_WISH_ID])},
    "/partners/sectors/{slug}/answers": {"get": doc.operation(
        "Coordinators: answers to a published proposal, and the sector's wishes",
        doc.ok("PartnerReview", "Answers and wishes"),
        "Unauthorized", "Forbidden", "NotFound", "Invalid",
        parameters=[_SLUG, {"name": "proposal", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1,
                                       "maximum": MAX_ROW_ID}}])},
    "/partners/sectors/{slug}/wishes/{wish_id}/accept": {"post": doc.operation(
        "Coordinators: accept a wish as a constraint of the next run",
        doc.ok("PartnerWish", "The accepted wish"),
        "Unauthorized", "Forbidden", "NotFound", parameters=[_SLUG, _WISH_ID])},
    "/partners/sectors/{slug}/wishes/{wish_id}/reject": {"post": doc.operation(
        "Coordinators: reject (remove) a wish", doc.ok(None, "Rejected"),
        "Unauthorized", "Forbidden", "NotFound", status="204", parameters=[_SLUG, _WISH_ID])},
}

OPENAPI_SCHEMAS = {
    "PartnerApplication": ApplicationOut,
    "PartnerApplicationIn": ApplicationCreate,
    "PartnerApplicationPatch": ApplicationUpdate,
    "PartnerGroup": GroupOut,
    "PartnerResponse": ResponseOut,
    "PartnerAnswerIn": AnswerIn,
    "PartnerWish": WishOut,
    "PartnerWishIn": WishIn,
    "PartnerReview": ReviewOut,
}
