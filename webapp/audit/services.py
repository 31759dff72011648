"""The audit trail: who changed what, when. Services record; coordinators read."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import AuditEvent, Proposal, Sector, User
from webapp.i18n import in_sector_order, number, sector_language
from webapp.scope import coordinated, coordinated_sector_ids
from webapp.sector_text import sector_name


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
    language = sector_language()
    sectors = in_sector_order(
        ((i, slug, sector_name(name, translations, language)) for i, slug, name, translations
         in db.exec(coordinated(select(Sector.id, Sector.slug, Sector.name,
                                       Sector.translations), user).order_by(Sector.name))),
        lambda s: s[2])
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
        select(AuditEvent, User.email, Sector.name, Sector.translations, Sector.slug,
               proposal_sector.name, proposal_sector.translations, proposal_sector.slug)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Sector, Sector.id == AuditEvent.sector_id)
        .outerjoin(Proposal, Proposal.id == AuditEvent.proposal_id)
        .outerjoin(proposal_sector, proposal_sector.id == Proposal.sector_id)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    language = sector_language()
    return AuditPage(
        rows=[
            AuditRow(id=event.id, at=event.at, who=email or "system",
                     sector_name=sector_name(name, texts, language) if name
                     else sector_name(p_name, p_texts, language) if p_name else "",
                     sector_slug=slug or p_slug or "",
                     proposal_id=event.proposal_id, action=event.action,
                     what=sentence(event.action, event.detail))
            for event, email, name, texts, slug, p_name, p_texts, p_slug in rows
        ],
        page=page, n_pages=n_pages, n_events=n_events,
    )


ACTION_LABELS = {
    "applications.imported": _l("applications imported"), "proposal.run": _l("proposals generated"),
    "proposal.move": _l("member moved"), "proposal.undo": _l("move undone"),
    "proposal.lock": _l("member locked"), "proposal.unlock": _l("member unlocked"),
    "proposal.approve": _l("proposal approved"), "proposal.publish": _l("proposal published"),
    "partner.accepted": _l("group accepted"), "partner.declined": _l("group declined"),
    "wish.asked": _l("wish sent"), "wish.accepted": _l("wish accepted"),
    "wish.rejected": _l("wish rejected"), "wish.withdrawn": _l("wish withdrawn"),
    "application.submitted": _l("application submitted"),
    "application.updated": _l("application changed"),
    "application.withdrawn": _l("application withdrawn"),
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
    """An event's detail as 'key: value' pairs in the reader's language: for kinds of event
    `sentence` does not know."""
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


def _wish(kind: str, other: str) -> str:
    if kind == "apart":
        return _("to be placed apart from %(name)s", name=other)
    return _("to be placed together with %(name)s", name=other)


def sentence(action: str, detail: dict) -> str:
    """What happened, as a sentence a person reads (no internal keys, ids or run keys)."""
    d = detail or {}
    who = d.get("authority") or _("an authority")
    other = d.get("other_authority") or _("another authority")
    reason = d.get("reason") or ""
    if action == "proposal.run":
        ids = d.get("proposals") or []
        text = ngettext("Generated %(num)s proposal", "Generated %(num)s proposals",
                        len(ids) or 1)
        if ids:
            text += " (" + ", ".join(f"#{i}" for i in ids) + ")"
        return text + " " + _("from %(n)s applicants: %(w)s on the waitlist, %(l)s locked "
                              "members kept, %(x)s wishes applied; random seed %(seed)s.",
                              n=d.get("applicants", 0), w=d.get("waitlisted", 0),
                              l=d.get("locked", 0), x=d.get("wishes", 0),
                              seed=d.get("random_state", 0))
    if action == "proposal.move":
        return _("Moved %(name)s from %(source)s to %(target)s.", name=who,
                 source=d.get("from_label") or "?", target=d.get("to_label") or "?")
    if action == "proposal.undo":
        return _("Undid a move: %(name)s is back in %(where)s.", name=who,
                 where=d.get("back_to") or _("its former place"))
    if action in ("proposal.lock", "proposal.unlock"):
        if action == "proposal.lock":
            return _("Locked %(name)s in group %(n)s: it stays there when the sector is run "
                     "again.", name=who, n=d.get("group", "?"))
        return _("Unlocked %(name)s in group %(n)s.", name=who, n=d.get("group", "?"))
    if action == "proposal.approve":
        return ngettext("Approved the proposal (%(num)s group); it can no longer be changed.",
                        "Approved the proposal (%(num)s groups); it can no longer be changed.",
                        d.get("groups", 0))
    if action == "proposal.publish":
        text = ngettext("Published the proposal to its %(num)s member.",
                        "Published the proposal to its %(num)s members.", d.get("members", 0))
        if d.get("retired"):
            text += " " + _("Retired in its place: %(ids)s.",
                            ids=", ".join(f"#{i}" for i in d["retired"]))
        return text
    if action == "applications.imported":
        return _("Imported a CSV file of %(rows)s rows: %(created)s applications added, "
                 "%(updated)s updated, %(new)s new authorities, %(skipped)s rows skipped.",
                 rows=d.get("rows", 0), created=d.get("created", 0),
                 updated=d.get("updated", 0), new=d.get("new_authorities", 0),
                 skipped=d.get("skipped", 0))
    if action == "partner.accepted":
        text = _("%(name)s accepted group %(n)s.", name=who, n=d.get("group_number", "?"))
        return text + (" " + _("Note: “%(reason)s”", reason=reason) if reason else "")
    if action == "partner.declined":
        return _("%(name)s declined group %(n)s: “%(reason)s”", name=who,
                 n=d.get("group_number", "?"), reason=reason)
    if action == "wish.asked":
        return _("%(name)s asked %(wish)s.", name=who, wish=_wish(d.get("kind", ""), other))
    if action == "wish.withdrawn":
        return _("%(name)s withdrew the wish %(wish)s.", name=who,
                 wish=_wish(d.get("kind", ""), other))
    if action in ("application.submitted", "application.updated"):
        topics = ngettext("%(num)s topic", "%(num)s topics", len(d.get("topics") or []))
        if action == "application.submitted":
            return _("%(name)s applied: %(topics)s, preference %(rank)s.", name=who,
                     topics=topics, rank=d.get("preference_rank", "?"))
        return _("%(name)s changed its application: %(topics)s, preference %(rank)s.",
                 name=who, topics=topics, rank=d.get("preference_rank", "?"))
    if action == "application.withdrawn":
        return _("%(name)s withdrew its application.", name=who)
    if action == "wish.accepted":
        return _("Accepted the wish of %(name)s %(wish)s: a rule of the next run.", name=who,
                 wish=_wish(d.get("kind", ""), other))
    if action == "wish.rejected":
        return _("Rejected the wish of %(name)s %(wish)s.", name=who,
                 wish=_wish(d.get("kind", ""), other))
    return describe(d)


def export_csv(db: Session, user: User, wanted: AuditFilter, limit: int = 50_000) -> bytes:
    """The coordinator's part of the trail as CSV (UTF-8 with a BOM, for Excel), newest first."""
    result = events_for(db, user, wanted, page=1, per_page=limit)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow((_("When (UTC)"), _("Who"), _("Sector"), _("Proposal"), _("Action"),
                     _("What happened")))
    for row in result.rows:
        writer.writerow((row.at.strftime("%Y-%m-%d %H:%M:%S"), row.who, row.sector_name,
                         row.proposal_id or "", action_label(row.action), row.what))
    return buffer.getvalue().encode("utf-8-sig")
