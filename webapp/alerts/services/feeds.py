"""The Atom feed of a saved search: its ranked list, at a private address.

The address carries the search's random feed token (no session: feed readers have none);
renewing the token revokes the old address. Written with feedgen, so the XML is Atom as the
RFC says (feed id, title, updated, author, self link; each entry id, title, updated, link).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from sqlmodel import Session

from models import SavedSearch, Tender
from webapp.alerts.services.digests import top_reason
from webapp.alerts.services.searches import describe, ranked_list


def atom_feed(db: Session, search: SavedSearch, *, self_url: str,
              link: Callable[..., str]) -> bytes:
    """The feed's XML. `link(endpoint, **values)` makes absolute URLs (the request's host)."""
    view = ranked_list(db, search)
    host = urlsplit(self_url).hostname or "matchmaker.invalid"
    created = search.created_at.strftime("%Y-%m-%d")
    feed = FeedGenerator()
    # tag: URIs (RFC 4151) stay the same when the token, and so the address, changes.
    feed.id(f"tag:{host},{created}:saved-search/{search.id}")
    feed.title(_("Matchmaker: %(name)s", name=search.name))
    feed.subtitle(_("Tenders for %(enterprise)s: %(filters)s", enterprise=view.enterprise.name,
                    filters=describe(search.filters)))
    feed.author({"name": "Matchmaker"})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=link("tenders.enterprise.index", **{
        k: ("on" if v is True else v) for k, v in search.filters.items()}), rel="alternate")
    feed.generator("Matchmaker")
    stamps = []
    for match in view.matches:
        tender = db.get(Tender, match.tender_id)
        updated = _aware(tender.imported_at if tender else None) or _aware(search.created_at)
        stamps.append(updated)
        entry = feed.add_entry(order="append")
        entry.id(f"tag:{host},{created}:saved-search/{search.id}/tender/{match.tender_id}")
        entry.title(match.title)
        entry.updated(updated)
        entry.link(href=link("tenders.enterprise.tender", tender_id=match.tender_id),
                   rel="alternate")
        parts = [_("Fit %(score)s%%", score=match.score_percent), match.buyer,
                 _("Deadline: %(when)s", when=match.deadline_text),
                 _("Value: %(value)s", value=match.value_text)]
        if match.best_lot:
            parts.append(_("Best lot: %(lot)s", lot=match.best_lot))
        reason = top_reason(match.signals)
        if reason:
            parts.append(reason)
        entry.summary(" · ".join(p for p in parts if p))
    feed.updated(max(stamps, default=_aware(search.updated_at)))
    return feed.atom_str(pretty=True)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
