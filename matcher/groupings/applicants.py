"""The engine's input (an applicant) and its domain exception."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Applicant", "InfeasibleGrouping"]


@dataclass(frozen=True)
class Applicant:
    """A contracting authority applying to one sector's working groups.

    ``size`` is a magnitude (population served or yearly spend); only its order of magnitude
    matters, and ``None`` means unknown. ``nuts`` is the most precise NUTS code known (NUTS 3
    such as ``"NL329"`` is best). ``name`` is only used to write explanations.
    """

    id: str
    interests: list[str] = field(default_factory=list)
    motivation: str = ""
    size: float | None = None
    country: str = ""
    nuts: str = ""
    languages: list[str] = field(default_factory=list)
    name: str = ""

    @property
    def label(self) -> str:
        """How explanations name this applicant."""
        return self.name or self.id


class InfeasibleGrouping(ValueError):
    """The settings and constraints admit no grouping; the message says why, in plain words."""
