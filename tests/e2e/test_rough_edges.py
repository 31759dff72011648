"""Rough edges a person meets in the browser (issue 14): focus after edits, phones, Enter."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell import log_in_and_wait, open_sector_for_one_proposal, serious_violations
from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PAGES = {
    COORDINATOR: ["/", "/sectors/", "/sectors/circular-ict", "/audit/"],
    AUTHORITY: ["/partners/", "/buyers/tenders", "/buyers/research?cpv_codes=90910000"],
    ENTERPRISE: ["/", "/opportunities/", "/opportunities/profile"],
}
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !e.closest('.table, .table-scroll, .visually-hidden, .skip-link'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


LOG_OUT = {"en": "Log out", "nl": "Uitloggen"}


@pytest.mark.parametrize("language", list(LOG_OUT))
@pytest.mark.parametrize("email", list(PAGES))
def test_pages_fit_a_phone_and_stay_accessible(browser, live_server, axe_source, email,
                                               language):
    """Dutch words are longer than English ones: both languages must fit 390 px."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    log_in_and_wait(page, live_server, email)
    context.set_extra_http_headers({"Accept-Language": language})
    for path in PAGES[email]:
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], path
        assert serious_violations(page, axe_source) == [], path
        assert page.evaluate("document.documentElement.lang") == language, path
    expect(page.get_by_role("button", name=LOG_OUT[language])).to_be_in_viewport()
    context.close()


def test_focus_lands_on_the_moved_member_the_lock_and_the_undo_message(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    open_sector_for_one_proposal(page, live_server)
    page.get_by_role("button", name="Generate proposals").click()
    member = page.locator("article.group").nth(0).locator("li.member").first
    member_id = member.get_attribute("id")
    member.get_by_label(re.compile("^Move to")).select_option(label="Group 2")
    member.get_by_label(re.compile("^Move to")).focus()
    page.keyboard.press("Tab")  # to the Move button, as a keyboard user does
    page.keyboard.press("Enter")
    expect(page.locator(".badge", has_text="re-scored")).to_have_count(2)
    assert page.evaluate("document.activeElement.id") == member_id
    expect(page.locator(f"#{member_id}")).to_be_focused()
    assert page.locator("article.group").nth(1).locator(f"#{member_id}").count() == 1

    lock = page.locator(f"#{member_id}").get_by_role("button", name=re.compile("^Lock"))
    lock.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{member_id}.locked")).to_have_count(1)
    expect(page.locator(f"#{member_id}").get_by_role("button",
                                                     name=re.compile("^Unlock"))).to_be_focused()
    page.locator(f"#{member_id}").get_by_role("button", name=re.compile("^Unlock")).press("Enter")
    expect(page.locator(f"#{member_id}.locked")).to_have_count(0)

    page.get_by_role("button", name=re.compile("^Undo: move")).press("Enter")
    status = page.get_by_role("status").filter(has_text="The last move is undone.")
    expect(status).to_be_focused()
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_enter_in_the_cpv_search_box_searches_and_saves_nothing(browser, live_server,
                                                                javascript):
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    page = context.new_page()
    log_in_and_wait(page, live_server, ENTERPRISE)
    page.goto(f"{live_server}/opportunities/profile")
    page.get_by_label("Name", exact=True).fill("Not saved by a search")
    page.get_by_label("Find CPV codes by word or number").fill("refuse")
    page.get_by_label("Find CPV codes by word or number").press("Enter")
    expect(page.get_by_text("Nothing is saved yet")).to_be_visible()
    expect(page.get_by_label(re.compile("^90000000"))).to_be_visible()
    page.get_by_label(re.compile("^90000000")).check()
    page.get_by_label("Name", exact=True).fill("Schoon & Sociaal Rotterdam")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved")).to_be_visible()
    context.close()
