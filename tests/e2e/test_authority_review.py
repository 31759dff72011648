"""An authority reviews its published group in a real browser; the coordinator answers it."""

import os
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import Application, Authority, Proposal, Sector, User
from tests.e2e.csp import watch_csp
from tests.e2e.test_shell import log_in, serious_violations
from tests.helpers import AUTHORITY, COORDINATOR, COORDINATOR2
from tests.webapp.groupings.test_members import SHARED_SECTOR
from tests.webapp.groupings.test_members_with_groupings import publish_a_proposal
from webapp.groupings.services import runs
from webapp.groupings.services.parameters import RunParameters
from webapp.groupings.services.store import load_rows

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("MATCHMAKER_SCREENSHOTS")  # a folder, to look at the pages


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_authority_declines_asks_for_a_partner_and_coordinator_accepts(
    browser, live_server, db, axe_source
):
    """Proposals come from the groupings service: one published, then a newer draft."""
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    sector = db.exec(select(Sector).where(Sector.slug == SHARED_SECTOR)).one()
    mine = db.exec(select(Application).where(Application.authority_id == me.authority_id,
                                             Application.sector_id == sector.id)).one()
    published = publish_a_proposal(db)
    loaded = load_rows(db, sector, db.get(Proposal, published.id))
    my_group = loaded.group_of(mine.id)
    members = [db.get(Application, m.application_id) for m in loaded.members[my_group.id]]
    partner = db.get(Authority, next(a.authority_id for a in members
                                     if a.id != mine.id)).name
    outsider = next(m.application_id for g in loaded.groups if g.id != my_group.id
                    for m in loaded.members[g.id])
    wished = db.get(Authority, db.get(Application, outsider).authority_id).name
    coordinator = db.exec(select(User).where(User.email == COORDINATOR)).one()
    draft = runs.generate(db, coordinator, SHARED_SECTOR,
                          RunParameters(n_alternatives=1, random_state=7))
    draft_group_id = load_rows(db, sector, draft).group_of(mine.id).id

    context = browser.new_context()  # under the real CSP
    csp_violations = watch_csp(context)
    page = context.new_page()
    log_in(page, live_server, AUTHORITY)
    page.get_by_role("link", name="My groups").click()
    expect(page.get_by_role("heading", name="My groups", level=1)).to_be_visible()
    assert serious_violations(page, axe_source) == []
    _shot(page, "partners-index")
    # the draft proposal's group is nowhere to be found
    assert page.locator(f'a[href$="/partners/groups/{draft_group_id}"]').count() == 0

    page.get_by_role("link", name=re.compile("See your group")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Your group in"))).to_be_visible()
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=partner))
    expect(card.get_by_role("heading", name=f"Why {partner} is here")).to_be_visible()
    expect(card.get_by_role("listitem").first).to_be_visible()
    expect(page.get_by_role("img", name="Members by population and country")).to_be_visible()
    assert serious_violations(page, axe_source) == []
    _shot(page, "partners-group")

    page.get_by_label("Decline").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Say why you decline")).to_be_visible()  # the reason is needed
    page.get_by_label("Decline").check()
    page.get_by_label("Reason").fill("We would rather work with cities of our own size.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("You declined this group", exact=True)).to_be_visible()

    page.get_by_label("I would like to be placed").select_option(label="together with")
    page.get_by_label("Authority", exact=True).select_option(label=wished)
    page.get_by_role("button", name="Send the wish").click()
    expect(page.get_by_text(f"Place us with {wished}")).to_be_visible()
    expect(page.get_by_text("waiting for the coordinator", exact=True)).to_be_visible()

    response = page.goto(f"{live_server}/partners/groups/{draft_group_id}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    context.close()
    assert csp_violations == []

    context = browser.new_context()  # under the real CSP
    csp_violations = watch_csp(context)
    page = context.new_page()
    log_in(page, live_server, COORDINATOR2)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("cell", name="group declined")).to_be_visible()
    assert serious_violations(page, axe_source) == []
    _shot(page, "audit-index")
    page.get_by_role("link", name=re.compile("answers in Zero-emission construction")).click()
    # the audit trail says "declined" too now: wait for the answers page before looking
    expect(page.get_by_role("heading", level=1, name=re.compile("^Answers in"))).to_be_visible()
    row = page.get_by_role("row").filter(has_text="We would rather work with cities")
    expect(row.get_by_text("declined")).to_be_visible()
    assert serious_violations(page, axe_source) == []
    _shot(page, "reviews-show")
    wish_row = page.get_by_role("row").filter(has_text=f"together with {wished}")
    wish_row.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_text("The wish is accepted")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=f"together with {wished}")
           .get_by_text("accepted")).to_be_visible()
    context.close()
    assert csp_violations == []
