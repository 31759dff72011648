"""Per-user rate limits for costly or probing requests (market research).

Built on `limits` (the library under Flask-Limiter), called where the user is known: pages
know it before the view, API tokens only inside it, which Flask-Limiter's decorators cannot
wait for. Counters live in RATELIMIT_STORAGE_URI: ``memory://`` (one process) by default; with
several gunicorn workers set it to ``redis://host:6379/N`` so that they share the counts.
"""

import math
import time

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "matchmaker.ratelimit"
#: Market research per user: enough to explore a planned tender, too few to probe values.
MARKET_RESEARCH_LIMIT = "10 per minute; 60 per hour"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("MARKET_RESEARCH_LIMIT", MARKET_RESEARCH_LIMIT)
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)


def check(name: str, user_id: int, setting: str) -> None:
    """Count one request of `user_id` against the limits in config[`setting`]; raise 429 with
    a message and Retry-After when one of them is used up (the request is then not counted)."""
    limiter: MovingWindowRateLimiter = current_app.extensions[EXTENSION]
    items = parse_many(current_app.config[setting])
    key = (name, str(user_id))
    for item in items:
        if not limiter.test(item, *key):
            reset = limiter.get_window_stats(item, *key).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            raise TooManyRequests(
                _("You have made %(n)s of these requests in %(window)s, the most allowed. "
                  "Try again in %(minutes)s minute(s).", n=item.amount,
                  window=_window(item.GRANULARITY.name, item.multiples),
                  minutes=max(1, math.ceil(wait / 60))),
                retry_after=wait,
            )
    for item in items:
        limiter.hit(item, *key)


def _window(unit: str, multiples: int) -> str:
    names = {"second": _("a second"), "minute": _("a minute"), "hour": _("an hour"),
             "day": _("a day")}
    if multiples == 1 and unit in names:
        return names[unit]
    # each unit its own plural: languages inflect them differently
    plurals = {
        "second": ngettext("%(num)s second", "%(num)s seconds", multiples),
        "minute": ngettext("%(num)s minute", "%(num)s minutes", multiples),
        "hour": ngettext("%(num)s hour", "%(num)s hours", multiples),
        "day": ngettext("%(num)s day", "%(num)s days", multiples),
    }
    return plurals.get(unit, f"{multiples} {unit}")
