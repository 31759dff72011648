"""Load a proposal of a coordinated sector with its groups, memberships and waitlist."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import update
from sqlmodel import Session, select

from models import (
    AuditEvent,
    Group,
    Membership,
    Proposal,
    ProposalStatus,
    Sector,
    User,
    WaitlistEntry,
)
from webapp.groupings.services.errors import NotEditable, StaleProposal, UnknownProposal
from webapp.groupings.services.pool import sector_for
from webapp.i18n import moment


@dataclass
class Loaded:
    """A proposal and its rows; `members` maps group id -> memberships (by application id)."""

    sector: Sector
    proposal: Proposal
    groups: list[Group]
    members: dict[int, list[Membership]]
    waitlist: list[WaitlistEntry]

    def group_of(self, application_id: int) -> Group | None:
        for group in self.groups:
            if any(m.application_id == application_id for m in self.members[group.id]):
                return group
        return None

    def membership(self, application_id: int) -> Membership | None:
        for members in self.members.values():
            for m in members:
                if m.application_id == application_id:
                    return m
        return None

    def waiting(self, application_id: int) -> WaitlistEntry | None:
        return next((w for w in self.waitlist if w.application_id == application_id), None)

    def group_numbered(self, number: int) -> Group | None:
        return next((g for g in self.groups if g.number == number), None)


def load(db: Session, user: User, slug: str, proposal_id: int) -> Loaded:
    """The proposal if it belongs to a sector the coordinator runs, else 404-type errors."""
    sector = sector_for(db, user, slug)
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or proposal.sector_id != sector.id:
        raise UnknownProposal(f"No proposal {proposal_id} in {sector.name}.")
    return load_rows(db, sector, proposal)


def load_rows(db: Session, sector: Sector, proposal: Proposal) -> Loaded:
    """Groups (by number), memberships and the waitlist (by rank) of a proposal."""
    groups = list(db.exec(
        select(Group).where(Group.proposal_id == proposal.id).order_by(Group.number)
    ).all())
    members: dict[int, list[Membership]] = {g.id: [] for g in groups}
    if groups:
        for m in db.exec(select(Membership).where(Membership.group_id.in_(list(members)))
                         .order_by(Membership.id)).all():
            members[m.group_id].append(m)
    waitlist = list(db.exec(
        select(WaitlistEntry).where(WaitlistEntry.proposal_id == proposal.id)
        .order_by(WaitlistEntry.rank, WaitlistEntry.id)
    ).all())
    return Loaded(sector, proposal, groups, members, waitlist)


def last_change(db: Session, proposal_id: int) -> tuple[str, datetime] | None:
    """Who changed the proposal last, and when (from the audit trail)."""
    row = db.exec(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.proposal_id == proposal_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).first()
    if row is None:
        return None
    event, email = row
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    return email or "system", at


def stale_message(db: Session, proposal_id: int) -> str:
    """What a coordinator reads when someone else changed the proposal first."""
    change = last_change(db, proposal_id)
    if change is None:
        return _("This proposal was changed by someone else; reload to see the current groups.")
    who, at = change
    return _("This proposal was changed by %(who)s at %(time)s; reload to see the current "
             "groups.", who=who, time=moment(at))


def claim(db: Session, loaded: Loaded, seen_version: int | None, *,
          allowed: tuple[ProposalStatus, ...] = (ProposalStatus.DRAFT,)) -> None:
    """Check the state, then move the version on from the one the editor saw, atomically.

    A stale `seen_version` raises StaleProposal naming the last editor; the conditional
    UPDATE makes two simultaneous edits of one version end with exactly one winner.
    """
    proposal = loaded.proposal
    if seen_version is None:
        raise StaleProposal(_("Send the version of the proposal you are changing."))
    if seen_version != proposal.version:
        raise StaleProposal(stale_message(db, proposal.id))
    if proposal.status not in allowed:
        raise NotEditable(_not_editable_message(proposal.status))
    now = datetime.now(UTC)
    result = db.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.version == seen_version)
        .values(version=seen_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.rollback()
        raise StaleProposal(stale_message(db, proposal.id))
    proposal.version = seen_version + 1
    proposal.updated_at = now


def _not_editable_message(status: ProposalStatus) -> str:
    if status == ProposalStatus.APPROVED:
        return _("This proposal is approved and can no longer be changed. Generate new "
                 "proposals to change the groups.")
    if status == ProposalStatus.PUBLISHED:
        return _("This proposal is published and can no longer be changed.")
    if status == ProposalStatus.RETIRED:
        return _("This proposal is retired: another proposal of this sector was published in "
                 "its place. Generate new proposals to change the groups.")
    return _("This proposal cannot be changed in its current state.")
