"""Working groups of contracting authorities, in every layer under one name.

Two sides: the coordinator's (`coordinator`, `answers`: sectors, proposals, the authorities'
answers) and the members' (`members`: an authority's applications, groups, answers, wishes).
The engine is `matcher.groupings`, the tables `models.groupings`, the use cases `.services`,
the JSON API `.api` and `.members_api`, the templates `templates/groupings/`.
"""

from flask import Blueprint


def blueprint() -> Blueprint:
    """The feature's pages, both sides under one `groupings` blueprint."""
    from webapp.groupings import answers, coordinator, members  # noqa: F401  (answers adds routes)

    bp = Blueprint("groupings", __name__)
    bp.register_blueprint(coordinator.bp)
    bp.register_blueprint(members.bp)
    return bp
