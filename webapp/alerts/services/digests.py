"""The digest round: one mail per enterprise user whose saved searches are due.

A digest has up to three parts, each tender at most once per reason and user (the sent log's
unique key): **new** tenders in a search's ranked list that were never sent, best first;
tenders **closing** within 7 days among the saved ones and the searches' lists; saved tenders
that **changed** (deadline, value, lots, or closed: cancelled or awarded) since the user was
last told of them or first saw them (a fingerprint per user and tender). Nothing is sent when
no part has anything.

A search's list is the tender list's, from the same shared matching index: the engine scores
the enterprise once against every tender of the index (``score_tenders_many``, a block of
enterprises at a time, the same scores as the list's ``score_tenders``), the list's masks
keep the open, matching tenders that pass the search's filters (the tenders feature's own
``filter_mask``), dismissed tenders are left out and a top-k keeps the best `DIGEST_DEPTH`;
signals and reasons are worked out for the tenders the mail shows alone (``explain_tenders``).
An enterprise's scores are computed once for all its users and searches.

Enterprises are processed in blocks; each block is one transaction (the outbox rows, the sent
log and the fingerprints together), so a crash or a second worker on the same block can
neither lose nor repeat a tender: a duplicate hits the unique key and the block is left to
the worker that wrote it first. `shard`/`n_shards` split the enterprises by id modulo
`n_shards`, one shard per job (``rounds.digest_shard_job``): a shard that fails part-way keeps
the blocks it committed (their searches are no longer due) and its retry writes the rest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matcher.tenders import STRONG_FIT, top_k_rows
from matcher.tenders.explain import top_signal
from models import (
    AlertSent,
    Enterprise,
    FeedbackAction,
    Lot,
    MatchFeedback,
    Role,
    SavedSearch,
    Tender,
    TenderFingerprint,
    TenderStatus,
    User,
    utcnow,
)
from webapp.alerts.services import mail, notices
from webapp.alerts.services.outbox import enqueue
from webapp.alerts.services.preferences import preferences_of, wants
from webapp.alerts.services.searches import due, list_args, match_filters
from webapp.i18n import Localizer, localize
from webapp.tenders.services.index import MatchingIndex, current_index
from webapp.tenders.services.listing import (
    MatchFilters,
    _deadline_text,
    by_strength,
    filter_mask,
)
from webapp.tenders.services.matching import enterprise_profile, lots_by_tender, rows_for
from webapp.tenders.services.profiles import euros

log = logging.getLogger("matchmaker.alerts")

BLOCK = 256  # users ranked and written together
#: Enterprises scored together: one pass costs little more than one enterprise, and memory
#: grows with enterprises × lots (64 × 130,000 lots is about 100 MB at a time).
SCORE_BLOCK = 64
#: A digest looks at the best 10 of each search's list (the feed shows 20): a tender is new
#: when it enters them. All of them go in the mail: one left out would be "new" tomorrow.
DIGEST_DEPTH = 10
MAX_NEW_PER_SEARCH = DIGEST_DEPTH
#: Filter masks a round keeps for searches with the same filters (a word filter is a scan of
#: the tender texts): at most this many, each one byte per tender of the index.
MASKS_KEPT = 512
CLOSING_WITHIN = timedelta(days=7)


@dataclass
class RoundReport:
    shard: int = 0
    n_shards: int = 1
    dry_run: bool = False
    users: int = 0  # users with a due search
    digests: int = 0
    new: int = 0
    closing: int = 0
    changed: int = 0
    summaries: int = 0
    skipped_blocks: int = 0  # blocks another worker had already written
    seconds: float = 0.0

    def as_text(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        return (f"shard {self.shard + 1}/{self.n_shards}: {self.users} users due, {verb} "
                f"{self.digests} digests ({self.new} new, {self.closing} closing, "
                f"{self.changed} changed) and {self.summaries} coordinator summaries "
                f"in {self.seconds:.1f} s")


@dataclass
class DigestItem:
    tender_id: int
    reason: str  # the sent log's reason
    title: str
    buyer: str
    url: str
    deadline_text: str
    value_text: str = ""
    score_percent: int | None = None
    best_lot: str | None = None
    top_reason: str = ""
    days_left: int | None = None
    changes: list[str] = field(default_factory=list)
    facts: str = ""  # "Fit 81% · Deadline: … · Value: …", in the reader's language
    lot_text: str = ""
    why_text: str = ""
    strong: bool = True  # a new tender at least STRONG_FIT: listed before "Weaker matches"


@dataclass
class SearchSection:
    name: str
    list_url: str
    feed_url: str
    items: list[DigestItem]

    def by_strength(self) -> tuple[list[DigestItem], list[DigestItem]]:
        """The new tenders as the list would show them: strong, then under "Weaker matches"."""
        return by_strength(self.items)


def run_digest_round(
    db: Session, now: datetime | None = None, *, shard: int = 0, n_shards: int = 1,
    dry_run: bool = False, summaries: bool = True,
) -> RoundReport:
    """Send the due digests of one shard (and, in shard 0, the coordinators' summaries).

    With `dry_run` everything is worked out and counted, and nothing is written.
    """
    if not 0 <= shard < n_shards:
        raise ValueError("shard must be in 0 .. n_shards - 1")
    started = time.perf_counter()
    now = now or utcnow()
    report = RoundReport(shard=shard, n_shards=n_shards, dry_run=dry_run)
    by_user = _due_searches(db, now, shard, n_shards)
    report.users = len(by_user)
    if by_user:
        index = current_index(db)
        users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(list(by_user))))}
        preferences = preferences_of(db, list(by_user))
        wanted = [uid for uid in by_user if wants(preferences[uid], "digests")]
        # Users of one enterprise share its ranking: order by enterprise, then block.
        wanted.sort(key=lambda uid: (users[uid].enterprise_id, uid))
        masks: dict[str, np.ndarray] = {}  # the filters (as JSON) -> the tenders they keep
        for start in range(0, len(wanted), BLOCK):
            block = wanted[start:start + BLOCK]
            _digest_block(db, index, now, [users[u] for u in block], by_user, preferences,
                          report, dry_run, masks)
    if summaries and shard == 0:
        report.summaries = notices.coordinator_summaries(db, now, dry_run=dry_run)
        if dry_run:
            db.rollback()
        else:
            db.commit()
    report.seconds = time.perf_counter() - started
    log.info(report.as_text())
    return report


def _due_searches(db: Session, now: datetime, shard: int,
                  n_shards: int) -> dict[int, list[SavedSearch]]:
    """The searches due now of the shard's enterprises, by user."""
    query = (select(SavedSearch).join(User, User.id == SavedSearch.user_id)
             .where(SavedSearch.frequency != "off", User.role == Role.ENTERPRISE,
                    User.enterprise_id == SavedSearch.enterprise_id))
    if n_shards > 1:
        # By id modulo the shard count: the split stays the same while enterprises are added
        # during a round (id ranges would move), and gaps in the ids leave no shard idle.
        query = query.where(col(SavedSearch.enterprise_id) % n_shards == shard)
    by_user: dict[int, list[SavedSearch]] = defaultdict(list)
    for search in db.exec(query.order_by(SavedSearch.user_id, SavedSearch.created_at,
                                         SavedSearch.id)):
        if due(search, now):
            by_user[search.user_id].append(search)
    return dict(by_user)


# --- one block of users -----------------------------------------------------------------------

def _digest_block(db, index, now, users, by_user, preferences, report, dry_run,
                  masks) -> None:
    enterprise_ids = sorted({u.enterprise_id for u in users})
    user_ids = [u.id for u in users]
    enterprises = {e.id: e for e in db.exec(
        select(Enterprise).where(col(Enterprise.id).in_(enterprise_ids)))}
    # A search may widen or narrow its enterprise's reach: one profile per (enterprise, reach).
    own = {eid: enterprise_profile(enterprises[eid]) for eid in enterprise_ids}
    profiles = {(u.enterprise_id, reach): replace(own[u.enterprise_id], reach=reach)
                for u in users for reach in
                {_reach(s, own[u.enterprise_id]) for s in by_user[u.id]}}
    sent = _sent_log(db, user_ids)
    feedback = _feedback(db, enterprise_ids)
    fingerprints = {(f.user_id, f.tender_id): f for f in db.exec(
        select(TenderFingerprint).where(col(TenderFingerprint.user_id).in_(user_ids)))}
    saved_ids = sorted({tid for marks in feedback.values() for tid, action in marks.items()
                        if action == FeedbackAction.SAVED})
    saved_tenders = {t.id: t for t in db.exec(
        select(Tender).where(col(Tender.id).in_(saved_ids)))} if saved_ids else {}
    saved_lots = lots_by_tender(db, saved_ids)
    open_now = index.open_mask(now)

    sent_rows, new_prints, drafts = [], [], []
    counts = RoundReport()  # this block's, added to the round's once written
    scored = _scored(index, sorted(profiles), profiles)
    # First each user's new tenders, then the rows of them all in one query.
    fresh_by_user, listed_by_user = {}, {}
    for user in users:
        eid = user.enterprise_id
        marks = feedback.get(eid, {})
        dismissed = [tid for tid, a in marks.items() if a == FeedbackAction.DISMISSED]
        fresh_by_user[user.id], listed_by_user[user.id] = _fresh(
            db, index, user, by_user[user.id],
            {s.id: scored[(eid, _reach(s, own[eid]))][1] for s in by_user[user.id]},
            open_now, dismissed, sent, masks)
    shown = {tid for u in users for _s, fresh in fresh_by_user[u.id] for tid, _p in fresh}
    fitted = rows_for(db, index, shown | {t for u in users for t in listed_by_user[u.id]})
    for user in users:
        eid = user.enterprise_id
        locale = mail.locale_of(user)
        marks = feedback.get(eid, {})
        by_tender = {}
        for search, fresh in fresh_by_user[user.id]:
            key = (eid, _reach(search, own[eid]))
            by_tender.update((m.tender_id, m) for m in index.matcher.explain_tenders(
                profiles[key], scored[key][0], [p for _t, p in fresh], only_top_reason=True))
        labels = _labels(locale)
        with mail.as_reader(user, locale):
            reader = Localizer()
            sections = [
                SearchSection(
                    name=search.name,
                    list_url=mail.external_url("tenders.enterprise.index", **list_args(search)),
                    feed_url=mail.external_url("alerts.public.feed", token=search.feed_token),
                    items=[_new_item(fitted, by_tender[tid], labels, reader) for tid, _p in fresh
                           if tid in by_tender],
                )
                for search, fresh in fresh_by_user[user.id]
            ]
            saved = [saved_tenders[tid] for tid, a in marks.items()
                     if a == FeedbackAction.SAVED and tid in saved_tenders]
            closing = _closing(fitted, user, now, saved, listed_by_user[user.id], sent,
                               sections)
            changed, baselines = _changed(user, saved, saved_lots, fingerprints, sent)
        new_prints.extend(baselines)
        items = [i for s in sections for i in s.items] + closing + changed
        if not items:
            continue
        n_items = len(items)
        with mail.as_reader(user, locale):
            draft = mail.compose(
                db, user, "digest", "digest",
                ngettext("%(num)s tender for you in Matchmaker",
                         "%(num)s tenders for you in Matchmaker", n_items),
                unsubscribe="digests", locale=locale,
                sections=sections, closing=closing, changed=changed,
                searches_url=mail.external_url("alerts.enterprise.searches"),
            )
        drafts.append((user, draft, items, saved))
        counts.digests += 1
        counts.new += sum(len(s.items) for s in sections)
        counts.closing += len(closing)
        counts.changed += len(changed)
    if dry_run:
        db.rollback()
        _add_counts(report, counts)
        return
    # Every write of the block comes now, in one short transaction: writing while the mails
    # are worked out would hold SQLite's lock for seconds, and keep the other shards waiting.
    for user, draft, items, saved in drafts:
        row = enqueue(db, draft)
        db.flush()  # the outbox row's id, for the sent log
        for item in items:
            sent_rows.append({"user_id": user.id, "tender_id": item.tender_id,
                              "reason": item.reason, "outbox_id": row.id, "sent_at": now})
        _remember(fingerprints, new_prints, user, items, {t.id: t for t in saved}, saved_lots,
                  now)
    for uid in {u.id for u in users}:
        for search in by_user[uid]:
            search.last_digest_at = now
            db.add(search)
    try:
        if sent_rows:
            db.exec(insert(AlertSent), params=sent_rows)
        if new_prints:
            db.exec(insert(TenderFingerprint), params=_unique_prints(new_prints))
        db.commit()
    except IntegrityError:
        # Another worker wrote this block first (overlapping rounds): keep its mails, not ours.
        db.rollback()
        report.skipped_blocks += 1
        log.warning("digest block of users %s..%s already written by another worker",
                    user_ids[0], user_ids[-1])
        return
    _add_counts(report, counts)


def _add_counts(report: RoundReport, counts: RoundReport) -> None:
    """A block's digests and tenders, counted once the block is written (or, dry, worked out)."""
    for name in ("digests", "new", "closing", "changed"):
        setattr(report, name, getattr(report, name) + getattr(counts, name))


def _reach(search: SavedSearch, profile) -> str:
    """How far the search looks: its own reach, else its enterprise's (as the list does)."""
    return search.filters.get("reach") or profile.reach


def _scored(index: MatchingIndex, keys: list, profiles: dict) -> dict:
    """Key -> (its encoded profile, its score per tender of the index): the engine's scores
    of ``score_tenders``, computed a few dozen profiles at a time."""
    scored = {}
    for start in range(0, len(keys), SCORE_BLOCK):
        chunk = keys[start:start + SCORE_BLOCK]
        side, scores = index.matcher.score_tenders_many([profiles[e] for e in chunk])
        for row, key in enumerate(chunk):
            scored[key] = (side.rows([row]), scores[row])
    return scored


def _sent_log(db: Session, user_ids: list[int]) -> dict[int, set[tuple[int, str]]]:
    """What each user was told of tenders that can still come up (the log of closed tenders
    grows without bound and matters only for changes of saved ones)."""
    sent: dict[int, set[tuple[int, str]]] = defaultdict(set)
    rows = db.exec(
        select(AlertSent.user_id, AlertSent.tender_id, AlertSent.reason)
        .join(Tender, Tender.id == AlertSent.tender_id)
        .where(col(AlertSent.user_id).in_(user_ids),
               or_(Tender.status != TenderStatus.CLOSED,
                   col(AlertSent.reason).startswith("changed:")))
    )
    for uid, tid, reason in rows:
        sent[uid].add((tid, reason))
    return sent


def _feedback(db: Session, enterprise_ids: list[int]) -> dict[int, dict[int, str]]:
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for row in db.exec(select(MatchFeedback).where(
            col(MatchFeedback.enterprise_id).in_(enterprise_ids))):
        marks[row.enterprise_id][row.tender_id] = row.action
    return marks


def search_list(db: Session, index: MatchingIndex, scores: np.ndarray, open_now: np.ndarray,
                filters: MatchFilters, dismissed, masks: dict | None = None
                ) -> list[tuple[int, int]]:
    """The best `DIGEST_DEPTH` of a search's list as (tender id, position in the index): the
    tender list page's first tenders, by the same masks (open now, matching, the filters,
    dismissed ones left out) over the same scores. `masks` keeps the filter masks of a round
    (searches with the same filters share one)."""
    kept = open_now & (scores > 0) & _filter_mask(db, index, filters, masks)
    kept[index.position_array(dismissed)] = False
    _top, top = top_k_rows(np.where(kept, scores, 0)[None, :], DIGEST_DEPTH)
    positions = top[0][top[0] >= 0]
    return [(int(index.tender_ids[p]), int(p)) for p in positions]


def _filter_mask(db, index, filters: MatchFilters, masks: dict | None) -> np.ndarray:
    if masks is None:
        return filter_mask(db, index, filters)
    key = filters.model_dump_json()
    mask = masks.get(key)
    if mask is None:
        mask = filter_mask(db, index, filters)
        if len(masks) < MASKS_KEPT:
            masks[key] = mask
    return mask


def _fresh(db, index, user, searches, scores, open_now, dismissed, sent, masks
           ) -> tuple[list[tuple[SavedSearch, list[tuple[int, int]]]], set[int]]:
    """Per search, its listed tenders never sent to the user as new; and all listed ids.
    ``scores`` holds each search's scores by its id (its reach decides them)."""
    found, listed, picked = [], set(), set()
    told = sent.get(user.id, set())
    for search in searches:
        kept = search_list(db, index, scores[search.id], open_now, match_filters(search),
                           dismissed, masks)
        listed.update(tid for tid, _p in kept)
        fresh = [(tid, position) for tid, position in kept
                 if (tid, "new") not in told and tid not in picked][:MAX_NEW_PER_SEARCH]
        if fresh:
            picked.update(tid for tid, _p in fresh)
            found.append((search, fresh))
    return found, listed


def top_reason(signals, text=localize) -> str:
    """The reason that stands for the match (``explain.top_signal``: what it shares with the
    enterprise's trade, else what adds most) of the engine's signals or the list's views of
    them, in the reader's language (``text``: a reader's :class:`~webapp.i18n.Localizer`)."""
    counted = {s.name: s for s in signals if s.value is not None and s.reason}
    top = top_signal({name: s.value * s.weight for name, s in counted.items()})
    return str(text(counted[top].reason)) if top else ""


@functools.cache
def _label_formats(locale: str) -> dict[str, str]:
    """The digest's phrases in one language, translated once (gettext per item is slow)."""
    with force_locale(locale):
        return {  # without arguments gettext returns the format itself
            "fit": _("Fit %(score)s%%"),
            "deadline": _("Deadline: %(when)s"),
            "value": _("Value: %(value)s"),
            "lot": _("Best lot: %(lot)s"),
            "why": _("Why: %(reason)s"),
        }


def _labels(locale: str) -> dict[str, str]:
    return _label_formats(str(locale))


def _new_item(fitted, match, labels, reader: Localizer) -> DigestItem:
    tender = fitted.tenders[match.tender_id]
    lot = next((x for x in fitted.lots.get(tender.id, []) if x.id == match.best_lot_id), None)
    when = _deadline_text(tender.deadline)  # as the list writes it, in the reader's zone
    value = euros(tender.value_eur)
    reason = top_reason(match.signals, reader)
    return DigestItem(
        tender_id=tender.id, reason="new", title=tender.title, buyer=tender.buyer_name,
        url=mail.external_url("tenders.enterprise.tender", tender_id=tender.id),
        deadline_text=when, value_text=value,
        score_percent=round(100 * match.score),
        best_lot=(f"{lot.lot_ref}: {lot.title}" if lot.title else lot.lot_ref) if lot else None,
        top_reason=reason,
        facts=" · ".join([labels["fit"] % {"score": round(100 * match.score)},
                          labels["deadline"] % {"when": when},
                          labels["value"] % {"value": value}]),
        lot_text=labels["lot"] % {"lot": f"{lot.lot_ref}: {lot.title}" if lot.title
                                  else lot.lot_ref} if lot else "",
        why_text=labels["why"] % {"reason": reason} if reason else "",
        strong=match.score >= STRONG_FIT,
    )


def _closing(fitted, user, now, saved, listed, sent, sections) -> list[DigestItem]:
    """Saved or listed tenders that close within 7 days, never sent as closing."""
    told = sent.get(user.id, set())
    in_digest = {i.tender_id for s in sections for i in s.items}
    candidates = {t.id: t for t in saved}
    for tid in listed:
        if tid in fitted.tenders:
            candidates.setdefault(tid, fitted.tenders[tid])
    items = []
    for tender in sorted(candidates.values(), key=lambda t: (_aware(t.deadline) or now, t.id)):
        deadline = _aware(tender.deadline)
        if deadline is None or not now < deadline <= now + CLOSING_WITHIN:
            continue
        if TenderStatus(tender.status) == TenderStatus.CLOSED or (tender.id, "closing") in told:
            continue
        if tender.id in in_digest:
            continue  # listed as new just above, with its deadline; a later digest reminds
        items.append(DigestItem(
            tender_id=tender.id, reason="closing", title=tender.title,
            buyer=tender.buyer_name,
            url=mail.external_url("tenders.enterprise.tender", tender_id=tender.id),
            deadline_text=_deadline_text(tender.deadline), value_text=euros(tender.value_eur),
            days_left=max(0, (deadline - now).days),
        ))
    return items


# --- changes of saved tenders -----------------------------------------------------------------

def tender_state(tender: Tender, lots: list[Lot]) -> dict:
    """What a change of is worth telling: deadline, value, status, lots."""
    deadline = _aware(tender.deadline)
    return {
        "deadline": deadline.isoformat() if deadline else None,
        "value_eur": round(tender.value_eur, 2) if tender.value_eur is not None else None,
        "status": TenderStatus(tender.status).value,
        "lots": sorted([lot.lot_ref, lot.title,
                        round(lot.value_eur, 2) if lot.value_eur is not None else None,
                        str(getattr(lot.reservation, "value", lot.reservation))]
                       for lot in lots),
    }


def fingerprint(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def _changed(user, saved, saved_lots, fingerprints, sent):
    """Saved tenders whose state differs from the user's fingerprint; baselines for new ones."""
    told = sent.get(user.id, set())
    items, baselines = [], []
    for tender in saved:
        state = tender_state(tender, saved_lots.get(tender.id, []))
        mark = fingerprint(state)
        known = fingerprints.get((user.id, tender.id))
        if known is None:
            baselines.append({"user_id": user.id, "tender_id": tender.id, "fingerprint": mark,
                              "state": state, "seen_at": utcnow()})
            continue
        reason = f"changed:{mark}"
        if known.fingerprint == mark or (tender.id, reason) in told:
            continue
        items.append(DigestItem(
            tender_id=tender.id, reason=reason, title=tender.title, buyer=tender.buyer_name,
            url=mail.external_url("tenders.enterprise.tender", tender_id=tender.id),
            deadline_text=_deadline_text(tender.deadline), value_text=euros(tender.value_eur),
            changes=describe_changes(known.state, state, tender),
        ))
    return items, baselines


def describe_changes(before: dict, after: dict, tender: Tender) -> list[str]:
    """What changed, in words."""
    changes = []
    if before.get("deadline") != after["deadline"]:
        changes.append(_("The deadline moved from %(before)s to %(after)s.",
                         before=_when(before.get("deadline")), after=_when(after["deadline"])))
    if before.get("value_eur") != after["value_eur"]:
        changes.append(_("The estimated value changed from %(before)s to %(after)s.",
                         before=euros(before.get("value_eur")), after=euros(after["value_eur"])))
    if before.get("lots") != after["lots"]:
        changes.append(ngettext("The lots changed: now %(num)s lot.",
                                "The lots changed: now %(num)s lots.", len(after["lots"])))
    if before.get("status") != after["status"]:
        if after["status"] == TenderStatus.CLOSED:
            deadline = _aware(tender.deadline)
            if deadline is not None and deadline > datetime.now(UTC):
                changes.append(_("The tender was closed before its deadline: cancelled or "
                                 "awarded."))
            else:
                changes.append(_("The tender is closed: it takes no more bids."))
        else:
            changes.append(_("The tender is %(status)s again.", status=after["status"]))
    return changes or [_("The tender was updated.")]


def _when(iso: str | None) -> str:
    if not iso:
        return _("no deadline")
    return _deadline_text(datetime.fromisoformat(iso))


def _remember(fingerprints, new_prints, user, items, saved_tenders, saved_lots, now) -> None:
    """What the user was just told of a saved tender becomes the state later changes are
    compared with (only saved tenders are watched for changes)."""
    for item in items:
        tender = saved_tenders.get(item.tender_id)
        if tender is None:
            continue
        state = tender_state(tender, saved_lots.get(tender.id, []))
        known = fingerprints.get((user.id, tender.id))
        if known is not None:
            known.fingerprint, known.state, known.seen_at = fingerprint(state), state, now
        else:
            new_prints.append({"user_id": user.id, "tender_id": tender.id,
                               "fingerprint": fingerprint(state), "state": state,
                               "seen_at": now})


def _unique_prints(rows: list[dict]) -> list[dict]:
    """The last row per (user, tender): a tender can be both a baseline and just told."""
    return list({(r["user_id"], r["tender_id"]): r for r in rows}.values())


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
