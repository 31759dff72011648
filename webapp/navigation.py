"""The main navigation per role, and small template helpers."""

from dataclasses import dataclass

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from models import Role
from webapp.security import MIN_PASSWORD_LENGTH

# (endpoint, label) per role; entries whose blueprint is not registered are left out.
NAVIGATION = {
    Role.COORDINATOR: (
        ("home.index", _l("Home")),
        ("groupings.coordinator.index", _l("Sectors")),
        ("audit.index", _l("Audit trail")),
        ("alerts.coordinator.outbox", _l("Outbox")),
        ("alerts.preferences", _l("E-mail")),
    ),
    Role.AUTHORITY: (
        ("home.index", _l("Home")),
        ("groupings.members.index", _l("My groups")),
        ("tenders.buyer.tenders", _l("My tenders")),
        ("tenders.buyer.research", _l("Market research")),
        ("alerts.calls.index", _l("Calls for interest")),
        ("alerts.preferences", _l("E-mail")),
    ),
    Role.ENTERPRISE: (
        ("home.index", _l("Home")),
        ("tenders.enterprise.index", _l("Tenders for us")),
        ("tenders.enterprise.profile", _l("Our profile")),
        ("alerts.enterprise.searches", _l("Saved searches")),
        ("alerts.calls.received", _l("Calls for interest")),
        ("alerts.preferences", _l("E-mail")),
    ),
}

ROLE_LABELS = {
    Role.COORDINATOR: _l("coordinator"),
    Role.AUTHORITY: _l("contracting authority"),
    Role.ENTERPRISE: _l("social enterprise"),
}


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def nav_items() -> list[NavItem]:
    """The logged-in user's navigation, marking the current page."""
    if g.user is None:
        return []
    items = []
    for endpoint, label in NAVIGATION[g.user.role]:
        if endpoint in current_app.view_functions:
            items.append(NavItem(url_for(endpoint), str(label), request.endpoint == endpoint))
    return items


def init_app(app: Flask) -> None:
    """Make the helpers available in every template."""

    @app.context_processor
    def helpers():
        return {
            "nav_items": nav_items,
            "get_locale": get_locale,
            "role_label": lambda role: ROLE_LABELS[role],
            "min_password_length": MIN_PASSWORD_LENGTH,
            "has_endpoint": lambda endpoint: endpoint in current_app.view_functions,
        }
