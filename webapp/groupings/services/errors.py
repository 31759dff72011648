"""The groupings feature's domain errors, in the vocabulary of :mod:`webapp.errors`."""

from webapp.errors import Conflict, DomainError, Invalid, NotFound

#: Any error of the groupings use cases (the routes catch it to show the editor again).
GroupingError = DomainError


class UnknownSector(NotFound):
    """No such sector, or the coordinator does not run it (answered alike)."""


class UnknownProposal(NotFound):
    """No such proposal, membership or group in a sector of the coordinator."""


class StaleProposal(Conflict):
    """The edit carried an older version than the proposal has now."""


class NotEditable(Conflict):
    """The proposal (or member) cannot change in its current state."""


class InvalidChange(Invalid):
    """The change is not possible as asked: a full group, an unknown target."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(errors or {}, message)


class GroupingInfeasible(Invalid):
    """The engine found no grouping that respects the settings; `message` is its reason."""


class InvalidApplication(Invalid):
    """An authority's application cannot be saved as sent; `errors` holds a message per field."""


class AlreadyApplied(Conflict):
    """The authority has a submitted application to this sector already: it edits that one."""


class ApplicationLocked(Conflict):
    """The application is in a published group, or withdrawn: it cannot be edited now."""
