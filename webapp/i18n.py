"""The reader's language and time zone: choosing them, switching them, formatting for them.

The locale is, in order: the logged-in user's choice (``User.locale``), the ``locale`` cookie an
anonymous visitor set with the language switch, then the browser's ``Accept-Language``. The
JSON API follows ``Accept-Language`` only: a client's answers should not change because its
user switched the web pages to another language.

The engine (``matcher``) writes English :class:`matcher.text.Text`; :func:`localize` looks
its template up in the reader's catalogue. Texts stored in the database (group explanations,
waitlist reasons) keep their templates beside the English (:func:`texts_of`).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, dates, numbers
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale as _babel_locale
from flask_babel import get_timezone as _babel_timezone
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _

from matcher.nuts import COUNTRY_NAMES, nuts_to_iso_country
from matcher.text import Euros, Text, TextList, decode, encode
from webapp.db import get_session
from webapp.sector_text import SOURCE_LANGUAGE, SectorText, sector_text

SUPPORTED_LOCALES = ("en", "nl")
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}  # each in its own language
LOCALE_COOKIE = "locale"
COOKIE_MAX_AGE = 365 * 24 * 3600
DEFAULT_TIMEZONE = "Europe/Brussels"

bp = Blueprint("i18n", __name__)


# --- choosing ---------------------------------------------------------------------------------

def select_locale() -> str:
    """The reader's locale (see the module docstring)."""
    if not has_request_context():  # a command or a job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if not request.path.startswith("/api/"):
        user = g.get("user")
        if user is not None and user.locale in SUPPORTED_LOCALES:
            return user.locale
        cookie = request.cookies.get(LOCALE_COOKIE)
        if cookie in SUPPORTED_LOCALES:
            return cookie
    return (request.accept_languages.best_match(SUPPORTED_LOCALES)
            or current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    """The user's time zone, else the configured default (Europe/Brussels)."""
    user = g.get("user")
    if user is not None and user.timezone and is_timezone(user.timezone):
        return user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


@contextmanager
def force_timezone(name: str | None) -> Iterator[None]:
    """Inside the block, times are written in the zone ``name`` (a European one; another or
    none changes nothing): a mail is written for its reader outside the reader's request."""
    previous = g.get("forced_timezone")
    g.forced_timezone = ZoneInfo(name) if name and is_timezone(name) else previous
    try:
        yield
    finally:
        g.forced_timezone = previous


#: ISO codes of the EU's outermost regions that the tz database lists apart from their
#: country (Guadeloupe, French Guiana, Martinique, Réunion, Mayotte, Saint-Martin): NUTS
#: counts them as French regions (FRY).
OUTERMOST_REGIONS = frozenset({"GP", "GF", "MQ", "RE", "YT", "MF"})


def european_timezones() -> list[str]:
    """The time zones a user may choose, by name: those the tz database's ``zone.tab`` gives
    the countries NUTS covers and their outermost regions (so the Canaries, the Azores,
    Madeira, Cyprus and Réunion are there), and every other ``Europe/`` zone of it.

    ``zone.tab`` names each zone once, so aliases (Europe/Kiev beside Europe/Kyiv,
    Europe/Belfast for London, Europe/Tiraspol) are not offered; a user who chose one before
    keeps it (``is_timezone``)."""
    return list(_european_timezones())


@functools.cache
def _european_timezones() -> tuple[str, ...]:
    # Read once per process: listing the tz database walks its folders (tens of milliseconds),
    # and every request that shows a date asks for the user's zone.
    countries = {nuts_to_iso_country(code) for code in COUNTRY_NAMES} | OUTERMOST_REGIONS
    zones = {zone for country, zone in _zone_tab()
             if country in countries or zone.startswith("Europe/")}
    if not zones:  # no zone.tab anywhere: the database's Europe/ names, aliases and all
        zones = {zone for zone in available_timezones() if zone.startswith("Europe/")}
    return tuple(sorted(zones & available_timezones()))


def _zone_tab() -> list[tuple[str, str]]:
    """(country, zone) rows of the tz database's zone.tab: the system's, else tzdata's."""
    candidates = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    with suppress(ModuleNotFoundError):
        candidates.append(resources.files("tzdata") / "zoneinfo" / "zone.tab")
    for candidate in candidates:
        if candidate.is_file():
            rows = (line.split("\t") for line in candidate.read_text(encoding="utf-8")
                    .splitlines() if line and not line.startswith("#"))
            return [(row[0], row[2].strip()) for row in rows if len(row) >= 3]
    return []


def is_timezone(name: str) -> bool:
    """A zone a user may have: one of the list, or a European alias chosen before it."""
    return name in _european_timezones() or (
        name.startswith("Europe/") and name in available_timezones())


@bp.post("/language")
def switch_language():
    """The language switch: remember the choice (user and cookie) and go back to the page."""
    locale = request.form.get("locale", "")
    target = _safe_next(request.form.get("next"))
    response = redirect(target, code=303)
    if locale not in SUPPORTED_LOCALES:
        return response  # nothing to remember; the page stays as it was
    response.set_cookie(LOCALE_COOKIE, locale, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    user = g.get("user")
    if user is not None:
        user.locale = locale
        get_session().commit()
    return response


def _safe_next(target: str | None) -> str:
    """Only local paths, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


# --- formatting -------------------------------------------------------------------------------
# Babel's functions with the reader's locale and zone; outside a request (a CLI command, a
# unit test of a service) English and the default zone, as the API's default is.

def get_locale() -> Locale:
    return _babel_locale() or Locale("en")


def _zone():
    if not has_app_context():
        return ZoneInfo(DEFAULT_TIMEZONE)
    return g.get("forced_timezone") or _babel_timezone() or ZoneInfo(DEFAULT_TIMEZONE)


@functools.lru_cache(maxsize=64)
def _number_pattern(format: str) -> numbers.NumberPattern:
    """A number pattern parsed once: babel parses the string on every call, which is most of
    the time of formatting one amount (a digest round formats a few hundred thousand)."""
    return numbers.parse_pattern(format)


def format_decimal(value, format=None, locale: Locale | None = None) -> str:
    return numbers.format_decimal(value, format=format and _number_pattern(format),
                                  locale=locale or get_locale())


def format_percent(value) -> str:
    return numbers.format_percent(value, locale=get_locale())


def format_currency(value, currency, format=None, currency_digits=True,
                    locale: Locale | None = None) -> str:
    return numbers.format_currency(value, currency, format=format and _number_pattern(format),
                                   locale=locale or get_locale(), currency_digits=currency_digits)


def format_date(value, format="medium") -> str:
    return dates.format_date(value, format=format, locale=get_locale())


def format_datetime(value, format="medium") -> str:
    return _formatted_datetime(value, format, _zone(), str(get_locale()))


@functools.lru_cache(maxsize=4096)
def _formatted_datetime(value, format: str, zone, locale: str) -> str:
    # Babel reads the pattern and the locale's data again on every call, and a digest round
    # writes the same deadlines for thousands of readers of a few languages and zones: 20,000
    # deadlines with 2,000 distinct took 0.80-0.89 s each time, 0.30-0.33 s remembered.
    return dates.format_datetime(value, format=format, tzinfo=zone, locale=locale)


def number(value: Any, digits: int | None = None) -> str:
    """A number for the reader: 1.250 in Dutch, 1,250 in English; "—" when absent."""
    if value is None or value == "":
        return "—"
    if digits is not None:
        return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(value)


def money(value: Any, currency: str = "EUR", locale: Locale | None = None) -> str:
    """Whole euros for the reader: € 1.250.000 in Dutch, €1,250,000 in English."""
    if value is None or value == "":
        return "—"
    return _money_text(value, currency, locale or get_locale())


@functools.lru_cache(maxsize=4096, typed=True)
def _money_text(value: Any, currency: str, locale: Locale) -> str:
    """Babel's formatting of one amount costs about a tenth of a millisecond, and the reasons of
    a candidate list repeat the same few amounts (the tender's value, capacity limits)."""
    return format_currency(value, currency, format="¤ #,##0" if str(locale) == "nl"
                           else "¤#,##0", currency_digits=False, locale=locale)


def percent_text(whole: int) -> str:
    """A whole percentage (45 → "45%", as the reader's locale writes it)."""
    return format_percent(whole / 100)


def signed(value: float, digits: int = 2) -> str:
    """A change with its sign: +0,25 / −1,50 in Dutch."""
    zeros = "0" * digits
    return format_decimal(value, format=f"+#,##0.{zeros};-#,##0.{zeros}")


def percent(value: Any) -> str:
    """A share in [0, 1] as a percentage for the reader."""
    return "—" if value is None else format_percent(value)


def day(value: date | datetime | None, format: str = "medium") -> str:
    """A date for the reader (a datetime is taken in the user's time zone first)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, format="d MMM y" if format == "medium" else format)
    return format_date(value, format=format)


def moment(value: datetime | None, format: str = "medium") -> str:
    """A date and time in the user's time zone, with the zone's abbreviation."""
    if value is None:
        return "—"
    return format_datetime(value, format="d MMM y HH:mm zzz" if format == "medium" else format)


def timezone_label(name: str) -> str:
    """A time zone as people look for it, by its place: ``Brussels (UTC+01:00)`` for
    Europe/Brussels, ``Canary (UTC+00:00)`` for Atlantic/Canary."""
    offset = datetime.now(ZoneInfo(name)).strftime("%z")
    place = name.rsplit("/", 1)[-1].replace("_", " ")
    return f"{place} (UTC{offset[:3]}:{offset[3:]})"


def country_name(code: str | None) -> str:
    """A country's name in the reader's language (NUTS spells Greece EL, the UK UK)."""
    if not code:
        return ""
    iso = {"EL": "GR", "UK": "GB"}.get(code.upper(), code.upper())
    return get_locale().territories.get(iso, code)


def language_name(code: str | None) -> str:
    """A language's name in the reader's language (``nl`` → "Dutch" / "Nederlands")."""
    if not code:
        return ""
    return get_locale().languages.get(code.lower(), code)


# --- the engine's texts -----------------------------------------------------------------------

def localize(value: Any, texts: Mapping[str, Any] | None = None,
             terms: Mapping[str, str] | None = None) -> Any:
    """``value`` in the reader's language when it is one of the engine's texts.

    A :class:`Text` carries its template; a plain string is looked up in ``texts`` (the map
    :func:`texts_of` stored beside it). Anything else (a name, a number) is returned as is.
    ``terms`` translates parameters that are data, not sentences: a sector's topics (English
    -> label), which the engine joins with ", " ("shares %(topics)s").
    """
    return Localizer(terms)(value, texts)


class Localizer:
    """:func:`localize` with the reader's catalogue and locale looked up once, on first need.

    A list localizes a hundred engine texts and their parameters, and every lookup of the
    catalogue or the locale goes through the request's context: about half the time of
    localizing one sentence. Make one per list (inside one language: not across
    ``force_locale``) and call it for each text.
    """

    def __init__(self, terms: Mapping[str, str] | None = None):
        self.terms = terms or {}

    @functools.cached_property
    def translations(self):
        return get_translations()

    @functools.cached_property
    def locale(self) -> Locale:
        return get_locale()

    def __call__(self, value: Any, texts: Mapping[str, Any] | None = None) -> Any:
        if isinstance(value, str) and not isinstance(value, Text | TextList) and texts:
            stored = texts.get(value)
            if stored is not None:
                value = decode(stored)
        if isinstance(value, TextList):
            return value.sep.join(str(self(item)) for item in value.items)
        if not isinstance(value, Text):
            return value
        translations = self.translations
        if value.plural is not None:
            n = value.params.get("n", 1)
            template = translations.ungettext(value.msgid, value.plural,
                                              int(n) if float(n).is_integer() else n)
        else:
            template = translations.ugettext(value.msgid)
        if not value.params:
            return template
        params = {name: self._param(param) for name, param in value.params.items()}
        try:
            return template % params
        except (KeyError, ValueError, TypeError):  # a broken translation: the English is better
            return str(value)

    def _param(self, value: Any) -> Any:
        if isinstance(value, Text | TextList):
            return self(value)
        if isinstance(value, Euros):
            return money(float(value), locale=self.locale)
        if isinstance(value, str) and self.terms:
            return self._term(value)
        if isinstance(value, bool | str):
            return value
        if isinstance(value, int | float):
            return format_decimal(value, locale=self.locale)
        if isinstance(value, datetime):
            return day(value)
        if isinstance(value, date):
            return format_date(value)
        return value


    def _term(self, value: str) -> str:
        """A term, or a list of terms joined by ", ", in the reader's words; other text as is."""
        if value in self.terms:
            return self.terms[value]
        parts = value.split(", ")
        if len(parts) > 1 and all(part in self.terms for part in parts):
            return ", ".join(self.terms[part] for part in parts)
        return value


def waitlist_reason(entry: Any, terms: Mapping[str, str] | None = None) -> str:
    """A waitlist entry's reason in the reader's language (the English when kept no other);
    ``terms`` names the sectors it cites (the cross-sector limit's) as the reader reads them."""
    stored = getattr(entry, "reason_text", None)
    if stored:
        return str(localize(decode(stored), terms=terms))
    return entry.reason


def stored_text(value: Any) -> Any:
    """What to keep beside an English text so that it can be shown in any language."""
    return encode(value) if isinstance(value, Text | TextList) else None


def localize_all(values, texts: Mapping[str, Any] | None = None) -> list:
    """:func:`localize` for each of ``values``."""
    return [localize(v, texts) for v in values or ()]


def texts_of(value: Any) -> dict[str, Any]:
    """Every engine text inside ``value`` (dicts, lists), keyed by its English, encoded."""
    found: dict[str, Any] = {}

    def walk(item):
        if isinstance(item, Text | TextList):
            found[str(item)] = encode(item)
        elif isinstance(item, Mapping):
            for key, child in item.items():
                walk(key)
                walk(child)
        elif isinstance(item, list | tuple | set):
            for child in item:
                walk(child)

    walk(value)
    return found


TEXTS_KEY = "texts"  # in a stored explanation: English sentence -> its template and parameters


def with_texts(explanation: dict) -> dict:
    """An explanation ready to store: its engine texts kept translatable beside the English."""
    return {**explanation, TEXTS_KEY: texts_of(explanation)}


# --- pydantic's messages -----------------------------------------------------------------------

def validation_message(item: Mapping[str, Any]) -> str:
    """One of pydantic's errors (``ValidationError.errors()``) in the reader's language.

    pydantic writes English only; the common kinds get our own sentence here, with the limit
    from the error's context. Our validators raise messages already translated (a custom error,
    or a ValueError with a gettext sentence), which pass through.
    """
    kind, ctx = item.get("type", ""), item.get("ctx") or {}

    def limit(name: str) -> str:
        value = ctx.get(name)
        return number(value) if isinstance(value, int | float) else str(value)

    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number, such as 25000 (no dots, commas or currency signs).")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "finite_number"):
        return _("Enter a number.")
    if kind == "greater_than_equal":
        return _("Enter %(limit)s or more.", limit=limit("ge"))
    if kind == "greater_than":
        return _("Enter more than %(limit)s.", limit=limit("gt"))
    if kind == "less_than_equal":
        return _("Enter %(limit)s or less.", limit=limit("le"))
    if kind == "less_than":
        return _("Enter less than %(limit)s.", limit=limit("lt"))
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(choices)s.", choices=ctx.get("expected", ""))
    if kind == "string_too_long":
        return ngettext("Use at most %(num)s character.", "Use at most %(num)s characters.",
                        int(ctx.get("max_length", 0)))
    if kind == "string_too_short":
        return ngettext("Use at least %(num)s character.", "Use at least %(num)s characters.",
                        int(ctx.get("min_length", 0)))
    if kind == "too_long":
        return ngettext("Give at most %(num)s item.", "Give at most %(num)s items.",
                        int(ctx.get("max_length", 0)))
    if kind == "too_short":
        return ngettext("Give at least %(num)s item.", "Give at least %(num)s items.",
                        int(ctx.get("min_length", 0)))
    if kind in ("bool_parsing", "bool_type"):
        return _("Choose yes or no.")
    if kind == "extra_forbidden":
        return _("This field is not expected here.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type",
                "date_from_datetime_inexact"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        return _("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if kind.startswith("url_"):
        return _("Enter a web address starting with https://.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Send a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Send an object.")
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return str(error) if error is not None else str(item.get("msg", ""))
    return str(item.get("msg", ""))


# --- localized content ------------------------------------------------------------------------

def localized(obj: Any, field: str) -> Any:
    """A published text in the reader's language when the object has it in several.

    For a tender with ``titles = {"nl": …, "fr": …}`` (eForms notices are multilingual),
    ``localized(tender, "title")`` is the Dutch title for a Dutch reader; without such a dict,
    or without the reader's language in it, the main text as published.
    """
    main = getattr(obj, field, None)
    versions = getattr(obj, field + "s", None)
    if isinstance(versions, Mapping) and versions:
        language = str(get_locale())
        for key in (language, language.split("_")[0]):
            if versions.get(key):
                return versions[key]
    return main


def sector_language() -> str:
    """The language sector texts are read in here: the reader's on pages, English in the API.

    The API's answers are data for other systems (a sector's ``name``, an application's
    ``topics``): they stay the stored English whatever the client's ``Accept-Language``. A
    mail is written for its reader with the reader's language given (``sector_text``).
    """
    if has_request_context() and request.path.startswith("/api/"):
        return SOURCE_LANGUAGE
    return str(get_locale())


def sector_in_locale(sector: Any) -> SectorText:
    """A sector's name, description and topic labels as this reader sees them."""
    return sector_text(sector, sector_language())


def sector_names_in_locale(sectors: Iterable[Any]) -> dict[str, str]:
    """English name -> the name this reader reads, for texts that cite sectors by name."""
    language = sector_language()
    return {sector.name: sector_text(sector, language).name for sector in sectors}


def in_sector_order(items: Iterable[Any], name_of: Callable[[Any], str]) -> list:
    """Items (already in the order of their sectors' English names, as a query sorts them) in
    the order of the names this reader reads, ``name_of(item)``."""
    items = list(items)
    if sector_language() == SOURCE_LANGUAGE:
        return items
    return sorted(items, key=lambda item: name_of(item).casefold())


def init_app(app: Flask) -> None:
    """Filters and helpers for the templates; the language switch."""
    app.register_blueprint(bp)
    app.jinja_env.filters.update(
        number=number, money=money, percent=percent, day=day, moment=moment,
        localize=localize, country=country_name, language=language_name,
    )

    @app.context_processor
    def helpers():
        return {
            "localized": localized,
            "sector_text": sector_in_locale,
            "localize": localize,
            "supported_locales": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES],
            "current_locale": str(get_locale()),
        }


__all__ = [
    "LANGUAGE_NAMES",
    "SUPPORTED_LOCALES",
    "country_name",
    "day",
    "european_timezones",
    "force_timezone",
    "localize",
    "localized",
    "money",
    "moment",
    "number",
    "in_sector_order",
    "sector_in_locale",
    "sector_names_in_locale",
    "sector_language",
    "select_locale",
    "select_timezone",
    "texts_of",
    "with_texts",
]
