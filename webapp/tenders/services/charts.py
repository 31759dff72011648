"""Horizontal bar charts drawn on the server as inline SVG: geometry here, markup in a macro.

Each chart carries its title, a one-sentence summary and its rows as text, so the template
can give the SVG ``role="img"`` with a title and description and add a data table for
screen readers and for people who would rather read the numbers.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

ROW_HEIGHT = 26
BAR_HEIGHT = 16
LABEL_WIDTH = 230
BAR_AREA = 230
VALUE_WIDTH = 100
#: Characters of a 13 px label that fit in LABEL_WIDTH (about 7.5 px each, with a margin):
#: a longer label is shortened with "…" rather than cut off at the left edge of the chart.
LABEL_CHARS = 28


def short_label(label: str, limit: int = LABEL_CHARS) -> str:
    """The label as it fits beside its bar; the full one stays in the table and the title."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: float
    tone: str  # "good", "muted": a CSS class, never a colour decided in the template
    short: str = ""  # the label shortened to fit the chart


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    summary: str
    label_header: str
    value_header: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA
    bar_height: int = BAR_HEIGHT


def bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    rows: list[tuple[str, float | None, str]],
    label_header: str,
    value_header: str,
    max_value: float | None = None,
) -> BarChart:
    """A chart of ``rows`` (label, value or None when absent, value as text), longest = max."""
    present = [value for _, value, _ in rows if value is not None]
    top = max_value if max_value is not None else max(present, default=0) or 1
    bars = [
        Bar(
            label=label,
            value_text=text,
            y=index * ROW_HEIGHT,
            width=round(BAR_AREA * max(0.0, min(1.0, (value or 0) / top)), 1),
            tone="good" if value is not None else "muted",
            short=short_label(label),
        )
        for index, (label, value, text) in enumerate(rows)
    ]
    return BarChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        label_header=label_header,
        value_header=value_header,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
    )


def region_chart(chart_id: str, title: str, counted: str,
                 rows: list[tuple[str, float | None, str]], value_header: str) -> BarChart:
    """A chart of counts per region; its summary is `counted` (what, in how many regions),
    then where the most are."""
    return bar_chart(
        chart_id=chart_id, title=title,
        summary=counted + most_text([(label, int(value)) for label, value, _t in rows]) + ".",
        rows=rows, label_header=_("Region (NUTS 2)"), value_header=value_header)


def most_text(rows: list[tuple[str, int]]) -> str:
    """'; the most in X' only when one region has more than the others (ties are named)."""
    if len(rows) < 2:
        return ""
    top = max(n for _label, n in rows)
    leaders = [label for label, n in rows if n == top]
    if len(leaders) == len(rows):
        return _("; %(n)s in each", n=top)
    if len(leaders) > 3:
        return _("; %(k)s regions share the most (%(n)s each)", k=len(leaders), n=top)
    return _("; the most (%(n)s) in %(where)s", n=top, where=", ".join(leaders))
