"""Read models of the coordinator's pages: ready to display, no decisions left to templates."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from models import AuditEvent, PartnerWish, Proposal, ProposalStatus, Sector, User
from webapp.groupings.services import proof
from webapp.groupings.services.explanations import member_reasons
from webapp.groupings.services.parameters import RunParameters, stored
from webapp.groupings.services.pictures import GroupPicture, colours_for, group_picture, size_text
from webapp.groupings.services.pool import (
    Applicant,
    applicants_by_id,
    pool,
    sector_for,
    sector_terms,
)
from webapp.groupings.services.store import Loaded, last_change, load
from webapp.i18n import localize, moment, number, percent, waitlist_reason


def kind_labels() -> dict[str, str]:
    """Authority kinds in words, in the reader's language."""
    return {
        "municipality": _("municipality"), "region": _("region"),
        "city_district": _("city district"), "national_agency": _("national agency"),
        "public_company": _("public company"), "university": _("university"),
        "association": _("association"),
    }


@dataclass(frozen=True)
class MemberRow:
    application_id: int
    name: str
    kind: str
    country: str
    nuts: str
    size_text: str
    locked: bool
    withdrawn: bool  # the authority withdrew its application: publishing does not mail it
    reasons: list[str]  # why here: the best partner reasons
    best_alternative: str  # e.g. "Group 3 (costs 0.12)"; "" when none is known
    topics: list[str]


@dataclass(frozen=True)
class GroupCard:
    id: int
    number: int
    score: float
    score_text: str
    members: list[MemberRow]
    picture: GroupPicture
    warnings: list[str]  # below the minimum size, rule breaks named by the engine
    summary: list[str]  # the engine's group-level reasons


@dataclass(frozen=True)
class WaitRow:
    application_id: int
    rank: int
    name: str
    country: str
    size_text: str
    reason: str
    best_group: str = ""  # the group number the reason names as the best fit, if any
    withdrawn: bool = False  # the authority withdrew its application since the run


BEST_FIT = re.compile(r"Best fit: group (\d+)")


def best_group(reason: str) -> str:
    """The group the engine's waitlist reason names as the best fit ("" when none)."""
    found = BEST_FIT.search(reason or "")
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Target:
    value: str  # group number, or "waitlist"
    label: str


@dataclass(frozen=True)
class ProposalView:
    sector: Sector
    proposal: Proposal
    groups: list[GroupCard]
    waitlist: list[WaitRow]
    targets: list[Target]
    editable: bool
    can_undo: bool
    undo_label: str
    last_change: str  # "coordinator@… at 14:02 UTC" or ""
    alternatives: list[Proposal]
    parameters: RunParameters
    status_label: str
    quality: str  # "proven optimal", "within 3% of the best possible" or ""
    worst_score: float | None
    n_placed: int
    proving: bool = False  # the exact proof runs: the badge comes when it is done
    highlight: set[int] = field(default_factory=set)  # group ids changed by the last action
    to_retire: list[str] = field(default_factory=list)  # what publishing this one retires


@dataclass(frozen=True)
class RunSummary:
    run_key: str
    created_at: datetime
    proposals: list[Proposal]


@dataclass(frozen=True)
class SectorPage:
    sector: Sector
    applicants: list[Applicant]
    runs: list[RunSummary]
    n_accepted_wishes: int
    kind_labels: dict[str, str]


def status_label(status: ProposalStatus) -> str:
    return {ProposalStatus.DRAFT: _("draft"), ProposalStatus.APPROVED: _("approved"),
            ProposalStatus.PUBLISHED: _("published"),
            ProposalStatus.RETIRED: _("retired")}[ProposalStatus(status)]


def sector_page(db: Session, user: User, slug: str) -> SectorPage:
    """The pool of a coordinated sector and its earlier runs, newest first."""
    sector = sector_for(db, user, slug)
    proposals = db.exec(
        select(Proposal).where(Proposal.sector_id == sector.id)
        .order_by(Proposal.id.desc())
    ).all()
    runs: dict[str, RunSummary] = {}
    for p in proposals:
        run = runs.setdefault(p.run_key, RunSummary(p.run_key, p.created_at, []))
        run.proposals.append(p)
    for run in runs.values():
        run.proposals.sort(key=lambda p: p.alternative)
    n_wishes = db.exec(select(func.count(PartnerWish.id)).where(
        PartnerWish.sector_id == sector.id, PartnerWish.accepted.is_(True))).one()
    return SectorPage(sector, pool(db, sector.id), list(runs.values()), n_wishes, kind_labels())


def _group_summary(explanation: dict) -> list[str]:
    """What the group's score is made of, by criterion share."""
    names = {"interests": _("shared interests"), "size_mix": _("mix of sizes"),
             "region": _("region")}
    shares = explanation.get("criteria") or {}
    parts = [f"{names.get(c, c)} {percent(float(v))}" for c, v in shares.items() if v]
    return [_("Score from: %(parts)s.", parts=", ".join(parts))] if parts else []


def _last_move(db: Session, proposal_id: int) -> AuditEvent | None:
    """The newest move of the proposal not undone yet."""
    events = db.exec(
        select(AuditEvent).where(AuditEvent.proposal_id == proposal_id,
                                 AuditEvent.action.in_(("proposal.move", "proposal.undo")))
        .order_by(AuditEvent.id.desc())
    ).all()
    undone = {e.detail.get("undone_event_id") for e in events if e.action == "proposal.undo"}
    return next((e for e in events if e.action == "proposal.move" and e.id not in undone), None)


def proposal_view(db: Session, loaded: Loaded, highlight: set[int] | None = None) -> ProposalView:
    """Everything the proposal page shows, from loaded rows."""
    proposal = loaded.proposal
    ids = [m.application_id for ms in loaded.members.values() for m in ms]
    ids += [w.application_id for w in loaded.waitlist]
    applicants = applicants_by_id(db, ids)
    colours = colours_for(a.country for a in applicants.values())
    largest = max((a.size or 0 for a in applicants.values()), default=0)
    parameters = stored(proposal.parameters)
    cards = []
    kinds = kind_labels()
    terms = sector_terms(db, loaded.sector)
    for group in loaded.groups:
        members = [applicants[m.application_id] for m in loaded.members[group.id]]
        locked = {m.application_id for m in loaded.members[group.id] if m.locked}
        rows = []
        for a in sorted(members, key=lambda a: a.name):
            reasons, alternative = member_reasons(group.explanation, a.application_id, terms)
            rows.append(MemberRow(
                application_id=a.application_id, name=a.name,
                kind=kinds.get(a.kind, a.kind), country=a.country, nuts=a.nuts,
                size_text=size_text(a.size), locked=a.application_id in locked,
                withdrawn=a.withdrawn, reasons=reasons, best_alternative=alternative,
                topics=list(a.topics)))
        texts = (group.explanation or {}).get("texts") or {}
        warnings = [_("Rule broken: %(what)s.", what=localize(b, texts))
                    for b in (group.explanation or {}).get("rule_breaks") or []]
        if len(members) < parameters.min_group_size:
            warnings.insert(0, _("Fewer members than the minimum of %(n)s.",
                                 n=parameters.min_group_size))
        cards.append(GroupCard(
            id=group.id, number=group.number, score=group.score,
            score_text=number(group.score, 2), members=rows,
            picture=group_picture(members, colours, largest, labels=terms), warnings=warnings,
            summary=_group_summary(group.explanation or {})))
    waitlist = [
        WaitRow(application_id=w.application_id, rank=w.rank,
                name=applicants[w.application_id].name,
                country=applicants[w.application_id].country,
                size_text=size_text(applicants[w.application_id].size),
                reason=waitlist_reason(w, terms), best_group=best_group(w.reason),
                withdrawn=applicants[w.application_id].withdrawn)
        for w in loaded.waitlist
    ]
    targets = [Target(str(g.number), _("Group %(n)s", n=g.number)) for g in loaded.groups]
    targets.append(Target("waitlist", _("Waitlist")))
    move = _last_move(db, proposal.id)
    change = last_change(db, proposal.id)
    alternatives = list(db.exec(
        select(Proposal).where(Proposal.run_key == proposal.run_key,
                               Proposal.sector_id == proposal.sector_id)
        .order_by(Proposal.alternative)).all())
    to_retire = []
    if proposal.status == ProposalStatus.APPROVED:
        to_retire = [
            _("proposal %(id)s (%(status)s)", id=p.id, status=status_label(p.status))
            for p in db.exec(select(Proposal).where(
                Proposal.sector_id == proposal.sector_id, Proposal.id != proposal.id,
                Proposal.status.in_((ProposalStatus.APPROVED, ProposalStatus.PUBLISHED)))
                .order_by(Proposal.id)).all()]
    return ProposalView(
        to_retire=to_retire,
        sector=loaded.sector, proposal=proposal, groups=cards, waitlist=waitlist,
        targets=targets, editable=proposal.status == ProposalStatus.DRAFT,
        can_undo=move is not None and proposal.status == ProposalStatus.DRAFT,
        undo_label=_("Undo: move %(name)s back to %(where)s", name=move.detail.get("authority"),
                     where=move.detail.get("from_label")) if move else "",
        last_change=_("%(who)s at %(time)s", who=change[0],
                      time=moment(change[1])) if change else "",
        alternatives=alternatives, parameters=parameters,
        status_label=status_label(proposal.status), quality=quality(proposal),
        worst_score=min((g.score for g in loaded.groups), default=None),
        n_placed=sum(len(c.members) for c in cards), highlight=highlight or set(),
        proving=proof.pending(proposal, sum(len(c.members) for c in cards)),
    )


def quality(proposal: Proposal) -> str:
    """A badge only when the engine gave a bound on the best possible objective."""
    if proposal.bound is None:
        return ""
    gap = proposal.bound - proposal.objective
    if gap <= 1e-9 * max(1.0, abs(proposal.bound)):
        return _("proven optimal")
    if proposal.bound:
        return _("within %(pct)s of the best possible", pct=percent(gap / abs(proposal.bound)))
    return ""


def proposal_page(db: Session, user: User, slug: str, proposal_id: int) -> ProposalView:
    """The proposal page of a coordinated sector."""
    return proposal_view(db, load(db, user, slug, proposal_id))


# --- comparing the alternatives of a run ----------------------------------------------------

@dataclass(frozen=True)
class AlternativeRow:
    proposal: Proposal
    n_groups: int
    n_placed: int
    n_waitlisted: int
    worst_score: float | None
    n_moved: int  # applicants whose set of partners differs from alternative 0
    is_current: bool
    status_label: str


@dataclass(frozen=True)
class CompareMember:
    name: str
    country: str
    differs: bool  # partners differ from the first alternative's


@dataclass(frozen=True)
class CompareGroup:
    number: int
    score_text: str
    members: list[CompareMember]


@dataclass(frozen=True)
class CompareColumn:
    """One alternative, its groups and waitlist, for the side-by-side view."""

    proposal: Proposal
    is_current: bool
    status_label: str
    groups: list[CompareGroup]
    waitlist: list[CompareMember]


@dataclass(frozen=True)
class PlacedRow:
    """An applicant placed differently by the alternatives: where each one puts it."""

    name: str
    places: list[str]  # per alternative: "group 2" or "waitlist"


@dataclass(frozen=True)
class Comparison:
    sector: Sector
    proposal: Proposal
    rows: list[AlternativeRow]
    differences: list[str]  # applicants placed differently, in words (first few)
    columns: list[CompareColumn] = field(default_factory=list)
    placed_differently: list[PlacedRow] = field(default_factory=list)


def _partners(loaded: Loaded) -> dict[int, frozenset[int]]:
    found = {}
    for members in loaded.members.values():
        ids = {m.application_id for m in members}
        for i in ids:
            found[i] = frozenset(ids - {i})
    return found


def comparison(db: Session, user: User, slug: str, proposal_id: int) -> Comparison:
    """The alternatives of the proposal's run side by side, against alternative 0."""
    current = load(db, user, slug, proposal_id)
    alternatives = db.exec(
        select(Proposal).where(Proposal.run_key == current.proposal.run_key,
                               Proposal.sector_id == current.sector.id)
        .order_by(Proposal.alternative)).all()
    loaded = [load(db, user, slug, p.id) if p.id != proposal_id else current
              for p in alternatives]
    base = _partners(loaded[0])
    rows, differences, columns = [], [], []
    every = {m.application_id for item in loaded for ms in item.members.values() for m in ms}
    every |= {w.application_id for item in loaded for w in item.waitlist}
    names = applicants_by_id(db, every)
    differing: set[int] = set()
    for item in loaded:
        partners = _partners(item)
        moved = [i for i in partners if base.get(i) != partners[i]]
        differing |= set(moved)
        differing |= {w.application_id for w in item.waitlist} ^ {
            w.application_id for w in loaded[0].waitlist}
        rows.append(AlternativeRow(
            proposal=item.proposal, n_groups=len(item.groups),
            n_placed=sum(len(ms) for ms in item.members.values()),
            n_waitlisted=len(item.waitlist),
            worst_score=min((g.score for g in item.groups), default=None),
            n_moved=len(moved), is_current=item.proposal.id == proposal_id,
            status_label=status_label(item.proposal.status)))
        if item.proposal.id == proposal_id and item is not loaded[0]:
            for i in sorted(moved, key=lambda i: names[i].name if i in names else "")[:8]:
                group = item.group_of(i)
                differences.append(_("%(name)s is in group %(n)s here, with other partners.",
                                     name=names[i].name if i in names else i,
                                     n=group.number if group else "?"))

    def member(i: int, differs: bool) -> CompareMember:
        a = names.get(i)
        return CompareMember(a.name if a else str(i), a.country if a else "", differs)

    for item in loaded:
        partners = _partners(item)
        columns.append(CompareColumn(
            proposal=item.proposal, is_current=item.proposal.id == proposal_id,
            status_label=status_label(item.proposal.status),
            groups=[CompareGroup(g.number, f"{g.score:.2f}", sorted(
                (member(m.application_id, base.get(m.application_id) !=
                        partners.get(m.application_id)) for m in item.members[g.id]),
                key=lambda m: m.name)) for g in item.groups],
            waitlist=[member(w.application_id, w.application_id in differing)
                      for w in item.waitlist]))

    def place(item: Loaded, i: int) -> str:
        group = item.group_of(i)
        return _("group %(n)s", n=group.number) if group else _("waitlist")

    placed = [PlacedRow(names[i].name if i in names else str(i),
                        [place(item, i) for item in loaded])
              for i in differing]
    placed.sort(key=lambda r: r.name)
    return Comparison(current.sector, current.proposal, rows, differences, columns, placed)


# --- the JSON API's reading --------------------------------------------------------------------

def proposal_record(db: Session, user: User, slug: str,
                    proposal_id: int) -> tuple[Loaded, dict[int, Applicant]]:
    """A proposal's rows and the applicants they name (for the JSON API)."""
    loaded = load(db, user, slug, proposal_id)
    ids = [m.application_id for ms in loaded.members.values() for m in ms]
    ids += [w.application_id for w in loaded.waitlist]
    return loaded, applicants_by_id(db, ids)


def alternative_ids(db: Session, proposal: Proposal) -> list[int]:
    """Ids of the proposals of the same run, by alternative."""
    return list(db.exec(select(Proposal.id).where(
        Proposal.run_key == proposal.run_key, Proposal.sector_id == proposal.sector_id)
        .order_by(Proposal.alternative)).all())
