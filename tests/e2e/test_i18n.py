"""Dutch users in a real Chromium: the browser's language decides, the switch changes it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell import serious_violations
from tests.helpers import AUTHORITY, COORDINATOR, DEMO_PASSWORD, ENTERPRISE
from tests.i18n_support import ensure_compiled

pytestmark = pytest.mark.browser
ensure_compiled()

# (email, heading of the home page in Dutch, the same in English)
HOMES = [
    (COORDINATOR, "Uw sectoren", "Your sectors"),
    (AUTHORITY, "Uw aanmeldingen voor werkgroepen", "Your applications to working groups"),
    (ENTERPRISE, "Uw profiel", "Your profile"),
]


def log_in_dutch(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/login"))  # the form is boosted: wait for htmx


@pytest.mark.parametrize(("email", "dutch", "english"), HOMES)
def test_a_dutch_user_reads_dutch_and_switches_to_english_and_back(
        browser, live_server, email, dutch, english):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    log_in_dutch(page, live_server, email)
    expect(page.get_by_role("heading", name=dutch)).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name=english)).to_be_visible()
    page.reload()  # remembered, though the browser still asks for Dutch
    expect(page.get_by_role("heading", name=english)).to_be_visible()

    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name=dutch)).to_be_visible()
    context.close()


def test_the_switch_works_without_javascript(browser, live_server):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server)
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    context.close()


@pytest.mark.parametrize("email", [COORDINATOR, AUTHORITY, ENTERPRISE])
def test_axe_finds_no_serious_violation_on_a_dutch_page(browser, live_server, axe_source, email):
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    log_in_dutch(page, live_server, email)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert serious_violations(page, axe_source) == []
    page.goto(f"{live_server}/account")
    assert serious_violations(page, axe_source) == []
    context.close()
