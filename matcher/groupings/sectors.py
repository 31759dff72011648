"""Cross-sector limit: an applicant limited to k sectors is placed in at most k."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from matcher.text import N_, Nn_, Text, plural

__all__ = ["allocate_sectors"]

Application = tuple[str, str, int]  # (applicant_id, sector_key, preference_rank: 1 = first)


def allocate_sectors(applications: Iterable[Application], limits: Mapping[str, int | None]
                     ) -> tuple[list[Application], list[tuple[Application, str]]]:
    """Keep each applicant's k best-preferred sectors; drop the rest with the reason.

    Ties in preference rank are broken by sector key, so the result never depends on input
    order. Applicants without a limit (absent or ``None``) keep every application.

    >>> allocate_sectors([("a", "food", 2), ("a", "ict", 1), ("b", "food", 1)], {"a": 1})
    ([('a', 'ict', 1), ('b', 'food', 1)], [(('a', 'food', 2), 'a is limited to 1 sector and \
ranked food 2nd; kept: ict')])
    """
    by_applicant: dict[str, list[Application]] = defaultdict(list)
    for application in applications:
        by_applicant[application[0]].append(application)
    kept, dropped = [], []
    for applicant_id, own in by_applicant.items():
        own.sort(key=lambda a: (a[2], a[1]))
        limit = limits.get(applicant_id)
        if limit is None or len(own) <= limit:
            kept += own
            continue
        kept += own[:limit]
        chosen = ", ".join(a[1] for a in own[:limit]) or Text(N_("none"))
        dropped += [(a, plural(Nn_("%(id)s is limited to %(n)s sector and ranked %(sector)s "
                                   "%(rank)s; kept: %(kept)s",
                                   "%(id)s is limited to %(n)s sectors and ranked %(sector)s "
                                   "%(rank)s; kept: %(kept)s"),
                               limit, id=applicant_id, sector=a[1], rank=_ordinal(a[2]),
                               kept=chosen))
                    for a in own[limit:]]
    return kept, dropped


def _ordinal(rank: int) -> Text:
    """1st, 2nd… in English; the web layer's catalogue has a form per language (1e, 2e…)."""
    if 10 <= rank % 100 <= 20:
        return Text(N_("%(rank)sth"), rank=rank)
    template = {1: N_("%(rank)sst"), 2: N_("%(rank)snd"), 3: N_("%(rank)srd")}
    return Text(template.get(rank % 10, N_("%(rank)sth")), rank=rank)
