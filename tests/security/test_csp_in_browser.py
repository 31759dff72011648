"""The strict Content-Security-Policy in a real Chromium: no page of any role reports a
violation (console or ``securitypolicyviolation``), and htmx still swaps, 422 answers included.

Every page of every role is crawled under the policy by the accessibility test
(tests/e2e/test_shell.py), which fails on a violation and on htmx's eval being allowed; the
other browser tests run their htmx flows under the same policy and fail on a violation too
(tests/e2e/conftest.py).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.csp import watch_csp
from tests.e2e.test_shell import log_in
from tests.helpers import AUTHORITY

pytestmark = pytest.mark.browser


def test_htmx_swaps_a_422_answer_under_the_policy(browser, live_server):
    """The 422 swap used to need an hx-on handler (eval); the meta config does it now."""
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    log_in(page, live_server, AUTHORITY)
    page.get_by_role("link", name="Market research").click()
    page.get_by_label("What you will buy (CPV codes)").fill("cleaning")
    with page.expect_response(re.compile(r"/buyers/research\?")) as answer:
        page.get_by_role("button", name="Research the market").click()
    assert answer.value.status == 422
    assert answer.value.request.headers.get("hx-request") == "true"  # swapped by htmx
    expect(page.locator("#research-cpv_codes-error")).to_be_visible()
    page.get_by_label("What you will buy (CPV codes)").fill("90911200")
    page.get_by_role("button", name="Research the market").click()
    # the first valid research fits the matcher: slow on a busy machine
    expect(page.get_by_role("heading", name=re.compile("social enterprises could bid"))
           ).to_be_visible(timeout=60_000)
    context.close()
    assert violations == []


def test_a_violation_would_be_caught(browser, live_server):
    """The watcher itself works: an inline style injected into the page is reported."""
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.evaluate("() => { const s = document.createElement('style');"
                  " s.textContent = 'body{}'; document.head.appendChild(s); }")
    page.wait_for_timeout(300)
    context.close()
    assert any("style-src" in v for v in violations), violations
