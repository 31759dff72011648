"""Mails to the other roles: authorities hear of their groups, coordinators get a summary.

`group_published` and `partner_answered` are called by the groupings services inside their
write, before its commit: the outbox rows are committed with the change they tell of (or not
at all). The coordinators' summary is part of a round (see `digests.run_digest_round`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, select

from models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Authority,
    Group,
    Membership,
    PartnerResponse,
    Proposal,
    Role,
    Sector,
    SectorCoordinator,
    User,
)
from webapp.alerts.services.mail import external_url, locale_of, send_to
from webapp.alerts.services.preferences import preferences_of, wants
from webapp.sector_text import sector_name, sector_text

log = logging.getLogger("matchmaker.alerts")
SUMMARY_EVERY = timedelta(hours=20)  # a daily cron a little early still sends the summary
SUMMARY_ACTIONS = ("partner.accepted", "partner.declined", "wish.asked", "wish.withdrawn",
                   "application.submitted", "application.withdrawn")


def _authority_users(db: Session, authority_ids: list[int]) -> list[User]:
    if not authority_ids:
        return []
    users = list(db.exec(select(User).where(User.role == Role.AUTHORITY,
                                            User.authority_id.in_(authority_ids))
                         .order_by(User.id)).all())
    preferences = preferences_of(db, [u.id for u in users])
    return [u for u in users if wants(preferences[u.id], "notices")]


def _outside_the_app(what: str) -> bool:
    """Mails need the app (templates, links, the language): a script that calls the groupings
    services without it publishes without notices, and says so."""
    if has_app_context():
        return False
    log.warning("no app context: the %s notices were not written", what)
    return True


def group_published(db: Session, loaded) -> int:
    """Each member authority's users hear that their group is published; returns the count."""
    if _outside_the_app("group published"):
        return 0
    # a member that withdrew before the publication is not told of a group it left
    authority_of_application = dict(db.exec(
        select(Application.id, Application.authority_id).where(Application.id.in_(
            [m.application_id for ms in loaded.members.values() for m in ms] or [-1]),
            Application.status == ApplicationStatus.SUBMITTED)
    ).all())
    names = dict(db.exec(select(Authority.id, Authority.name).where(
        Authority.id.in_(list(authority_of_application.values()) or [-1]))).all())
    n = 0
    for group in loaded.groups:
        members = [authority_of_application[m.application_id] for m in loaded.members[group.id]
                   if m.application_id in authority_of_application]
        for user in _authority_users(db, members):
            partners = sorted(names[a] for a in members if a != user.authority_id)
            sector = sector_text(loaded.sector, locale_of(user)).name  # in the mail's language
            queued = send_to(
                db, user, "notice", "group_published",
                lambda sector=sector: _("Your working group in %(sector)s is published",
                                        sector=sector),
                unsubscribe="notices",
                dedupe_key=f"published:{loaded.proposal.id}:{group.id}:{user.id}",
                sector=sector, group_number=group.number, partners=partners,
                group_url=external_url("groupings.members.show", group_id=group.id),
            )
            n += queued is not None
    return n


def partner_answered(db: Session, response: PartnerResponse, answerer: Authority) -> int:
    """The other members of the group hear that a partner accepted or declined."""
    if _outside_the_app("partner answered"):
        return 0
    membership = db.get(Membership, response.membership_id)
    group = db.get(Group, membership.group_id)
    proposal = db.get(Proposal, group.proposal_id)
    sector = db.get(Sector, proposal.sector_id)
    others = list(db.exec(
        select(Application.authority_id)
        .join(Membership, Membership.application_id == Application.id)
        .where(Membership.group_id == group.id, Application.authority_id != answerer.id)
    ).all())
    stamp = response.answered_at.strftime("%Y%m%d%H%M%S%f")
    n = 0
    for user in _authority_users(db, others):
        name = sector_text(sector, locale_of(user)).name  # in the mail's language
        queued = send_to(
            db, user, "notice", "partner_answered",
            (lambda name=name: _("%(partner)s accepted your working group in %(sector)s",
                                 partner=answerer.name, sector=name))
            if response.answer == "accepted" else
            (lambda name=name: _("%(partner)s declined your working group in %(sector)s",
                                 partner=answerer.name, sector=name)),
            unsubscribe="notices",
            dedupe_key=f"answer:{response.membership_id}:{stamp}:{user.id}",
            partner=answerer.name, answer=response.answer, sector=name,
            group_number=group.number,
            group_url=external_url("groupings.members.show", group_id=group.id),
        )
        n += queued is not None
    return n


# --- the coordinators' daily summary ----------------------------------------------------------

@dataclass(frozen=True)
class SummaryLine:
    sector: str
    action: str
    authority: str
    other: str
    reason: str
    at: datetime


def coordinator_summaries(db: Session, now: datetime, dry_run: bool = False) -> int:
    """One mail per coordinator with the answers, wishes and applications since the last one.

    Nothing is sent to a coordinator when nothing happened in their sectors.
    """
    coordinators = list(db.exec(select(User).where(User.role == Role.COORDINATOR)
                                .order_by(User.id)).all())
    preferences = preferences_of(db, [u.id for u in coordinators])
    n = 0
    for user in coordinators:
        preference = preferences[user.id]
        if not wants(preference, "notices"):
            continue
        since = preference.last_summary_at or now - timedelta(days=1)
        if now - since < SUMMARY_EVERY:
            continue
        lines = _summary_lines(db, user, since, now)
        if lines:
            send_to(
                db, user, "summary", "coordinator_summary",
                lambda lines=lines: ngettext(
                    "%(num)s answer, wish or application in your sectors",
                    "%(num)s answers, wishes and applications in your sectors", len(lines)),
                unsubscribe="notices", dedupe_key=f"summary:{user.id}:{now:%Y%m%d%H%M}",
                lines=lines, since=since,
                answers_url=external_url("audit.index"),
            )
            n += 1
        if not dry_run:
            preference.last_summary_at = now
            db.add(preference)
    return n


def _summary_lines(db: Session, user: User, since: datetime, now: datetime) -> list[SummaryLine]:
    sectors = select(SectorCoordinator.sector_id).where(SectorCoordinator.user_id == user.id)
    rows = db.exec(
        select(AuditEvent, Sector.name, Sector.translations)
        .join(Sector, Sector.id == AuditEvent.sector_id)
        .where(AuditEvent.sector_id.in_(sectors), AuditEvent.action.in_(SUMMARY_ACTIONS),
               AuditEvent.at > since, AuditEvent.at <= now)
        .order_by(Sector.name, AuditEvent.at)
    ).all()
    language = locale_of(user)  # the summary's language
    return [
        SummaryLine(sector=sector_name(name, translations, language), action=event.action,
                    authority=str(event.detail.get("authority") or ""),
                    other=str(event.detail.get("other_authority") or ""),
                    reason=str(event.detail.get("reason") or ""), at=event.at)
        for event, name, translations in rows
    ]
