"""A coordinator proposes, adjusts, compares, approves and publishes groups in a real browser."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.csp import watch_csp
from tests.e2e.test_shell import (
    log_in,
    open_sector_for_one_proposal,
    serious_violations,
    settled,
)
from tests.helpers import COORDINATOR

pytestmark = pytest.mark.browser
SECTOR_NAME = "Circular ICT and digital equipment"
SCREENSHOTS = os.environ.get("MATCHMAKER_SCREENSHOTS")  # a folder, to look at the pages


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _names(locator, name: str):
    """Members (by their name line only, not the reasons that mention them) called `name`."""
    return locator.locator("p.who > strong").filter(has_text=re.compile(f"^{re.escape(name)}$"))


def _score(card) -> float:
    return float(re.search(r"[-0-9.]+", card.get_by_test_id("score").inner_text()).group())


def test_coordinator_runs_a_sector_from_preview_to_publication(browser, live_server,
                                                               axe_source):
    context = browser.new_context()  # under the real CSP
    csp_violations = watch_csp(context)
    page = context.new_page()
    log_in(page, live_server, COORDINATOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sectors").click()
    page.get_by_role("link", name=SECTOR_NAME).click()
    expect(page.get_by_role("heading", level=1, name=SECTOR_NAME)).to_be_visible()

    preview = page.locator("#preview")
    expect(preview).to_contain_text("Change a setting")
    page.get_by_label("Region", exact=True).fill("1")
    page.get_by_label("Region", exact=True).press("Tab")  # a change event: the preview updates
    expect(preview.get_by_role("heading", name=re.compile(r"^Group 1"))).to_be_visible()
    assert "/preview" not in page.url  # swapped in place
    _shot(page, "coordinator-sector")

    page.get_by_role("button", name="Generate proposals").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Proposal"))).to_be_visible()
    settled(page)
    cards = page.locator("article.group")
    first, second = cards.nth(0), cards.nth(1)
    before = (_score(first), _score(second))
    member = first.locator("li.member").first
    name = member.locator("strong").inner_text()
    member.get_by_label(re.compile("^Move to")).select_option(label="Group 2")
    member.get_by_role("button", name=re.compile("^Move")).click()
    expect(page.locator(".badge", has_text="re-scored")).to_have_count(2)
    expect(_names(second, name)).to_have_count(1)
    after = (_score(cards.nth(0)), _score(cards.nth(1)))
    assert after[0] != before[0] and after[1] != before[1]
    _shot(page, "coordinator-moved")

    settled(page)
    page.get_by_role("button", name=re.compile(f"^Undo: move {re.escape(name)}")).click()
    expect(page.get_by_role("status").filter(has_text="The last move is undone.")).to_be_visible()
    expect(_names(cards.nth(0), name)).to_have_count(1)
    assert _score(cards.nth(0)) == pytest.approx(before[0])

    settled(page)
    cards.nth(0).locator("li.member").first.get_by_role("button", name=re.compile(
        "^Lock")).click()
    expect(cards.nth(0).locator("li.member.locked")).to_have_count(1)
    assert serious_violations(page, axe_source) == []

    page.get_by_role("link", name="Compare the alternatives").click()
    expect(page.get_by_role("table", name="Alternatives of the run")).to_be_visible()
    assert page.locator("table.compare tbody tr").count() >= 2
    assert serious_violations(page, axe_source) == []
    page.get_by_role("link", name=re.compile("^← Proposal")).click()

    page.get_by_label(re.compile("^I have checked the groups")).check()
    page.get_by_role("button", name="Approve this proposal").click()
    expect(page.locator(".status-bar .badge", has_text="approved")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Move"))).to_have_count(0)
    page.get_by_label(re.compile("^Show these groups to their members")).check()
    page.get_by_role("button", name="Publish to the authorities").click()
    expect(page.locator(".status-bar .badge", has_text="published")).to_be_visible()
    _shot(page, "coordinator-published")
    context.close()
    assert csp_violations == []


def test_a_move_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_sector_for_one_proposal(page, live_server)
    page.get_by_role("button", name="Preview").click()  # a plain GET
    expect(page.get_by_role("heading", name=re.compile(r"^Group 1"))).to_be_visible()
    page.get_by_role("button", name="Generate proposals").click()
    member = page.locator("article.group").nth(0).locator("li.member").first
    name = member.locator("strong").inner_text()
    member.get_by_label(re.compile("^Move to")).select_option("waitlist")
    member.get_by_role("button", name=re.compile("^Move")).click()
    expect(page.get_by_text("Moved. Both groups are re-scored.")).to_be_visible()
    expect(_names(page.locator("section.waitlist"), name)).to_have_count(1)
    context.close()
