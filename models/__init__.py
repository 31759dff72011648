"""SQLModel tables of Matchmaker, importable from one place."""

from ._types import utcnow
from .enums import (
    ApplicationStatus,
    AuthorityKind,
    EnterpriseKind,
    FeedbackAction,
    PartnerAnswer,
    ProposalStatus,
    Reservation,
    Role,
    TenderStatus,
    WishKind,
)
from .groups import (
    Application,
    AuditEvent,
    Authority,
    Group,
    Membership,
    PartnerResponse,
    PartnerWish,
    Proposal,
    Sector,
    SectorCoordinator,
    WaitlistEntry,
)
from .reference import CpvCode, NutsRegion
from .tenders import Enterprise, Lot, MatchFeedback, Tender
from .users import ApiToken, User

__all__ = [
    "ApiToken", "Application", "ApplicationStatus", "AuditEvent", "Authority", "AuthorityKind",
    "CpvCode", "Enterprise", "EnterpriseKind", "FeedbackAction", "Group", "Lot", "MatchFeedback",
    "Membership", "NutsRegion", "PartnerAnswer", "PartnerResponse", "PartnerWish", "Proposal",
    "ProposalStatus", "Reservation", "Role", "Sector", "SectorCoordinator", "Tender",
    "TenderStatus", "User", "WaitlistEntry", "WishKind", "utcnow",
]
