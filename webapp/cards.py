"""What a party (a social enterprise, a contracting authority) shows of itself to others.

The enterprise cards buyers read and the partner cards of a working group both open with who
the party is and how to reach it; ``templates/macros/cards.html`` draws that part once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class PublicCard:
    """Who a party is and how to reach it: fields it chose to make public."""

    id: int
    name: str
    description: str
    website: str
    contact_name: str = ""  # the person others may write to
    contact_email: str = ""

    @staticmethod
    def fields_of(party: Any) -> dict[str, Any]:
        """The card's fields of a stored party (an ``Enterprise`` or an ``Authority``)."""
        return {
            "id": party.id, "name": party.name, "description": party.description,
            "website": party.website, "contact_name": party.contact_name or "",
            "contact_email": party.contact_email or "",
        }
