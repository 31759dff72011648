"""A social enterprise in a real browser: filters update live, why, save, dismiss, profile."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell import log_in, serious_violations
from tests.helpers import ENTERPRISE

pytestmark = pytest.mark.browser


def test_enterprise_filters_reads_why_saves_dismisses_and_edits_profile(page, live_server,
                                                                        axe_source):
    log_in(page, live_server, ENTERPRISE)
    page.get_by_role("link", name="Tenders for us").click()
    expect(page.get_by_role("heading", name="Tenders for us")).to_be_visible()
    cards = page.locator("article.match")
    expect(cards.first).to_be_visible()
    before = cards.count()

    page.get_by_label("Words in the tender").press_sequentially("schoonmaak", delay=20)
    expect(page).to_have_url(re.compile(r"q=schoonmaak"))  # pushed by htmx, no reload
    expect(cards.first).to_contain_text(re.compile("schoonmaak", re.I))
    assert cards.count() <= before

    first = cards.first
    card_id = first.get_attribute("id")
    first.get_by_text("Why this tender?").click()
    expect(first.get_by_role("img")).to_be_visible()
    expect(first.locator(".reasons")).to_contain_text("Activity (CPV)")

    first.get_by_role("button", name=re.compile(r"^Save")).click()
    expect(page.locator("article.match").first.locator(".badges")).to_contain_text("Saved")
    expect(page.get_by_role("heading", name="Tenders for us")).to_have_count(1)

    page.locator("article.match").first.get_by_role("button",
                                                    name=re.compile(r"^Dismiss")).click()
    expect(page.locator(f"#{card_id}")).to_have_count(0)
    page.screenshot(path="test-results/enterprise-tenders.png", full_page=True)
    assert serious_violations(page, axe_source) == []

    page.get_by_role("link", name="Our profile").click()
    page.get_by_label("Find CPV codes by word or number").press_sequentially("cleaning", delay=20)
    option = page.get_by_label(re.compile(r"^90000000"))
    expect(option).to_be_visible()
    option.check()
    page.get_by_label("Where you are (region)").fill("Rotterdam")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#nuts-error")).to_contain_text("not a NUTS code")
    page.get_by_label("Where you are (region)").fill("NL33C")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved")).to_be_visible()
    expect(page.get_by_label("What you deliver (CPV codes)")).to_have_value(
        re.compile("90000000"))
