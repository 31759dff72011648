"""On the fixtures, every enterprise's list stays within the regions it serves (and their
NUTS 3 neighbours) unless it widens its reach; the rest is shown as left out, with why."""

import re

from sqlmodel import select

from matcher.tenders.rules import reach_areas, within_reach
from models import Enterprise, Tender, User
from tests.helpers import ENTERPRISE, bearer, login, post_form
from webapp.tenders.services import MatchFilters, ranked_for
from webapp.tenders.services.matching import enterprise_profile


def test_no_enterprise_is_offered_a_tender_outside_its_reach(app, db):
    enterprises = db.exec(select(Enterprise)).all()
    assert enterprises
    n_left_out = 0
    with app.test_request_context():
        for enterprise in enterprises:
            areas = reach_areas(enterprise_profile(enterprise))
            view = ranked_for(db, enterprise, MatchFilters(limit=200, show_excluded=True))
            for match in view.matches:
                tender = db.get(Tender, match.tender_id)
                assert within_reach(areas, tender.nuts_codes), (enterprise.name, tender.title)
            n_left_out += sum(1 for gate in view.excluded if gate.code == "outside_reach")
    assert n_left_out > 0


def test_reach_widens_the_list(app, db):
    enterprise = db.exec(select(Enterprise).order_by(Enterprise.id)).first()
    with app.test_request_context():
        sizes = [ranked_for(db, enterprise, MatchFilters(limit=200, reach=reach)).n_total
                 for reach in ("regions", "country", "anywhere")]
    assert sizes[0] <= sizes[1] <= sizes[2] and sizes[0] < sizes[2]




def _own(db) -> Enterprise:
    return db.get(Enterprise, db.exec(select(User).where(User.email == ENTERPRISE)).one()
                  .enterprise_id)


def test_the_profiles_reach_is_the_lists_default(app, db):
    enterprise = _own(db)
    assert enterprise.reach == "regions"  # what every enterprise had before it could choose
    with app.test_request_context():
        country = ranked_for(db, enterprise, MatchFilters(limit=200, reach="country")).n_total
        regions = ranked_for(db, enterprise, MatchFilters(limit=200)).n_total
        enterprise.reach = "country"
        db.add(enterprise)
        db.commit()
        assert ranked_for(db, enterprise, MatchFilters(limit=200)).n_total == country
        # The tenders page's choice still narrows it for one search.
        assert ranked_for(db, enterprise,
                          MatchFilters(limit=200, reach="regions")).n_total == regions
    assert regions < country


def test_the_reach_is_set_on_the_profile_page_and_chosen_on_the_tenders_page(client, db):
    login(client, ENTERPRISE)
    html = client.get("/opportunities/profile").get_data(as_text=True)
    assert 'name="reach"' in html and "My whole country" in html
    form = {"name": "Schoon & Sociaal", "kind": "wise", "disadvantaged_percent": "55",
            "nuts": "NL33C", "regions_served": "NL33", "cpv_codes": "90910000",
            "description": "Office cleaning with trainees", "turnover_eur": "2400000",
            "reach": "anywhere"}
    assert post_form(client, "/opportunities/profile", form).status_code == 302
    db.expire_all()
    assert _own(db).reach == "anywhere"
    profile = client.get("/opportunities/profile").get_data(as_text=True)
    assert re.search(r'<option (selected value="anywhere"|value="anywhere" selected)', profile)
    assert post_form(client, "/opportunities/profile",
                     {**form, "reach": "the moon"}).status_code == 422
    page = client.get("/opportunities/?reach=country").get_data(as_text=True)
    assert '<option value="country" selected>' in page
    assert client.get("/opportunities/?reach=the-moon").status_code == 422


def test_the_api_reads_and_patches_the_reach(app, client, db):
    auth = bearer(app, ENTERPRISE)
    own_id = _own(db).id
    assert client.get(f"/api/v1/enterprises/{own_id}", headers=auth).get_json()["reach"] \
        == "regions"
    patched = client.patch(f"/api/v1/enterprises/{own_id}", headers=auth,
                           json={"reach": "country"})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["reach"] == "country"
    bad = client.patch(f"/api/v1/enterprises/{own_id}", headers=auth, json={"reach": "moon"})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"reach"}
