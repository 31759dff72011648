"""Social enterprises, tenders and their lots."""

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from models._types import WebUrl, enum_field, json_dict, json_list, utcnow
from models.enums import EnterpriseKind, Reservation, TenderStatus


class EnterpriseBase(SQLModel):
    name: str = Field(index=True)
    kind: EnterpriseKind = enum_field(EnterpriseKind)
    disadvantaged_share: float = Field(default=0.0, ge=0.0, le=1.0)
    public_service_mission: bool = False
    country: str = Field(max_length=2)
    nuts: str = Field(max_length=5)
    description: str = ""
    employees: int | None = Field(default=None, ge=0)
    turnover_eur: int | None = Field(default=None, ge=0, sa_type=BigInteger)
    min_contract_value_eur: int | None = Field(default=None, ge=0, sa_type=BigInteger)
    max_contract_value_eur: int | None = Field(default=None, ge=0, sa_type=BigInteger)
    website: WebUrl = ""  # http(s) only: it is rendered as a link on other parties' pages
    contact_name: str = ""  # public: buyers see it, to ask the enterprise to bid
    contact_email: str = Field(default="", max_length=254)
    # How far from its regions it wants tenders: regions (served + neighbours), country or
    # anywhere (matcher.tenders.rules.REACHES); the default of its list and of the counts.
    reach: str = Field(default="regions", max_length=10)


class Enterprise(EnterpriseBase, table=True):
    """A social-economy enterprise looking for public contracts."""

    id: int | None = Field(default=None, primary_key=True)
    regions_served: list[str] = json_list()  # NUTS codes at any level
    cpv_codes: list[str] = json_list()  # 8-digit CPV codes it delivers
    languages: list[str] = json_list()


class TenderBase(SQLModel):
    source: str = Field(default="fixture", max_length=20)  # fixture / ocds / planned
    source_id: str = Field(max_length=200)  # OCDS ocid or the publisher's id
    buyer_name: str = ""
    title: str
    description: str = ""
    cpv_main: str = Field(default="", max_length=8)
    value_eur: float | None = None  # estimated value converted to EUR when known
    value_amount: float | None = None  # as published
    currency: str = Field(default="EUR", max_length=3)
    deadline: datetime | None = None
    published_at: datetime | None = None
    procedure: str = ""
    reservation: Reservation = enum_field(Reservation, Reservation.NONE)
    reserved_execution: bool = False  # performance reserved for sheltered employment programmes
    award_criteria: str = ""
    sme_suitable: bool = False
    social_enterprise_suitable: bool = False
    language: str = Field(default="en", max_length=2)
    url: str = ""
    status: TenderStatus = enum_field(TenderStatus, TenderStatus.OPEN)


class Tender(TenderBase, table=True):
    """A published or planned tender."""

    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    cpv_additional: list[str] = json_list()
    nuts_codes: list[str] = json_list()  # place of performance
    social_criteria: list[str] = json_list()  # social clauses / sustainability goals, as text
    imported_at: datetime = Field(default_factory=utcnow)
    # from eForms notices (empty for other sources)
    titles: dict[str, str] = json_dict()  # language -> title, every language of the notice
    descriptions: dict[str, str] = json_dict()
    languages: list[str] = json_list()  # the notice's languages, its main language first
    notice_id: str = Field(default="", max_length=100)  # notice identifier-version last read
    notice_kind: str = Field(default="", max_length=40)  # notice type, e.g. cn-social
    buyer_country: str = Field(default="", max_length=2)  # NUTS country code
    buyer_nuts: str = Field(default="", max_length=5)

    @property
    def cpv_codes(self) -> list[str]:
        """Every CPV code of the notice, its main one first (the engine's and the pages'
        order)."""
        return [code for code in (self.cpv_main, *self.cpv_additional) if code]


class Lot(SQLModel, table=True):
    """One lot of a tender, with its own CPV, value and reservation."""

    __table_args__ = (UniqueConstraint("tender_id", "lot_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    lot_ref: str = Field(max_length=50)
    title: str = ""
    description: str = ""
    cpv_codes: list[str] = json_list()
    value_eur: float | None = None
    reservation: Reservation = enum_field(Reservation, Reservation.NONE)
    reserved_execution: bool = False
    nuts_codes: list[str] = json_list()  # place of performance of this lot
    titles: dict[str, str] = json_dict()  # language -> title (eForms)
    descriptions: dict[str, str] = json_dict()


class MatchFeedback(SQLModel, table=True):
    """An enterprise saved or dismissed a tender: kept to tune the weights later."""

    __table_args__ = (UniqueConstraint("enterprise_id", "tender_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    tender_id: int = Field(foreign_key="tender.id")
    action: str  # FeedbackAction
    at: datetime = Field(default_factory=utcnow)
