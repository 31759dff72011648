"""An authority in a real browser: its tender's candidates, and market research."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell import log_in, serious_violations
from tests.helpers import AUTHORITY

pytestmark = pytest.mark.browser


def test_authority_sees_candidates_and_researches_the_market(page, live_server, axe_source):
    log_in(page, live_server, AUTHORITY)
    page.get_by_role("link", name="My tenders").click()
    page.get_by_role("link", name="Onderhoud openbaar groen").first.click()
    expect(page.get_by_role("heading", name="Social enterprises that could bid")).to_be_visible()
    expect(page.get_by_text("Groenwerk Utrecht").first).to_be_visible()
    assert serious_violations(page, axe_source) == []

    page.get_by_role("link", name="Market research").click()
    page.get_by_label("What you will buy (CPV codes)").fill("90911200")
    page.get_by_label("Place of performance (region)").fill("NL33")
    page.get_by_label(re.compile("Reserved: Art. 20")).check()
    page.get_by_role("button", name="Research the market").click()
    result = page.get_by_role("heading", name=re.compile(r"social enterprises? could bid"))
    expect(result).to_be_visible()
    expect(page.locator(".verdict")).to_contain_text("Art. 20")
    expect(page).to_have_url(re.compile(r"cpv_codes=90911200"))
    page.screenshot(path="test-results/market-research.png", full_page=True)
    assert serious_violations(page, axe_source) == []

    page.get_by_label("What you will buy (CPV codes)").fill("cleaning")
    page.get_by_role("button", name="Research the market").click()
    expect(page.locator("#research-cpv_codes-error")).to_be_visible()
