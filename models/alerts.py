"""Alerts: saved searches, what was sent to whom, the outbox, and calls for interest."""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._types import json_dict, utcnow


class SavedSearch(SQLModel, table=True):
    """An enterprise user's filters of the ranked tender list, with a name and a frequency."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    name: str = Field(max_length=120)
    frequency: str = Field(default="daily", max_length=10)  # daily / weekly / off
    filters: dict = json_dict()  # the ranked list's filter names -> values
    # The private feed URL carries this random token; a new one revokes the old link.
    feed_token: str = Field(unique=True, max_length=64)
    last_digest_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AlertPreference(SQLModel, table=True):
    """What a user wants to receive (absent row: the defaults). The language of the mails is
    the user's own (``User.locale``), the same as the pages'."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    digests: bool = True  # enterprises: tender digests of their saved searches
    calls: bool = True  # enterprises: calls for interest from authorities
    notices: bool = True  # authorities: groups published, partners' answers; coordinators:
    # the daily summary of answers and wishes
    last_summary_at: datetime | None = None  # coordinators: the summary covers events after it
    updated_at: datetime = Field(default_factory=utcnow)


class AlertSent(SQLModel, table=True):
    """A tender told to a user for a reason: the unique key makes "never twice" a fact."""

    __table_args__ = (UniqueConstraint("user_id", "tender_id", "reason"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    # new / closing / changed:<fingerprint> (each distinct change is its own reason)
    reason: str = Field(max_length=64)
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")
    sent_at: datetime = Field(default_factory=utcnow)


class TenderFingerprint(SQLModel, table=True):
    """What a user was last told (or first saw) of a tender, to notice a change."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", primary_key=True, index=True)
    fingerprint: str = Field(max_length=64)
    state: dict = json_dict()  # deadline, value, lots, status as last seen (to say what changed)
    seen_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """Every e-mail goes through here: pending -> sending -> sent (or failed / uncertain)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)  # digest / notice / call / summary
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    headers: dict = json_dict()  # extra headers, e.g. List-Unsubscribe
    message_id: str = Field(unique=True, max_length=200)  # set before sending, never changes
    # Enqueuing the same notice twice (a retried request) adds one row only.
    dedupe_key: str | None = Field(default=None, unique=True, max_length=200)
    state: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None


class CallForInterest(SQLModel, table=True):
    """An authority asks the social enterprises that fit a planned purchase whether they care."""

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    tender_id: int | None = Field(default=None, foreign_key="tender.id")  # a planned tender
    title: str = Field(max_length=200)
    message: str = Field(default="", sa_type=Text)
    # The market research it came from: cpv_codes, nuts, value_eur, reservation, description.
    research: dict = json_dict()
    cap: int = 20
    created_at: datetime = Field(default_factory=utcnow)


class CallRecipient(SQLModel, table=True):
    """One enterprise a call went to, and its answer."""

    __table_args__ = (UniqueConstraint("call_id", "enterprise_id"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="callforinterest.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    score: float = 0.0
    qualifies_art20: bool = False
    answer: str | None = Field(default=None, max_length=12)  # interested / not_for_us
    answer_message: str = Field(default="", max_length=1000)
    answered_at: datetime | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
