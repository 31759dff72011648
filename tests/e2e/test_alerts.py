"""Alerts in a real browser: an enterprise saves a search from its tender list and follows its
feed; an authority turns a market research into a call for interest and an enterprise answers."""

import re

import feedparser
import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell import log_in, serious_violations
from tests.helpers import AUTHORITY, ENTERPRISE

pytestmark = pytest.mark.browser


def test_an_enterprise_saves_a_search_and_follows_its_feed(page, live_server, axe_source):
    log_in(page, live_server, ENTERPRISE)
    page.get_by_role("link", name="Tenders for us").click()
    page.get_by_label("Words in the tender").press_sequentially("schoonmaak", delay=20)
    expect(page).to_have_url(re.compile(r"q=schoonmaak"))
    # Leaving the field does not load the list again (keyup already did): a reload would
    # close whatever the reader opens next.
    reloads = []
    page.on("request", lambda r: reloads.append(r.url) if "/opportunities/?" in r.url else None)
    page.get_by_label("Words in the tender").press("Tab")
    page.wait_for_timeout(500)
    assert reloads == []
    # The form under the list follows the filters htmx just applied.
    expect(page.get_by_label("Name of the search")).to_have_value("schoonmaak")
    page.get_by_label("Name of the search").fill("Schoonmaak in browser")
    page.get_by_label("E-mail me").select_option("weekly")
    page.get_by_role("button", name="Save this search").click()
    expect(page.get_by_text("Search “Schoonmaak in browser” saved")).to_be_visible()
    expect(page.get_by_role("heading", name="Saved searches", exact=True)).to_be_visible()
    assert serious_violations(page, axe_source) == []

    feed_url = page.get_by_role("link", name="Open the feed Schoonmaak in browser"
                                ).get_attribute("href")
    assert feed_url and "/alerts/feeds/" in feed_url
    answer = page.request.get(feed_url)  # no session is needed: feed readers have none
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.body())
    assert not feed.bozo and feed.entries
    assert all("/opportunities/tenders/" in entry.link for entry in feed.entries)


def test_an_authority_sends_a_call_for_interest_from_a_market_research(
        page, browser, live_server, axe_source):
    authority = page
    log_in(authority, live_server, AUTHORITY)
    authority.get_by_role("link", name="Market research").click()
    authority.get_by_label("What you will buy (CPV codes)").fill("90911200")
    authority.get_by_label("Place of performance (region)").fill("NL")
    authority.get_by_role("button", name="Research the market").click()
    authority.get_by_role("link", name="Prepare a call for interest").click()
    authority.get_by_label("Title").fill("Schoonmaak sporthallen 2027")
    authority.get_by_label("Send to at most this many enterprises").fill("5")
    authority.get_by_label("Your message").fill("Three lots from March. Would you bid?")
    authority.get_by_role("button", name="Send the call for interest").click()
    expect(authority.get_by_text(re.compile(r"Your call went to \d+ social enterprise"))
           ).to_be_visible()
    call_url = authority.url
    assert serious_violations(authority, axe_source) == []

    enterprise = browser.new_context().new_page()  # its own cookies: another person
    log_in(enterprise, live_server, ENTERPRISE)
    enterprise.get_by_role("link", name="Calls for interest").click()
    enterprise.get_by_role("link", name="Schoonmaak sporthallen 2027").click()
    enterprise.get_by_label("Interested").check()
    enterprise.get_by_label(re.compile("A short message")).fill("Yes, we clean sports halls.")
    enterprise.get_by_role("button", name=re.compile("Send|Answer")).click()
    expect(enterprise.get_by_text("Your answer is sent to the authority.")).to_be_visible()

    authority.goto(call_url)
    expect(authority.get_by_text("Yes, we clean sports halls.")).to_be_visible()
