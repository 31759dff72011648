"""Fuzzing the two file parsers that take outsiders' data: the OCDS reader and the applicants'
CSV. Whatever the input, they raise only their documented error (MalformedFile for a file
that cannot be used at all, InvalidImportFile for the CSV) or report the record or row; any
other exception would be a 500 for the person uploading."""

import contextlib
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.groupings.services.importing import InvalidImportFile, _check_row, read_rows
from webapp.tenders.importing import ocds
from webapp.tenders.importing.parsed import ParsedTender

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NOW = datetime(2026, 6, 1, tzinfo=UTC)

OCDS_KEYS = ["ocid", "id", "date", "tag", "releases", "records", "compiledRelease", "tender",
             "buyer", "parties", "name", "roles", "address", "region", "title", "description",
             "value", "amount", "currency", "lots", "items", "classification", "scheme",
             "additionalClassifications", "deliveryAddresses", "tenderPeriod", "endDate",
             "startDate", "status", "procurementMethod", "procurementMethodDetails",
             "awardCriteria", "awardCriteriaDetails", "documents", "url", "documentType",
             "relatedLot", "language", "suitability", "sme", "reservedParticipation",
             "otherRequirements", "selectionCriteria", "criteria"]
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
           | st.floats(allow_nan=False) | st.text(max_size=30)
           | st.sampled_from(["", "90911200", "90911200-5", "CPV", "NL33C", "2026-13-45",
                              "2027-01-01T00:00:00Z", "EUR", "GBP", "1,250,000.00", "art20",
                              "active", "planned", "https://x.example/n", "\x00", "sheltered"]))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(OCDS_KEYS) | st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)
RELEASE = st.fixed_dictionaries(
    {"ocid": st.text(max_size=12) | st.integers() | st.none()},
    optional={"tender": JSON_VALUES, "buyer": JSON_VALUES, "parties": JSON_VALUES,
              "date": SCALARS, "tag": JSON_VALUES, "language": SCALARS},
)
FILES = st.one_of(
    st.builds(lambda rs: {"releases": rs}, st.lists(RELEASE, max_size=4)),
    st.builds(lambda rs: {"records": [{"ocid": "r", "releases": rs}]}, st.lists(RELEASE,
                                                                              max_size=3)),
    st.lists(RELEASE, max_size=4),
    RELEASE,
    JSON_VALUES,
)


def _read_and_parse(raw: bytes | str) -> None:
    try:
        records = ocds.read_records(ocds.load_json(raw))
    except ocds.MalformedFile:
        return
    for _record, outcome in ocds.iter_parsed(records, region_lookup=None, now=NOW):
        assert isinstance(outcome, ParsedTender | ocds.RecordProblem)


@FUZZ
@given(FILES)
def test_ocds_structures_parse_or_are_reported(data):
    _read_and_parse(json.dumps(data))


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_ocds_raw_bytes_are_malformed_or_parsed(raw):
    _read_and_parse(raw)


def test_ocds_extremes():
    for raw in ('{"releases": [{"ocid": "x", "tender": {"value": {"amount": ' + "9" * 5000
                + "}}}]}", "[" * 50_000 + "]" * 50_000,
                '{"releases": [{"ocid": "x", "tender": {"value": {"amount": 1e999}}}]}',
                '{"releases": [{"ocid": "x", "tender": {"value": {"amount": '
                + "9" * 400 + "}}}]}"):
        _read_and_parse(raw)


COLUMNS = ["authority_name", "country", "nuts", "kind", "population", "topics", "motivation",
           "preference_rank"]
CELLS = st.text(max_size=20) | st.sampled_from(
    ["NL", "EL", "NL310", "municipality", "1,000", "²", "9" * 40, "-1", "Topic A; Topic B",
     '"', "\r\n", "\x00", "=1+1"])


@FUZZ
@given(st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=9),
       st.lists(st.lists(CELLS, max_size=10), max_size=6), st.booleans())
def test_applicants_csv_rows_are_read_or_the_file_refused(header, rows, bom):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    content = ("\ufeff" if bom else "") + "\n".join(lines)
    try:
        parsed = read_rows(content.encode())
    except InvalidImportFile:
        return
    for _number, values in parsed:
        clean, errors = _check_row(values, {"topic a": "Topic A"}, set())
        assert isinstance(errors, list)


@FUZZ
@given(st.binary(max_size=400))
def test_applicants_csv_raw_bytes(raw):
    with contextlib.suppress(InvalidImportFile):
        read_rows(raw)
