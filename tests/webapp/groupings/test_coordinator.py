"""Coordinators propose, edit, approve and publish working groups (service and pages)."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models import (
    Application,
    AuditEvent,
    Group,
    Membership,
    Proposal,
    ProposalStatus,
    Sector,
    WaitlistEntry,
)
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    COORDINATOR2,
    ENTERPRISE,
    login,
    post_form,
    upload_applications,
)

SECTOR = "circular-ict"  # 16 applicants; coordinated by both coordinators
UNSHARED = "circular-construction-materials"  # coordinator only


@pytest.fixture
def coordinator(client):
    login(client, COORDINATOR)
    return client


def generate(client, slug=SECTOR, **settings) -> int:
    response = post_form(client, f"/sectors/{slug}/proposals",
                         {"weight_interests": "1", "random_state": "0", **settings})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def placement(db, proposal_id):
    """{application id: group number} and the waitlisted ids of a stored proposal."""
    db.expire_all()
    rows = db.exec(select(Membership.application_id, Group.number)
                   .join(Group, Group.id == Membership.group_id)
                   .where(Group.proposal_id == proposal_id)).all()
    waiting = db.exec(select(WaitlistEntry.application_id)
                      .where(WaitlistEntry.proposal_id == proposal_id)).all()
    return dict(rows), set(waiting)


def scores(db, proposal_id):
    db.expire_all()
    return {g.number: g.score for g in db.exec(select(Group).where(
        Group.proposal_id == proposal_id)).all()}


def version(db, proposal_id):
    db.expire_all()
    return db.get(Proposal, proposal_id).version


def actions(db, proposal_id):
    db.expire_all()
    return [e.action for e in db.exec(select(AuditEvent).where(
        AuditEvent.proposal_id == proposal_id).order_by(AuditEvent.id)).all()]


def test_generate_places_or_waitlists_everyone_in_groups_of_three_to_seven(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="2")
    sector = db.exec(select(Sector).where(Sector.slug == SECTOR)).one()
    pool = set(db.exec(select(Application.id).where(Application.sector_id == sector.id)).all())
    assert len(pool) > 7
    placed, waiting = placement(db, proposal_id)
    assert set(placed) | waiting == pool and not set(placed) & waiting
    sizes = {n: list(placed.values()).count(n) for n in set(placed.values())}
    assert all(3 <= size <= 7 for size in sizes.values()), sizes
    proposal = db.get(Proposal, proposal_id)
    alternatives = db.exec(select(Proposal).where(Proposal.run_key == proposal.run_key)).all()
    assert sorted(p.alternative for p in alternatives) == list(range(len(alternatives)))
    assert proposal.parameters["weights"]["interests"] == 1.0
    page = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}").get_data(as_text=True)
    assert 'role="img"' in page and "<desc" in page and "Why here" in page
    assert "proposal.run" in actions(db, proposal_id)


def test_invalid_settings_are_shown_beside_the_field(coordinator):
    response = post_form(coordinator, f"/sectors/{SECTOR}/proposals",
                         {"max_group_size": "9", "min_group_size": "4"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="p-max_group_size-error"' in html and "Traceback" not in html
    preview = coordinator.get(f"/sectors/{SECTOR}/preview?min_group_size=6&max_group_size=4",
                              headers={"HX-Request": "true"})
    assert preview.status_code == 422 and "<html" not in preview.get_data(as_text=True)
    infeasible = post_form(coordinator, f"/sectors/{SECTOR}/proposals",
                           {"n_groups": "9", "min_group_size": "3"})
    assert infeasible.status_code == 422
    assert "cannot fill 9 groups" in infeasible.get_data(as_text=True)


def test_preview_answers_the_named_block_for_htmx_and_the_page_without(coordinator, db):
    fragment = coordinator.get(f"/sectors/{SECTOR}/preview?weight_region=1",
                               headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Group 1" in body
    page = coordinator.get(f"/sectors/{SECTOR}/preview?weight_region=1")
    assert "<html" in page.get_data(as_text=True)
    assert db.exec(select(Proposal)).all() == []  # nothing saved


def test_each_page_links_its_stylesheet_once_and_an_htmx_swap_of_it_too(coordinator):
    """Boosted navigation swaps the body alone, so the stylesheet is linked there, and only
    there."""
    proposal_id = generate(coordinator, n_alternatives="2")
    for path in ("/sectors/", f"/sectors/{SECTOR}", f"/sectors/{SECTOR}/import",
                 f"/sectors/{SECTOR}/proposals/{proposal_id}",
                 f"/sectors/{SECTOR}/proposals/{proposal_id}/compare"):
        page = coordinator.get(path).get_data(as_text=True)
        assert page.count("groupings.css") == 1, path
        assert page.index("groupings.css") > page.index("<body")
    swapped = coordinator.get("/sectors/", headers={"HX-Request": "true"})
    assert "<html" not in swapped.get_data(as_text=True)
    assert "groupings.css" in swapped.get_data(as_text=True)


def test_move_rescores_both_groups_and_undo_restores(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="1")
    placed, _waiting = placement(db, proposal_id)
    before = scores(db, proposal_id)
    member = next(a for a, n in placed.items() if n == 1)
    response = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
                         {"application_id": member, "target": "2", "version": "1"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.count(">re-scored<") == 2
    after = scores(db, proposal_id)
    assert placement(db, proposal_id)[0][member] == 2
    assert after[1] != before[1] and after[2] != before[2]
    assert all(after[n] == before[n] for n in before if n not in (1, 2))
    undo = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/undo",
                     {"version": "2"})
    assert undo.status_code == 303
    assert placement(db, proposal_id)[0][member] == 1
    assert scores(db, proposal_id) == pytest.approx(before)
    assert actions(db, proposal_id)[-2:] == ["proposal.move", "proposal.undo"]


def test_a_stale_version_answers_409_with_who_and_when(coordinator, db, app):
    proposal_id = generate(coordinator, n_alternatives="1")
    placed, _ = placement(db, proposal_id)
    a, b = list(placed)[:2]
    first = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
                      {"application_id": a, "target": "waitlist", "version": "1"})
    assert first.status_code == 303
    other = app.test_client()
    login(other, COORDINATOR2)
    stale = post_form(other, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
                      {"application_id": b, "target": "waitlist", "version": "1"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    # the time is in the user's zone (Europe/Brussels by default), with its offset
    assert re.search(r"This proposal was changed by coordinator@demo\.matchmaker\.eu at "
                     r"\d{1,2} \w{3} \d{4} \d\d:\d\d \S+; reload to see the current groups",
                     text)
    assert b in placement(db, proposal_id)[0] and version(db, proposal_id) == 2


def test_a_locked_member_keeps_its_group_when_the_sector_runs_again(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="1")
    placed, _ = placement(db, proposal_id)
    pair = [a for a, n in placed.items() if n == 2][:2]
    for v, member in enumerate(pair, start=1):
        response = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/lock",
                             {"application_id": member, "locked": "1", "version": str(v)})
        assert response.status_code == 303
    refused = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
                        {"application_id": pair[0], "target": "1", "version": "3"})
    assert refused.status_code == 409 and "unlock it" in refused.get_data(as_text=True)
    rerun = generate(coordinator, n_alternatives="1", random_state="7", weight_region="2")
    new_placed, waiting = placement(db, rerun)
    assert new_placed[pair[0]] == new_placed[pair[1]] and not waiting & set(pair)
    locked = db.exec(select(Membership.application_id).join(Group).where(
        Group.proposal_id == rerun, Membership.locked.is_(True))).all()
    assert set(locked) == set(pair)
    assert actions(db, proposal_id).count("proposal.lock") == 2


def test_approve_blocks_edits_and_publish_shows_it_to_members(coordinator, db, app):
    proposal_id = generate(coordinator, n_alternatives="1")
    placed, _ = placement(db, proposal_id)
    member = next(iter(placed))
    early = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/publish",
                      {"version": "1", "confirm": "yes"})
    assert early.status_code == 409 and "Approve the proposal before" in early.get_data(
        as_text=True)
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/approve",
                     {"version": "1", "confirm": "yes"}).status_code == 303
    blocked = post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
                        {"application_id": member, "target": "waitlist", "version": "2"})
    assert blocked.status_code == 409
    assert "approved and can no longer be changed" in blocked.get_data(as_text=True)
    assert post_form(coordinator, f"/sectors/{SECTOR}/proposals/{proposal_id}/publish",
                     {"version": "2", "confirm": "yes"}).status_code == 303
    db.expire_all()
    assert db.get(Proposal, proposal_id).status == ProposalStatus.PUBLISHED
    assert {"proposal.approve", "proposal.publish"} <= set(actions(db, proposal_id))


def test_exports_contain_every_member(coordinator, db):
    proposal_id = generate(coordinator, n_alternatives="1", max_groups="2")
    placed, waiting = placement(db, proposal_id)
    names = {a.id: a.authority_id for a in db.exec(select(Application)).all()}
    assert waiting  # two groups of seven cannot hold sixteen
    csv_text = coordinator.get(
        f"/sectors/{SECTOR}/proposals/{proposal_id}/export.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Group,Group score,Authority")
    assert len(lines) - 1 == len(placed) + len(waiting)
    response = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Groups"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(placed) + len(waiting) and len(names) > 0
    assert sum(1 for r in rows if r[0] == "waitlist") == len(waiting)


def test_csv_import_keeps_valid_rows_and_reports_each_bad_one(coordinator, db):
    sector = db.exec(select(Sector).where(Sector.slug == SECTOR)).one()
    topic = sector.topics[0]
    response = upload_applications(
        coordinator, SECTOR,
        f"Gemeente Testdorp,NL,NL329,municipality,12000,{topic},We want to learn,1",
        f"Ville de Nulle Part,FR,XX999,municipality,5000,{topic},,1",
        "Stadt Irgendwo,DE,DE212,castle,100,Not a topic,,x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "row 3: unknown NUTS code XX999" in html
    assert "row 4: unknown kind" in html and "row 4: unknown topic" in html
    assert "1 application added" in html  # ngettext: one application
    db.expire_all()
    assert db.exec(select(Application).where(Application.sector_id == sector.id)).all()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "applications.imported")).one()


def test_coordinator2_gets_404_outside_their_sectors(client, db):
    login(client, COORDINATOR)
    proposal_id = generate(client, slug=UNSHARED, n_alternatives="1")
    client.post("/logout", data={})
    other = client.application.test_client()
    login(other, COORDINATOR2)
    for path in (f"/sectors/{UNSHARED}", f"/sectors/{UNSHARED}/import",
                 f"/sectors/{UNSHARED}/proposals/{proposal_id}",
                 f"/sectors/{UNSHARED}/proposals/{proposal_id}/export.csv",
                 f"/sectors/{SECTOR}/proposals/{proposal_id}"):
        assert other.get(path).status_code == 404, path
    assert UNSHARED not in other.get("/sectors/").get_data(as_text=True)
    moved = post_form(other, f"/sectors/{UNSHARED}/proposals/{proposal_id}/approve",
                      {"version": "1", "confirm": "yes"})
    assert moved.status_code == 404


@pytest.mark.parametrize("email", [AUTHORITY, ENTERPRISE])
def test_other_roles_get_403(client, email):
    login(client, email)
    assert client.get("/sectors/").status_code == 403
    assert client.get(f"/sectors/{SECTOR}").status_code == 403
    assert post_form(client, f"/sectors/{SECTOR}/proposals", {}).status_code == 403
