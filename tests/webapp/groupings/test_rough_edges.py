"""Rough edges a coordinator or an authority hits (issue 14); each failed on the old code."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models import (
    Application,
    Authority,
    PartnerResponse,
    PartnerWish,
    Proposal,
    ProposalStatus,
    Sector,
    WaitlistEntry,
)
from tests.helpers import AUTHORITY, COORDINATOR, login, post_form
from tests.webapp.groupings.test_coordinator import SECTOR, generate, placement
from tests.webapp.groupings.test_members import arrange_proposals


@pytest.fixture
def coordinator(client):
    login(client, COORDINATOR)
    return client


def _step(client, proposal_id, step, version, confirm=True):
    data = {"version": str(version)}
    if confirm:
        data["confirm"] = "yes"
    return post_form(client, f"/sectors/{SECTOR}/proposals/{proposal_id}/{step}", data)


# --- one published proposal per sector ----------------------------------------------------

def test_publishing_one_alternative_retires_the_other(coordinator, db):
    first = generate(coordinator, n_alternatives="2")
    second = db.exec(select(Proposal.id).where(
        Proposal.run_key == db.get(Proposal, first).run_key, Proposal.id != first)).one()
    assert _step(coordinator, first, "approve", 1).status_code == 303
    assert _step(coordinator, second, "approve", 1).status_code == 303
    page = coordinator.get(f"/sectors/{SECTOR}/proposals/{second}").get_data(as_text=True)
    assert f"Publishing retires proposal {first} (approved)" in page
    assert _step(coordinator, second, "publish", 2).status_code == 303
    db.expire_all()
    assert db.get(Proposal, second).status == ProposalStatus.PUBLISHED
    assert db.get(Proposal, first).status == ProposalStatus.RETIRED
    late = _step(coordinator, first, "publish", db.get(Proposal, first).version)
    assert late.status_code == 409 and "retired" in late.get_data(as_text=True)
    published = db.exec(select(Proposal).where(Proposal.status == ProposalStatus.PUBLISHED)).all()
    assert [p.id for p in published] == [second]


def test_approve_and_publish_ask_for_a_confirmation(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="1")
    page = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}").get_data(as_text=True)
    assert 'name="confirm"' in page and "cannot be undone" in page
    unconfirmed = _step(coordinator, proposal_id, "approve", 1, confirm=False)
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    db.expire_all()
    assert db.get(Proposal, proposal_id).status == ProposalStatus.DRAFT
    assert _step(coordinator, proposal_id, "approve", 1).status_code == 303
    assert _step(coordinator, proposal_id, "publish", 2, confirm=False).status_code == 422
    db.expire_all()
    assert db.get(Proposal, proposal_id).status == ProposalStatus.APPROVED


def test_sectors_list_names_the_published_proposal_beside_a_newer_draft(coordinator, db):
    published = generate(coordinator, n_alternatives="1")
    _step(coordinator, published, "approve", 1)
    _step(coordinator, published, "publish", 2)
    draft = generate(coordinator, n_alternatives="1")
    html = coordinator.get("/sectors/").get_data(as_text=True)
    row = html[html.index("Circular ICT"):]
    row = row[:row.index("</tr>")]
    assert f"proposal {published}" in row and "published" in row
    assert f"proposal {draft}" in row and "draft" in row


def test_waitlist_move_preselects_the_best_fitting_group(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="1", max_groups="2")
    _placed, waiting = placement(db, proposal_id)
    assert waiting
    html = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}").get_data(as_text=True)
    reasons = dict(db.exec(select(WaitlistEntry.application_id, WaitlistEntry.reason).where(
        WaitlistEntry.proposal_id == proposal_id)).all())
    named = {i: re.search(r"Best fit: group (\d+)", r) for i, r in reasons.items()}
    named = {i: m.group(1) for i, m in named.items() if m}
    assert "2" in named.values()  # so that "group 1 first" cannot pass by chance
    for application_id, best in named.items():
        select_html = html[html.index(f'id="move-{application_id}"'):]
        select_html = select_html[:select_html.index("</select>")]
        assert f'<option value="{best}" selected>' in select_html, select_html


# --- authorities ---------------------------------------------------------------------------

@pytest.fixture
def arranged(db):
    return arrange_proposals(db)


def test_accepting_after_declining_clears_the_reason(client, db, arranged):
    login(client, AUTHORITY)
    path = f"/partners/groups/{arranged.my_group_id}/answer"
    post_form(client, path, {"answer": "declined", "reason": "Too far away from us."})
    post_form(client, path, {"answer": "accepted", "reason": "Too far away from us."})
    db.expire_all()
    response = db.exec(select(PartnerResponse)).one()
    assert response.answer == "accepted" and response.reason == ""
    page = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    assert "Too far away" not in page


def test_a_failed_answer_address_answers_get_with_the_page(client, arranged):
    login(client, AUTHORITY)
    path = f"/partners/groups/{arranged.my_group_id}/answer"
    failed = post_form(client, path, {"answer": "declined", "reason": ""})
    assert failed.status_code == 422
    again = client.get(path)  # the address bar after the failure, reloaded or bookmarked
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/partners/groups/{arranged.my_group_id}#answer")
    assert client.get(path, follow_redirects=True).status_code == 200


def test_contradictory_wishes_are_refused_with_the_reason(client, db, arranged):
    login(client, AUTHORITY)
    path = f"/partners/applications/{arranged.my_application_id}/wishes"
    data = {"other_authority_id": str(arranged.outsider_id),
            "next": f"/partners/groups/{arranged.my_group_id}"}
    post_form(client, path, {**data, "kind": "together"})
    refused = post_form(client, path, {**data, "kind": "apart"}, follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "already asked to be placed together with" in html
    db.expire_all()
    wishes = db.exec(select(PartnerWish).where(
        PartnerWish.authority_id == arranged.authority_id)).all()
    assert [w.kind for w in wishes] == ["together"]


def test_the_wish_form_preselects_no_authority(client, arranged):
    login(client, AUTHORITY)
    html = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    form = html[html.index('name="other_authority_id"'):]
    first_option = form[form.index("<option"):form.index("</option>")]
    assert 'value=""' in first_option and "Choose" in first_option


# --- importing applications ------------------------------------------------------------------

@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_separated_csv_with_a_bom_is_read(coordinator, db, separator):
    sector = db.exec(select(Sector).where(Sector.slug == SECTOR)).one()
    rows = [["authority_name", "country", "nuts", "kind", "population", "topics"],
            ["Gemeente Testdorp", "NL", "NL329", "municipality", "12000", sector.topics[0]]]
    content = "\ufeff" + "\r\n".join(separator.join(r) for r in rows) + "\r\n"
    response = post_form(coordinator, f"/sectors/{SECTOR}/import",
                         {"file": (io.BytesIO(content.encode()), "excel.csv")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "lacks the column" not in html
    assert "1 application added" in html


def test_the_import_page_offers_a_template_that_imports(coordinator):
    page = coordinator.get(f"/sectors/{SECTOR}/import").get_data(as_text=True)
    assert f"/sectors/{SECTOR}/import/template.csv" in page
    template = coordinator.get(f"/sectors/{SECTOR}/import/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.data.startswith("\ufeff".encode())
    response = post_form(coordinator, f"/sectors/{SECTOR}/import",
                         {"file": (io.BytesIO(template.data), "template.csv")},
                         content_type="multipart/form-data")
    assert "1 application added" in response.get_data(as_text=True)


# --- exports -------------------------------------------------------------------------------

def test_exports_speak_in_words_with_explanations_and_contacts(coordinator, db):
    sector = db.exec(select(Sector).where(Sector.slug == SECTOR)).one()
    application = db.exec(select(Application).where(Application.sector_id == sector.id)).first()
    authority = db.get(Authority, application.authority_id)
    authority.contact_name, authority.contact_email = "Ada Buyer", "ada@example.org"
    db.commit()
    proposal_id = generate(coordinator, n_alternatives="2")
    csv_text = coordinator.get(
        f"/sectors/{SECTOR}/proposals/{proposal_id}/export.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert {"Why in this group", "Contact e-mail", "Website", "Contact person"} <= set(header)
    assert "national_agency" not in csv_text and "public_company" not in csv_text
    why = [r[header.index("Why in this group")] for r in rows if r[0] != "waitlist"]
    assert all(why), "every member has its reasons"
    contact = next(r for r in rows if r[header.index("Authority")] == authority.name)
    assert contact[header.index("Contact person")] == "Ada Buyer"
    assert contact[header.index("Contact e-mail")] == "ada@example.org"
    book = load_workbook(io.BytesIO(coordinator.get(
        f"/sectors/{SECTOR}/proposals/{proposal_id}/export.xlsx").data))
    settings = {k: v for k, v in book["Settings"].iter_rows(values_only=True) if k}
    values = " ".join(str(v) for v in settings.values())
    assert "None" not in values and "False" not in values and "{" not in values
    assert list(settings).count("Random seed") == 1 and "random_state" not in settings
    assert settings["Alternative"].startswith("1 ")
    assert "pool" not in " ".join(settings).lower()  # no internal id lists
    assert settings["Nobody alone from their country"] == "no"


def test_partner_cards_show_the_contact_person(client, db, arranged):
    partner = db.get(Authority, arranged.partner_id)
    partner.contact_name, partner.contact_email = "Piet Inkoop", "piet@example.org"
    partner.website = "https://example.org"
    db.commit()
    login(client, AUTHORITY)
    html = client.get(f"/partners/groups/{arranged.my_group_id}").get_data(as_text=True)
    assert "Piet Inkoop" in html and 'href="mailto:piet@example.org"' in html
    assert 'href="https://example.org"' in html


def test_compare_shows_the_alternatives_group_by_group_and_who_moves(coordinator, db):
    first = generate(coordinator, n_alternatives="3")
    html = coordinator.get(f"/sectors/{SECTOR}/proposals/{first}/compare").get_data(
        as_text=True)
    assert "The alternatives side by side, group by group" in html
    assert html.count('class="card compare-column') >= 2
    assert "Who is placed differently" in html and "placed differently</span>" in html
    table = html[html.index('id="placed-heading"'):]
    table = table[:table.index("</table>")]
    assert re.search(r"<td>group \d+</td><td>(group \d+|waitlist)</td>", table)


def test_the_numbers_are_explained_beside_them(coordinator):
    proposal_id = generate(coordinator, n_alternatives="1")
    html = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}").get_data(as_text=True)
    assert "What do objective, score and affinity mean?" in html
    assert "plus a bonus for the weakest group" in html
