"""On the fixtures, every enterprise's list stays within the regions it serves (and their
NUTS 3 neighbours) unless it widens its reach; the rest is shown as left out, with why."""

from sqlmodel import select

from matcher.tenders.rules import reach_areas, within_reach
from models import Enterprise, Tender
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

