"""OCDS import: the pure parser, the upsert service, the CLI, on real and on messy data."""

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from models import Lot, Reservation, Tender, TenderStatus
from webapp.db import make_engine
from webapp.migrate import upgrade
from webapp.tenders.importing import ocds
from webapp.tenders.importing.parsed import EUR_RATES, ParsedTender
from webapp.tenders.services import importing

NOW = datetime(2020, 1, 1, tzinfo=UTC)
N_SCOTTISH = 90


def release(ocid="ocds-test-1", **tender) -> dict:
    """A minimal valid release; keyword arguments go into `tender`."""
    return {"ocid": ocid, "date": "2020-01-01T00:00:00Z", "tag": ["tender"],
            "tender": {"title": "Cleaning of schools", **tender}}


def parse(data, **kwargs) -> ocds.ParseResult:
    return ocds.parse_releases(ocds.read_records(data), now=NOW, **kwargs)


def one(data, **kwargs) -> ParsedTender:
    result = parse(data, **kwargs)
    assert not result.skipped, result.skipped
    assert len(result.tenders) == 1
    return result.tenders[0]


@pytest.fixture
def scottish(shared_data) -> bytes:
    path = shared_data / "ocds" / "scotland" / "public_contracts_scotland_releases.json"
    return path.read_bytes()


@pytest.fixture
def fictional(shared_data):
    return shared_data / "ocds" / "fictional"


# --- file shapes -------------------------------------------------------------------------------


def test_accepts_every_documented_shape():
    single = release()
    for data in ({"releases": [single]}, [single], single,
                 {"records": [{"ocid": "ocds-test-1", "compiledRelease": single}]},
                 {"records": [{"ocid": "ocds-test-1", "releases": [single]}]}):
        assert one(data).source_id == "ocds-test-1"


@pytest.mark.parametrize("raw, message", [
    (b"<html>not json</html>", "not JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_a_file_that_is_not_json_is_malformed(raw, message):
    with pytest.raises(ocds.MalformedFile, match=message):
        importing.read_ocds(raw)


@pytest.mark.parametrize("data", [{"foo": 1}, 42, "text", {"releases": "nope"}, None])
def test_a_file_of_the_wrong_shape_is_malformed(data):
    with pytest.raises(ocds.MalformedFile, match="expected an OCDS release package, record "
                                                 "package or list of releases"):
        ocds.read_records(data)


def test_a_bad_record_is_reported_with_its_reason_and_the_rest_kept():
    untitled = release("ocds-xyz")
    del untitled["tender"]["title"]
    data = {"releases": [release(f"ocds-{n}") for n in range(11)] + [untitled, "junk",
                                                                     {"ocid": "ocds-no-tender"}]}
    result = parse(data)
    assert len(result.tenders) == 11
    reasons = {p.record: p.reason for p in result.skipped}
    assert reasons == {"release 12 (ocds-xyz)": "no tender title", "release 13": "no ocid",
                       "release 14 (ocds-no-tender)": "no tender section"}


def test_releases_of_one_process_are_compiled_in_date_order():
    old = release(tenderPeriod={"endDate": "2020-02-01T12:00:00Z"}, description="first")
    new = release(tenderPeriod={"endDate": "2020-03-01T12:00:00Z"})
    old["date"], new["date"] = "2020-01-01T00:00:00Z", "2020-01-15T00:00:00Z"
    tender = one({"releases": [new, old]})
    assert tender.deadline == datetime(2020, 3, 1, 12, tzinfo=UTC)
    assert tender.description == "first"  # kept from the older release


# --- fields ------------------------------------------------------------------------------------


def test_cpv_codes_are_read_wherever_publishers_put_them_and_normalised():
    tender = one(release(items=[
        {"id": "1", "classification": {"scheme": "CPV", "id": "90910000-9"},
         "additionalClassifications": [{"scheme": "CPV", "id": " 90911200 "}]},
        {"id": "2", "classification": {"scheme": "CPV", "id": "90910000.0"}},
        {"id": "3", "classification": {"scheme": "CPV", "id": 45233130},
         "additionalClassifications": [{"scheme": "UNSPSC", "id": "123"}]},
    ]))
    assert tender.cpv_main == "90910000"  # the most frequent item classification
    assert tender.cpv_additional == ["90911200", "45233130"]


def test_a_tender_level_classification_is_the_main_cpv():
    tender = one(release(classification={"id": "79710000", "scheme": "CPV"},
                         items=[{"id": "1", "additionalClassifications": [
                             {"id": "79713000", "scheme": "CPV"}]}]))
    assert (tender.cpv_main, tender.cpv_additional) == ("79710000", ["79713000"])


def test_an_unreadable_cpv_code_is_a_warning():
    item = {"id": "1", "classification": {"scheme": "CPV", "id": "cleaning"}}
    tender = one(release(items=[item]))
    assert tender.cpv_main == ""
    assert any("CPV code not readable" in w for w in tender.warnings)


def test_nuts_from_delivery_addresses_locations_and_the_buyer():
    tender = one(release(items=[
        {"id": "1", "deliveryAddresses": [{"region": "NL33"}], "deliveryAddress": {"region": "nl"}},
        {"id": "2", "deliveryLocations": [{"gazetteer": {"scheme": "NUTS",
                                                          "identifiers": ["NL332"]}}]},
    ]))
    assert tender.nuts_codes == ["NL33", "NL332"]  # "nl" in lower case is a name, not a code

    fallback = release()
    fallback["buyer"] = {"id": "b1", "name": "Camden"}
    fallback["parties"] = [{"id": "b1", "name": "Camden", "roles": ["buyer"],
                            "address": {"region": "London", "countryName": "United Kingdom"}}]
    assert one(fallback).nuts_codes == ["UKI"]
    assert one(fallback).buyer_name == "Camden"


def test_an_unmapped_region_name_is_recorded():
    tender = one(release(items=[{"id": "1", "deliveryAddresses": [{"region": "Atlantis"}]}]))
    assert tender.nuts_codes == []
    assert tender.warnings == ["region name 'Atlantis' could not be mapped to a NUTS code"]
    lookup = ocds.region_names_lookup({"XX1": "Atlantis"})
    assert one(release(items=[{"id": "1", "deliveryAddresses": [{"region": "atlantis"}]}]),
               region_lookup=lookup).nuts_codes == ["XX1"]


def test_values_are_converted_to_eur_and_the_published_amount_kept():
    tender = one(release(value={"amount": "1,000,000.00", "currency": "sek"}))
    assert (tender.value_amount, tender.currency) == (1_000_000.0, "SEK")
    assert tender.value_eur == pytest.approx(1_000_000 * EUR_RATES["SEK"])
    unknown = one(release(value={"amount": 10, "currency": "JPY"}))
    assert unknown.value_eur is None and "no conversion rate" in unknown.warnings[0]


def test_deadlines_become_aware_utc_and_decide_the_status():
    tender = one(release(status="active", tenderPeriod={"endDate": "2020-02-01T12:00:00+02:00"}))
    assert tender.deadline == datetime(2020, 2, 1, 10, tzinfo=UTC)
    assert tender.status is TenderStatus.OPEN
    no_zone = one(release(tenderPeriod={"endDate": "2020-02-01T12:00:00"}))
    assert no_zone.deadline == datetime(2020, 2, 1, 12, tzinfo=UTC)
    day_only = one(release(tenderPeriod={"endDate": "2020-02-01"}))
    assert day_only.deadline == datetime(2020, 2, 1, 23, 59, 59, tzinfo=UTC)
    passed = one(release(status="active", tenderPeriod={"endDate": "2019-12-01T12:00:00Z"}))
    assert passed.status is TenderStatus.CLOSED
    assert one(release(status="planning")).status is TenderStatus.PLANNED
    assert one(release(status="cancelled")).status is TenderStatus.CLOSED


def test_reservations_on_tender_and_lots_in_both_vocabularies():
    tender = one(release(
        lots=[{"id": "A", "otherRequirements": {"reservedParticipation": ["res-pub-ser"]}},
              {"id": "B", "title": "Catering"}],
        items=[{"id": "1", "relatedLot": "A", "classification": {"scheme": "CPV",
                                                                 "id": "85311000-2"}}],
    ))
    assert tender.reservation is Reservation.NONE  # only one lot is reserved
    lots = {lot.lot_ref: lot for lot in tender.lots}
    assert lots["A"].reservation is Reservation.ART77 and lots["A"].cpv_codes == ["85311000"]
    assert lots["B"].reservation is Reservation.NONE and lots["B"].title == "Catering"
    assert lots["A"].title == "Lot A"
    assert tender.social_enterprise_suitable

    whole = one(release(otherRequirements={"reservedParticipation": ["shelteredWorkshop"]},
                        lots=[{"id": "1"}]))
    assert whole.reservation is Reservation.ART20
    assert whole.lots[0].reservation is Reservation.ART20


def test_reserved_execution_social_goals_suitability_and_award_criteria():
    tender = one(release(
        contractTerms={"reservedExecution": True, "socialStandards": "Living wage"},
        sustainability=[{"goal": "social.fairWorkingConditions", "strategies": ["awardCriteria"]},
                        {"goal": "environmental"}],
        suitability={"sme": True},
        awardCriteriaDetails="Price 60%",
        lots=[{"id": "1", "suitability": {"sheltered": "yes"},
               "awardCriteria": {"criteria": [
                   {"name": "Employment of disadvantaged people", "description": "20"},
                   {"name": "Price", "description": "80"}]}}],
    ))
    assert tender.reserved_execution and tender.sme_suitable
    assert tender.social_enterprise_suitable
    assert tender.social_criteria == ["social.fairWorkingConditions (awardCriteria)",
                                      "Living wage", "Employment of disadvantaged people 20"]
    assert tender.award_criteria == ("Price 60%; Employment of disadvantaged people: 20; "
                                     "Price: 80")


def test_procedure_language_url_and_buyer():
    data = release(procurementMethod="open", procurementMethodDetails="Open procedure",
                   documents=[{"id": "1", "url": "ftp://x"},
                              {"id": "2", "documentType": "tenderNotice",
                               "url": "https://ted.europa.eu/notice/1"}],
                   procuringEntity={"name": "City of Ghent"})
    data["language"] = "NL"
    tender = one(data)
    assert (tender.procedure, tender.language) == ("Open procedure", "nl")
    assert tender.url == "https://ted.europa.eu/notice/1"
    assert tender.buyer_name == "City of Ghent"


@pytest.mark.parametrize(("title", "description", "language"), [
    ("Schoonmaak van scholen", "Dagelijkse schoonmaak van scholen en sporthallen in de gemeente.",
     "nl"),
    ("Reinigung von Schulen", "Tägliche Reinigung der Schulen und Sporthallen der Stadt.", "de"),
    ("Cleaning of schools", "Daily cleaning of the schools and sports halls of the city.", "en"),
    ("Lot 1", "", "en"),  # too little to tell: OCDS's default
])
def test_a_release_without_a_language_is_read_in_the_one_it_is_written_in(title, description,
                                                                          language):
    assert one(release(title=title, description=description)).language == language


# --- messy input never crashes -----------------------------------------------------------------

OCDS_KEYS = st.sampled_from([
    "ocid", "id", "date", "tag", "tender", "title", "description", "items", "lots", "value",
    "amount", "currency", "classification", "additionalClassifications", "scheme", "region",
    "deliveryAddresses", "deliveryAddress", "deliveryLocations", "gazetteer", "identifiers",
    "relatedLot", "tenderPeriod", "endDate", "status", "otherRequirements",
    "reservedParticipation", "contractTerms", "reservedExecution", "sustainability", "goal",
    "suitability", "sme", "awardCriteria", "criteria", "name", "awardCriteriaDetails",
    "documents", "url", "language", "parties", "buyer", "roles", "address", "countryName",
    "procurementMethod", "procurementMethodDetails", "datePublished", "startDate",
])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=12) | st.sampled_from(["CPV", "NUTS", "90910000-9", "UKM75",
                                                     "2020-02-30T25:00:00Z", "1,5", "EUR",
                                                     "shelteredWorkshop", "active", "GBP"]))
JSONISH = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(OCDS_KEYS | st.text(max_size=6), children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tender=st.dictionaries(OCDS_KEYS, JSONISH, max_size=12), extra=JSONISH)
def test_random_releases_raise_only_the_documented_record_problem(tender, extra):
    for candidate in ({"ocid": "ocds-h", "tender": tender, "parties": extra, "buyer": extra},
                      {"ocid": extra, "tender": {**tender, "title": "T"}}, extra):
        with contextlib.suppress(ocds.RecordProblem):
            ocds.parse_release(candidate, now=NOW)
        with contextlib.suppress(ocds.MalformedFile):  # per-record problems are collected
            ocds.parse_releases(ocds.read_records(candidate), now=NOW)


# --- the service on the real data --------------------------------------------------------------


def _tenders(db) -> dict[str, Tender]:
    return {t.source_id: t for t in db.exec(select(Tender).where(Tender.source == "ocds"))}


def test_every_scottish_tender_imports_and_reimport_updates(db, scottish):
    summary = importing.import_ocds(db, scottish)
    assert (summary.n_created, summary.n_updated, summary.skipped) == (N_SCOTTISH, 0, [])
    tenders = _tenders(db)
    assert len(tenders) == N_SCOTTISH
    assert all(t.nuts_codes and all(c.startswith("UK") for c in t.nuts_codes)
               for t in tenders.values())
    assert sum(any(len(c) > 2 for c in t.nuts_codes) for t in tenders.values()) == 88
    assert all(t.cpv_main and t.title and t.buyer_name for t in tenders.values())
    reserved = [t for t in tenders.values() if t.reservation is not Reservation.NONE]
    assert [(t.source_id, t.reservation) for t in reserved] == [
        ("ocds-r6ebe6-0000580540", Reservation.ART20)]
    first = tenders["ocds-r6ebe6-0000530300"]
    assert (first.currency, first.value_amount) == ("GBP", 50_000_000)
    assert first.value_eur == pytest.approx(50_000_000 * EUR_RATES["GBP"])
    assert first.deadline == datetime(2019, 5, 28, 12, tzinfo=UTC)
    lots = db.exec(select(Lot).where(Lot.tender_id == first.id)).all()
    assert sorted(lot.lot_ref for lot in lots) == ["1", "2", "3", "4"]
    assert db.exec(select(Lot).where(Lot.tender_id.in_([t.id for t in tenders.values()]))
                   ).all().__len__() == 341

    again = importing.import_ocds(db, scottish)
    assert (again.n_created, again.n_updated) == (0, N_SCOTTISH)
    assert len(_tenders(db)) == N_SCOTTISH


def test_the_fictional_release_and_record_packages_import(db, fictional):
    for name in ("ocds-213czf-000-00001.json", "record-ocds-213czf-000-00001.json"):
        summary = importing.import_ocds(db, (fictional / name).read_bytes())
        assert summary.skipped == [] and summary.n_created + summary.n_updated == 1
    tender = _tenders(db)["ocds-213czf-000-00001"]
    assert tender.title == "Planned cycle lane improvements"
    assert (tender.cpv_main, tender.cpv_additional) == ("45233130", ["45233162"])
    assert tender.nuts_codes == ["UKI"]  # the buyer's region "London", by name
    assert tender.status is TenderStatus.CLOSED


def test_the_amendment_release_updates_the_same_tender(db, fictional):
    created = importing.import_ocds(
        db, (fictional / "ocds-213czf-000-00001-02-tender.json").read_bytes(), now=NOW)
    tender_id = _tenders(db)["ocds-213czf-000-00001"].id
    assert _tenders(db)["ocds-213czf-000-00001"].deadline == datetime(2010, 4, 1, 18, tzinfo=UTC)
    updated = importing.import_ocds(
        db, (fictional / "ocds-213czf-000-00001-03-tenderAmendment.json").read_bytes(), now=NOW)
    assert (created.n_created, updated.n_updated, updated.n_created) == (1, 1, 0)
    db.expire_all()
    tender = _tenders(db)["ocds-213czf-000-00001"]
    assert tender.id == tender_id
    assert tender.deadline == datetime(2010, 4, 8, 18, tzinfo=UTC)


def test_lots_removed_upstream_are_removed(db):
    lots = [{"id": "1", "title": "North"}, {"id": "2", "title": "South"}]
    importing.import_ocds(db, json.dumps(release("ocds-lots", lots=lots)))
    lots[0]["title"] = "North and East"
    importing.import_ocds(db, json.dumps(release("ocds-lots", lots=lots[:1])))
    tender = _tenders(db)["ocds-lots"]
    rows = db.exec(select(Lot).where(Lot.tender_id == tender.id)).all()
    assert [(lot.lot_ref, lot.title) for lot in rows] == [("1", "North and East")]


def test_a_process_listed_twice_in_one_file_is_one_tender(db):
    first = release("ocds-twice", lots=[{"id": "1"}, {"id": "2"}])
    second = release("ocds-twice", title="Cleaning of schools, amended", lots=[{"id": "2"}])
    package = {"records": [{"ocid": "ocds-twice", "compiledRelease": first},
                           {"ocid": "ocds-twice", "compiledRelease": second}]}
    summary = importing.import_ocds(db, json.dumps(package))
    assert (summary.n_created, summary.n_updated) == (1, 1)
    tender = _tenders(db)["ocds-twice"]
    assert tender.title == "Cleaning of schools, amended"
    assert [lot.lot_ref for lot in db.exec(select(Lot).where(Lot.tender_id == tender.id))] == ["2"]


# --- the CLI -----------------------------------------------------------------------------------


def test_the_summary_counts_the_tenders_already_closed(db):
    body = json.dumps([
        release("ocds-open", tenderPeriod={"endDate": "2020-02-01T12:00:00Z"}),
        release("ocds-past", tenderPeriod={"endDate": "2019-12-01T12:00:00Z"}),
        release("ocds-done", status="complete"),
    ])
    summary = importing.import_ocds(db, body, now=NOW)
    assert (summary.n_created, summary.n_closed) == (3, 2)
    assert summary.as_dict()["closed"] == 2


def test_cli_imports_with_a_summary_and_fails_only_on_a_malformed_file(app, db, shared_data,
                                                                       tmp_path):
    scotland = shared_data / "ocds" / "scotland" / "public_contracts_scotland_releases.json"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "ocds", str(scotland)])
    assert result.exit_code == 0, result.output
    assert f"{N_SCOTTISH} created, 0 updated ({N_SCOTTISH} already closed), 0 skipped" \
        in result.output

    messy = tmp_path / "messy.json"
    messy.write_text(json.dumps([release("ocds-ok"), {"ocid": "ocds-bad", "tender": {}}]))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(args=["import", "ocds", str(messy), str(scotland), str(broken)])
    assert result.exit_code == 1
    assert "1 created, 0 updated (0 already closed), 1 skipped" in result.output
    assert "skipped release 2 (ocds-bad): no tender title" in result.output
    assert f"0 created, {N_SCOTTISH} updated" in result.output
    assert "broken.json: not JSON" in result.output
    assert len(_tenders(db)) == N_SCOTTISH + 1


# --- PostgreSQL --------------------------------------------------------------------------------


def test_import_on_postgresql(postgres_url, scottish):
    engine = make_engine(postgres_url)
    upgrade(engine)
    ocids = [r["ocid"] for r in json.loads(scottish)["releases"]]
    try:
        with Session(engine) as db:
            first = importing.import_ocds(db, scottish)
            again = importing.import_ocds(db, scottish)
            stored = db.exec(select(Tender).where(Tender.source == "ocds",
                                                  Tender.source_id.in_(ocids))).all()
            assert len(stored) == N_SCOTTISH
            assert first.n_created + first.n_updated == N_SCOTTISH == again.n_updated
            assert {t.reservation for t in stored} == {Reservation.NONE, Reservation.ART20}
    finally:  # the database is shared with other tests
        with Session(engine) as db:
            for tender in db.exec(select(Tender).where(Tender.source == "ocds",
                                                       Tender.source_id.in_(ocids))):
                for lot in db.exec(select(Lot).where(Lot.tender_id == tender.id)):
                    db.delete(lot)
                db.flush()
                db.delete(tender)
            db.commit()
        engine.dispose()

