"""SQLModel tables of Matchmaker, importable from one place."""

from models._types import WebUrl, is_web_url, utcnow
from models.alerts import (
    AlertPreference,
    AlertSent,
    CallForInterest,
    CallRecipient,
    OutboxMessage,
    SavedSearch,
    TenderFingerprint,
)
from models.enums import (
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
from models.groupings import (
    MAX_MOTIVATION_LENGTH,
    Application,
    ApplicationBase,
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
from models.index import IndexChange, MatchIndex, SignalWeights
from models.reference import CpvCode, NutsRegion
from models.tenders import Enterprise, Lot, MatchFeedback, Tender
from models.users import ApiToken, LoginThrottle, User

__all__ = [
    "AlertPreference", "AlertSent", "CallForInterest", "CallRecipient", "OutboxMessage",
    "SavedSearch", "TenderFingerprint",
    "MAX_MOTIVATION_LENGTH", "ApiToken", "Application", "ApplicationBase", "ApplicationStatus",
    "AuditEvent", "Authority", "AuthorityKind",
    "CpvCode", "Enterprise", "EnterpriseKind", "FeedbackAction", "Group", "IndexChange",
    "LoginThrottle", "Lot", "MatchFeedback", "MatchIndex", "Membership", "NutsRegion",
    "PartnerAnswer", "PartnerResponse", "PartnerWish", "Proposal", "ProposalStatus",
    "Reservation", "Role", "Sector", "SectorCoordinator", "SignalWeights", "Tender",
    "TenderStatus", "User", "WaitlistEntry", "WebUrl", "WishKind", "is_web_url", "utcnow",
]
