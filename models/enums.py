"""Closed vocabularies of the domain, stored as their string values."""

from enum import StrEnum


class AuthorityKind(StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"
    CITY_DISTRICT = "city_district"
    NATIONAL_AGENCY = "national_agency"
    PUBLIC_COMPANY = "public_company"
    UNIVERSITY = "university"
    ASSOCIATION = "association"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"  # another proposal of the sector was published in its place


class EnterpriseKind(StrEnum):
    WISE = "wise"  # work-integration social enterprise
    SHELTERED_WORKSHOP = "sheltered_workshop"
    SOCIAL_COOPERATIVE = "social_cooperative"
    OTHER = "other"


class Reservation(StrEnum):
    """Reserved contracts under Directive 2014/24/EU (eForms BT-71)."""

    NONE = "none"
    ART20 = "art20"  # res-ws: sheltered workshops / social and professional integration
    ART77 = "art77"  # res-pub-ser: public-service-mission organisations


class TenderStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class Role(StrEnum):
    COORDINATOR = "coordinator"
    AUTHORITY = "authority"
    ENTERPRISE = "enterprise"


class FeedbackAction(StrEnum):
    SAVED = "saved"
    DISMISSED = "dismissed"


class PartnerAnswer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class WishKind(StrEnum):
    TOGETHER = "together"
    APART = "apart"
