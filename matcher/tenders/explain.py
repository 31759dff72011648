"""Sentences that explain each signal, written for the people who read the match list."""

from __future__ import annotations

import re

from matcher.cpv import CPV_LEVEL_NAMES, CpvTree, cpv_level
from matcher.nuts import NUTS_LEVEL_NAMES, NutsNames, nuts_chain, nuts_level
from matcher.tenders.items import EnterpriseProfile, TenderItem, Unit
from matcher.tenders.rules import capacity_range, qualifies_art20, social_unit_parts

_WORD = re.compile(r"[^\W\d_]{5,}")


def euros(amount: float) -> str:
    """EUR 1,250,000 style, rounded to the euro."""
    return f"EUR {amount:,.0f}"


def cpv_reason(tree: CpvTree, profile_codes: list[str], unit_codes: list[str]) -> str:
    """Name the closest pair of codes and how they relate."""
    if not unit_codes:
        return "The tender has no CPV code, so the CPV signal does not count."
    if not profile_codes:
        return "Your profile has no CPV code, so the CPV signal does not count."
    relation, unit_code, profile_code, ancestor = _closest_cpv_pair(tree, profile_codes, unit_codes)
    if relation == "inside":
        if unit_code == profile_code:
            return f"CPV {tree.describe(unit_code)} is one of your codes."
        return (
            f"CPV {tree.describe(unit_code)} is inside your branch {tree.describe(profile_code)}."
        )
    if relation == "covers":
        return (
            f"The tender's CPV {tree.describe(unit_code)} is broader than, and covers, your "
            f"{tree.describe(profile_code)}."
        )
    if relation == "shared":
        level = CPV_LEVEL_NAMES[cpv_level(ancestor)]
        return (
            f"CPV {tree.describe(unit_code)} shares the {level} {tree.describe(ancestor)} "
            f"with your {tree.describe(profile_code)}."
        )
    return f"CPV {tree.describe(unit_codes[0])} is outside your branches."


def _closest_cpv_pair(tree: CpvTree, profile_codes: list[str], unit_codes: list[str]):
    """(relation, lot code, profile code, shared ancestor) of the most related pair."""
    best = ("none", unit_codes[0], profile_codes[0], None)
    best_rank = (0, 0)
    for unit_code in unit_codes:
        for profile_code in profile_codes:
            if tree.is_within(unit_code, profile_code):
                return "inside", unit_code, profile_code, profile_code
            if tree.is_within(profile_code, unit_code):
                candidate, rank = ("covers", unit_code, profile_code, unit_code), (2, 0)
            else:
                ancestor = tree.common_ancestor(unit_code, profile_code)
                if ancestor is None:
                    continue
                candidate = ("shared", unit_code, profile_code, ancestor)
                rank = (1, cpv_level(ancestor))
            if rank > best_rank:
                best, best_rank = candidate, rank
    return best


def text_reason(profile_text: str, unit_text: str, value: float | None) -> str:
    """How alike the texts are, with a few words they share (parts of compounds count).

    The value is relative: 100% is the open tender closest to the enterprise's description.
    """
    if value is None:
        return "There is no description to compare, so the text signal does not count."
    shared = _shared_words(profile_text, unit_text)
    words = f"; shared words: {', '.join(shared)}" if shared else ""
    return (
        f"The tender's text is {round(100 * value)}% as close to your description as the "
        f"closest open tender's{words}."
    )


def _shared_words(first: str, second: str, limit: int = 4) -> list[str]:
    """Words of five letters or more of ``second`` that appear in, or contain, ``first``'s."""
    mine = {word.lower() for word in _WORD.findall(first)}
    found = []
    for word in dict.fromkeys(w.lower() for w in _WORD.findall(second)):
        if any(word in own or own in word for own in mine):
            found.append(word)
    return sorted(found, key=len, reverse=True)[:limit]


def region_reason(names: NutsNames, areas: list[str], unit_codes: list[str]) -> str:
    """Where the work is done, compared with where the enterprise works."""
    if not unit_codes:
        return "The tender names no place of performance, so the region signal does not count."
    if not areas:
        return "Your profile names no region, so the region signal does not count."
    place = unit_codes[0]
    label = f"{place} {names.name(place)}"
    if place in areas:
        return f"Performed in {label}, your own region."
    for area in areas:
        if place.startswith(area):
            return f"Performed in {label}, inside the area you serve ({names.name(area)})."
    for area in areas:
        if area.startswith(place):
            return f"Performed in {label}, which covers your area {names.name(area)}."
    shared = _deepest_shared_region(areas, place)
    if shared is None:
        return f"Performed in {label}, outside the regions you serve."
    level = NUTS_LEVEL_NAMES[nuts_level(shared)]
    return f"Performed in {label}, in the same {level} ({names.name(shared)}) as you."


def _deepest_shared_region(areas: list[str], place: str) -> str | None:
    chain = set(nuts_chain(place))
    shared = [node for area in areas for node in nuts_chain(area) if node in chain]
    return max(shared, key=len) if shared else None


def value_reason(profile: EnterpriseProfile, unit: Unit, value: float | None) -> str:
    """The lot's value against what the enterprise can take on (Art. 58(3))."""
    capacity = capacity_range(profile)
    if unit.value_eur is None:
        return "The tender states no value, so the value signal does not count."
    if capacity is None:
        return "Your profile states no turnover or contract range, so value does not count."
    floor, ceiling = capacity
    amount = euros(unit.value_eur)
    limit = f"up to {euros(ceiling)}" if ceiling != float("inf") else "no upper limit"
    if value is not None and value >= 0.999:
        return f"The value of {amount} fits what you can take on ({limit})."
    if unit.value_eur > ceiling:
        return (
            f"The value of {amount} is above what you can take on ({limit}: half your "
            "turnover, as buyers may ask a turnover of twice the value, or your stated "
            "maximum); a consortium or subcontracting could help."
        )
    return f"The value of {amount} is below the smallest contract you want ({euros(floor)})."


_SOCIAL_PHRASES = {
    "reserved_execution": "performance reserved for sheltered employment programmes",
    "social_clauses": "social clauses or social award criteria",
    "social_enterprise_suitable": "marked as suitable for social enterprises",
    "sme_suitable": "marked as suitable for SMEs",
}


def social_reason(profile: EnterpriseProfile, tender: TenderItem, unit: Unit) -> str:
    """Reservations and social features of the tender that matter to this enterprise."""
    if unit.reservation == "art20":
        return (
            "Reserved under Art. 20 for sheltered workshops and work-integration enterprises, "
            "and you qualify."
        )
    if unit.reservation == "art77":
        return "Reserved under Art. 77 for public-service-mission organisations, and you qualify."
    parts = social_unit_parts(tender, unit)
    if not parts:
        return "Not reserved and without social clauses."
    phrases = [_SOCIAL_PHRASES[name] for name in parts]
    if "reserved_execution" in parts and not (qualifies_art20(profile) or profile.kind == "wise"):
        phrases[0] += " (you do not run one)"
    return "Not reserved, but: " + "; ".join(phrases) + "."
