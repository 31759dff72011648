"""Public tenders and the social enterprises that can win them, in every layer under one name.

Two sides: the enterprise's (`enterprise`: its profile, ranked tenders, feedback) and the
buyer's (`buyer`: an authority's tenders, their candidates, market research). The engine is
`matcher.tenders`, the tables `models.tenders`, the use cases `.services`, importers of
publishers' formats `.importing`, the JSON API `.api` and `.imports_api`, the templates
`templates/tenders/`.
"""

from flask import Blueprint


def blueprint() -> Blueprint:
    """The feature's pages, both sides under one `tenders` blueprint."""
    from webapp.tenders import buyer, enterprise

    bp = Blueprint("tenders", __name__)
    bp.register_blueprint(enterprise.bp)
    bp.register_blueprint(buyer.bp)
    return bp
