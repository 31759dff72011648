"""Reading the engine's stored explanation of a group, for every page and export that shows it.

The authority's partner cards, the coordinator's proposal page, the exports and the API all
read the same JSON (``matcher.groupings.GroupExplanation``), through :class:`ExplanationReader`.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from webapp.i18n import localize, signed

__all__ = ["ExplanationReader", "member_reasons"]


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


class ExplanationReader:
    """Read the engine's per-group explanation (``matcher.groupings.GroupExplanation``).

    Proposals stored before a field existed lack it, and JSON may be edited by hand, so every
    missing or odd part reads as "nothing to say" rather than failing the page.
    """

    def __init__(self, explanation: dict | None, terms: Mapping[str, str] | None = None):
        self.explanation = explanation if isinstance(explanation, dict) else {}
        self.texts = self.explanation.get("texts") or {}
        self.terms = terms  # the sector's topic labels, for the topics the texts name

    def localize(self, text: str) -> str:
        """One of the explanation's English texts in the reader's language."""
        return str(localize(text, self.texts, self.terms))

    def _member(self, application_id: int) -> dict:
        members = self.explanation.get("members")
        found = members.get(str(application_id)) if isinstance(members, dict) else None
        return found if isinstance(found, dict) else {}

    def why_here(self, application_id: int) -> list[str]:
        return _strings(self._member(application_id).get("why_here"))

    def best_alternative(self, application_id: int) -> dict | None:
        """The other group the member would cost the least in (``BestAlternative``), if any."""
        best = self._member(application_id).get("best_alternative")
        return best if isinstance(best, dict) and best.get("group") is not None else None

    def partner_reasons(self, application_id: int, other_application_id: int) -> list[str]:
        reasons = self._member(application_id).get("partner_reasons")
        if not isinstance(reasons, dict):
            return []
        return _strings(reasons.get(str(other_application_id)))


def member_reasons(explanation: dict | None, application_id: int,
                   terms: Mapping[str, str] | None = None) -> tuple[list[str], str]:
    """Why a member is in its group (its top partner reasons, in the reader's language, with
    the sector's topic labels ``terms``), and its best other group, in words."""
    reader = ExplanationReader(explanation, terms)
    reasons = [reader.localize(r) for r in reader.why_here(application_id)][:3]
    best = reader.best_alternative(application_id)
    if best is None:
        return reasons, ""
    delta = float(best.get("delta") or 0.0)
    text = _("Best other group: group %(n)s; moving there changes the objective by %(d)s.",
             n=int(best["group"]) + 1, d=signed(delta))
    if not best.get("fits", True):
        text += " " + _("The group sizes would not allow it without another change.")
    return reasons, text
