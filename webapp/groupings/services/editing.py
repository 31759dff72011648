"""Live edits of a draft proposal: move, lock/unlock, undo; then approve and publish.

Every edit carries the version the coordinator saw (`claim` refuses a stale one), is
re-scored with the engine where groups change, records an audit event and commits.
"""

from flask_babel import gettext as _
from sqlmodel import Session, select

from matcher.text import N_, Text
from models import Membership, Proposal, ProposalStatus, User, WaitlistEntry
from webapp.alerts.services import notices
from webapp.audit import services as audit
from webapp.db import writes
from webapp.groupings.services import adapter
from webapp.groupings.services.errors import InvalidChange, NotEditable
from webapp.groupings.services.parameters import POOL_KEY, stored
from webapp.groupings.services.pool import applicants_by_id, pool
from webapp.groupings.services.store import Loaded, claim, load
from webapp.groupings.services.views import _last_move
from webapp.i18n import stored_text, with_texts


def _where_label(loaded: Loaded, application_id: int) -> tuple[str, int | None]:
    group = loaded.group_of(application_id)
    if group is not None:
        return _("group %(n)s", n=group.number), group.number
    return _("the waitlist"), None


def _rescore(db: Session, loaded: Loaded, group_ids: set[int]) -> None:
    """New scores and explanations for the changed groups, from the engine."""
    parameters = stored(loaded.proposal.parameters)
    placed = [m.application_id for ms in loaded.members.values() for m in ms]
    grouped = loaded.proposal.parameters.get(POOL_KEY) or [
        a.application_id for a in pool(db, loaded.sector.id)]  # the pool the engine grouped
    applicants = applicants_by_id(db, {*grouped, *placed})
    groups = {g.id: [applicants[m.application_id] for m in loaded.members[g.id]]
              for g in loaded.groups}
    scored = adapter.rescore(parameters, list(applicants.values()), groups, group_ids,
                             numbers={g.id: g.number for g in loaded.groups})
    for group in loaded.groups:
        if group.id in scored:
            group.score, explanation = scored[group.id]
            group.explanation = with_texts(explanation)
            db.add(group)
    loaded.proposal.objective = adapter.objective([g.score for g in loaded.groups])


def _apply_move(db: Session, loaded: Loaded, application_id: int, target: str,
                reason: Text) -> tuple[set[int], str, str, int | None]:
    """Move in memory and in the session: changed group ids, from/to labels, from number."""
    parameters = stored(loaded.proposal.parameters)
    membership = loaded.membership(application_id)
    waiting = loaded.waiting(application_id)
    if membership is None and waiting is None:
        raise InvalidChange(_("This applicant is not in the proposal."),
                            {"application_id": _("Choose a member of this proposal.")})
    if membership is not None and membership.locked:
        raise NotEditable(_("This member is locked in its group; unlock it before moving it."))
    from_label, from_number = _where_label(loaded, application_id)
    changed: set[int] = set()
    if target == "waitlist":
        if waiting is not None:
            raise InvalidChange(_("This applicant is already on the waitlist."),
                                {"target": _("Choose a group.")})
        to_label = _("the waitlist")
    else:
        group = loaded.group_numbered(int(target)) if str(target).isdigit() else None
        if group is None:
            raise InvalidChange(_("There is no group %(n)s in this proposal.", n=target),
                                {"target": _("Choose one of the proposal's groups.")})
        if group.number == from_number:
            raise InvalidChange(_("%(where)s is already this member's group.",
                                  where=from_label.capitalize()),
                                {"target": _("Choose another group.")})
        if len(loaded.members[group.id]) >= parameters.max_group_size:
            raise InvalidChange(
                _("Group %(n)s is full: it has %(size)s members, the maximum.", n=group.number,
                  size=len(loaded.members[group.id])),
                {"target": _("Choose a group with room, or move someone out first.")})
        to_label = _("group %(n)s", n=group.number)
    if membership is not None:
        changed.add(membership.group_id)
        loaded.members[membership.group_id].remove(membership)
        db.delete(membership)
    if waiting is not None:
        loaded.waitlist.remove(waiting)
        db.delete(waiting)
    if target == "waitlist":
        rank = max((w.rank for w in loaded.waitlist), default=0) + 1
        entry = WaitlistEntry(proposal_id=loaded.proposal.id, application_id=application_id,
                              rank=rank, reason=str(reason), reason_text=stored_text(reason))
        db.add(entry)
        loaded.waitlist.append(entry)
    else:
        new = Membership(group_id=group.id, application_id=application_id)
        db.add(new)
        loaded.members[group.id].append(new)
        changed.add(group.id)
    db.flush()
    return changed, from_label, to_label, from_number


@writes
def move(db: Session, user: User, slug: str, proposal_id: int, application_id: int,
         target: str, version: int | None) -> tuple[Loaded, set[int]]:
    """Move an applicant to another group (or the waitlist); both groups are re-scored."""
    loaded = load(db, user, slug, proposal_id)
    claim(db, loaded, version)
    names = applicants_by_id(db, [application_id])
    changed, from_label, to_label, from_number = _apply_move(
        db, loaded, application_id, target, Text(N_("Moved to the waitlist by a coordinator.")))
    _rescore(db, loaded, changed)
    audit.record(
        db, user, "proposal.move", sector_id=loaded.sector.id, proposal_id=proposal_id,
        application_id=application_id,
        authority=names[application_id].name if application_id in names else "",
        from_label=from_label, to_label=to_label, from_group=from_number,
        version=loaded.proposal.version,
    )
    db.commit()
    return loaded, changed


@writes
def undo(db: Session, user: User, slug: str, proposal_id: int,
         version: int | None) -> tuple[Loaded, set[int]]:
    """Undo the last move not undone yet (moves are kept in the audit trail)."""
    loaded = load(db, user, slug, proposal_id)
    claim(db, loaded, version)
    event = _last_move(db, proposal_id)
    if event is None:
        raise NotEditable(_("There is no move to undo."))
    application_id = event.detail["application_id"]
    from_label = event.detail.get("from_label", "")
    back = event.detail.get("from_group") or "waitlist"
    changed, *_labels = _apply_move(db, loaded, application_id, back,
                                    Text(N_("Back on the waitlist (a move was undone).")))
    _rescore(db, loaded, changed)
    audit.record(
        db, user, "proposal.undo", sector_id=loaded.sector.id, proposal_id=proposal_id,
        undone_event_id=event.id, application_id=application_id,
        authority=event.detail.get("authority", ""), back_to=from_label,
        version=loaded.proposal.version,
    )
    db.commit()
    return loaded, changed


@writes
def set_locked(db: Session, user: User, slug: str, proposal_id: int, application_id: int,
               locked: bool, version: int | None) -> tuple[Loaded, set[int]]:
    """Lock a member in its group (it stays there when the sector is run again) or unlock it."""
    loaded = load(db, user, slug, proposal_id)
    claim(db, loaded, version)
    membership = loaded.membership(application_id)
    if membership is None:
        raise InvalidChange(_("Only members of a group can be locked."),
                            {"application_id": _("Choose a member of a group.")})
    membership.locked = locked
    db.add(membership)
    names = applicants_by_id(db, [application_id])
    group = loaded.group_of(application_id)
    audit.record(
        db, user, "proposal.lock" if locked else "proposal.unlock", sector_id=loaded.sector.id,
        proposal_id=proposal_id, application_id=application_id,
        authority=names[application_id].name, group=group.number,
        version=loaded.proposal.version,
    )
    db.commit()
    return loaded, {membership.group_id}


@writes
def approve(db: Session, user: User, slug: str, proposal_id: int,
            version: int | None) -> Loaded:
    """Approve a draft: from now on it cannot be edited."""
    loaded = load(db, user, slug, proposal_id)
    claim(db, loaded, version)
    loaded.proposal.status = ProposalStatus.APPROVED
    db.add(loaded.proposal)
    audit.record(db, user, "proposal.approve", sector_id=loaded.sector.id,
                 proposal_id=proposal_id, version=loaded.proposal.version,
                 groups=len(loaded.groups))
    db.commit()
    return loaded


@writes
def publish(db: Session, user: User, slug: str, proposal_id: int,
            version: int | None) -> Loaded:
    """Publish an approved proposal: its members (authorities) now see their groups."""
    loaded = load(db, user, slug, proposal_id)
    if loaded.proposal.status == ProposalStatus.DRAFT and version == loaded.proposal.version:
        raise NotEditable(_("Approve the proposal before publishing it."))
    claim(db, loaded, version, allowed=(ProposalStatus.APPROVED,))
    loaded.proposal.status = ProposalStatus.PUBLISHED
    db.add(loaded.proposal)
    retired = retire_others(db, loaded.proposal)
    audit.record(db, user, "proposal.publish", sector_id=loaded.sector.id,
                 proposal_id=proposal_id, version=loaded.proposal.version,
                 members=sum(len(ms) for ms in loaded.members.values()),
                 retired=[p.id for p in retired])
    notices.group_published(db, loaded)  # mails to the members, committed with the publish
    db.commit()
    return loaded


def retire_others(db: Session, published: Proposal) -> list[Proposal]:
    """Retire the sector's other approved or published proposals.

    One sector has one published grouping: authorities only ever see one group per sector,
    so a second published alternative would silently hide the first (or the conflict).
    Approved ones are retired too, so nobody publishes the loser of the choice later.
    """
    others = list(db.exec(
        select(Proposal).where(
            Proposal.sector_id == published.sector_id, Proposal.id != published.id,
            Proposal.status.in_((ProposalStatus.APPROVED, ProposalStatus.PUBLISHED)))
    ).all())
    for other in others:
        other.status = ProposalStatus.RETIRED
        other.version += 1
        db.add(other)
    return others
