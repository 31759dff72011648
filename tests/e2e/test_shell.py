"""The web shell in a real headless Chromium: login flow, no-JavaScript use, accessibility."""

import re
from collections import Counter
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.csp import watch_csp
from tests.helpers import AUTHORITY, COORDINATOR, DEMO_PASSWORD, ENTERPRISE

pytestmark = pytest.mark.browser

MAX_PAGES_PER_ROLE = 40
PAGES_PER_KIND = 2
DOWNLOADS = (".csv", ".xlsx")  # files, not pages (the exports are tested on their own)
SKIPPED_PATHS = ("/logout", "/static/", "/api/", "/healthz")


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    # the answer of the form's POST, not the login page still loaded: a goto that came
    # before it would cancel the login
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def settled(page) -> None:
    """Wait until htmx has processed what it swapped in (it does so after a short settle delay,
    longer on a busy machine): a click before would be a plain form post, not htmx's."""
    expect(page.locator(".htmx-added")).to_have_count(0)


def log_in_and_wait(page, base_url: str, email: str) -> None:
    """Log in and wait until the logged-in page is there (the next goto must not race it)."""
    log_in(page, base_url, email)
    expect(page.get_by_role("button", name="Log out")).to_be_attached(timeout=30_000)


def open_sector_for_one_proposal(page, base_url: str, slug: str = "circular-ict") -> None:
    """As the coordinator, open a sector's page with one alternative proposal asked for."""
    log_in_and_wait(page, base_url, COORDINATOR)
    page.goto(f"{base_url}/sectors/{slug}")
    page.get_by_label("Alternative proposals").fill("1")


def test_a_coordinator_logs_in_and_out(page, live_server):
    page.goto(live_server)
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill(COORDINATOR)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your sectors")).to_be_visible()
    expect(page.get_by_role("table").locator("tbody tr").nth(7)).to_be_visible()  # 8+ sectors
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_login_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, AUTHORITY)
    expect(page.get_by_role("heading", name="Your applications to working groups")).to_be_visible()
    context.close()


def page_kind(path: str) -> tuple:
    """What a page is, whatever its record: /sectors/circular-ict/answers and
    /sectors/sustainable-food/answers are one kind (same first and last part, same depth)."""
    parts = re.sub(r"\d+", "N", path).strip("/").split("/")
    return parts[0], len(parts), parts[-1] if len(parts) > 2 else ""


def crawl(page, base_url: str, start: str = "/") -> list[str]:
    """Same-site pages reachable by links from `start` (GET only, capped), at most
    PAGES_PER_KIND of each kind: ten sectors' pages are one template ten times."""
    host = urlparse(base_url).netloc
    queue, seen, kinds = [base_url + start], set(), Counter()
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        url = urldefrag(queue.pop(0)).url
        path = urlparse(url).path
        if url in seen or urlparse(url).netloc != host or path.startswith(SKIPPED_PATHS) \
                or path.endswith(DOWNLOADS):
            continue
        if kinds[page_kind(path)] >= PAGES_PER_KIND:
            continue
        kinds[page_kind(path)] += 1
        seen.add(url)
        page.goto(url)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        queue.extend(hrefs)
    return sorted(seen)


def serious_violations(page, axe_source) -> list[str]:
    # Evaluated, not added as a <script>: the page's CSP refuses inline scripts, and an
    # evaluation from the test driver is not a page script, so no bypass_csp is needed.
    page.evaluate(axe_source.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("email", [None, COORDINATOR, AUTHORITY, ENTERPRISE])
def test_axe_finds_no_serious_violation_on_any_page(browser, live_server, axe_source, email):
    context = browser.new_context()
    violations = watch_csp(context)
    # What a page asks for on its own (stylesheets, scripts, the icon) must all be there.
    broken = []
    context.on("response", lambda response: broken.append(f"{response.status} {response.url}")
               if response.status >= 400 and response.request.resource_type != "document"
               and not response.request.is_navigation_request() else None)
    page = context.new_page()
    if email:
        log_in_and_wait(page, live_server, email)
    pages = crawl(page, live_server)
    assert len(pages) >= (2 if email is None else 10)
    problems, fragments = {}, []
    for url in pages:
        page.goto(url)
        found = serious_violations(page, axe_source)
        if found:
            problems[url] = found
        # htmx asks for the same page as its content block alone, which must render as well
        status = page.request.get(url, headers={"HX-Request": "true"}).status
        if status != 200:
            fragments.append(f"{status} {url}")
    # the strict CSP: no inline script or eval, so htmx must not need them either
    config = page.evaluate("() => [htmx.config.allowEval, htmx.config.includeIndicatorStyles]")
    # Browsers fetch the icon apart from the page (no response event): asked for directly.
    icon = page.evaluate("() => document.querySelector('link[rel=icon]')?.href")
    icon_status = page.request.get(icon).status if icon else None
    context.close()
    assert problems == {}
    assert fragments == []
    assert violations == []  # no page of this role broke the Content-Security-Policy
    assert broken == []
    assert icon_status == 200, icon
    assert config == [False, False]
