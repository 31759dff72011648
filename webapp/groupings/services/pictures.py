"""A small picture of each group's make-up, as numbers the template draws as inline SVG."""

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.groupings.services.pool import Applicant
from webapp.i18n import number
from webapp.palette import PALETTE, country_colour

WIDTH = 380  # the topic labels (20 characters and a count) at 14 px fit
BAR_AREA = 150  # width of the longest size bar
ROW = 20  # 14 px text needs 20 px rows


@dataclass(frozen=True)
class SizeBar:
    y: int
    width: float
    colour: str
    label: str  # country · size


@dataclass(frozen=True)
class Chip:
    x: int
    y: int
    country: str
    n: int
    colour: str


@dataclass(frozen=True)
class TopicBar:
    y: int
    width: float
    label: str  # topic (n of m)


@dataclass(frozen=True)
class GroupPicture:
    width: int
    height: int
    size_bars: list[SizeBar]
    chips: list[Chip]
    chips_y: int
    topic_bars: list[TopicBar]
    topics_y: int
    summary: str  # the text alternative


def colours_for(countries) -> dict[str, str]:
    """One colour per country, the same in every group and on the authorities' pages."""
    return {c: country_colour(c) for c in set(countries)}


def size_text(size: int | None) -> str:
    if not size:
        return _("size unknown")
    if size >= 1_000_000:
        return _("%(n)s M", n=number(size / 1_000_000, 1))
    if size >= 1_000:
        return _("%(n)s k", n=number(round(size / 1_000)))
    return number(size)


def group_picture(members: list[Applicant], colours: dict[str, str], largest: int,
                  n_topics: int = 3, labels: Mapping[str, str] | None = None) -> GroupPicture:
    """Size bars (square-root scale, largest of the proposal = full width), country chips and
    the most shared topics (named by the sector's ``labels`` of them)."""
    labels = labels or {}
    ordered = sorted(members, key=lambda a: -(a.size or 0))
    bars = [
        SizeBar(y=i * ROW, width=round(max(2.0, BAR_AREA * math.sqrt((a.size or 0) / largest)), 1)
                if largest else 2.0, colour=colours.get(a.country, PALETTE[-1]),
                label=f"{a.country} · {size_text(a.size)}")
        for i, a in enumerate(ordered)
    ]
    chips_y = len(bars) * ROW + 8
    countries = Counter(a.country for a in members)
    chips = [Chip(x=i * 60, y=chips_y, country=c, n=n, colour=colours.get(c, PALETTE[-1]))
             for i, (c, n) in enumerate(sorted(countries.items(), key=lambda x: (-x[1], x[0])))]
    topics_y = chips_y + (30 if chips else 0)
    counts = Counter(t for a in members for t in set(a.topics))
    shared = [(labels.get(t, t), n) for t, n in counts.most_common() if n > 1][:n_topics]
    topic_bars = [
        TopicBar(y=topics_y + i * ROW, width=round(BAR_AREA * n / max(1, len(members)), 1),
                 label=f"{_short(t)} ({n}/{len(members)})")
        for i, (t, n) in enumerate(shared)
    ]
    height = topics_y + len(topic_bars) * ROW + 4
    return GroupPicture(
        width=WIDTH, height=max(height, ROW), size_bars=bars, chips=chips, chips_y=chips_y,
        topic_bars=topic_bars, topics_y=topics_y,
        summary=_summary(members, countries, shared),
    )


def _short(topic: str, limit: int = 20) -> str:
    return topic if len(topic) <= limit else topic[: limit - 1] + "…"


def _summary(members: list[Applicant], countries: Counter, shared: list[tuple[str, int]]) -> str:
    sizes = [a.size for a in members if a.size]
    parts = [ngettext("%(num)s member", "%(num)s members", len(members))]
    if countries:
        parts.append(_("countries: %(list)s", list=", ".join(
            f"{c} {n}" for c, n in sorted(countries.items(), key=lambda x: (-x[1], x[0])))))
    if sizes:
        parts.append(_("sizes from %(low)s to %(high)s", low=number(min(sizes)),
                       high=number(max(sizes))))
    if shared:
        parts.append(_("most shared topics: %(list)s", list="; ".join(
            f"{t} ({n})" for t, n in shared)))
    return ". ".join(parts) + "."
