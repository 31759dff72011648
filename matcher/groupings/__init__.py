"""Working groups of contracting authorities: split a sector's applicants into groups.

Plain data in (:class:`Applicant`), plain data out (:class:`Partition`, :class:`Scorecard`),
computed by :class:`WorkingGroupBuilder`; :func:`allocate_sectors` applies each applicant's
limit on the number of sectors before grouping.
"""

from matcher.groupings.applicants import Applicant, InfeasibleGrouping
from matcher.groupings.engine import DEFAULT_WEIGHTS, WorkingGroupBuilder
from matcher.groupings.results import GroupExplanation, MemberExplanation, Partition, Scorecard
from matcher.groupings.sectors import allocate_sectors

__all__ = [
    "DEFAULT_WEIGHTS",
    "Applicant",
    "GroupExplanation",
    "InfeasibleGrouping",
    "MemberExplanation",
    "Partition",
    "Scorecard",
    "WorkingGroupBuilder",
    "allocate_sectors",
]
