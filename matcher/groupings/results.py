"""The engine's output: plain dataclasses that ``dataclasses.asdict`` turns into JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Partition", "Scorecard"]


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
    explanations: list[dict]
    violations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready (tuples become lists)."""
        return asdict(self)
