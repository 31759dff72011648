"""Authorities review the groups a published proposal placed them in; coordinators read answers.

Every function takes the session first. Reads return plain dataclasses ready to display;
writes record an audit event and commit. An object that does not exist and an object that is
not the caller's raise the same `NotYours`, so ids in URLs cannot be probed.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    Authority,
    Group,
    Membership,
    PartnerAnswer,
    PartnerResponse,
    PartnerWish,
    Proposal,
    ProposalStatus,
    Sector,
    User,
    WishKind,
)
from webapp.alerts.services import notices
from webapp.audit import services as audit
from webapp.cards import PublicCard
from webapp.db import writes
from webapp.errors import Invalid, NotYours
from webapp.groupings.services.explanations import ExplanationReader
from webapp.groupings.services.views import kind_labels
from webapp.i18n import country_name, language_name, number, sector_in_locale
from webapp.palette import country_colour
from webapp.scope import coordinated, owns_application

MAX_REASON_LENGTH = 1000


class InvalidAnswer(Invalid):
    """The answer or wish cannot be accepted as sent; `errors` maps field names to messages."""


# --- read models ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class PublicProfile(PublicCard):
    """What any member of a group may see of a partner authority."""

    kind: str
    country: str
    country_name: str
    nuts: str
    population: int | None
    languages: list[str]


@dataclass(frozen=True)
class PartnerCard:
    profile: PublicProfile
    reasons: list[str]  # why this partner is in the group, in plain words
    shared_topics: list[str]
    withdrawn: bool = False  # it withdrew its application after the publication


@dataclass(frozen=True)
class MakeupBar:
    """One member in the group's make-up chart: the template only draws what is here."""

    label: str
    country: str
    population_text: str
    width: float  # of the bar, in chart units
    y: float
    colour: str
    is_me: bool


@dataclass(frozen=True)
class Makeup:
    bars: list[MakeupBar]
    countries: list[tuple[str, int, str]]  # (country name, number of members, colour)
    width: int
    height: int
    summary: str  # the chart's text alternative


@dataclass(frozen=True)
class WishView:
    id: int
    sector_id: int
    sector_name: str
    other_name: str
    kind: str
    accepted: bool
    authority_name: str = ""  # who wished it (shown to coordinators)


@dataclass(frozen=True)
class GroupView:
    group: Group
    proposal: Proposal
    sector: Sector
    me: Authority
    application: Application
    membership: Membership
    why_here: list[str]
    partners: list[PartnerCard]
    makeup: Makeup
    response: PartnerResponse | None
    wishes: list[WishView]
    wish_choices: list[tuple[int, str]]  # (authority id, name) of the sector's other applicants
    withdrawn: bool = False  # the reader's authority withdrew the application it was placed on


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    sector: Sector
    group: Group | None  # the group of the sector's published proposal, if any
    response: PartnerResponse | None
    wishes: list[WishView]
    wish_choices: list[tuple[int, str]]

    @property
    def withdrawn(self) -> bool:
        return self.application.status == ApplicationStatus.WITHDRAWN

    @property
    def editable(self) -> bool:
        """Submitted and in no published group (see `applications`: the rule and why)."""
        return not self.withdrawn and self.group is None


@dataclass(frozen=True)
class AuthorityPage:
    authority: Authority
    applications: list[ApplicationView]


@dataclass(frozen=True)
class AnswerRow:
    group_number: int
    group_id: int
    authority_id: int
    authority_name: str
    answer: str | None  # None while the authority has not answered
    reason: str
    answered_at: datetime | None
    answered_by: str | None
    withdrawn: bool = False  # the authority withdrew its application after the publication


@dataclass(frozen=True)
class AnswerCounts:
    n_accepted: int
    n_declined: int
    n_waiting: int


@dataclass(frozen=True)
class SectorReview:
    sector: Sector
    proposals: list[Proposal]
    proposal: Proposal | None
    answers: list[AnswerRow]
    counts: AnswerCounts
    wishes: list[WishView] = field(default_factory=list)


# --- authorities ------------------------------------------------------------------------------

def authority_of(db: Session, user: User) -> Authority:
    """The user's authority, or NotYours for an account linked to none."""
    authority = db.get(Authority, user.authority_id) if user.authority_id else None
    if authority is None:
        raise NotYours("This account is not linked to an authority.")
    return authority


def own_application(db: Session, user: User, application_id: int) -> Application:
    """One of the user's authority's applications, or NotYours (a missing id alike)."""
    application = db.get(Application, application_id)
    if not owns_application(user, application):
        raise NotYours(f"No application {application_id} of yours.")
    return application


def in_published_group(db: Session, application_id: int) -> bool:
    """Whether a published proposal placed the application in a group (its topics are then
    what the group was formed on: see webapp.groupings.services.applications)."""
    return db.exec(
        select(Membership.id)
        .join(Group, Group.id == Membership.group_id)
        .join(Proposal, Proposal.id == Group.proposal_id)
        .where(Membership.application_id == application_id,
               Proposal.status == ProposalStatus.PUBLISHED)
    ).first() is not None


def authority_page(db: Session, user: User) -> AuthorityPage:
    """The authority's applications, each with its published group, answer and wishes."""
    authority = authority_of(db, user)
    rows = db.exec(
        select(Application, Sector)
        .join(Sector, Sector.id == Application.sector_id)
        .where(Application.authority_id == authority.id)
        .order_by(Application.preference_rank, Sector.name)
    ).all()
    placements = _published_placements(db, authority.id)
    wishes = _wishes_of(db, authority.id)
    views = []
    for application, sector in rows:
        placed = placements.get(application.id)
        views.append(ApplicationView(
            application=application,
            sector=sector,
            group=placed[0] if placed else None,
            response=placed[2] if placed else None,
            wishes=[w for w in wishes if w.sector_id == sector.id],
            wish_choices=_wish_choices(db, sector.id, authority.id, application),
        ))
    return AuthorityPage(authority, views)


def _published_placements(
    db: Session, authority_id: int
) -> dict[int, tuple[Group, Membership, PartnerResponse | None]]:
    """Application id -> its group in the latest published proposal of the sector."""
    rows = db.exec(
        select(Application.id, Group, Membership, Proposal)
        .join(Membership, Membership.application_id == Application.id)
        .join(Group, Group.id == Membership.group_id)
        .join(Proposal, Proposal.id == Group.proposal_id)
        .where(Application.authority_id == authority_id)
        .where(Proposal.status == ProposalStatus.PUBLISHED)
        .order_by(Proposal.id)
    ).all()
    latest: dict[int, tuple[Group, Membership]] = {}
    for application_id, group, membership, _proposal in rows:
        latest[application_id] = (group, membership)  # later proposals overwrite earlier ones
    responses = _responses_by_membership(db, [m.id for _g, m in latest.values()])
    return {app_id: (g, m, responses.get(m.id)) for app_id, (g, m) in latest.items()}


def _responses_by_membership(db: Session, membership_ids: list[int]) -> dict[int, PartnerResponse]:
    if not membership_ids:
        return {}
    found = db.exec(
        select(PartnerResponse).where(PartnerResponse.membership_id.in_(membership_ids))
    ).all()
    return {r.membership_id: r for r in found}


def _my_membership(db: Session, authority_id: int, group_id: int):
    """The authority's membership in a group of a published proposal, or NotYours."""
    row = db.exec(
        select(Group, Membership, Application, Proposal)
        .join(Membership, Membership.group_id == Group.id)
        .join(Application, Application.id == Membership.application_id)
        .join(Proposal, Proposal.id == Group.proposal_id)
        .where(Group.id == group_id)
        .where(Application.authority_id == authority_id)
        .where(Proposal.status == ProposalStatus.PUBLISHED)
    ).first()
    if row is None:
        raise NotYours(f"No group {group_id} of yours.")
    return row


def group_view(db: Session, user: User, group_id: int) -> GroupView:
    """A published group the user's authority belongs to, with a card per partner."""
    me = authority_of(db, user)
    group, membership, application, proposal = _my_membership(db, me.id, group_id)
    sector = db.get(Sector, proposal.sector_id)
    members = db.exec(
        select(Membership, Application, Authority)
        .join(Application, Application.id == Membership.application_id)
        .join(Authority, Authority.id == Application.authority_id)
        .where(Membership.group_id == group.id)
        .order_by(Authority.name)
    ).all()
    topics = sector_in_locale(sector).labels
    explanation = ExplanationReader(group.explanation, topics)
    partners = [
        PartnerCard(
            profile=public_profile(other),
            reasons=partner_reasons(explanation, application, me, other_application, other,
                                    topics),
            shared_topics=_shared(application.topics, other_application.topics),
            withdrawn=other_application.status == ApplicationStatus.WITHDRAWN,
        )
        for _m, other_application, other in members
        if other.id != me.id
    ]
    why_here = [_sentence(explanation.localize(t))
                for t in explanation.why_here(application.id)] or _fallback_why_here(
        application, [(a, au) for _m, a, au in members if au.id != me.id]
    )
    response = _responses_by_membership(db, [membership.id]).get(membership.id)
    return GroupView(
        group=group, proposal=proposal, sector=sector, me=me, application=application,
        membership=membership, why_here=why_here, partners=partners,
        makeup=group_makeup([au for _m, _a, au in members], me.id),
        response=response,
        wishes=[w for w in _wishes_of(db, me.id) if w.sector_id == sector.id],
        wish_choices=_wish_choices(db, sector.id, me.id, application),
        withdrawn=application.status == ApplicationStatus.WITHDRAWN,
    )


def authority_kind_label(kind) -> str:
    """An authority's kind in the reader's language ("municipality" → "gemeente")."""
    value = str(getattr(kind, "value", kind))
    return str(kind_labels().get(value, value.replace("_", " ")))


def public_profile(authority: Authority) -> PublicProfile:
    """The public face of an authority (no spending figures, no application text)."""
    return PublicProfile(
        **PublicCard.fields_of(authority), kind=authority_kind_label(authority.kind),
        country=authority.country, country_name=country_name(authority.country),
        nuts=authority.nuts, population=authority.population,
        languages=[language_name(code) for code in authority.languages],
    )


@writes
def answer_group(
    db: Session, user: User, group_id: int, answer: str, reason: str = ""
) -> PartnerResponse:
    """Accept or decline (with a reason) the group; answering again replaces the answer."""
    me = authority_of(db, user)
    group, membership, application, proposal = _my_membership(db, me.id, group_id)
    if application.status == ApplicationStatus.WITHDRAWN:
        # Its partners and the coordinator were told it left; an answer now would say the
        # opposite (an acceptance from a member that is no longer in the working group).
        raise InvalidAnswer({"answer": _(
            "You withdrew your application to this working group, so you can no longer "
            "answer for this group. Apply again to take part in the next proposal.")})
    reason = (reason or "").strip()
    errors = {}
    if answer not in {a.value for a in PartnerAnswer}:
        errors["answer"] = _("Choose to accept or to decline.")
    elif answer == PartnerAnswer.DECLINED and not reason:
        errors["reason"] = _("Say why you decline, so the coordinator can find a better group.")
    if len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = _("Keep the reason under %(n)s characters.",
                             n=number(MAX_REASON_LENGTH))
    if errors:
        raise InvalidAnswer(errors)
    if answer == PartnerAnswer.ACCEPTED:
        reason = ""  # a reason to decline must not stay attached to an acceptance
    response = _responses_by_membership(db, [membership.id]).get(membership.id)
    if response is None:
        response = PartnerResponse(membership_id=membership.id, answer=answer,
                                   answered_at=datetime.now(UTC))
        db.add(response)
    response.answer = answer
    response.reason = reason
    response.answered_by_id = user.id
    response.answered_at = datetime.now(UTC)
    audit.record(
        db, user, f"partner.{answer}", sector_id=proposal.sector_id, proposal_id=proposal.id,
        group_id=group.id, group_number=group.number, authority_id=me.id,
        authority=me.name, reason=reason,
    )
    notices.partner_answered(db, response, me)  # mails to the partners, with the answer
    db.commit()
    return response


def _wish_choices(db: Session, sector_id: int, authority_id: int,
                  application: Application | None = None) -> list[tuple[int, str]]:
    """The other authorities that applied to the sector: the only ones a wish may name.
    None when `application` (the wisher's) is withdrawn: it can carry no wish."""
    if application is not None and application.status == ApplicationStatus.WITHDRAWN:
        return []
    rows = db.exec(
        select(Authority.id, Authority.name)
        .join(Application, Application.authority_id == Authority.id)
        .where(Application.sector_id == sector_id)
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .where(Authority.id != authority_id)
        .order_by(Authority.name)
    ).all()
    return [(i, n) for i, n in rows]


def _wishes_of(db: Session, authority_id: int) -> list[WishView]:
    rows = db.exec(
        select(PartnerWish, Sector.name, Authority.name)
        .join(Sector, Sector.id == PartnerWish.sector_id)
        .join(Authority, Authority.id == PartnerWish.other_authority_id)
        .where(PartnerWish.authority_id == authority_id)
        .order_by(PartnerWish.created_at, PartnerWish.id)
    ).all()
    return [_wish_view(w, sector_name, other) for w, sector_name, other in rows]


def _wish_view(wish: PartnerWish, sector_name: str, other_name: str) -> WishView:
    return WishView(id=wish.id, sector_id=wish.sector_id, sector_name=sector_name,
                    other_name=other_name, kind=wish.kind, accepted=wish.accepted)


def wishes_of(db: Session, user: User) -> list[WishView]:
    """The user's authority's wishes, in every sector."""
    return _wishes_of(db, authority_of(db, user).id)


@writes
def add_wish(
    db: Session, user: User, application_id: int, other_authority_id: int | None, kind: str
) -> PartnerWish:
    """Ask to be placed with or apart from another applicant of the application's sector.

    A second wish about the same authority in the same sector replaces the first and waits for
    the coordinator again.
    """
    me = authority_of(db, user)
    application = own_application(db, user, application_id)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise InvalidAnswer({"application_id": _(
            "Your application to this working group is withdrawn: apply again before you ask "
            "to be placed with or apart from another authority.")})
    errors = {}
    if kind not in {k.value for k in WishKind}:
        errors["kind"] = _("Choose 'together' or 'apart'.")
    choices = dict(_wish_choices(db, application.sector_id, me.id))
    if other_authority_id not in choices:
        errors["other_authority_id"] = _("Choose another authority that applied to this sector.")
    if errors:
        raise InvalidAnswer(errors)
    wish = db.exec(
        select(PartnerWish)
        .where(PartnerWish.sector_id == application.sector_id)
        .where(PartnerWish.authority_id == me.id)
        .where(PartnerWish.other_authority_id == other_authority_id)
    ).first()
    if wish is not None and wish.kind != kind:
        # together and apart with the same partner contradict each other: replacing one by
        # the other silently would drop a wish the coordinator may already have accepted
        raise InvalidAnswer({"kind": _contradiction(wish, choices[other_authority_id])})
    if wish is None:
        wish = PartnerWish(sector_id=application.sector_id, authority_id=me.id,
                           other_authority_id=other_authority_id, kind=kind,
                           created_at=datetime.now(UTC))
        db.add(wish)
    wish.kind = kind
    wish.accepted = False
    db.flush()
    audit.record(
        db, user, "wish.asked", sector_id=application.sector_id, wish_id=wish.id,
        authority_id=me.id, authority=me.name, other_authority_id=other_authority_id,
        other_authority=choices[other_authority_id], kind=kind,
    )
    db.commit()
    return wish


def _contradiction(wish: PartnerWish, other_name: str) -> str:
    if wish.kind == WishKind.TOGETHER:
        return _("You already asked to be placed together with %(name)s. Withdraw that wish "
                 "first if you now want to be placed apart.", name=other_name)
    return _("You already asked to be placed apart from %(name)s. Withdraw that wish first "
             "if you now want to be placed together.", name=other_name)


def withdraw_wish(db: Session, user: User, wish_id: int) -> None:
    """The authority takes back one of its wishes."""
    me = authority_of(db, user)
    wish = db.get(PartnerWish, wish_id)
    if wish is None or wish.authority_id != me.id:
        raise NotYours(f"No wish {wish_id} of yours.")
    other = db.get(Authority, wish.other_authority_id)
    audit.record(
        db, user, "wish.withdrawn", sector_id=wish.sector_id, wish_id=wish.id,
        authority_id=me.id, authority=me.name, other_authority_id=wish.other_authority_id,
        other_authority=other.name if other else "", kind=wish.kind,
    )
    db.delete(wish)
    db.commit()


# --- why partners are together ----------------------------------------------------------------

def _shared(mine: list[str], theirs: list[str]) -> list[str]:
    theirs_folded = {t.casefold() for t in theirs}
    return [t for t in mine if t.casefold() in theirs_folded]


# Words by which an engine reason shows which aspect it covers (matcher.groupings.explain).
ASPECT_WORDS = {
    "interests": ("share", "motivation", "topic", "interest"),
    "size": ("size", "larger", "smaller"),
    "region": ("region", "nuts", "country", "area", "a view from"),
    "language": ("language",),
}


def _aspects(text: str) -> set[str]:
    folded = text.casefold()
    return {aspect for aspect, words in ASPECT_WORDS.items() if any(w in folded for w in words)}


def _sentence(text: str) -> str:
    """An engine phrase ("shares e-buses") as a sentence ("Shares e-buses.")."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def partner_reasons(
    explanation: ExplanationReader, my_application: Application, me: Authority,
    other_application: Application, other: Authority, topics: Mapping[str, str] | None = None,
) -> list[str]:
    """The engine's reasons for this pair, completed from the data for what it left out.

    A fallback is added only for an aspect (interests, size, region, language) that none of
    the engine's reasons covers, so the card never says the same thing twice.
    """
    english = explanation.partner_reasons(my_application.id, other_application.id)
    covered = set().union(*(_aspects(r) for r in english)) if english else set()
    engine = [_sentence(explanation.localize(r)) for r in english]
    extra = [text for aspect, text in
             fallback_reasons_by_aspect(my_application, me, other_application, other, topics)
             if aspect not in covered and text not in engine]
    return engine + extra


def fallback_reasons(
    my_application: Application, me: Authority, other_application: Application, other: Authority
) -> list[str]:
    """Shared interests, complementary size, region and language, computed from the rows."""
    return [text for _aspect, text in
            fallback_reasons_by_aspect(my_application, me, other_application, other)]


def fallback_reasons_by_aspect(
    my_application: Application, me: Authority, other_application: Application, other: Authority,
    topics: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(aspect, sentence) pairs: what the rows alone say about two members (their shared
    topics named by the sector's labels ``topics``)."""
    reasons = []
    shared = _shared(my_application.topics, other_application.topics)
    if shared:
        labels = topics or {}
        reasons.append(("interests", _("Shared interests: %(topics)s.",
                                       topics=", ".join(labels.get(t, t) for t in shared))))
    if me.population and other.population:
        ratio = other.population / me.population
        if 0.5 <= ratio <= 2:
            text = _("A similar size: you face procurement at a comparable scale.")
        elif ratio > 2:
            text = _("Larger than you (about %(ratio)s×): a bigger buyer to learn from.",
                     ratio=number(round(ratio)))
        else:
            text = _("Smaller than you (about %(ratio)s×): your experience helps them, their "
                     "agility may help you.", ratio=number(round(1 / ratio)))
        reasons.append(("size", text))
    if other.nuts[:4] and other.nuts[:4] == me.nuts[:4]:
        reasons.append(("region", _("In your region.")))
    elif other.country == me.country:
        reasons.append(("region", _("Also in %(country)s.", country=country_name(other.country))))
    else:
        reasons.append(("region", _("From %(country)s: a view from another country.",
                                    country=country_name(other.country))))
    common = [language_name(c) for c in me.languages if c in set(other.languages)]
    if common:
        reasons.append(("language", _("You can work together in %(languages)s.",
                                      languages=", ".join(common))))
    return reasons


def _fallback_why_here(
    application: Application, others: list[tuple[Application, Authority]]
) -> list[str]:
    """When the engine said nothing: how many partners share at least one of your topics."""
    sharing = sum(1 for a, _au in others if _shared(application.topics, a.topics))
    countries = sorted({au.country for _a, au in others})
    return [
        ngettext("%(sharing)s of your %(num)s partner shares at least one of your topics.",
                 "%(sharing)s of your %(num)s partners share at least one of your topics.",
                 len(others), sharing=sharing),
        _("Partners from: %(countries)s.",
          countries=", ".join(country_name(c) for c in countries)),
    ] if others else [_("You are the only member of this group so far.")]


def group_makeup(members: list[Authority], my_id: int) -> Makeup:
    """Bars of population (on a square-root scale) per member, coloured and named by country."""
    label_width, chart_width, row = 0, 360, 26
    countries: dict[str, int] = {}
    for member in members:
        countries[member.country] = countries.get(member.country, 0) + 1
    colours = {c: country_colour(c) for c in countries}  # as on the coordinator's pages
    largest = max((m.population or 0 for m in members), default=0) or 1
    bars = []
    for index, member in enumerate(sorted(members, key=lambda m: -(m.population or 0))):
        population = member.population or 0
        bars.append(MakeupBar(
            label=member.name,
            country=member.country,
            population_text=number(population) if population else _("population unknown"),
            width=round(max(2.0, chart_width * math.sqrt(population / largest)), 1),
            y=index * row,
            colour=colours[member.country],
            is_me=member.id == my_id,
        ))
    summary_countries = ", ".join(
        _("%(n)s from %(country)s", n=n, country=country_name(c))
        for c, n in sorted(countries.items(), key=lambda x: (-x[1], x[0]))
    )
    sizes = [m.population for m in members if m.population]
    size_text = (_("populations from %(low)s to %(high)s", low=number(min(sizes)),
                   high=number(max(sizes))) if sizes else _("populations unknown"))
    summary = ngettext("%(num)s member: %(countries)s; %(sizes)s.",
                       "%(num)s members: %(countries)s; %(sizes)s.", len(members),
                       countries=summary_countries, sizes=size_text)
    return Makeup(
        bars=bars,
        countries=[(country_name(c), n, colours[c]) for c, n in sorted(countries.items())],
        width=label_width + chart_width + 140,
        height=max(row, len(bars) * row),
        summary=summary,
    )


# --- coordinators -----------------------------------------------------------------------------

def coordinated_sector(db: Session, user: User, slug: str) -> Sector:
    """A sector the coordinator runs, or NotYours."""
    sector = db.exec(coordinated(select(Sector).where(Sector.slug == slug), user)).first()
    if sector is None:
        raise NotYours(f"No sector {slug} of yours.")
    return sector


def answers_for_proposal(db: Session, proposal_id: int) -> list[AnswerRow]:
    """Every member of the proposal with its answer (None while waiting), by group then name.

    The caller checks the reader may see the proposal (see `sector_review`).
    """
    rows = db.exec(
        select(Group, Application.status, Authority, PartnerResponse, User.email)
        .join(Membership, Membership.group_id == Group.id)
        .join(Application, Application.id == Membership.application_id)
        .join(Authority, Authority.id == Application.authority_id)
        .outerjoin(PartnerResponse, PartnerResponse.membership_id == Membership.id)
        .outerjoin(User, User.id == PartnerResponse.answered_by_id)
        .where(Group.proposal_id == proposal_id)
        .order_by(Group.number, Authority.name)
    ).all()
    return [
        AnswerRow(
            group_number=group.number, group_id=group.id, authority_id=authority.id,
            authority_name=authority.name,
            answer=response.answer if response else None,
            reason=response.reason if response else "",
            answered_at=response.answered_at if response else None,
            answered_by=email, withdrawn=status == ApplicationStatus.WITHDRAWN,
        )
        for group, status, authority, response, email in rows
    ]


def sector_wishes(db: Session, sector_id: int) -> list[WishView]:
    """All wishes of a sector's applicants, as 'authority → other'."""
    other = aliased(Authority)
    rows = db.exec(
        select(PartnerWish, Sector.name, Authority.name, other.name)
        .join(Sector, Sector.id == PartnerWish.sector_id)
        .join(Authority, Authority.id == PartnerWish.authority_id)
        .join(other, other.id == PartnerWish.other_authority_id)
        .where(PartnerWish.sector_id == sector_id)
        .order_by(PartnerWish.accepted, Authority.name, other.name)
    ).all()
    return [
        WishView(id=w.id, sector_id=w.sector_id, sector_name=sector_name,
                 other_name=other_name, kind=w.kind, accepted=w.accepted, authority_name=name)
        for w, sector_name, name, other_name in rows
    ]


def sector_review(db: Session, user: User, slug: str, proposal_id: int | None) -> SectorReview:
    """Answers to a proposal of a coordinated sector (the latest published one by default)."""
    sector = coordinated_sector(db, user, slug)
    proposals = list(db.exec(
        select(Proposal).where(Proposal.sector_id == sector.id)
        .where(Proposal.status == ProposalStatus.PUBLISHED)
        .order_by(Proposal.id.desc())
    ).all())
    if proposal_id is None:
        proposal = proposals[0] if proposals else None
    else:
        proposal = db.get(Proposal, proposal_id)
        if proposal is None or proposal.sector_id != sector.id:
            raise NotYours(f"No proposal {proposal_id} in this sector.")
        if proposal not in proposals:
            proposals.insert(0, proposal)
    answers = answers_for_proposal(db, proposal.id) if proposal else []
    return SectorReview(
        sector=sector, proposals=proposals, proposal=proposal, answers=answers,
        counts=count_answers(answers), wishes=sector_wishes(db, sector.id),
    )


def count_answers(answers: list[AnswerRow]) -> AnswerCounts:
    """How many members accepted, declined, or have not answered yet."""
    return AnswerCounts(
        n_accepted=sum(a.answer == PartnerAnswer.ACCEPTED for a in answers),
        n_declined=sum(a.answer == PartnerAnswer.DECLINED for a in answers),
        n_waiting=sum(a.answer is None for a in answers),
    )


def decide_wish(
    db: Session, user: User, slug: str, wish_id: int, accept: bool
) -> WishView | None:
    """Accept a wish (it becomes a constraint of the next run) or reject it (it is removed).

    Returns the accepted wish, or None for a rejected one.
    """
    sector = coordinated_sector(db, user, slug)
    wish = db.get(PartnerWish, wish_id)
    if wish is None or wish.sector_id != sector.id:
        raise NotYours(f"No wish {wish_id} in this sector.")
    names = {a.id: a.name for a in db.exec(
        select(Authority).where(Authority.id.in_([wish.authority_id, wish.other_authority_id]))
    ).all()}
    audit.record(
        db, user, "wish.accepted" if accept else "wish.rejected", sector_id=sector.id,
        wish_id=wish.id, authority_id=wish.authority_id, authority=names.get(wish.authority_id),
        other_authority_id=wish.other_authority_id,
        other_authority=names.get(wish.other_authority_id), kind=wish.kind,
    )
    if not accept:
        db.delete(wish)
        db.commit()
        return None
    wish.accepted = True
    db.commit()
    return WishView(id=wish.id, sector_id=sector.id, sector_name=sector.name,
                    other_name=names.get(wish.other_authority_id, ""), kind=wish.kind,
                    accepted=True, authority_name=names.get(wish.authority_id, ""))
