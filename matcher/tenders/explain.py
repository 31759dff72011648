"""Sentences that explain each signal, written for the people who read the match list.

They are :class:`matcher.text.Text`: English strings that keep their template and parameters,
so that the web layer can show them in the reader's language.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping

from matcher.cpv import CPV_LEVEL_NAMES, CpvTree, cpv_level
from matcher.languages import language_name
from matcher.nuts import NUTS_LEVEL_NAMES, NutsNames, nuts_chain, nuts_level
from matcher.tenders.items import EnterpriseProfile, TenderItem, Unit
from matcher.tenders.rules import capacity_range, qualifies_art20, social_unit_parts
from matcher.text import N_, Euros, Text, TextList

_WORD = re.compile(r"[^\W\d_]{5,}")


def euros(amount: float) -> Euros:
    """EUR 1,250,000 style in English, rounded to the euro; per locale in the web layer."""
    return Euros(amount)


def cpv_reason(tree: CpvTree, profile_codes: list[str], unit_codes: list[str]) -> Text:
    """Name the closest pair of codes and how they relate."""
    if not unit_codes:
        return Text(N_("The tender has no CPV code, so the CPV signal does not count."))
    if not profile_codes:
        return Text(N_("Your profile has no CPV code, so the CPV signal does not count."))
    relation, unit_code, profile_code, ancestor = _closest_cpv_pair(tree, profile_codes, unit_codes)
    if relation == "inside":
        if unit_code == profile_code:
            return Text(N_("CPV %(code)s is one of your codes."), code=tree.describe(unit_code))
        return Text(N_("CPV %(code)s is inside your branch %(branch)s."),
                    code=tree.describe(unit_code), branch=tree.describe(profile_code))
    if relation == "covers":
        return Text(N_("The tender's CPV %(code)s is broader than, and covers, your %(own)s."),
                    code=tree.describe(unit_code), own=tree.describe(profile_code))
    if relation == "shared":
        level = CPV_LEVEL_NAMES[cpv_level(ancestor)]
        return Text(N_("CPV %(code)s shares the %(level)s %(ancestor)s with your %(own)s."),
                    code=tree.describe(unit_code), level=level,
                    ancestor=tree.describe(ancestor), own=tree.describe(profile_code))
    return Text(N_("CPV %(code)s is outside your branches."), code=tree.describe(unit_codes[0]))


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


def text_reason(profile_text: str, unit_text: str, value: float | None,
                not_counted: frozenset[str] = frozenset(),
                generic: frozenset[str] = frozenset(),
                languages: tuple[str, str] = ("", "")) -> Text:
    """How alike the texts are, with a few words they share (parts of compounds count).

    The value is relative: 100% is the open tender closest to the enterprise's description.
    Words the text signal leaves out (``not_counted``: place names) are not shown as shared:
    "shared words: services, glasgow" read as if the place had counted. Words that run across
    trades (``generic``) count, but they come last: they say the least. ``languages`` are
    those of the description and of the tender (blank: unknown): texts in two languages are
    not compared, and the signal follows the CPV signal (``TEXT_PER_CPV_ACROSS_LANGUAGES``).
    """
    yours, theirs = ((code or "").strip().lower()[:2] for code in languages)
    if value is not None and yours and theirs and yours != theirs:
        return Text(N_("The tender is written in %(tender)s and your description in "
                       "%(yours)s: texts in two languages are not compared word by word, so "
                       "this signal is what tenders with CPV codes this close to yours "
                       "usually score (%(percent)s%%)."),
                    tender=language_name(theirs), yours=language_name(yours),
                    percent=round(100 * value))
    if value is None:
        return Text(N_("There is no description to compare, so the text signal does not count."))
    shared = _shared_words(profile_text, unit_text, not_counted, generic)
    if shared:
        return Text(N_("The tender's text is %(percent)s%% as close to your description as the "
                       "closest open tender's; shared words: %(words)s."),
                    percent=round(100 * value), words=", ".join(shared))
    return Text(N_("The tender's text is %(percent)s%% as close to your description as the "
                   "closest open tender's."), percent=round(100 * value))


def _shared_words(first: str, second: str, not_counted: frozenset[str] = frozenset(),
                  generic: frozenset[str] = frozenset(), limit: int = 4) -> list[str]:
    """Words of five letters or more of ``second`` that appear in, or contain, ``first``'s,
    distinctive ones first, then the longest."""
    joined, heads = _own_words(first, not_counted)
    found = [word for word in _words(second) if word not in not_counted
             and (word in joined or _holds_one(word, heads))]
    return sorted(found, key=lambda word: (word in generic, -len(word)))[:limit]


@functools.lru_cache(maxsize=256)
def _own_words(text: str, not_counted: frozenset[str]) -> tuple[str, dict[str, tuple[str, ...]]]:
    """``text``'s words looked up two ways. Joined by NUL: a word lies inside one of them when
    it is a substring of the joined string (no word holds a NUL). By their first five letters:
    a word contains one of them only where five of its letters are such a head. A digest round
    explains ten tenders per reader against the same description, and testing every pair of
    words in Python was a fifth of explaining."""
    mine = sorted({word.lower() for word in _WORD.findall(text)} - not_counted)
    heads: dict[str, tuple[str, ...]] = {}
    for word in mine:
        heads[word[:5]] = (*heads.get(word[:5], ()), word)
    return "\0".join(mine), heads


def _holds_one(word: str, heads: dict[str, tuple[str, ...]]) -> bool:
    """Whether ``word`` contains one of the words whose heads (first five letters) these are."""
    for start in range(len(word) - 4):
        owns = heads.get(word[start:start + 5])
        if owns and any(word.startswith(own, start) for own in owns):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """``text``'s words of five letters or more, lower case, each once, in their order."""
    return tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text)))


def region_reason(names: NutsNames, areas: list[str], unit_codes: list[str]) -> Text:
    """Where the work is done, compared with where the enterprise works."""
    if not unit_codes:
        return Text(N_("The tender names no place of performance, so the region signal does "
                       "not count."))
    if not areas:
        return Text(N_("Your profile names no region, so the region signal does not count."))
    place = unit_codes[0]
    label = names.label(place)
    if place in areas:
        return Text(N_("Performed in %(place)s, your own region."), place=label)
    for area in areas:
        if place.startswith(area):
            return Text(N_("Performed in %(place)s, inside the area you serve (%(area)s)."),
                        place=label, area=names.name(area))
    for area in areas:
        if area.startswith(place):
            return Text(N_("Performed in %(place)s, which covers your area %(area)s."),
                        place=label, area=names.name(area))
    shared = _deepest_shared_region(areas, place)
    if shared is None:
        return Text(N_("Performed in %(place)s, outside the regions you serve."), place=label)
    level = NUTS_LEVEL_NAMES[nuts_level(shared)]
    return Text(N_("Performed in %(place)s, in the same %(level)s (%(area)s) as you."),
                place=label, level=level, area=names.name(shared))


def _deepest_shared_region(areas: list[str], place: str) -> str | None:
    chain = set(nuts_chain(place))
    shared = [node for area in areas for node in nuts_chain(area) if node in chain]
    return max(shared, key=len) if shared else None


def value_reason(profile: EnterpriseProfile, unit: Unit, value: float | None) -> Text:
    """The lot's value against what the enterprise can take on (Art. 58(3))."""
    capacity = capacity_range(profile)
    if unit.value_eur is None:
        return Text(N_("The tender states no value, so the value signal does not count."))
    if capacity is None:
        return Text(N_("Your profile states no turnover or contract range, so value does not "
                       "count."))
    floor, ceiling = capacity
    amount = euros(unit.value_eur)
    limit = (Text(N_("up to %(amount)s"), amount=euros(ceiling)) if ceiling != float("inf")
             else Text(N_("no upper limit")))
    if value is not None and value >= 0.999:
        return Text(N_("The value of %(amount)s fits what you can take on (%(limit)s)."),
                    amount=amount, limit=limit)
    if unit.value_eur > ceiling:
        return Text(N_("The value of %(amount)s is above what you can take on (%(limit)s: half "
                       "your turnover, as buyers may ask a turnover of twice the value, or your "
                       "stated maximum); a consortium or subcontracting could help."),
                    amount=amount, limit=limit)
    return Text(N_("The value of %(amount)s is below the smallest contract you want "
                   "(%(floor)s)."), amount=amount, floor=euros(floor))


# --- what other parties may learn of the value fit ------------------------------------------
#
# The value signal is a continuous function of the enterprise's private capacity (half its
# turnover, its stated contract range): a buyer who varies a planned value and reads the
# signal, or a score containing it, recovers the turnover within 1 % in about 20 requests.
# Other parties therefore get a band computed against the capacity rounded to a coarse
# 1-2-5 grid: bisection on the value then finds only the grid step (a factor of 2 to 2.5).

#: The signals that say what the work has in common with the enterprise's (its trade).
ACTIVITY_SIGNALS = ("cpv", "text")


def top_signal(contributions: Mapping[str, float]) -> str | None:
    """The signal whose reason stands for a match where one reason is shown (a digest, a
    feed): of the activity signals adding to the score, the one adding most; else the one
    adding most of all. By contribution alone a weaker match's one reason was often its value
    or place ("Why: the value of EUR 133,500 fits what you can take on" for street cleaning
    sent to an office-cleaning firm), which says why it scores, not what it shares."""
    activity = {name: c for name, c in contributions.items()
                if name in ACTIVITY_SIGNALS and c > 0}
    pool = activity or contributions
    return max(pool, key=lambda name: (pool[name], name)) if pool else None


VALUE_BANDS = ("fits", "stretch", "too_large", "too_small")
#: The band's part in a public score, in place of the exact value signal.
VALUE_BAND_LEVELS = {"fits": 1.0, "stretch": 0.5, "too_large": 0.0, "too_small": 0.0}
def _grid_around(amount: float) -> list[float]:
    """1-2-5 grid values from half the decade of ``amount`` to twice the next one."""
    decade = 10.0 ** math.floor(math.log10(amount))
    return [decade * step for step in (0.5, 1, 2, 5, 10, 20)]


def _grid_down(amount: float) -> float:
    """The largest 1-2-5 grid value at or below ``amount`` (1 for anything smaller)."""
    if amount == math.inf:
        return math.inf
    if amount < 1:
        return 1.0
    return max(v for v in _grid_around(amount) if v <= amount)


def _grid_up(amount: float) -> float:
    """The smallest 1-2-5 grid value at or above ``amount`` (0 stays 0)."""
    if amount <= 0:
        return 0.0
    return min(v for v in _grid_around(amount) if v >= amount)


def coarse_capacity(capacity: tuple[float, float]) -> tuple[float, float]:
    """The capacity widened to the 1-2-5 grid: floor rounded up, ceiling rounded down."""
    floor, ceiling = capacity
    coarse_ceiling = _grid_down(ceiling)
    return min(_grid_up(floor), coarse_ceiling), coarse_ceiling


def value_band(profile: EnterpriseProfile, value_eur: float | None) -> str | None:
    """How a contract value sits with the enterprise's coarse capacity, for other parties:
    ``fits``, ``stretch`` (up to twice the ceiling: a consortium could carry it),
    ``too_large``, ``too_small``; ``None`` when the value or the capacity is unknown."""
    capacity = capacity_range(profile)
    if value_eur is None or capacity is None:
        return None
    floor, ceiling = coarse_capacity(capacity)
    if value_eur > 2 * ceiling:
        return "too_large"
    if value_eur > ceiling:
        return "stretch"
    if floor and value_eur < floor:
        return "too_small"
    return "fits"


_SOCIAL_PHRASES = {
    "reserved_execution": N_("performance reserved for sheltered employment programmes"),
    "social_clauses": N_("social clauses or social award criteria"),
    "social_enterprise_suitable": N_("marked as suitable for social enterprises"),
    "sme_suitable": N_("marked as suitable for SMEs"),
}


def social_reason(profile: EnterpriseProfile, tender: TenderItem, unit: Unit) -> Text:
    """Reservations and social features of the tender that matter to this enterprise."""
    if unit.reservation == "art20":
        return Text(N_("Reserved under Art. 20 for sheltered workshops and work-integration "
                       "enterprises, and you qualify."))
    if unit.reservation == "art77":
        return Text(N_("Reserved under Art. 77 for public-service-mission organisations, and "
                       "you qualify."))
    parts = social_unit_parts(tender, unit)
    if not parts:
        return Text(N_("Not reserved and without social clauses."))
    phrases = [Text(_SOCIAL_PHRASES[name]) for name in parts]
    if "reserved_execution" in parts and not (qualifies_art20(profile) or profile.kind == "wise"):
        phrases[0] = Text(N_("%(phrase)s (you do not run one)"), phrase=phrases[0])
    return Text(N_("Not reserved, but: %(phrases)s."), phrases=TextList("; ", phrases))
