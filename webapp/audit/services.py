"""The audit trail: who changed what, when. Services record; coordinators read."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import AuditEvent, Proposal, Sector, User
from webapp.i18n import number
from webapp.scope import coordinated, coordinated_sector_ids


def record(
    db: Session,
    user: User | None,
    action: str,
    *,
    sector_id: int | None = None,
    proposal_id: int | None = None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    event = AuditEvent(
        user_id=user.id if user else None,
        sector_id=sector_id,
        proposal_id=proposal_id,
        action=action,
        detail=detail,
    )
    db.add(event)
    return event


# --- reading the trail (coordinators, for their own sectors only) ---------------------------

PER_PAGE = 25


@dataclass(frozen=True)
class AuditFilter:
    """What a coordinator narrows the trail to; None means any."""

    sector_id: int | None = None
    proposal_id: int | None = None
    user_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    who: str
    sector_name: str
    sector_slug: str
    proposal_id: int | None
    action: str
    what: str  # the detail, in words


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    n_pages: int
    n_events: int


@dataclass(frozen=True)
class AuditChoices:
    """The values a coordinator may filter by: only what their sectors contain."""

    sectors: list[tuple[int, str, str]]  # (id, slug, name)
    proposals: list[tuple[int, str]]  # (id, label)
    users: list[tuple[int, str]]  # (id, email)
    actions: list[str]


def _visible(user: User):
    """Events of the sectors a coordinator runs (by the event's sector or its proposal's)."""
    mine = coordinated_sector_ids(user)
    return or_(
        AuditEvent.sector_id.in_(mine),
        and_(AuditEvent.sector_id.is_(None),
             AuditEvent.proposal_id.in_(select(Proposal.id).where(Proposal.sector_id.in_(mine)))),
    )


def filter_choices(db: Session, user: User) -> AuditChoices:
    """Sectors, proposals, users and actions that occur in the coordinator's part of the trail."""
    sectors = db.exec(
        coordinated(select(Sector.id, Sector.slug, Sector.name), user).order_by(Sector.name)
    ).all()
    sector_ids = [s[0] for s in sectors]
    names = {s[0]: s[2] for s in sectors}
    proposals = db.exec(
        select(Proposal.id, Proposal.sector_id, Proposal.status)
        .where(Proposal.sector_id.in_(sector_ids)).order_by(Proposal.id.desc())
    ).all()
    visible = _visible(user)
    users = db.exec(
        select(User.id, User.email).where(
            User.id.in_(select(AuditEvent.user_id).where(visible))
        ).order_by(User.email)
    ).all()
    actions = db.exec(
        select(AuditEvent.action).where(visible).distinct().order_by(AuditEvent.action)
    ).all()
    return AuditChoices(
        sectors=[tuple(s) for s in sectors],
        proposals=[(pid, f"#{pid} {names.get(sid, '')} ({status_label(status)})")
                   for pid, sid, status in proposals],
        users=[tuple(u) for u in users],
        actions=list(actions),
    )


def events_for(db: Session, user: User, wanted: AuditFilter, page: int = 1,
               per_page: int = PER_PAGE) -> AuditPage:
    """One page of the coordinator's part of the trail, newest first."""
    conditions = [_visible(user)]
    if wanted.sector_id is not None:
        conditions.append(or_(
            AuditEvent.sector_id == wanted.sector_id,
            AuditEvent.proposal_id.in_(
                select(Proposal.id).where(Proposal.sector_id == wanted.sector_id)),
        ))
    if wanted.proposal_id is not None:
        conditions.append(AuditEvent.proposal_id == wanted.proposal_id)
    if wanted.user_id is not None:
        conditions.append(AuditEvent.user_id == wanted.user_id)
    if wanted.action:
        conditions.append(AuditEvent.action == wanted.action)
    n_events = db.exec(select(func.count(AuditEvent.id)).where(*conditions)).one()
    n_pages = max(1, -(-n_events // per_page))
    page = min(max(1, page), n_pages)
    proposal_sector = aliased(Sector)
    rows = db.exec(
        select(AuditEvent, User.email, Sector.name, Sector.slug,
               proposal_sector.name, proposal_sector.slug)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Sector, Sector.id == AuditEvent.sector_id)
        .outerjoin(Proposal, Proposal.id == AuditEvent.proposal_id)
        .outerjoin(proposal_sector, proposal_sector.id == Proposal.sector_id)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(
        rows=[
            AuditRow(id=event.id, at=event.at, who=email or "system",
                     sector_name=name or p_name or "", sector_slug=slug or p_slug or "",
                     proposal_id=event.proposal_id, action=event.action,
                     what=describe(event.detail))
            for event, email, name, slug, p_name, p_slug in rows
        ],
        page=page, n_pages=n_pages, n_events=n_events,
    )


ACTION_LABELS = {
    "applications.imported": _l("applications imported"), "proposal.run": _l("proposals run"),
    "proposal.move": _l("member moved"), "proposal.undo": _l("move undone"),
    "proposal.lock": _l("member locked"), "proposal.unlock": _l("member unlocked"),
    "proposal.approve": _l("proposal approved"), "proposal.publish": _l("proposal published"),
    "partner.accepted": _l("group accepted"), "partner.declined": _l("group declined"),
    "wish.asked": _l("wish made"), "wish.accepted": _l("wish accepted"),
    "wish.rejected": _l("wish rejected"), "wish.withdrawn": _l("wish withdrawn"),
}
STATUS_LABELS = {"draft": _l("draft"), "approved": _l("approved"), "published": _l("published")}


def action_label(action: str) -> str:
    """An action of the trail in words, in the reader's language (the code when unknown)."""
    return str(ACTION_LABELS.get(action, action))


def status_label(status) -> str:
    value = str(getattr(status, "value", status))
    return str(STATUS_LABELS.get(value, value))


# The keys services record, in words (any other key is shown as written, "_" as a space).
DETAIL_LABELS = {
    "authority": _l("authority"), "other_authority": _l("other authority"), "kind": _l("kind"),
    "version": _l("version"), "wishes": _l("wishes"), "waitlisted": _l("waitlisted"),
    "updated": _l("updated"), "to_label": _l("to"), "from_label": _l("from"),
    "from_group": _l("from group"), "back_to": _l("back to"), "skipped": _l("skipped"),
    "run_key": _l("run"), "rows": _l("rows"), "reason": _l("reason"),
    "random_state": _l("random seed"), "proposals": _l("proposals"),
    "new_authorities": _l("new authorities"), "members": _l("members"), "locked": _l("locked"),
    "groups": _l("groups"), "group_number": _l("group"), "group": _l("group"),
    "created": _l("created"), "applicants": _l("applicants"), "answer": _l("answer"),
}
VALUE_LABELS = {True: _l("yes"), False: _l("no"), "together": _l("together"),
                "apart": _l("apart"), "accepted": _l("accepted"), "declined": _l("declined")}


def describe(detail: dict) -> str:
    """An event's detail as 'key: value' pairs a person can read, in the reader's language."""
    parts = []
    for key, value in (detail or {}).items():
        if key.endswith("_id") or value in (None, "", [], {}):
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool | str) and value in VALUE_LABELS:
            value = VALUE_LABELS[value]
        elif isinstance(value, int | float):
            value = number(value)
        label = DETAIL_LABELS.get(key, key.replace("_", " "))
        parts.append(f"{label}: {value}")
    return "; ".join(parts)
