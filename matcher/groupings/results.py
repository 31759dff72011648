"""The engine's output: plain dataclasses that ``dataclasses.asdict`` turns into JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TypedDict

__all__ = ["BestAlternative", "GroupExplanation", "MemberExplanation", "Partition", "Scorecard"]


# The explanations are JSON as stored with a proposal (keys are applicant ids as strings once
# stored); these types say the one shape the engine writes and every reader may rely on.

class BestAlternative(TypedDict):
    """The other group a member would cost the least in."""

    group: int  # 0-based index into ``groups``
    delta: float  # the objective's change if it moved there (negative: a loss)
    fits: bool  # whether the sizes allow the move without another change


class MemberExplanation(TypedDict):
    why_here: list[str]  # "shares e-buses with City A" for its top partners (matcher.text.Text)
    partner_reasons: dict[str, list[str]]  # partner id -> short reasons ("shares e-buses")
    contribution: float  # the sum of its affinities in the group
    best_alternative: BestAlternative | None


class GroupExplanation(TypedDict):
    group: int
    score: float
    criteria: dict[str, float]  # criterion -> share of the group's positive points
    points: dict[str, float]
    penalty: float
    rule_breaks: list[str]
    members: dict[str, MemberExplanation]  # applicant id -> why it is here


@dataclass
class Scorecard:
    """The objective of an assignment, each group's score and the hard rules it breaks."""

    objective: float
    scores: list[float]
    violations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready."""
        return asdict(self)


@dataclass
class Partition:
    """One way to split the pool (a proposal once stored), with its numbers and explanations.

    ``groups`` holds applicant ids per group; ``waitlist`` holds ``(id, reason)`` pairs, best
    fit first; ``scores`` and ``explanations`` follow ``groups``.
    """

    groups: list[list[str]]
    waitlist: list[tuple[str, str]]
    objective: float
    scores: list[float]
    explanations: list[GroupExplanation]
    violations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready (tuples become lists)."""
        return asdict(self)
