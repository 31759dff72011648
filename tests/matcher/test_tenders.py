"""Tender matching as a user of the match list sees it."""

import doctest
import json
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from matcher import languages
from matcher.cpv import CpvTree
from matcher.nuts import NutsNames
from matcher.tenders import (
    EnterpriseProfile,
    LotItem,
    TenderItem,
    TenderMatcher,
    engine,
    topk,
)
from matcher.tenders.rules import reach_areas
from matcher.text import english

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NOW = datetime(2025, 3, 1, 12, 0)


def in_days(days: float) -> datetime:
    return NOW + timedelta(days=days)


def office_cleaning_wise(**changes) -> EnterpriseProfile:
    fields = dict(
        id="wise",
        kind="wise",
        disadvantaged_share=0.55,
        country="NL",
        nuts="NL33C",
        regions_served=["NL33"],
        cpv_codes=["90919200"],
        description="Werkleerbedrijf: kantoorschoonmaak en glazenwassen in Rotterdam",
        turnover_eur=1_200_000,
    )
    return EnterpriseProfile(**{**fields, **changes})


def reserved_cleaning(**changes) -> TenderItem:
    fields = dict(
        id="cleaning",
        title="Schoonmaak gemeentelijke kantoren Rotterdam",
        description="Dagelijkse schoonmaak van kantoren, voorbehouden aan sociale werkplaatsen",
        cpv_codes=["90919200"],
        nuts_codes=["NL33C"],
        value_eur=350_000,
        deadline=in_days(30),
        reservation="art20",
    )
    return TenderItem(**{**fields, **changes})


def greek_road(**changes) -> TenderItem:
    fields = dict(
        id="road",
        title="Road construction Attica",
        description="Construction and resurfacing of a regional road",
        cpv_codes=["45233120"],
        nuts_codes=["EL303"],
        value_eur=8_000_000,
        deadline=in_days(40),
    )
    return TenderItem(**{**fields, **changes})


def fit(tenders, enterprises=(), **params) -> TenderMatcher:
    return TenderMatcher(**params).fit(tenders, enterprises, now=NOW)


def matched_ids(ranking) -> list:
    return [match.tender_id for match in ranking.matches]


@pytest.mark.parametrize("module", [engine, topk, languages])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_rotterdam_cleaner_sees_reserved_cleaning_above_greek_roads():
    matcher = fit([greek_road(), reserved_cleaning()])
    ranking = matcher.rank_tenders(office_cleaning_wise())
    assert matched_ids(ranking)[0] == "cleaning"
    scores = {m.tender_id: m.score for m in ranking.matches}
    assert scores["cleaning"] > 0.8 > scores.get("road", 0.0)


def test_non_qualifying_enterprise_never_sees_art20_and_is_told_why():
    ordinary = office_cleaning_wise(id="firm", kind="other", disadvantaged_share=0.1)
    matcher = fit([reserved_cleaning(), greek_road()], [ordinary])
    ranking = matcher.rank_tenders(ordinary, explain_gates=True)
    assert "cleaning" not in matched_ids(ranking)
    assert "cleaning" not in {matcher.tenders_[i].id for i in matcher.kneighbors()[1][0] if i >= 0}
    (gate,) = [g for g in ranking.gates if g.tender_id == "cleaning"]
    assert gate.code == "art20"
    assert "30%" in gate.reason and "10%" in gate.reason


def test_sheltered_workshop_qualifies_whatever_its_share():
    workshop = office_cleaning_wise(kind="sheltered_workshop", disadvantaged_share=0.0)
    assert matched_ids(fit([reserved_cleaning()]).rank_tenders(workshop)) == ["cleaning"]


def test_art77_needs_a_public_service_mission_and_an_art77_cpv():
    care = TenderItem(
        id="care",
        title="Home care",
        cpv_codes=["85312400"],
        nuts_codes=["NL33C"],
        deadline=in_days(30),
        reservation="art77",
    )
    misfiled = reserved_cleaning(id="misfiled", reservation="art77")
    mission = office_cleaning_wise(public_service_mission=True, cpv_codes=["85312400"])
    matcher = fit([care, misfiled])
    assert matched_ids(matcher.rank_tenders(mission)) == ["care"]
    gates = {g.tender_id: g.code for g in matcher.rank_tenders(mission, explain_gates=True).gates}
    assert gates == {"misfiled": "art77_cpv"}
    without_mission = office_cleaning_wise(cpv_codes=["85312400"])
    ranking = matcher.rank_tenders(without_mission, explain_gates=True)
    assert ranking.matches == []
    assert {g.code for g in ranking.gates} == {"art77_mission", "art77_cpv"}


def test_tender_without_value_is_not_punished():
    with_value = reserved_cleaning(id="with", reservation="none", value_eur=350_000)
    without_value = reserved_cleaning(id="without", reservation="none", value_eur=None)
    too_big = reserved_cleaning(id="too_big", reservation="none", value_eur=50_000_000)
    ranking = fit([with_value, without_value, too_big]).rank_tenders(office_cleaning_wise())
    assert matched_ids(ranking) == ["with", "without", "too_big"]
    match = ranking.matches[1]
    present = [s for s in match.signals if s.value is not None]
    mean = sum(s.value * s.weight for s in present) / sum(s.weight for s in present)
    assert match.score == pytest.approx(mean, abs=1e-5)
    value_signal = {s.name: s for s in match.signals}["value"]
    assert value_signal.value is None and "no value" in value_signal.reason


def test_tender_too_big_for_the_turnover_scores_lower():
    fitting = reserved_cleaning(id="fits", value_eur=400_000)  # turnover 1.2 M -> up to 600 k
    too_big = reserved_cleaning(id="big", value_eur=5_000_000)
    ranking = fit([fitting, too_big]).rank_tenders(office_cleaning_wise())
    assert matched_ids(ranking) == ["fits", "big"]
    value = {s.name: s for s in ranking.matches[1].signals}["value"]
    assert value.value == 0.0 and "half your turnover" in value.reason


@pytest.mark.parametrize(
    ("deadline", "expected_gate"),
    [(in_days(-1), "closed"), (in_days(2), "closing_soon"), (in_days(10), None)],
)
def test_closing_soon_and_closed_tenders_are_gated(deadline, expected_gate):
    matcher = fit([reserved_cleaning(deadline=deadline)], min_days_to_deadline=5)
    ranking = matcher.rank_tenders(office_cleaning_wise(), explain_gates=True)
    assert [g.code for g in ranking.gates] == ([expected_gate] if expected_gate else [])
    assert bool(ranking.matches) == (expected_gate is None)


def test_lot_reservation_gates_that_lot_only_and_best_lot_is_named():
    tender = TenderItem(
        id="mixed",
        title="Facility services",
        cpv_codes=["79993000"],
        nuts_codes=["NL33C"],
        deadline=in_days(30),
        lots=[
            LotItem(id="catering", title="Canteen", cpv_codes=["55520000"], value_eur=100_000),
            LotItem(
                id="cleaning",
                title="Kantoorschoonmaak (office cleaning)",
                cpv_codes=["90919200"],
                value_eur=200_000,
                reservation="art20",
            ),
        ],
    )
    matcher = fit([tender])
    # It also runs a canteen: both lots are in its trade (else the catering lot is gated for
    # want of any evidence of the activity).
    caterer = {"cpv_codes": ["90919200", "55520000"]}
    qualifying = matcher.rank_tenders(office_cleaning_wise(**caterer)).matches[0]
    assert qualifying.best_lot_id == "cleaning" and qualifying.gated_lots == []
    ordinary = office_cleaning_wise(kind="other", disadvantaged_share=0.0, **caterer)
    match = matcher.rank_tenders(ordinary).matches[0]
    assert match.best_lot_id == "catering"
    assert [(g.lot_id, g.code) for g in match.gated_lots] == [("cleaning", "art20")]


def test_cpv_signal_follows_the_hierarchy():
    tenders = [
        reserved_cleaning(id="inside", cpv_codes=["90919200"], reservation="none"),
        reserved_cleaning(id="sibling", cpv_codes=["90911000"], reservation="none"),
        reserved_cleaning(id="division", cpv_codes=["90500000"], reservation="none"),
        reserved_cleaning(id="other", cpv_codes=["45233120"], reservation="none"),
    ]
    enterprise = office_cleaning_wise(cpv_codes=["90919000"])
    ranking = fit(tenders).rank_tenders(enterprise)
    cpv = {m.tender_id: m.signals[0].value for m in ranking.matches}
    assert cpv["inside"] == 1.0
    assert 1.0 > cpv["sibling"] > cpv["division"] > cpv.get("other", 0.0) == 0.0


def test_a_branch_listed_beside_a_code_inside_it_keeps_its_whole_branch():
    # Listing 90910000 Cleaning and also 90919200 Office cleaning must not narrow the profile
    # to office cleaning: a lot elsewhere in the cleaning branch lies inside a branch it named.
    tenders = [reserved_cleaning(id="windows", cpv_codes=["90911300"], reservation="none")]
    enterprise = office_cleaning_wise(cpv_codes=["90910000", "90919200"])
    match = fit(tenders).rank_tenders(enterprise).matches[0]
    assert match.signals[0].value == 1.0
    assert "inside your branch 90910000" in str(match.signals[0].reason)


def test_cpv_reason_names_codes_and_labels_from_the_official_list():
    csv_file = SHARED_DATA / "cpv" / "cpv_2008_en.csv"
    tree = (
        CpvTree.from_csv(csv_file)
        if csv_file.exists()
        else CpvTree({"90910000": "Cleaning services", "90911200": "Building-cleaning services"})
    )
    tender = reserved_cleaning(cpv_codes=["90911200"])
    enterprise = office_cleaning_wise(cpv_codes=["90910000"])
    match = fit([tender], cpv_tree=tree).rank_tenders(enterprise).matches[0]
    assert match.signals[0].reason == (
        "CPV 90911200 Building-cleaning services is inside your branch 90910000 Cleaning services."
    )


def test_region_levels_and_tenders_without_place():
    places = {
        "same": ["NL33C"],
        "nuts2": ["NL33A"],
        "nuts1": ["NL328"],
        "country": ["NL411"],
        "abroad": ["EL303"],
        "nowhere": [],
    }
    tenders = [reserved_cleaning(id=k, nuts_codes=v, reservation="none") for k, v in places.items()]
    # Reach "anywhere": nothing is gated, so every level of the region signal is visible.
    enterprise = office_cleaning_wise(regions_served=[], reach="anywhere")
    ranking = fit(tenders).rank_tenders(enterprise)
    region = {m.tender_id: {s.name: s.value for s in m.signals}["region"] for m in ranking.matches}
    assert region["same"] == 1.0
    assert region["same"] > region["nuts2"] > region["nuts1"] > region["country"] > 0
    assert region["abroad"] == 0.0 and region["nowhere"] is None
    scores = {m.tender_id: m.score for m in ranking.matches}
    assert scores["nowhere"] > scores["country"]


@pytest.mark.parametrize(("names", "said"), [
    (None, "Performed in NL33C (Netherlands), your own region."),
    (NutsNames({"NL33C": "Groot-Rijnmond"}), "Performed in NL33C Groot-Rijnmond, your own region."),
])
def test_the_region_reason_names_the_place_once(names, said):
    kwargs = {} if names is None else {"nuts_names": names}
    match = fit([reserved_cleaning()], **kwargs).rank_tenders(office_cleaning_wise()).matches[0]
    assert english({s.name: s for s in match.signals}["region"].reason) == said


def test_texts_in_two_languages_are_not_compared_word_by_word():
    dutch = reserved_cleaning(id="nl", language="nl", reservation="none")
    in_english = reserved_cleaning(id="en", language="en", reservation="none",
                                title="Office cleaning Rotterdam",
                                description="Daily cleaning of offices and windows")
    matcher = fit([dutch, in_english])

    def text_of(enterprise):
        ranking = matcher.rank_tenders(enterprise)
        return {m.tender_id: {s.name: s for s in m.signals}["text"] for m in ranking.matches}

    described = "Work-integration enterprise: office cleaning and window cleaning in Rotterdam"
    across = text_of(office_cleaning_wise(description=described, language="en"))
    # the CPV signal is 1 (the same code): the text signal is what one language gives there
    assert across["nl"].value == pytest.approx(engine.TEXT_PER_CPV_ACROSS_LANGUAGES, abs=1e-4)
    assert english(across["nl"].reason).startswith(
        "The tender is written in Dutch and your description in English: texts in two "
        "languages are not compared word by word")
    assert across["en"].value > 0.9 and "shared words" in english(across["en"].reason)
    # a description of unknown language is compared with every text, as before
    unknown = text_of(office_cleaning_wise(description=described))
    assert unknown["nl"].value < 0.1 and "shared words" in english(unknown["nl"].reason)
    # and a Dutch one with the Dutch notice
    dutch_text = text_of(office_cleaning_wise(language="nl"))
    assert dutch_text["nl"].value > 0.1 and "shared words" in english(dutch_text["nl"].reason)


def test_rank_enterprises_for_a_planned_tender_with_counts_per_region():
    enterprises = [
        office_cleaning_wise(id=1),
        office_cleaning_wise(id=2, nuts="NL33A"),
        office_cleaning_wise(id=3, nuts="DEA11", regions_served=[]),
        office_cleaning_wise(id=4, kind="other", disadvantaged_share=0.0),
    ]
    planned = reserved_cleaning(id="planned", deadline=None)
    matcher = fit([greek_road()], enterprises)
    ranking = matcher.rank_enterprises(planned, region_level=2, min_score=0.5)
    ids = [m.enterprise_id for m in ranking.matches]
    assert ids[:2] == [1, 2] and 4 not in ids
    counts = {c.code: c.n_enterprises for c in ranking.region_counts}
    assert counts["NL33"] == 2


def test_rank_enterprises_counts_who_does_the_work_but_cannot_bid_and_why():
    """Of four cleaning enterprises, one can bid for the reserved tender; one does not
    qualify for Art. 20, one serves only Germany, and the road builder does other work (not
    counted)."""
    enterprises = [
        office_cleaning_wise(id=1),
        office_cleaning_wise(id=2, kind="other", disadvantaged_share=0.0),
        office_cleaning_wise(id=3, nuts="DEA11", regions_served=[]),
        office_cleaning_wise(id=4, cpv_codes=["45233120"], description="Road construction"),
    ]
    matcher = fit([greek_road()], enterprises)
    ranking = matcher.rank_enterprises(reserved_cleaning(id="planned", deadline=None))
    assert [m.enterprise_id for m in ranking.matches] == [1]
    assert ranking.left_out == {"art20": 1, "outside_reach": 1}
    unreserved = matcher.rank_enterprises(reserved_cleaning(reservation="none"))
    assert [m.enterprise_id for m in unreserved.matches] == [1, 2]
    assert unreserved.left_out == {"outside_reach": 1}


def test_ranking_several_tenders_in_one_pass_gives_each_its_own_ranking():
    # Market research ranks a planned tender and the same tender reserved in one pass.
    enterprises = [
        office_cleaning_wise(id=1),
        office_cleaning_wise(id=2, kind="other", disadvantaged_share=0.0),
        office_cleaning_wise(id=3, nuts="DEA11", regions_served=[]),
    ]
    matcher = fit([greek_road()], enterprises)
    planned = [reserved_cleaning(reservation="none", deadline=None),
               reserved_cleaning(deadline=None), greek_road(id="planned road")]
    many = matcher.rank_enterprises_many(planned, n=5)
    assert [asdict(r) for r in many] == [asdict(matcher.rank_enterprises(t, n=5))
                                         for t in planned]
    assert [[m.enterprise_id for m in r.matches] for r in many] == [[1, 2], [1], []]
    assert matcher.rank_enterprises_many([]) == []


def test_results_are_json_serialisable():
    matcher = fit([reserved_cleaning(), greek_road()], [office_cleaning_wise()])
    ranking = matcher.rank_tenders(office_cleaning_wise(), explain_gates=True)
    json.dumps(asdict(ranking))
    json.dumps(asdict(matcher.rank_enterprises(reserved_cleaning())))


def test_lsa_mode_keeps_the_ranking():
    tenders = [reserved_cleaning(id=f"c{i}") for i in range(3)] + [greek_road()]
    matcher = fit(tenders, text_components=2)
    assert matched_ids(matcher.rank_tenders(office_cleaning_wise()))[0].startswith("c")


def test_guards_and_validation():
    with pytest.raises(NotFittedError):
        check_is_fitted(TenderMatcher())
    with pytest.raises(NotFittedError):
        TenderMatcher().kneighbors()
    with pytest.raises(ValueError):
        TenderMatcher(weights={"price": 1.0}).fit([greek_road()], now=NOW)
    with pytest.raises(ValueError):
        EnterpriseProfile(id=1, kind="charity")


def test_clock_is_read_only_when_now_is_omitted():
    matcher = TenderMatcher().fit([greek_road(deadline=datetime(2000, 1, 1))])
    assert matcher.now_.year >= 2025
    assert np.all(matcher.kneighbors([office_cleaning_wise()])[1] == -1)


def test_reach_leaves_out_tenders_beyond_the_served_regions_and_can_be_widened():
    places = {
        "same": ["NL33C"],
        "neighbour": ["NL33A"],  # another NUTS 3 region under the same NUTS 2: near
        "covering": ["NL3"],  # the whole of West Netherlands, which contains Rotterdam
        "province": ["NL328"],
        "country": ["NL411"],
        "abroad": ["EL303"],
        "nowhere": [],
    }
    tenders = [reserved_cleaning(id=k, nuts_codes=v, reservation="none") for k, v in places.items()]
    matcher = fit(tenders)
    shown = {}
    for reach in ("regions", "country", "anywhere"):
        ranking = matcher.rank_tenders(office_cleaning_wise(regions_served=[], reach=reach),
                                       explain_gates=True)
        shown[reach] = set(matched_ids(ranking))
        assert {g.code for g in ranking.gates} <= {"outside_reach"}
        assert set(matched_ids(ranking)) | {g.tender_id for g in ranking.gates} == set(places)
    assert shown["regions"] == {"same", "neighbour", "covering", "nowhere"}
    assert shown["country"] == shown["regions"] | {"province", "country"}
    assert shown["anywhere"] == set(places)
    gate = next(g for g in matcher.rank_tenders(office_cleaning_wise(regions_served=[]),
                                                explain_gates=True).gates
                if g.tender_id == "abroad")
    assert "EL303" in gate.reason and "reach" in gate.reason
    kneighbors = {matcher.tenders_[i].id
                  for i in matcher.kneighbors([office_cleaning_wise(regions_served=[])])[1][0]
                  if i >= 0}
    assert kneighbors == shown["regions"]


def test_served_regions_count_whole():
    tenders = [reserved_cleaning(id="north", nuts_codes=["NL111"], reservation="none")]
    served_north = office_cleaning_wise(regions_served=["NL1"])
    assert matched_ids(fit(tenders).rank_tenders(served_north)) == ["north"]
    assert matched_ids(fit(tenders).rank_tenders(office_cleaning_wise())) == []


def test_candidates_need_evidence_of_the_activity_not_region_and_size_alone():
    unrelated = TenderItem(id="x-ray", title="Radiotherapy X-ray unit",
                           description="Supply of a superficial X-ray therapy machine",
                           cpv_codes=["33150000"], nuts_codes=["NL33C"], value_eur=300_000,
                           deadline=in_days(30))
    matcher = fit([unrelated, reserved_cleaning(reservation="none")], [office_cleaning_wise()])
    ranking = matcher.rank_tenders(office_cleaning_wise(), explain_gates=True)
    assert matched_ids(ranking) == ["cleaning"]
    assert [(g.tender_id, g.code) for g in ranking.gates] == [("x-ray", "no_evidence")]
    assert matcher.rank_enterprises(unrelated).matches == []
    assert [m.enterprise_id for m in matcher.rank_enterprises(reserved_cleaning()).matches] == [
        "wise"
    ]


def test_catch_all_notices_and_division_codes_are_weaker_cpv_evidence():
    exact = reserved_cleaning(id="exact", reservation="none")
    framework = reserved_cleaning(
        id="framework", reservation="none",
        cpv_codes=["90919200", *(f"45{i:02d}0000" for i in range(11, 51))],
    )
    division = reserved_cleaning(id="division", reservation="none", cpv_codes=["90000000"])
    ranking = fit([exact, framework, division]).rank_tenders(office_cleaning_wise())
    cpv = {m.tender_id: m.signals[0].value for m in ranking.matches}
    assert cpv["exact"] == 1.0 > cpv["framework"] and cpv["division"] < 0.5


def test_lot_descriptions_and_cpv_labels_count_as_text():
    tender = TenderItem(
        id="facilities", title="Facility services", cpv_codes=["79993000"],
        nuts_codes=["NL33C"], deadline=in_days(30),
        lots=[LotItem(id="a", title="Lot 1", cpv_codes=["79993000"]),
              LotItem(id="b", title="Lot 2", description="Kantoorschoonmaak en glazenwassen",
                      cpv_codes=["79993000"])],
    )
    match = fit([tender]).rank_tenders(office_cleaning_wise()).matches[0]
    assert match.best_lot_id == "b"
    assert "kantoorschoonmaak" in {s.name: s for s in match.signals}["text"].reason


def test_text_is_relative_to_the_enterprises_closest_tender():
    tenders = [reserved_cleaning(id="close", reservation="none"), greek_road()]
    ranking = fit(tenders).rank_tenders(office_cleaning_wise(regions_served=[], reach="anywhere"))
    text = {m.tender_id: {s.name: s.value for s in m.signals}["text"] for m in ranking.matches}
    assert text["close"] == pytest.approx(1.0, abs=1e-4)


def test_weights_are_learned_from_graded_pairs():
    from matcher.tenders import SIGNALS, fit_signal_weights

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, len(SIGNALS)))
    grades = (X[:, 1] > 0.8).astype(int) + (X[:, 1] > 0.95)  # only the text signal matters
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    weights = fit_signal_weights(X, grades, np.repeat(np.arange(4), 50))
    assert set(weights) == set(SIGNALS)
    assert max(weights, key=weights.get) == "text"
    assert sum(weights.values()) == pytest.approx(1.0, abs=0.01)
    assert all(w >= 0 for w in weights.values())


def _scotland_tender(id, title, description="", cpv="33192100"):
    return TenderItem(id=id, title=title, description=description, cpv_codes=[cpv],
                      nuts_codes=["UKM71"], deadline=in_days(30))


def test_an_enterprises_second_trade_counts_through_its_own_sentence():
    """A supported business making care equipment that also shreds paper sees the shredding
    tender beside its main trade, not below notices that merely share words."""
    care = [
        _scotland_tender(f"care{i}", f"Supply of {item} for community care equipment stores")
        for i, item in enumerate(["profiling beds", "bath aids", "riser chairs", "toilet aids",
                                  "hoists and slings", "mattresses"])
    ]
    shredding = _scotland_tender("shredding", "Confidential waste",
                                 "Collection and destruction of confidential paper waste",
                                 cpv="90500000")
    others = [_scotland_tender(f"other{i}", title, cpv="45000000") for i, title in enumerate(
        ["Supply of equipment for school kitchens", "Community centre refurbishment works",
         "Office furniture for council offices", "Care home catering services"])]
    taybridge = EnterpriseProfile(
        id="taybridge", kind="sheltered_workshop", disadvantaged_share=0.6, country="UK",
        nuts="UKM71", cpv_codes=["33192100", "92512100"],
        description="We make and refurbish community care equipment such as profiling beds, "
                    "bath aids and riser chairs for council equipment stores. We also run a "
                    "secure confidential shredding service for offices.")
    ranking = fit([*care, shredding, *others]).rank_tenders(taybridge, n=20)
    text = {m.tender_id: {s.name: s.value for s in m.signals}["text"] for m in ranking.matches}
    assert text["shredding"] >= 0.5 * max(text.values())
    assert matched_ids(ranking).index("shredding") < min(
        matched_ids(ranking).index(f"other{i}") for i in range(4) if f"other{i}" in text
    )


def test_a_notice_that_reads_like_every_other_counts_less_as_text():
    """Boilerplate shared with every notice is not evidence of a trade: of two notices that
    share the enterprise's words equally, the one that also reads like all the others (its
    centrality) has the lower text signal."""
    boilerplate = ("Bidders must self-certify adherence to selection and exclusion criteria "
                   "via the ESPD; means of proof may be required at a later stage")
    filler = [
        TenderItem(id=f"t{i}", title=title, description=boilerplate, cpv_codes=["45000000"],
                   nuts_codes=["NL33C"], deadline=in_days(30))
        for i, title in enumerate(["Road works", "Bridge repairs", "Sewer renewal",
                                   "School roof", "Street lighting", "Harbour dredging"])
    ]
    plain = TenderItem(id="plain", title="Kantoorschoonmaak", cpv_codes=["90919200"],
                       nuts_codes=["NL33C"], deadline=in_days(30))
    generic = TenderItem(id="generic", title="Kantoorschoonmaak", description=boilerplate,
                         cpv_codes=["90919200"], nuts_codes=["NL33C"], deadline=in_days(30))
    matcher = fit([*filler, plain, generic])
    assert matcher.unit_side_.blocks["centrality"][-1] > matcher.unit_side_.blocks[
        "centrality"][-2]
    enterprise = office_cleaning_wise(description="Kantoorschoonmaak " + boilerplate[:40])
    ranking = matcher.rank_tenders(enterprise, n=20)
    text = {m.tender_id: {s.name: s.value for s in m.signals}["text"] for m in ranking.matches}
    assert text["plain"] > text["generic"]


def test_place_names_are_no_evidence_of_a_trade():
    """A bus-shelter advertising concession that lists the council areas of the west of
    Scotland is not about the trade of a grounds-maintenance enterprise that names the same
    areas: with the NUTS names known, place words count neither as text nor as evidence."""
    from matcher.nuts import NutsNames

    names = NutsNames({"UKM93": "East Ayrshire and North Ayrshire mainland",
                       "UKM83": "Inverclyde, East Renfrewshire and Renfrewshire",
                       "UKM81": "East Dunbartonshire, West Dunbartonshire and Helensburgh"})
    adverts = TenderItem(
        id="adverts", title="Bus shelter advertising",
        description="Sell advertising in bus shelters over East Ayrshire, Inverclyde, "
                    "Renfrewshire and West Dunbartonshire", cpv_codes=["79341000"],
        nuts_codes=["UKM8"], deadline=in_days(30))
    grass = TenderItem(id="grass", title="Grass cutting of parks", cpv_codes=["77314000"],
                       nuts_codes=["UKM81"], deadline=in_days(30))
    grounds = EnterpriseProfile(
        id="grounds", kind="wise", disadvantaged_share=0.5, country="UK", nuts="UKM81",
        cpv_codes=["77314000"], reach="anywhere",
        description="Grass cutting and grounds maintenance in West Dunbartonshire, "
                    "Inverclyde, Renfrewshire and East Ayrshire")
    with_names = fit([adverts, grass], nuts_names=names).rank_tenders(
        grounds, explain_gates=True)
    assert matched_ids(with_names) == ["grass"]
    assert [g.code for g in with_names.gates] == ["no_evidence"]
    without = fit([adverts, grass]).rank_tenders(grounds)  # names unknown: words as they are
    assert "adverts" in matched_ids(without)


def test_the_shared_words_shown_are_those_that_counted():
    """A place name counts in no text signal, so the reason does not list it as shared: a
    recovery charity in Glasgow reading "shared words: recovery, glasgow" would take the
    place for part of the match."""
    from matcher.nuts import NutsNames

    recovery = TenderItem(id="recovery", title="Residential recovery services in Glasgow",
                          cpv_codes=["85312500"], nuts_codes=["UKM82"], deadline=in_days(30))
    charity = EnterpriseProfile(
        id="charity", kind="other", public_service_mission=True, country="UK", nuts="UKM82",
        cpv_codes=["85312500"], description="Residential recovery support across Glasgow")
    matcher = fit([recovery], [charity], nuts_names=NutsNames({"UKM82": "Glasgow City"}))
    [match] = matcher.rank_tenders(charity).matches
    reason = english({s.name: s for s in match.signals}["text"].reason)
    assert "shared words: residential, recovery, services." in reason  # generic words last
    assert "glasgow" not in reason


def test_score_tenders_many_gives_each_enterprise_what_score_tenders_gives_it():
    tenders = [reserved_cleaning(), greek_road(), reserved_cleaning(id="late",
                                                                    deadline=in_days(-1))]
    wise = office_cleaning_wise()
    other = office_cleaning_wise(id="other", kind="other", disadvantaged_share=0.0)
    matcher = fit(tenders, [wise, other])
    side, scores = matcher.score_tenders_many([wise, other])
    assert scores.shape == (2, matcher.n_tenders_)
    for row, profile in enumerate((wise, other)):
        _side, _units, alone = matcher.score_tenders(profile)
        np.testing.assert_allclose(scores[row], alone, rtol=1e-5, atol=1e-6)
        # The encoded row explains as the single encoding does.
        open_ = [int(i) for i in np.flatnonzero(alone > 0)]
        assert [asdict(m) for m in matcher.explain_tenders(profile, side.rows([row]), open_)] \
            == [asdict(m) for m in matcher.explain_tenders(profile, _side, open_)]
    assert matcher.score_tenders_many([])[1].shape == (0, matcher.n_tenders_)


def test_only_the_top_reason_is_written_when_asked():
    matcher = fit([reserved_cleaning(), greek_road()], [office_cleaning_wise()])
    side, _units, scores = matcher.score_tenders(office_cleaning_wise())
    open_ = [int(i) for i in np.flatnonzero(scores > 0)]
    full = matcher.explain_tenders(office_cleaning_wise(), side, open_)
    short = matcher.explain_tenders(office_cleaning_wise(), side, open_, only_top_reason=True)
    for whole, top in zip(full, short, strict=True):
        assert [s.reason for s in top.signals if s.reason] == [max(
            (s for s in whole.signals if s.value is not None),
            key=lambda s: s.value * s.weight).reason]
        assert (top.score, top.best_lot_id) == (whole.score, whole.best_lot_id)


def test_a_served_nuts2_region_reaches_its_neighbours_under_the_same_nuts1():
    """An enterprise serving the whole of West Central Scotland (NUTS 2) is near Edinburgh
    (another NUTS 2 region of Scotland), as one serving Glasgow alone (NUTS 3) is near the
    rest of West Central Scotland; neither sees Wales by default."""
    places = {"glasgow": ["UKM82"], "lanarkshire": ["UKM84"], "edinburgh": ["UKM75"],
              "cardiff": ["UKL22"]}
    tenders = [reserved_cleaning(id=k, nuts_codes=v, reservation="none") for k, v in places.items()]
    matcher = fit(tenders)

    def shown(**changes):
        profile = office_cleaning_wise(country="UK", nuts="UKM82", **changes)
        return set(matched_ids(matcher.rank_tenders(profile)))

    assert shown(regions_served=["UKM82"]) == {"glasgow", "lanarkshire"}
    assert shown(regions_served=["UKM8"]) == {"glasgow", "lanarkshire", "edinburgh"}
    assert shown(regions_served=["UKM"]) == {"glasgow", "lanarkshire", "edinburgh"}
    assert reach_areas(office_cleaning_wise(nuts="UKM82", regions_served=["UKM8"])) == ["UKM"]
    # Ireland is one NUTS 1 region (IE0): that would be the whole country, asked for apart.
    assert reach_areas(office_cleaning_wise(country="IE", nuts="IE061",
                                            regions_served=["IE06"])) == ["IE06"]


def _shredding_firm_ranking(other: TenderItem, description: str, names: dict):
    """A shredding firm's ranking of a shredding tender and ``other``, which shares only a
    place with its description, and the fitted matcher (the firm fitted with the tenders)."""
    from matcher.nuts import NutsNames

    shredding = TenderItem(id="shredding", title="Confidential shredding of office papers",
                           cpv_codes=["79995100"], nuts_codes=["UKM71"], deadline=in_days(30))
    firm = EnterpriseProfile(id="firm", kind="sheltered_workshop", country="UK", nuts="UKM71",
                             cpv_codes=["92512100"], reach="anywhere", description=description)
    matcher = fit([other, shredding], [firm], nuts_names=NutsNames(names))
    ranking = matcher.rank_tenders(firm, explain_gates=True)
    assert matched_ids(ranking) == ["shredding"]
    assert [g.code for g in ranking.gates] == ["no_evidence"]
    return matcher


def test_plural_place_names_are_no_evidence_either():
    """'across the Lothians' names East Lothian and Midlothian: a tender that shares only that
    word with a shredding firm's description is no match for it."""
    catering = TenderItem(id="catering", title="School meals across the Lothians",
                          cpv_codes=["55524000"], nuts_codes=["UKM73"], deadline=in_days(30))
    _shredding_firm_ranking(catering, "Confidential shredding for offices across the Lothians",
                            {"UKM73": "East Lothian and Midlothian"})


def test_a_place_listed_beside_known_regions_is_no_evidence():
    """'across Tayside, Fife and the Lothians': Tayside is no NUTS name, but it stands in a
    list of regions, so a needle exchange for NHS Tayside is no match for a shredding firm."""
    needles = TenderItem(id="needles", title="Needle exchange for NHS Tayside",
                         cpv_codes=["85100000"], nuts_codes=["UKM71"], deadline=in_days(30))
    matcher = _shredding_firm_ranking(
        needles, "Confidential shredding for offices across Tayside, Fife and the Lothians",
        {"UKM72": "Clackmannanshire and Fife", "UKM73": "East Lothian and Midlothian"})
    assert "tayside" in matcher.place_words_ and "shredding" not in matcher.place_words_


def test_the_first_sentence_introducing_the_enterprise_is_no_trade_of_its_own():
    """The sentences after the first are compared on their own (a second trade shows), the
    first, which says who the enterprise is, is not: a Business World specialist shares only
    "business" with "a supported business in Dundee"."""
    tenders = [
        TenderItem(id="world", title="Business World specialist for the finance system",
                   cpv_codes=["72220000"], nuts_codes=["NL33C"], deadline=in_days(30)),
        TenderItem(id="shredding", title="Confidential shredding of office papers",
                   cpv_codes=["79995100"], nuts_codes=["NL33C"], deadline=in_days(30)),
        TenderItem(id="beds", title="Profiling beds and chairs for care homes",
                   cpv_codes=["33192100"], nuts_codes=["NL33C"], deadline=in_days(30)),
        reserved_cleaning(reservation="none"), greek_road(nuts_codes=["NL33C"]),
    ]
    workshop = office_cleaning_wise(
        kind="sheltered_workshop", cpv_codes=["33192100"], reach="anywhere",
        description="Taybridge Industries is a supported business in Dundee. We make and "
                    "refurbish profiling beds and chairs for care homes. We also run a "
                    "confidential shredding service for offices.")
    ranking = fit(tenders).rank_tenders(workshop, n=10)
    text = {m.tender_id: {s.name: s.value for s in m.signals}["text"] for m in ranking.matches}
    assert text["shredding"] >= 0.5 > text.get("world", 0.0)
    assert engine._facets(workshop.description) == [
        "We make and refurbish profiling beds and chairs for care homes.",
        "We also run a confidential shredding service for offices."]


def _recovery_charity(**changes) -> EnterpriseProfile:
    fields = dict(
        id="recovery", kind="other", public_service_mission=True, country="UK", nuts="UKM82",
        cpv_codes=["85312500"], reach="anywhere",
        description="Clydeside Recovery Trust is a Glasgow charity, with people in recovery "
                    "on its board and among its staff. We run a residential rehabilitation "
                    "house, peer support and aftercare for alcohol and drug users.")
    return EnterpriseProfile(**{**fields, **changes})


def _open_tender(id: str, title: str, cpv: str) -> TenderItem:
    return TenderItem(id=id, title=title, cpv_codes=[cpv], nuts_codes=["UKM82"],
                      deadline=in_days(30))


def test_the_introducing_first_sentence_gives_no_evidence_words():
    """'people in recovery on its board' says who runs the charity, not what it does: a
    harbour board's security contract shares "board" and no more, and is left out; a word of
    the sentences after it still counts, and a one-sentence description keeps its words."""
    harbour = _open_tender("harbour", "Harbour Board security services", "79710000")
    rehab = _open_tender("rehab", "Residential rehabilitation places", "98000000")
    matcher = fit([harbour, rehab])
    ranking = matcher.rank_tenders(_recovery_charity(), explain_gates=True)
    assert matched_ids(ranking) == ["rehab"]
    assert [(g.tender_id, g.code) for g in ranking.gates] == [("harbour", "no_evidence")]
    one_sentence = _recovery_charity(description="A charity with people in recovery on its "
                                                 "board, running a rehabilitation house.")
    assert "harbour" in matched_ids(matcher.rank_tenders(one_sentence))


def test_the_labels_of_its_cpv_codes_are_no_evidence_words():
    """The charity's code is labelled "Community health services"; a washroom contract for
    a health board shares "health" with that label only, not with the description."""
    tree = CpvTree({"85000000": "Health and social work services",
                    "85323000": "Community health services",
                    "34928480": "Waste and rubbish containers and bins"})
    washroom = _open_tender("washroom", "Washroom bins for the health board", "34928480")
    charity = _recovery_charity(cpv_codes=["85323000"])
    ranking = fit([washroom], cpv_tree=tree).rank_tenders(charity, explain_gates=True)
    assert matched_ids(ranking) == []
    assert [g.code for g in ranking.gates] == ["no_evidence"]
    # The label still reads as text: a tender naming it shares the trade in buyers' words.
    assert "health" in fit([washroom], cpv_tree=tree)._profile_text(charity)


def test_words_the_cpv_labels_use_across_trades_are_no_evidence(shared_data):
    """"support" runs through the CPV labels of a dozen divisions (IT support, support
    services for land transport, ...): a marketing contract that will "support" a campaign
    shares no trade with a charity's "peer support"."""
    tree = CpvTree.from_csv(shared_data / "cpv" / "cpv_2008_en.csv")
    marketing = _open_tender("marketing", "Marketing agency to support our campaign",
                             "79341000")
    with_list = fit([marketing], cpv_tree=tree)
    assert {"support", "services", "equipment"} <= with_list.generic_words_
    assert not {"rehabilitation", "aftercare", "drug"} & with_list.generic_words_
    ranking = with_list.rank_tenders(_recovery_charity(), explain_gates=True)
    assert [g.code for g in ranking.gates] == ["no_evidence"]
    assert matched_ids(fit([marketing]).rank_tenders(_recovery_charity())) == ["marketing"]


def test_a_lot_without_the_tenders_main_code_keeps_its_division_as_evidence():
    """A consultancy notice coded 90713000 (environmental consultancy) whose lots carry only
    business-consultancy codes is still about the environment: a recycling enterprise in
    division 90 sees its lots, though their own codes share nothing with its codes."""
    consultancy = TenderItem(
        id="circular", title="Circular economy business engagement partners",
        cpv_codes=["90713000"], nuts_codes=["UKM93"], deadline=in_days(30),
        lots=[LotItem(id=1, title="Lot 1", cpv_codes=["79411100", "79900000"])])
    recycler = EnterpriseProfile(id="recycler", kind="wise", disadvantaged_share=0.5,
                                 country="UK", nuts="UKM93", cpv_codes=["90514000"],
                                 description="Glass and can collections.")
    match = fit([consultancy]).rank_tenders(recycler).matches[0]
    assert match.tender_id == "circular" and match.best_lot_id == 1
    assert {s.name: s.value for s in match.signals}["cpv"] == 0.0  # the lot's own codes


def test_many_texts_are_encoded_on_every_core_to_the_same_rows(monkeypatch):
    # A big fit encodes its texts in forked processes (LSA rows): the rows must be the ones
    # one process gives, in the same order.
    from matcher.tenders import features

    documents = [f"cleaning of offices and {word} maintenance number {i}"
                 for i, word in enumerate(["grounds", "bicycle", "window", "catering"] * 30)]
    encoder = features.TextEncoder(8, random_state=0, max_fit_docs=1000).fit(documents)
    alone = encoder.transform(documents)
    monkeypatch.setattr(features, "PARALLEL_MIN_DOCS", 10)
    forked = encoder.transform(documents)
    assert forked.shape == alone.shape and np.array_equal(forked, alone)


def test_a_shared_word_alone_is_no_match_when_no_signal_shows_the_activity():
    """An English caterer and a Dutch notice for catering *equipment* share the word
    "catering", but the codes are of another division and the texts, in two languages, are
    not compared: with CPV and text both at 0 the tender was offered at 14 % on region and
    size alone. Now it is left out, with the reason; the caterer's own trade still is offered,
    and the candidates of the equipment tender are gated the same way."""
    caterer = EnterpriseProfile(
        id="caterer", kind="wise", disadvantaged_share=0.5, country="NL", nuts="NL33C",
        regions_served=["NL33"], cpv_codes=["55520000"], language="en",
        description="Lunch Lokaal employs people far from the labour market. We run catering "
                    "for offices and events, with fresh lunches from our own kitchen.")

    def dutch(id, title, description, cpv):
        return TenderItem(id=id, title=title, description=description, cpv_codes=[cpv],
                          nuts_codes=["NL33C"], value_eur=200_000, deadline=in_days(30),
                          language="nl")

    equipment = dutch("equipment", "Levering van cateringapparatuur en catering-keukens",
                      "Levering en installatie van vaatwasmachines, ovens en koelcellen voor "
                      "de catering.", "39311000")
    lunch = dutch("lunch", "Catering voor het stadhuis",
                  "Dagelijkse lunch en catering bij vergaderingen.", "55520000")
    matcher = fit([equipment, lunch], [caterer])
    ranking = matcher.rank_tenders(caterer, explain_gates=True)
    assert matched_ids(ranking) == ["lunch"]
    assert [(g.tender_id, g.code) for g in ranking.gates] == [("equipment", "no_evidence")]
    assert "CPV codes are outside your branches" in str(ranking.gates[0].reason)
    assert matcher.rank_enterprises(equipment).matches == []
    assert [m.enterprise_id for m in matcher.rank_enterprises(lunch).matches] == ["caterer"]


def test_the_one_reason_shown_is_what_the_work_shares_when_anything_is():
    """A digest shows one reason a tender: the activity signal adding most (CPV or text), not
    the value or place that adds more to a weaker match's score; without any, what adds most."""
    from matcher.tenders.explain import top_signal

    weaker = {"cpv": 0.27 * 0.2, "text": 0.46 * 0.05, "region": 0.12 * 0.6, "value": 0.14}
    assert top_signal(weaker) == "cpv"
    assert top_signal({"cpv": 0.0, "text": 0.0, "region": 0.07, "value": 0.14}) == "value"
    assert top_signal({"cpv": 0.27, "text": 0.4, "value": 0.14}) == "text"
    assert top_signal({}) is None
    # The engine writes that reason alone when asked for one (a digest's explanations).
    tenders = [reserved_cleaning(), greek_road()]
    wise = office_cleaning_wise()
    matcher = fit(tenders, [wise])
    side, _scores = matcher.score_tenders_many([wise])
    [match] = matcher.explain_tenders(wise, side.rows([0]), [0], only_top_reason=True)
    written = [s.name for s in match.signals if s.reason]
    contributions = {s.name: s.value * s.weight for s in match.signals if s.value is not None}
    assert written == [top_signal(contributions)]
