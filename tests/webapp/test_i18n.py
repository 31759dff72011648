"""The Dutch interface is complete: every message translated, every page free of English.

`test_catalogue_is_up_to_date` extracts the messages from the code into a temporary file and
compares them with the committed `messages.pot`: a new `_()` anywhere fails until
`make translations` is run. `test_every_message_has_a_dutch_translation` then fails for any
message the Dutch catalogue leaves empty or fuzzy. `test_every_page_reads_in_dutch` renders
every page of the permission matrix, for every role that may see it, with a Dutch browser,
and looks for English words in what a person reads; names and published texts from the data
stay as published and are taken out first.
"""

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, select

from matcher.text import N_, Euros, Text, TextList, decode, encode
from models import (
    Application,
    Authority,
    CallForInterest,
    CallRecipient,
    CpvCode,
    Enterprise,
    Group,
    Lot,
    NutsRegion,
    OutboxMessage,
    PartnerResponse,
    SavedSearch,
    Sector,
    Tender,
    User,
)
from tests.helpers import COORDINATOR, login, post_form
from tests.i18n_support import ROOT, ensure_compiled
from tests.test_permissions_matrix import MATRIX, OK, _url, world  # noqa: F401  (a fixture)
from webapp.db import ENGINE_KEY

TRANSLATIONS = ROOT / "webapp" / "translations"
POT = TRANSLATIONS / "messages.pot"
DUTCH_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
NL = {"Accept-Language": "nl-NL,nl;q=0.9"}
ensure_compiled()  # before any app loads its catalogues (Flask-Babel caches them)

# Words that are English and not Dutch (Dutch has "is", "of", "open", "status", "sector",
# "filters", "score", "details", "website", "in", "per" too: they are not listed).
ENGLISH_WORDS = {
    "the", "and", "save", "search", "tender", "tenders", "group", "groups", "your", "you",
    "with", "are", "show", "not", "for", "this", "log", "password", "home", "back",
    "proposal", "proposals", "waitlist", "member", "members", "answer", "wish", "wishes",
    "value", "deadline", "why", "which", "from", "who", "where", "when", "what", "has",
    "have", "yes", "see", "edit", "more", "all", "any", "to", "or", "on", "at", "by", "lots",
    "buyer", "buyers", "social", "enterprise", "enterprises", "authority", "authorities",
    "region", "regions", "country", "applicants", "applicant", "accepted",
    "declined", "pending", "approve", "publish", "published", "draft", "move", "lock",
    "unlock", "undo", "import", "settings", "language", "profile", "our", "us",
    "fit", "signal", "reserved", "reason", "reasons", "none", "yet", "closed", "planned",
    "page", "pages", "action", "sectors", "topics", "coordinator", "market", "research",
    "shared", "interests", "size", "weight", "alternative", "alternatives", "compare",
}
# Attributes people hear or read (screen readers, tooltips), besides the text itself.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
# Always allowed: the product's name and each language's own name in the switch.
ALWAYS_ALLOWED = ("Matchmaker", "English", "Nederlands")


def test_catalogue_is_up_to_date(tmp_path):
    """The committed messages.pot holds exactly the messages the code has now."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "Nn_:1,2", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    expected = _ids(POT)
    found = _ids(fresh)
    assert not found - expected, f"new messages, run `make translations`: {found - expected}"
    assert not expected - found, f"stale messages, run `make translations`: {expected - found}"


def test_every_message_has_a_dutch_translation():
    """Each message of the template has a Dutch translation: not empty, not fuzzy."""
    with DUTCH_PO.open("rb") as file:
        dutch = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in read_po(file) if m.id}
    problems = []
    for msgid in _ids(POT):
        message = dutch.get(msgid)
        strings = [] if message is None else (
            [message.string] if isinstance(message.string, str) else list(message.string))
        if message is None or not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        else:
            source = [msgid] if isinstance(msgid, str) else list(msgid)
            if _placeholders(source[-1]) - {"%(n)s", "%(num)s"} != (
                    _placeholders(strings[-1]) - {"%(n)s", "%(num)s"}):
                problems.append(f"placeholders differ: {msgid!r} -> {strings[-1]!r}")
    assert not problems, "\n".join(problems)


def test_the_dutch_catalogue_keeps_no_obsolete_messages():
    """A message dropped from the code and later written again came back as a new entry beside
    its old ``#~`` one: 42 such entries piled up, and GNU msgfmt, which translators' tools run,
    refused the file for the two that repeated an active message (``make translations`` now
    updates with --ignore-obsolete)."""
    with DUTCH_PO.open("rb") as file:
        catalogue = read_po(file)
    assert not catalogue.obsolete, sorted(catalogue.obsolete)[:5]


def test_the_dutch_catalogue_is_compiled():
    ensure_compiled()
    assert DUTCH_PO.with_suffix(".mo").stat().st_mtime >= DUTCH_PO.stat().st_mtime


def _ids(path: Path) -> set:
    with path.open("rb") as file:  # closed at once: warnings are errors
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(file) if m.id}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)s", text))


# --- the engine's sentences ------------------------------------------------------------------

def test_engine_texts_are_english_strings_that_keep_their_template():
    limit = Text(N_("up to %(amount)s"), amount=Euros(500_000))
    reason = Text(N_("The value of %(amount)s fits what you can take on (%(limit)s)."),
                  amount=Euros(1_250_000), limit=limit)
    assert reason == "The value of EUR 1,250,000 fits what you can take on (up to EUR 500,000)."
    again = decode(encode(TextList("; ", [reason, Text(N_("similar motivation"))])))
    assert str(again) == f"{reason}; similar motivation"
    assert again.items[0].params["limit"].msgid == "up to %(amount)s"


def test_engine_texts_read_in_dutch_with_dutch_numbers(app):
    from webapp.i18n import localize

    reason = Text(N_("The value of %(amount)s fits what you can take on (%(limit)s)."),
                  amount=Euros(1_250_000), limit=Text(N_("no upper limit")))
    with app.test_request_context(headers=NL):
        assert localize(reason) == ("De waarde van € 1.250.000 past bij wat u aankunt "
                                    "(geen bovengrens).")
    with app.test_request_context():  # English pages format money the English way
        assert localize(reason) == ("The value of €1,250,000 fits what you can take on "
                                    "(no upper limit).")


def test_plural_forms_follow_the_number(app):
    from flask_babel import ngettext

    with app.test_request_context(headers=NL):
        assert ngettext("%(num)s tender", "%(num)s tenders", 1) == "1 aanbesteding"
        assert ngettext("%(num)s tender", "%(num)s tenders", 2) == "2 aanbestedingen"
        from matcher.text import Nn_, plural
        from webapp.i18n import localize

        one = plural(Nn_("at most %(n)s group", "at most %(n)s groups"), 1)
        two = plural(Nn_("at most %(n)s group", "at most %(n)s groups"), 2)
        assert (localize(one), localize(two)) == ("hoogstens 1 groep", "hoogstens 2 groepen")


# --- choosing the language -------------------------------------------------------------------

def test_accept_language_is_the_default(client):
    ensure_compiled()
    page = client.get("/", headers=NL).get_data(as_text=True)
    assert '<html lang="nl">' in page and "Inloggen" in page
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_the_switch_is_remembered_by_a_cookie_then_by_the_account(app, client):
    ensure_compiled()
    answer = post_form(client, "/language", {"locale": "nl", "next": "/login"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/login")
    assert "Inloggen" in client.get("/login").get_data(as_text=True)  # the cookie, no header
    login(client, COORDINATOR)
    post_form(client, "/language", {"locale": "en", "next": "/"})
    client.delete_cookie("locale")
    with Session(app.extensions[ENGINE_KEY]) as db:
        assert db.exec(select(User).where(User.email == COORDINATOR)).one().locale == "en"
    # the account's choice wins over a Dutch browser
    assert "Log out" in client.get("/", headers=NL).get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client):
    answer = post_form(client, "/language", {"locale": "xx", "next": "//evil.example/"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/")
    assert "locale=" not in answer.headers.get("Set-Cookie", "")


def test_the_account_page_sets_language_and_time_zone(app, client):
    ensure_compiled()
    login(client, COORDINATOR)
    bad = post_form(client, "/account", {"locale": "nl", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "Choose one of the time zones in the list." in bad.get_data(as_text=True)
    done = post_form(client, "/account", {"locale": "nl", "timezone": "Europe/Lisbon"})
    assert done.status_code == 303
    page = client.get("/account").get_data(as_text=True)
    assert "Uw instellingen zijn opgeslagen." in page
    assert 'selected value="Europe/Lisbon"' in page
    with Session(app.extensions[ENGINE_KEY]) as db:
        user = db.exec(select(User).where(User.email == COORDINATOR)).one()
        assert (user.locale, user.timezone) == ("nl", "Europe/Lisbon")


def test_the_time_zones_are_those_of_europes_places_each_once(app, client):
    # The Canaries, the Azores, Madeira, Cyprus and Reunion are EU regions outside Europe/...
    login(client, COORDINATOR)
    offered = set(re.findall(r'<option[^>]*value="([^"]+)"',
                             client.get("/account").get_data(as_text=True)))
    assert {"Atlantic/Canary", "Atlantic/Azores", "Atlantic/Madeira", "Asia/Nicosia",
            "Indian/Reunion", "Europe/Kyiv", "Europe/London", "Europe/Amsterdam"} <= offered
    # ... and an alias is not a second entry beside its zone.
    assert not {"Europe/Kiev", "Europe/Belfast", "Europe/Tiraspol"} & offered
    assert post_form(client, "/account", {"locale": "en", "timezone": "Atlantic/Canary"}
                     ).status_code == 303


def test_a_time_zone_chosen_before_as_an_alias_is_kept(app, client):
    with Session(app.extensions[ENGINE_KEY]) as db:
        user = db.exec(select(User).where(User.email == COORDINATOR)).one()
        user.timezone = "Europe/Kiev"  # offered by an earlier version of the list
        db.add(user)
        db.commit()
    login(client, COORDINATOR)
    assert 'selected value="Europe/Kiev"' in client.get("/account").get_data(as_text=True)
    assert post_form(client, "/account", {"locale": "en", "timezone": "Europe/Kiev"}
                     ).status_code == 303
    with app.test_request_context():
        from flask import g

        from webapp.i18n import select_timezone

        with Session(app.extensions[ENGINE_KEY]) as db:
            g.user = db.exec(select(User).where(User.email == COORDINATOR)).one()
            assert select_timezone() == "Europe/Kiev"


def test_times_are_shown_in_the_users_zone(app):
    from datetime import UTC, datetime

    from webapp.i18n import moment

    noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with app.test_request_context(headers=NL):
        assert moment(noon) == "1 jul 2026 14:00 CEST"  # the default zone, Europe/Brussels


def test_api_errors_follow_accept_language(client):
    ensure_compiled()
    english = client.get("/api/v1/me").get_json()
    dutch = client.get("/api/v1/me", headers=NL).get_json()
    assert english["message"] == "Send a valid API token as 'Authorization: Bearer <token>'."
    assert dutch["message"] == "Stuur een geldig API-token als ‘Authorization: Bearer <token>’."


def test_localized_prefers_the_readers_language(app):
    from types import SimpleNamespace

    from webapp.i18n import localized

    tender = SimpleNamespace(title="Schoonmaak", titles={"nl": "Schoonmaak", "en": "Cleaning"})
    plain = SimpleNamespace(title="Nettoyage")
    with app.test_request_context():
        assert localized(tender, "title") == "Cleaning"
        assert localized(plain, "title") == "Nettoyage"
    with app.test_request_context(headers=NL):
        assert localized(tender, "title") == "Schoonmaak"


# --- every page in Dutch ---------------------------------------------------------------------

class _VisibleText(HTMLParser):
    """The text a person reads or hears: text outside scripts and styles, and a few attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._hidden += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)
            if name == "value" and tag == "input" and dict(attrs).get("type") in (
                    "submit", "button"):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def _published_texts(app) -> re.Pattern:
    """Names and texts from the data, which stay as published, as whole words."""
    found = set(ALWAYS_ALLOWED)
    with Session(app.extensions[ENGINE_KEY]) as db:
        # What users wrote (saved searches' names, calls and answers) and the mails as stored
        # in the outbox, in their reader's language.
        for model in (Authority, Enterprise, Tender, Lot, Sector, Application, User,
                      NutsRegion, CpvCode, SavedSearch, CallForInterest, CallRecipient,
                      OutboxMessage):
            columns = [c.key for c in sa_inspect(model).columns]
            for row in db.exec(select(model)).all():
                for column in columns:
                    _collect(getattr(row, column), found)
        for response in db.exec(select(PartnerResponse)).all():
            found.add(response.reason)  # what an authority wrote
        for group in db.exec(select(Group)).all():
            if "texts" not in (group.explanation or {}):  # written by a test, not the engine
                _collect(group.explanation, found)
    # pictures and charts shorten long names to 20, 30 or 34 characters with "…"
    found |= {t[:k].rstrip() for t in found for k in (19, 29, 33) if len(t) > k}
    texts = sorted((t for t in found if len(t) > 1), key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in texts))


def _collect(value, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)


def _english_left(html: str, published: re.Pattern) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        text = published.sub(" ", " ".join(part.split()))
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        if words & ENGLISH_WORDS:
            found.append(f"{sorted(words & ENGLISH_WORDS)} in {' '.join(part.split())!r}")
    return found


def _dutch_pages():
    for (endpoint, method), cases in sorted(MATRIX.items()):
        if method != "GET" or endpoint.startswith("api.") or endpoint in (
                "static", "home.healthz", "tenders.enterprise.cpv_options"):
            continue
        for index, case in enumerate(cases):
            roles = [role for role, outcome in case.expect.items() if outcome == OK]
            for role in roles:
                yield pytest.param(endpoint, case, role, id=f"{endpoint} #{index} {role}")


@pytest.mark.parametrize(("endpoint", "case", "role"), list(_dutch_pages()))
def test_every_page_reads_in_dutch(world, endpoint, case, role):  # noqa: F811
    ensure_compiled()
    if not hasattr(world, "published"):
        world.published = _published_texts(world.app)
    url = _url(world, endpoint, case)
    response = world.clients[role].get(url, headers=NL)
    assert response.status_code == 200, url
    if response.mimetype != "text/html":  # an export: see test_the_csv_export_speaks_dutch
        return
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    left = _english_left(html, world.published)
    assert not left, f"English on {url} for {role}:\n" + "\n".join(left)


def test_the_csv_export_speaks_dutch(world):  # noqa: F811
    url = f"/sectors/{world.sector_slug}/proposals/{world.gen_proposal_id}/export.csv"
    lines = world.clients["coordinator"].get(url, headers=NL).get_data(as_text=True).splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Groep,Groepsscore,Aanbestedende dienst,Soort")
    assert "Waarom in deze groep" in lines[0] and "Contactpersoon" in lines[0]
    english = world.clients["coordinator"].get(url).get_data(as_text=True)
    assert english.lstrip("\ufeff").startswith("Group,Group score,Authority,Kind")


def test_the_dutch_search_finds_pages_in_the_matrix():
    """The page test above covers the pages of every role (it cannot silently shrink)."""
    pages = list(_dutch_pages())
    roles = {p.values[2] for p in pages}
    assert {"anonymous", "coordinator", "authority", "enterprise"} <= roles
    assert len(pages) >= 20

