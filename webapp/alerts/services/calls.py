"""Calls for interest: an authority asks the social enterprises that fit a planned purchase
whether they would bid, before it decides on lots and reservations.

The recipients are the engine's candidates (the market research's or a planned tender's
ranking, scoring at least `STRONG_FIT`), at most the cap the authority chooses, and only
enterprises with a user who accepts calls. Each gets the call by e-mail and on its page, and
answers "interested" (with a short message) or "not for us". The authority sees the answers,
the enterprises' public profiles and whether reserving a lot looks realistic. Every step is in
the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, select

from matcher.tenders.rules import STRONG_FIT, qualifies_art20
from models import (
    Authority,
    CallForInterest,
    CallRecipient,
    Enterprise,
    Role,
    Tender,
    TenderStatus,
    User,
    utcnow,
)
from webapp.alerts.services.mail import external_url, send_to
from webapp.alerts.services.preferences import preferences_of, wants
from webapp.audit import services as audit
from webapp.db import writes
from webapp.errors import Invalid, NotYours
from webapp.tenders.services import buyer
from webapp.tenders.services.buyer import PublicEnterprise, ResearchInput
from webapp.tenders.services.matching import enterprise_profile

MAX_CAP = 100
DEFAULT_CAP = 20
ANSWERS = ("interested", "not_for_us")
#: At least this many interested enterprises qualifying under Art. 20 make a reserved lot
#: realistic (the market research's threshold).
REALISTIC = buyer.ART20_REALISTIC


class UnknownCall(NotYours):
    """No such call, or not one the user may see."""


class InvalidCall(Invalid):
    """A call for interest or an answer that cannot be sent, with a message per field."""


class CallInput(BaseModel):
    """What the authority sends: a title, a message, a cap, and what it plans to buy."""

    title: str = Field(min_length=3, max_length=200)
    message: str = Field(default="", max_length=4000)
    cap: int = Field(default=DEFAULT_CAP, ge=1, le=MAX_CAP)
    tender_id: int | None = None  # a planned tender of the authority, or:
    research: ResearchInput | None = None  # a market research's planned tender

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return value.strip()


def parse_call(form: dict) -> CallInput:
    """The page's form: title, message, cap, and the research fields or a tender id."""
    payload = {"title": form.get("title", ""), "message": form.get("message", ""),
               "cap": form.get("cap") or DEFAULT_CAP}
    errors: dict[str, str] = {}
    if form.get("tender_id"):
        payload["tender_id"] = form.get("tender_id")
    else:
        try:
            payload["research"] = buyer.parse_research(
                {k: form.get(k, "") for k in ("cpv_codes", "nuts", "value_eur", "reservation",
                                              "description") if form.get(k) is not None})
        except buyer.InvalidResearch as invalid:
            errors.update(invalid.errors)
    try:
        data = CallInput.model_validate(payload)
    except ValidationError as error:
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "title"
            errors.setdefault(name, _field_message(name, item["msg"]))
        raise InvalidCall(errors) from None
    if errors:
        raise InvalidCall(errors)
    return data


def _field_message(name: str, message: str) -> str:
    if name == "title":
        return _("Give the call a title of 3 to 200 characters.")
    if name == "cap":
        return _("Send to between 1 and %(n)s enterprises.", n=MAX_CAP)
    if name == "message":
        return _("Keep the message under 4000 characters.")
    return message


# --- sending ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    call: CallForInterest
    n_fitting: int  # candidates of the engine within the cap
    n_sent: int  # of those, enterprises with a user who accepts calls


@writes
def send_call(db: Session, user: User, data: CallInput) -> SendResult:
    """Create the call, pick its recipients from the engine's candidates, mail them; commits."""
    if user.role != Role.AUTHORITY or user.authority_id is None:
        raise UnknownCall()
    tender = None
    if data.tender_id is not None:
        tender = db.get(Tender, data.tender_id)
        if tender is None or tender.authority_id != user.authority_id:
            raise UnknownCall()
        if TenderStatus(tender.status) == TenderStatus.CLOSED:
            raise InvalidCall({"tender_id": _("This tender is closed; plan a new one.")})
        candidates = buyer.tender_candidates(db, user, tender.id, n=data.cap).candidates
        research = {"tender_id": tender.id}
    elif data.research is not None:
        candidates = buyer.market_research(db, data.research, n=data.cap).candidates
        research = data.research.model_dump()
    else:
        raise InvalidCall({"cpv_codes": _("Say what you plan to buy.")})
    fitting = [c for c in candidates if c.score >= STRONG_FIT][: data.cap]
    reachable = _reachable_users(db, [c.enterprise.id for c in fitting])
    call = CallForInterest(
        authority_id=user.authority_id, created_by_id=user.id,
        tender_id=tender.id if tender else None, title=data.title, message=data.message,
        research=research, cap=data.cap,
    )
    db.add(call)
    db.flush()
    authority = db.get(Authority, user.authority_id)
    enterprises = {e.id: e for e in db.exec(select(Enterprise).where(
        Enterprise.id.in_(list(reachable) or [-1])))}
    n_sent = 0
    for candidate in fitting:
        users = reachable.get(candidate.enterprise.id)
        if not users:
            continue
        enterprise = enterprises[candidate.enterprise.id]
        db.add(CallRecipient(
            call_id=call.id, enterprise_id=enterprise.id, score=candidate.score,
            qualifies_art20=qualifies_art20(enterprise_profile(enterprise)),
        ))
        n_sent += 1
        for recipient in users:
            send_to(db, recipient, "call", "call_for_interest",
                    lambda: _("%(authority)s asks: %(title)s", authority=authority.name,
                              title=call.title),
                    unsubscribe="calls", dedupe_key=f"call:{call.id}:{recipient.id}",
                    authority=authority.name, call=call, score_percent=round(100 * candidate.score),
                    call_url=external_url("alerts.calls.received_show", call_id=call.id))
    audit.record(db, user, "call.sent", call_id=call.id, title=call.title,
                 authority=authority.name, fitting=len(fitting), recipients=n_sent,
                 tender_id=call.tender_id)
    db.commit()
    return SendResult(call=call, n_fitting=len(fitting), n_sent=n_sent)


def _reachable_users(db: Session, enterprise_ids: list[int]) -> dict[int, list[User]]:
    """Enterprise id -> its users who accept calls for interest."""
    if not enterprise_ids:
        return {}
    users = list(db.exec(select(User).where(User.role == Role.ENTERPRISE,
                                            User.enterprise_id.in_(enterprise_ids))
                         .order_by(User.id)).all())
    preferences = preferences_of(db, [u.id for u in users])
    reachable: dict[int, list[User]] = {}
    for user in users:
        if wants(preferences[user.id], "calls"):
            reachable.setdefault(user.enterprise_id, []).append(user)
    return reachable


# --- the authority's side ---------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerView:
    enterprise: PublicEnterprise
    score_percent: int
    qualifies_art20: bool
    answer: str | None
    answer_label: str
    message: str
    answered_at: object


@dataclass(frozen=True)
class CallView:
    call: CallForInterest
    answers: list[AnswerView]
    n_sent: int
    n_interested: int
    n_not_for_us: int
    n_waiting: int
    n_interested_art20: int
    verdict: str
    verdict_tone: str


@dataclass(frozen=True)
class CallRow:
    call: CallForInterest
    n_sent: int
    n_interested: int
    n_answered: int


def calls_of(db: Session, user: User) -> list[CallRow]:
    """The calls the user's authority sent, newest first."""
    calls = list(db.exec(select(CallForInterest)
                         .where(CallForInterest.authority_id == user.authority_id)
                         .order_by(CallForInterest.created_at.desc(),
                                   CallForInterest.id.desc())).all())
    recipients: dict[int, list[CallRecipient]] = {}
    if calls:
        for r in db.exec(select(CallRecipient).where(
                CallRecipient.call_id.in_([c.id for c in calls]))):
            recipients.setdefault(r.call_id, []).append(r)
    return [CallRow(call=c, n_sent=len(recipients.get(c.id, [])),
                    n_interested=sum(r.answer == "interested" for r in recipients.get(c.id, [])),
                    n_answered=sum(r.answer is not None for r in recipients.get(c.id, [])))
            for c in calls]


def call_view(db: Session, user: User, call_id: int) -> CallView:
    """One call of the user's authority with every answer and the verdict on reserving."""
    call = db.get(CallForInterest, call_id)
    if call is None or user.role != Role.AUTHORITY or call.authority_id != user.authority_id:
        raise UnknownCall()
    rows = db.exec(select(CallRecipient, Enterprise)
                   .join(Enterprise, Enterprise.id == CallRecipient.enterprise_id)
                   .where(CallRecipient.call_id == call.id)).all()
    order = {"interested": 0, "not_for_us": 1, None: 2}
    rows = sorted(rows, key=lambda pair: (order[pair[0].answer], -pair[0].score))
    answers = [
        AnswerView(enterprise=buyer.public_enterprise(db, enterprise),
                   score_percent=round(100 * r.score), qualifies_art20=r.qualifies_art20,
                   answer=r.answer, answer_label=answer_label(r.answer),
                   message=r.answer_message, answered_at=r.answered_at)
        for r, enterprise in rows
    ]
    interested = [a for a in answers if a.answer == "interested"]
    n_art20 = sum(a.qualifies_art20 for a in interested)
    verdict, tone = _verdict(len(interested), n_art20)
    return CallView(
        call=call, answers=answers, n_sent=len(answers), n_interested=len(interested),
        n_not_for_us=sum(a.answer == "not_for_us" for a in answers),
        n_waiting=sum(a.answer is None for a in answers), n_interested_art20=n_art20,
        verdict=verdict, verdict_tone=tone,
    )


def _verdict(n_interested: int, n_art20: int) -> tuple[str, str]:
    if n_art20 >= REALISTIC:
        return _("Reserving a lot under Art. 20 looks realistic: %(n)s interested enterprises "
                 "qualify (sheltered workshops or at least 30%% disadvantaged staff).",
                 n=n_art20), "good"
    if n_art20 > 0:
        return _("Reserving a lot under Art. 20 is possible but risky: only %(n)s interested "
                 "enterprises qualify, so a reserved lot may get too few bids.", n=n_art20), "warn"
    if n_interested:
        return _("Reserving a lot does not look realistic yet: none of the %(n)s interested "
                 "enterprises qualifies under Art. 20. Social award criteria may fit better.",
                 n=n_interested), "bad"
    return _("No enterprise has said it is interested yet."), "plain"


def answer_label(answer: str | None) -> str:
    return {"interested": _("Interested"), "not_for_us": _("Not for us")}.get(
        answer, _("No answer yet"))


# --- the enterprise's side --------------------------------------------------------------------

@dataclass(frozen=True)
class ReceivedView:
    call: CallForInterest
    authority: str
    recipient: CallRecipient
    answer_label: str


def received(db: Session, user: User) -> list[ReceivedView]:
    """The calls sent to the user's enterprise, newest first."""
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        return []
    rows = db.exec(select(CallForInterest, CallRecipient, Authority.name)
                   .join(CallRecipient, CallRecipient.call_id == CallForInterest.id)
                   .join(Authority, Authority.id == CallForInterest.authority_id)
                   .where(CallRecipient.enterprise_id == user.enterprise_id)
                   .order_by(CallForInterest.created_at.desc(), CallForInterest.id.desc()))
    return [ReceivedView(call=c, authority=name, recipient=r, answer_label=answer_label(r.answer))
            for c, r, name in rows]


def received_one(db: Session, user: User, call_id: int) -> ReceivedView:
    for view in received(db, user):
        if view.call.id == call_id:
            return view
    raise UnknownCall()


@writes
def answer_call(db: Session, user: User, call_id: int,
                answer: Literal["interested", "not_for_us"] | str,
                message: str = "") -> CallRecipient:
    """The enterprise answers (again: the new answer replaces the old); commits."""
    view = received_one(db, user, call_id)
    message = (message or "").strip()
    errors = {}
    if answer not in ANSWERS:
        errors["answer"] = _("Choose “interested” or “not for us”.")
    if len(message) > 1000:
        errors["message"] = _("Keep the message under 1000 characters.")
    if errors:
        raise InvalidCall(errors)
    recipient = view.recipient
    recipient.answer = answer
    recipient.answer_message = message if answer == "interested" else message[:1000]
    recipient.answered_at = utcnow()
    recipient.answered_by_id = user.id
    db.add(recipient)
    enterprise = db.get(Enterprise, user.enterprise_id)
    audit.record(db, user, f"call.{answer}", call_id=view.call.id, title=view.call.title,
                 enterprise_id=enterprise.id, enterprise=enterprise.name)
    db.commit()
    return recipient
