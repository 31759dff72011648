"""Working groups of contracting authorities: split a sector's applicants into groups.

Plain data in (:class:`Applicant`), plain data out (:class:`Proposal`, :class:`Scorecard`),
computed by :class:`WorkingGroupBuilder`; :func:`allocate_sectors` applies each applicant's
limit on the number of sectors before grouping.
"""

from .applicants import Applicant, InfeasibleGrouping
from .engine import DEFAULT_WEIGHTS, WorkingGroupBuilder
from .results import Proposal, Scorecard
from .sectors import allocate_sectors

__all__ = [
    "DEFAULT_WEIGHTS",
    "Applicant",
    "InfeasibleGrouping",
    "Proposal",
    "Scorecard",
    "WorkingGroupBuilder",
    "allocate_sectors",
]
