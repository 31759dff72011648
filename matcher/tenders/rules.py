"""The domain rules behind gates and signals, as small scalar functions.

The feature matrices (``features.py``) and the explanations (``explain.py``) both call
these, so a score and the sentence that explains it come from the same rule.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from matcher.cpv import InvalidCpvCode, normalize_cpv
from matcher.nuts import InvalidNutsCode, iso_to_nuts_country, normalize_nuts, nuts_level
from matcher.reserved import ART20_MIN_DISADVANTAGED_SHARE, is_art77_cpv
from matcher.tenders.items import EnterpriseProfile, TenderItem, Unit
from matcher.text import N_, Nn_, Text, plural

#: CPV similarity when the two codes only share an ancestor at this level.
CPV_SHARED_SCORE = {1: 0.2, 2: 0.45, 3: 0.65, 4: 0.8, 5: 0.9}
#: CPV similarity when the tender's code is broader and contains the enterprise's code.
#: A division or group alone says little about the work (a reserved medical-aids tender coded
#: only ``33000000`` sits beside X-ray machines), so broad covers count well below a match.
CPV_COVER_SCORE = {1: 0.35, 2: 0.55, 3: 0.75, 4: 0.9, 5: 0.95}
#: A notice (or lot) listing more CPV codes than this is a catch-all (frameworks list 100+):
#: its CPV evidence is scaled by sqrt(CPV_MANY_CODES / n_codes).
CPV_MANY_CODES = 12
#: Region similarity when the places share a region at this NUTS level (0 is the country).
REGION_SHARED_SCORE = {0: 0.4, 1: 0.6, 2: 0.8, 3: 1.0}
#: Region similarity when the tender's place is broader and contains the enterprise's area.
REGION_COVER_SCORE = {0: 0.8, 1: 0.9, 2: 1.0, 3: 1.0}

#: A pair scoring at least this is a strong fit: the enterprise's list shows the tender among
#: its strong matches (below, under "Weaker matches"), and a buyer's research and calls for
#: interest count the enterprise as able to bid. On the graded Scottish set (8 profiles, the
#: default reach) every tender graded good (15 of 15) scores at least 0.40, and 94 of the 96
#: graded not relevant that the lists offer score less (``python -m bench.relevance``).
STRONG_FIT = 0.4

#: How far from its regions an enterprise wants tenders: ``regions`` (the regions it serves,
#: the regions under the same parent counting as near: see ``reach_areas``), ``country``
#: (its country) or ``anywhere`` (no gate; the region signal still ranks near above far).
REACHES = ("regions", "country", "anywhere")
DEFAULT_REACH = "regions"

#: Parts of the social signal for an unreserved lot; they add up to at most 1.
SOCIAL_PARTS = {
    "reserved_execution": 0.4,
    "social_clauses": 0.3,
    "social_enterprise_suitable": 0.2,
    "sme_suitable": 0.1,
}
SOCIAL_WORDS = (
    "social",
    "sociaal",
    "sozial",
    "sociale",
    "inclusi",
    "disadvantag",
    "disabilit",
    "employment",
    "werkgelegenheid",
    "beschäftigung",
)


def utc(moment: datetime) -> datetime:
    """Read a naive datetime as UTC so that naive and aware moments compare."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def qualifies_art20(enterprise: EnterpriseProfile) -> bool:
    """Art. 20: a sheltered workshop, or at least 30 % disabled or disadvantaged staff."""
    return (
        enterprise.kind == "sheltered_workshop"
        or enterprise.disadvantaged_share >= ART20_MIN_DISADVANTAGED_SHARE
    )


def qualifies_art77(enterprise: EnterpriseProfile) -> bool:
    """Art. 77: an organisation with a public-service mission."""
    return enterprise.public_service_mission


def art20_refusal(enterprise: EnterpriseProfile) -> Text:
    """Sentence saying why an enterprise cannot bid for an Art. 20 reserved contract."""
    share = round(100 * enterprise.disadvantaged_share)
    return Text(N_("Reserved under Art. 20 for sheltered workshops and enterprises with at least "
                   "30%% disabled or disadvantaged staff; your profile states %(share)s%%."),
                share=share)


ART77_REFUSAL = Text(N_(
    "Reserved under Art. 77 for organisations with a public-service mission; your profile "
    "does not state one."
))


def tender_gate(tender: TenderItem, now: datetime, min_days: float) -> tuple[str, Text] | None:
    """Gate that closes a tender for everyone: deadline passed or too close."""
    if tender.deadline is None:
        return None
    deadline, now = utc(tender.deadline), utc(now)
    if deadline <= now:
        return "closed", Text(N_("The deadline (%(date)s) has passed."), date=deadline.date())
    if deadline - now < timedelta(days=min_days):
        days = (deadline - now).total_seconds() / 86400
        return (
            "closing_soon",
            plural(Nn_("Closes on %(date)s, in %(days)s days; at least %(n)s day is needed to "
                       "prepare a bid.",
                       "Closes on %(date)s, in %(days)s days; at least %(n)s days are needed to "
                       "prepare a bid."),
                   n=min_days, date=deadline.date(), days=round(days, 1)),
        )
    return None


def unit_gate(unit: Unit) -> tuple[str, Text] | None:
    """Gate that closes a lot for everyone: an Art. 77 reservation its CPV does not allow."""
    if unit.reservation != "art77" or not unit.cpv_codes:
        return None
    main = unit.cpv_codes[0]
    if is_art77_cpv(main):
        return None
    return (
        "art77_cpv",
        Text(N_("Marked as reserved under Art. 77, but its CPV %(code)s is not one Art. 77(1) "
                "allows to reserve; check the notice with the buyer."), code=main),
    )


def enterprise_gate(enterprise: EnterpriseProfile, unit: Unit) -> tuple[str, Text] | None:
    """Gate that closes a lot for this enterprise: a reservation it does not qualify for, or
    a place outside its reach."""
    if unit.reservation == "art20" and not qualifies_art20(enterprise):
        return "art20", art20_refusal(enterprise)
    if unit.reservation == "art77" and not qualifies_art77(enterprise):
        return "art77_mission", ART77_REFUSAL
    places = clean_nuts_codes(unit.nuts_codes)
    if not within_reach(reach_areas(enterprise), places):
        return "outside_reach", reach_refusal(enterprise, places)
    return None


def cpv_breadth_factor(n_codes: int) -> float:
    """Weight of a lot's CPV evidence: 1, less for catch-all notices with very many codes."""
    if n_codes <= CPV_MANY_CODES:
        return 1.0
    return math.sqrt(CPV_MANY_CODES / n_codes)


def reach_areas(enterprise: EnterpriseProfile) -> list[str] | None:
    """The NUTS areas a tender must touch to be shown; ``None`` when nothing is left out.

    ``regions``: the regions served (its own region when it names none) and their
    neighbours, taken as the regions under the same parent at the level the region is given:
    a NUTS 3 region reaches the rest of its NUTS 2 region, a NUTS 2 region the rest of its
    NUTS 1 region (a soft edge; a served NUTS 1 region stays as it is). A region named at
    NUTS 2 used to get no neighbours at all, so an enterprise serving "West Central
    Scotland" was shown nothing in Edinburgh, about 70 km from Glasgow, while one serving a
    single NUTS 3 region there saw the whole of West Central Scotland. A NUTS 1 code ending
    in 0 is a whole country (``IE0``, ``CZ0``): that is the ``country`` reach, chosen
    explicitly, so a NUTS 2 region there keeps no wider neighbours. ``country``: its
    country. Without any place the enterprise sees every tender.
    """
    if enterprise.reach == "anywhere":
        return None
    areas = enterprise_areas(enterprise)
    if not areas:
        return None
    if enterprise.reach == "country":
        return sorted({area[:2] for area in areas})
    widened = [_near_parent(area) for area in areas]
    return outermost(list(dict.fromkeys(widened)), lambda outer, inner: inner.startswith(outer))


def _near_parent(area: str) -> str:
    """The area whose regions count as near ``area`` (see ``reach_areas``)."""
    level, parent = nuts_level(area), area[:-1]
    if level == 3 or (level == 2 and not parent.endswith("0")):
        return parent
    return area


def within_reach(areas: list[str] | None, places) -> bool:
    """A tender inside one of the areas, covering one, or without a stated place, is in reach."""
    if areas is None or not places:
        return True
    return any(p.startswith(a) or a.startswith(p) for p in places for a in areas)


def reach_refusal(enterprise: EnterpriseProfile, places) -> Text:
    """Sentence saying why a tender is outside the enterprise's reach, and how to widen it."""
    where = ", ".join(places[:3])
    if enterprise.reach == "country":
        return Text(N_("Performed in %(where)s, outside your country; set your reach to "
                       "'anywhere' to see it."), where=where)
    return Text(N_("Performed in %(where)s, outside the regions you serve and their neighbours; "
                   "set your reach to 'country' or 'anywhere' to see it."), where=where)


NO_EVIDENCE_REASON = Text(N_(
    "Its CPV codes are outside your branches and its text is no closer to your description "
    "than most tenders'; region and size alone are no match."
))


def has_social_clauses(tender: TenderItem) -> bool:
    """Social clauses listed, or award criteria that mention a social aim."""
    criteria = tender.award_criteria.lower()
    return bool(tender.social_criteria) or any(word in criteria for word in SOCIAL_WORDS)


def social_unit_parts(tender: TenderItem, unit: Unit) -> dict[str, float]:
    """The tender-side parts of the social signal for one lot."""
    if unit.reservation in ("art20", "art77"):
        return {f"reserved_{unit.reservation}": 1.0}
    flags = {
        "reserved_execution": tender.reserved_execution,
        "social_clauses": has_social_clauses(tender),
        "social_enterprise_suitable": tender.social_enterprise_suitable,
        "sme_suitable": tender.sme_suitable,
    }
    return {name: SOCIAL_PARTS[name] for name, on in flags.items() if on}


def social_enterprise_parts(enterprise: EnterpriseProfile) -> dict[str, float]:
    """How much each social feature of a tender is worth to this enterprise (0 to 1)."""
    social_economy = 1.0 if enterprise.kind != "other" else 0.5
    return {
        "reserved_art20": float(qualifies_art20(enterprise)),
        "reserved_art77": float(qualifies_art77(enterprise)),
        "reserved_execution": float(qualifies_art20(enterprise) or enterprise.kind == "wise"),
        "social_clauses": social_economy,
        "social_enterprise_suitable": social_economy,
        "sme_suitable": 1.0,
    }


def capacity_range(enterprise: EnterpriseProfile) -> tuple[float, float] | None:
    """Contract values the enterprise can take: (floor, ceiling), or ``None`` if unknown.

    Art. 58(3) lets a buyer ask a yearly turnover of up to twice the contract value, so an
    enterprise with turnover T can normally qualify for contracts up to T / 2.
    """
    ceilings = []
    if enterprise.turnover_eur:
        ceilings.append(enterprise.turnover_eur / 2)
    if enterprise.max_contract_value_eur:
        ceilings.append(enterprise.max_contract_value_eur)
    floor = enterprise.min_contract_value_eur or 0.0
    if not ceilings and not floor:
        return None
    return floor, min(ceilings) if ceilings else math.inf


def value_fit(value: float, capacity: tuple[float, float]) -> float:
    """1 inside the capacity range, falling to 0 at 4x above it or 8x below it."""
    floor, ceiling = capacity
    if value > ceiling:
        return max(0.0, 1.0 - math.log2(value / ceiling) / 2)
    if floor and value < floor:
        return max(0.0, 1.0 - math.log2(floor / value) / 3)
    return 1.0


def clean_cpv_codes(codes) -> list[str]:
    """Normalised CPV codes, invalid ones dropped, order and first occurrence kept."""
    return _cleaned(codes, _cpv_or_none)


def clean_nuts_codes(codes) -> list[str]:
    """Normalised NUTS codes, invalid ones dropped, order and first occurrence kept."""
    return _cleaned(codes, _nuts_or_none)


def _cleaned(codes, normalised) -> list[str]:
    cleaned = []
    for code in codes:
        try:
            code = normalised(code)
        except TypeError:  # unhashable: never a code
            continue
        if code is not None and code not in cleaned:
            cleaned.append(code)
    return cleaned


def _remembered(normalize, invalid):
    """``normalize`` as a function that answers None for an invalid code, remembering its
    answers: a fit reads the same few thousand codes on hundreds of thousands of lots (several
    times each). Typed, so that 1, 1.0 and True stay different inputs."""

    @lru_cache(maxsize=65_536, typed=True)
    def normalised(code) -> str | None:
        try:
            return normalize(code)
        except invalid:
            return None

    return normalised


_cpv_or_none = _remembered(normalize_cpv, InvalidCpvCode)
_nuts_or_none = _remembered(normalize_nuts, InvalidNutsCode)


def enterprise_areas(enterprise: EnterpriseProfile) -> list[str]:
    """Where the enterprise works: its own region and those it serves, else its country."""
    areas = clean_nuts_codes([enterprise.nuts, *enterprise.regions_served])
    if not areas and enterprise.country:
        areas = clean_nuts_codes([iso_to_nuts_country(enterprise.country)])
    return areas


def outermost(codes: list[str], contains) -> list[str]:
    """Drop every code that lies inside another one of the list (``contains(outer, inner)``)."""
    return [
        code
        for code in codes
        if not any(other != code and contains(other, code) for other in codes)
    ]
