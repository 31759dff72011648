"""Social enterprises and the tenders they can win: profiles, ranked tenders, feedback.

The engine is ``matcher.tenders``; :mod:`.index` keeps it fitted outside requests (call
:func:`note_changes` before committing writes of tenders or enterprises, e.g. in an import).
"""

from webapp.tenders.services.index import IndexNotReady, current_index, note_changes
from webapp.tenders.services.listing import (
    InvalidFilters,
    ListFilters,
    MatchFilters,
    MatchList,
    MatchView,
    TenderDetail,
    feedback_of,
    parse_filters,
    ranked_for,
    ranked_tenders,
    record_feedback,
    saved_tenders,
    tender_detail,
    top_matches,
    with_current_names,
)
from webapp.tenders.services.matching import (
    cpv_labels,
    cpv_picker,
    region_choices,
    region_labels,
    search_cpv,
)
from webapp.tenders.services.profiles import (
    KIND_LABELS,
    REACH_LABELS,
    InvalidProfile,
    NoEnterprise,
    NotYours,
    ProfileInput,
    create_enterprise,
    current_input,
    editable_enterprise,
    enterprise_of,
    parse_profile,
    patch_profile,
    profile_errors,
    profile_summary,
    update_profile,
)

__all__ = [
    "KIND_LABELS", "REACH_LABELS", "InvalidFilters", "InvalidProfile", "ListFilters",
    "MatchFilters", "MatchList", "MatchView",
    "NoEnterprise", "NotYours", "ProfileInput", "TenderDetail", "create_enterprise",
    "cpv_labels", "cpv_picker", "current_input", "editable_enterprise", "enterprise_of",
    "feedback_of", "IndexNotReady", "current_index", "note_changes", "parse_filters",
    "parse_profile", "patch_profile", "profile_errors", "profile_summary",
    "ranked_for", "ranked_tenders", "record_feedback", "region_choices", "region_labels",
    "saved_tenders", "search_cpv", "tender_detail", "top_matches",
    "update_profile", "with_current_names",
]
