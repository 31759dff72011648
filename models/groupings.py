"""Working groups of contracting authorities: sectors, authorities, applications, proposals."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._types import WebUrl, enum_field, json_dict, json_list, utcnow
from models.enums import ApplicationStatus, AuthorityKind, ProposalStatus


class SectorBase(SQLModel):
    slug: str = Field(index=True, unique=True, max_length=80)
    name: str
    description: str = ""


class Sector(SectorBase, table=True):
    """A procurement working-group theme (zero-emission construction, clean vehicles, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    cpv_codes: list[str] = json_list()
    topics: list[str] = json_list()  # sub-topics an applicant can tick
    # The texts above in other languages, shown to readers of that language:
    # {"nl": {"name": …, "description": …, "topics": {"<English topic>": "<label>"}}}.
    # Applications keep the English topics, whatever language they were ticked in.
    translations: dict = json_dict()


class SectorCoordinator(SQLModel, table=True):
    """Which coordinator users run a sector."""

    sector_id: int = Field(foreign_key="sector.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class AuthorityBase(SQLModel):
    name: str = Field(index=True)
    kind: AuthorityKind = enum_field(AuthorityKind)
    country: str = Field(max_length=2)  # ISO 3166 alpha-2 (Greece is GR here, EL in NUTS)
    nuts: str = Field(max_length=5)
    population: int | None = None
    procurement_spend_eur: int | None = Field(default=None, sa_type=BigInteger)  # billions
    description: str = ""
    website: WebUrl = ""  # http(s) only: it is rendered as a link on partners' pages
    contact_name: str = ""  # the person partners and enterprises may write to
    contact_email: str = Field(default="", max_length=254)
    max_sectors: int | None = None  # an authority may limit how many groups it joins


class Authority(AuthorityBase, table=True):
    """A contracting authority: a city, region, agency, utility, university..."""

    id: int | None = Field(default=None, primary_key=True)
    languages: list[str] = json_list()  # ISO 639-1 working languages


#: What is kept of a motivation, however the application comes in (CSV, form, API).
MAX_MOTIVATION_LENGTH = 4000


class ApplicationBase(SQLModel):
    """What an authority says when it applies; the table and the service's Create and Update
    schemas (webapp.groupings.services.applications) share these fields."""

    motivation: str = ""  # at most MAX_MOTIVATION_LENGTH characters
    preference_rank: int = 1  # 1 = the authority's first choice among its sectors


class Application(ApplicationBase, table=True):
    """An authority's application to join a sector's working groups."""

    __table_args__ = (UniqueConstraint("authority_id", "sector_id"),)

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    sector_id: int = Field(foreign_key="sector.id", index=True)
    topics: list[str] = json_list()  # the sector's topics, by their English names
    status: ApplicationStatus = enum_field(ApplicationStatus, ApplicationStatus.SUBMITTED)
    created_at: datetime = Field(default_factory=utcnow)


class Proposal(SQLModel, table=True):
    """One generated grouping of a sector's applicants; alternatives of a run share run_key."""

    id: int | None = Field(default=None, primary_key=True)
    sector_id: int = Field(foreign_key="sector.id", index=True)
    run_key: str = Field(index=True, max_length=32)
    alternative: int = 0  # 0 is the best proposal of its run
    status: ProposalStatus = enum_field(ProposalStatus, ProposalStatus.DRAFT)
    version: int = 1  # bumped on every change; edits carry the version they saw
    parameters: dict = json_dict()
    random_state: int = 0
    objective: float = 0.0
    bound: float | None = None  # best known upper bound on the objective, when one is known
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Group(SQLModel, table=True):
    """One working group inside a proposal."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    number: int  # 1-based position shown to people
    score: float = 0.0
    explanation: dict = json_dict()


class Membership(SQLModel, table=True):
    """An application placed in a group; a locked member stays when the proposal is re-run."""

    __table_args__ = (UniqueConstraint("group_id", "application_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="group.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    locked: bool = False


class WaitlistEntry(SQLModel, table=True):
    """An application a proposal could not place, ranked by fit, with the reason."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    application_id: int = Field(foreign_key="application.id")
    rank: int
    reason: str  # in English, as the API shows it
    # the reason's template and parameters (matcher.text.encode), to show it in any language
    reason_text: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class PartnerResponse(SQLModel, table=True):
    """An authority's answer to the group it was placed in by a published proposal."""

    __table_args__ = (UniqueConstraint("membership_id"),)

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="membership.id")
    answer: str  # PartnerAnswer
    reason: str = ""
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime = Field(default_factory=utcnow)


class PartnerWish(SQLModel, table=True):
    """An authority asks to be placed with (or apart from) another authority in a sector."""

    id: int | None = Field(default=None, primary_key=True)
    sector_id: int = Field(foreign_key="sector.id", index=True)
    authority_id: int = Field(foreign_key="authority.id")
    other_authority_id: int = Field(foreign_key="authority.id")
    kind: str  # WishKind
    accepted: bool = False  # a coordinator accepts a wish before it becomes a constraint
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when, to a proposal or an answer."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    sector_id: int | None = Field(default=None, foreign_key="sector.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    action: str
    detail: dict = json_dict()
