"""Domain exceptions of the groupings use cases; the routes map them to 4xx answers."""


class GroupingError(Exception):
    """Base class: `message` is written for the coordinator."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownSector(GroupingError):
    """No such sector, or the coordinator does not run it (both answer 404)."""

    status = 404


class UnknownProposal(GroupingError):
    """No such proposal, membership or group in a sector of the coordinator (404)."""

    status = 404


class StaleProposal(GroupingError):
    """The edit carried an older version than the proposal has now (409)."""

    status = 409


class NotEditable(GroupingError):
    """The proposal (or member) cannot change in its current state (409)."""

    status = 409


class InvalidChange(GroupingError):
    """The change is not possible as asked: a full group, an unknown target (422).

    `errors` maps field names to messages, as for invalid parameters.
    """

    status = 422

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class GroupingInfeasible(GroupingError):
    """The engine found no grouping that respects the settings; `message` is its reason (422)."""

    status = 422
