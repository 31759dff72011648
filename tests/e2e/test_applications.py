"""The demo authority applies to a working group in a real browser: an error beside its field,
an edit, a withdrawal after a confirmation; once with JavaScript, once without."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import Application, ApplicationStatus, Sector, User
from tests.e2e.test_shell import log_in, serious_violations
from tests.helpers import AUTHORITY

pytestmark = pytest.mark.browser

ICT = "Circular ICT and digital equipment"  # the demo authority has not applied to it


def _mine(db) -> Application | None:
    db.expire_all()
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    sector = db.exec(select(Sector).where(Sector.slug == "circular-ict")).one()
    return db.exec(select(Application).where(Application.authority_id == me.authority_id,
                                             Application.sector_id == sector.id)).first()


def _apply_with_a_mistake_first(page, live_server) -> None:
    log_in(page, live_server, AUTHORITY)
    page.get_by_role("link", name="My groups").click()
    page.get_by_role("link", name="Apply to a working group").click()
    page.get_by_role("link", name=f"Apply to {ICT}").click()
    expect(page.get_by_role("heading", level=1, name=f"Apply to {ICT}")).to_be_visible()
    page.get_by_label("Why you want to join").fill("We buy 4,000 laptops a year.")
    page.get_by_role("button", name="Submit your application").click()
    # no topic ticked: the message stands beside the topics, and what was typed stays
    topics = page.get_by_role("group", name="Topics you want to work on")
    expect(topics.get_by_text("Tick at least one topic you want to work on.")).to_be_visible()
    expect(page.get_by_label("Why you want to join")).to_have_value(
        "We buy 4,000 laptops a year.")
    page.get_by_label("Refurbished laptops and desktops").check()
    page.get_by_label("Take-back and reuse of devices").check()
    page.get_by_role("button", name="Submit your application").click()
    expect(page.get_by_text("Your application is submitted")).to_be_visible()


def _withdraw(page) -> None:
    page.get_by_role("link", name=f"Withdraw your application to {ICT}").click()
    expect(page.get_by_role("heading", level=1,
                            name=f"Withdraw your application to {ICT}?")).to_be_visible()
    page.get_by_role("button", name="Yes, withdraw my application").click()
    expect(page.get_by_text(f"Your application to {ICT} is withdrawn.")).to_be_visible()


def test_an_authority_applies_corrects_edits_and_withdraws(page, live_server, db, axe_source):
    _apply_with_a_mistake_first(page, live_server)
    application = _mine(db)
    assert application.topics == ["Refurbished laptops and desktops",
                                  "Take-back and reuse of devices"]

    page.get_by_role("link", name=f"Edit your application to {ICT}").click()
    rank = page.get_by_label("Your preference among your working groups")
    rank.fill("99")
    page.get_by_role("button", name="Save your application").click()
    beside = page.locator("#application-preference_rank-error")
    expect(beside).to_have_text(re.compile(r"^Give a whole number from 1 \(your first choice\)"))
    expect(rank).to_have_attribute("aria-describedby", re.compile("application-preference_rank"
                                                                  "-error"))
    assert serious_violations(page, axe_source) == []
    rank.fill("1")
    page.get_by_role("button", name="Save your application").click()
    expect(page.get_by_text("Your application is saved.")).to_be_visible()
    assert _mine(db).preference_rank == 1

    # the confirmation can be declined: nothing changes
    page.get_by_role("link", name=f"Withdraw your application to {ICT}").click()
    page.get_by_role("link", name="No, keep my application").click()
    expect(page.get_by_role("heading", level=1, name="My groups")).to_be_visible()
    assert _mine(db).status == ApplicationStatus.SUBMITTED
    _withdraw(page)
    assert _mine(db).status == ApplicationStatus.WITHDRAWN
    expect(page.get_by_role("link", name=f"Apply again to {ICT}")).to_be_visible()


def test_applying_and_withdrawing_work_without_javascript(browser, live_server, db):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _apply_with_a_mistake_first(page, live_server)
    _withdraw(page)
    assert _mine(db).status == ApplicationStatus.WITHDRAWN
    context.close()
