"""eForms import: the generated SDK map, all 45 official example notices, bad input, the
upsert rules (newer notice wins, same notice changes nothing), zip packages, CLI and API.

Expected values are read from the XML files here with plain lxml XPath of our own (or are
facts checked by reading the files), never from the importer's output.
"""

import importlib.util
import io
import re
import zipfile
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import select

from models import Lot, Reservation, Tender, TenderStatus
from tests.helpers import COORDINATOR, ENTERPRISE, bearer, login
from webapp.tenders.importing import eforms, eforms_fields
from webapp.tenders.services import eforms_imports

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2020, 1, 1, tzinfo=UTC)
N_EXAMPLES = 45
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
}
LOTS = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot' or cbc:ID/@schemeName='Part']"
RESERVED = "cac:TenderingTerms/cac:TendererQualificationRequest/cac:SpecificTendererRequirement" \
           "/cbc:TendererRequirementTypeCode[@listName='reserved-procurement']"
#: Checked by reading the files: the only lots with a reserved participation (BT-71).
RESERVED_LOTS = {
    ("cn_24_maximal.xml", "LOT-0001"): Reservation.ART77,
    ("pin-cfc-social_24.xml", "LOT-0001"): Reservation.ART20,
    ("pin-only_24_maximal.xml", "PAR-0000"): Reservation.ART77,
}
CLOSING = {"can-standard", "can-social", "can-desg", "can-modif", "veat", "compl"}
PLANNING = {"pin-only", "pin-rtl", "pin-buyer", "pin-tran", "pmc"}


def examples(shared_data) -> list[Path]:
    return sorted((shared_data / "eforms" / "examples").glob("*.xml"))


EXAMPLE_NAMES = sorted(p.name for p in (ROOT.parent / "shared" / "data" / "eforms"
                                        / "examples").glob("*.xml"))


def xpath(tree, path: str, node=None) -> list[str]:
    found = (node if node is not None else tree).xpath(path, namespaces=NS)
    return [(x if isinstance(x, str) else x.text or "").strip() for x in found]


# --- the map from the SDK --------------------------------------------------------------------


def test_the_committed_field_map_is_what_the_sdk_gives(shared_data):
    spec = importlib.util.spec_from_file_location(
        "generate_eforms_fields", ROOT / "scripts" / "generate_eforms_fields.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    fields, subtypes, version = generator.read_fields(shared_data / "eforms/sdk/fields.json")
    labels = {name: generator.read_code_list(shared_data / "eforms-codelists" / f"{name}.gc")
              for name in generator.CODE_LISTS}
    assert fields == eforms_fields.FIELDS
    assert tuple(subtypes) == eforms_fields.NOTICE_SUBTYPES
    assert labels == eforms_fields.CODE_LABELS
    assert version == eforms_fields.SDK_VERSION
    committed = (ROOT / "webapp" / "tenders" / "importing" / "eforms_fields.py").read_text(
        encoding="utf-8")
    assert committed == generator.render(fields, subtypes, version, labels)


def test_every_field_path_is_its_sdk_xpath_below_its_node():
    for name, field in eforms_fields.FIELDS.items():
        assert field["xpath"].endswith("/" + field["path"]), name
        assert field["node"] in ("Root", "Lot", "Part", "Organization"), name


# --- the 45 official examples ----------------------------------------------------------------


def test_there_are_45_examples(shared_data):
    assert len(examples(shared_data)) == N_EXAMPLES == len(EXAMPLE_NAMES)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_example_is_read_as_its_xml_says(shared_data, name):
    raw = (shared_data / "eforms" / "examples" / name).read_bytes()
    tree = etree.fromstring(raw)
    notice_type = xpath(tree, "/*/cbc:NoticeTypeCode")[0]
    if notice_type.startswith("brin-"):
        with pytest.raises(eforms.NoticeProblem, match="business registration notice"):
            eforms.parse_notice(raw, now=NOW)
        return
    tender = eforms.parse_notice(raw, now=NOW)

    # key: the procedure identifier, else the notice identifier
    folder = xpath(tree, "/*/cbc:ContractFolderID")
    assert tender.source_id == (folder or xpath(tree, "/*/cbc:ID[@schemeName='notice-id']"))[0]
    changes = xpath(tree, "//efac:Changes")
    assert tender.notice_kind == ("change-" if changes else "") + notice_type

    # status by kind
    if notice_type in CLOSING or "cancel" in xpath(tree, "//efac:Changes//cbc:ReasonCode"):
        assert tender.status is TenderStatus.CLOSED
    elif notice_type in PLANNING:
        assert tender.status is TenderStatus.PLANNED
    else:
        expected = TenderStatus.CLOSED if tender.deadline and tender.deadline < NOW \
            else TenderStatus.OPEN
        assert tender.status is expected

    # CPV: every cpv code of the procedure and its lots/parts, the procedure's main first
    project = "/cac:ProcurementProject/cac:{}CommodityClassification/cbc:ItemClassificationCode" \
              "[@listName='cpv']"
    codes = set(xpath(tree, "/*" + project.format("Main")) + xpath(tree, "/*" + project.format(
        "Additional")) + xpath(tree, LOTS + project.format("Main"))
        + xpath(tree, LOTS + project.format("Additional")))
    assert {tender.cpv_main, *tender.cpv_additional} == codes
    assert tender.cpv_main == (xpath(tree, "/*" + project.format("Main"))
                               or xpath(tree, LOTS + project.format("Main")))[0]

    # NUTS: the place of performance, else one country-or-region code of the buyer
    place = "/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"
    nuts = set(xpath(tree, "/*" + place) + xpath(tree, LOTS + place))
    if nuts:
        assert set(tender.nuts_codes) == nuts
    else:
        assert len(tender.nuts_codes) == 1 and len(tender.nuts_codes[0]) in (2, 5)

    # lots, their CPV and their reservation
    lot_nodes = tree.xpath(LOTS, namespaces=NS)
    assert [lot.lot_ref for lot in tender.lots] == [xpath(tree, "cbc:ID", n)[0]
                                                    for n in lot_nodes]
    for node, lot in zip(lot_nodes, tender.lots, strict=True):
        lot_project = "cac:ProcurementProject/cac:{}CommodityClassification/" \
                      "cbc:ItemClassificationCode[@listName='cpv']"
        assert set(lot.cpv_codes) == set(xpath(tree, lot_project.format("Main"), node)
                                         + xpath(tree, lot_project.format("Additional"), node))
        codes = xpath(tree, RESERVED, node)
        expected = {"res-ws": Reservation.ART20, "res-pub-ser": Reservation.ART77}.get(
            next((c for c in codes if c != "none"), "none"), Reservation.NONE)
        assert lot.reservation is expected
        assert lot.reservation is RESERVED_LOTS.get((name, lot.lot_ref), Reservation.NONE)
        assert lot.reserved_execution == ("yes" in xpath(
            tree, "cac:TenderingTerms/cac:ContractExecutionRequirement/"
                  "cbc:ExecutionRequirementCode[@listName='reserved-execution']", node))

    # title and language
    language = xpath(tree, "/*/cbc:NoticeLanguageCode")[0]
    assert tender.language == eforms.LANGUAGES[language]
    title = tree.xpath(f"/*/cac:ProcurementProject/cbc:Name[@languageID='{language}']",
                       namespaces=NS)
    assert tender.title == " ".join(title[0].text.split())


def test_a_multilingual_notice_keeps_every_language(shared_data):
    raw = (shared_data / "eforms" / "examples" / "cn_24_multilingual.xml").read_bytes()
    tree = etree.fromstring(raw)
    tender = eforms.parse_notice(raw, now=NOW)
    additional = xpath(tree, "/*/cac:AdditionalNoticeLanguage/cbc:ID")
    assert len(tender.languages) == 1 + len(additional) == 24
    assert tender.languages[0] == "en"
    names = tree.xpath("/*/cac:ProcurementProject/cbc:Name", namespaces=NS)
    assert len(tender.titles) == len(names) == 24
    german = [n.text for n in names if n.get("languageID") == "DEU"][0]
    assert tender.titles["de"] == " ".join(german.split())
    assert len(tender.lots[0].titles) == 24


def test_the_reserved_examples_come_through_on_their_lots(app, db, shared_data):
    files = [shared_data / "eforms" / "examples" / name for name, _ in RESERVED_LOTS]
    summary = eforms_imports.import_notices(db, eforms.iter_sources(files), now=NOW)
    assert (summary.n_created, summary.skipped) == (3, [])
    stored = {(t.source_id, lot.lot_ref): lot.reservation
              for t in db.exec(select(Tender).where(Tender.source == "eforms"))
              for lot in db.exec(select(Lot).where(Lot.tender_id == t.id))}
    reserved = sorted(r for r in stored.values() if r is not Reservation.NONE)
    assert reserved == sorted(RESERVED_LOTS.values())
    social = db.exec(select(Tender).where(Tender.source_id == "7a0d92d2-de31-4c7d-9baa-"
                                                                "023a9a2db87b")).one()
    assert social.reservation is Reservation.ART20 and social.social_enterprise_suitable


def test_all_examples_import_and_again_changes_nothing(app, db, shared_data):
    files = examples(shared_data)
    summary = eforms_imports.import_notices(db, eforms.iter_sources(files), now=NOW)
    reasons = {Path(p.record).name: p.reason for p in summary.skipped}
    assert set(reasons) == {"X01_EEIG.xml", "X02_registration.xml", "cn_24_FRA_comments.xml",
                            "cn_24_cumbria.xml", "cn_24_minimal.xml", "cn_24_open.xml"}
    assert "business registration notice" in reasons["X01_EEIG.xml"]
    assert reasons["cn_24_open.xml"].startswith("older than notice 71397268")
    assert (summary.n_created, summary.n_updated) == (37, 2)
    tenders = db.exec(select(Tender).where(Tender.source == "eforms")).all()
    assert len(tenders) == 37
    before = sorted((t.id, t.imported_at, t.notice_id, t.status) for t in tenders)
    n_lots = len(db.exec(select(Lot)).all())

    again = eforms_imports.import_notices(db, eforms.iter_sources(files), now=NOW)
    assert (again.n_created, again.n_updated, len(again.skipped)) == (0, 0, N_EXAMPLES)
    db.expire_all()
    after = sorted((t.id, t.imported_at, t.notice_id, t.status)
                   for t in db.exec(select(Tender).where(Tender.source == "eforms")))
    assert after == before and len(db.exec(select(Lot)).all()) == n_lots


def test_a_procedure_opens_changes_and_closes_on_one_tender(app, db, shared_data):
    folder = shared_data / "eforms" / "examples"

    def run(*names):
        return eforms_imports.import_notices(
            db, eforms.iter_sources([folder / n for n in names]), now=NOW)

    assert run("cn_24_FRA_comments.xml").n_created == 1
    tender = db.exec(select(Tender).where(Tender.source_id.startswith("e3cdabf1"))).one()
    assert tender.status is TenderStatus.CLOSED  # its deadline (June 2019) is before NOW
    assert run("can_24_FRA_comments.xml").n_updated == 1
    db.refresh(tender)
    assert (tender.status, tender.notice_kind) == (TenderStatus.CLOSED, "can-standard")
    late = run("cn_24_FRA_comments.xml")  # the older contract notice arrives late
    assert late.n_updated == 0 and "older than notice" in late.skipped[0].reason

    run("cn_24_open.xml")
    opened = db.exec(select(Tender).where(Tender.source_id.startswith("31f258b6"))).one()
    assert opened.deadline == datetime(2020, 4, 3, 11, tzinfo=UTC)
    assert run("change-cn_24_open_dates.xml").n_updated == 1
    db.refresh(opened)
    assert opened.deadline == datetime(2020, 6, 12, 11, tzinfo=UTC)  # BT-131 of the change


# --- bad input -------------------------------------------------------------------------------


def example_bytes(shared_data, name="cn_24_minimal.xml") -> bytes:
    return (shared_data / "eforms" / "examples" / name).read_bytes()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">&lol4;
</ContractNotice>"""


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty file"),
    (b'{"releases": []}', "not well-formed XML"),
    (b"<html><body>Not a notice</body></html>", "not an eForms notice: the root element is "
                                                "'html' without a namespace"),
    (b"<TED_EXPORT xmlns='http://publications.europa.eu/resource/schema/ted/R2.0.9/publication'"
     b"/>", "not an eForms notice: the root element is 'TED_EXPORT'"),
    (b"<ContractNotice xmlns='urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2'/>",
     "no eForms SDK version in cbc:CustomizationID"),
    (b"<ContractNotice", "not well-formed XML"),
    (BILLION_LAUGHS, "declares a DTD"),
])
def test_bad_input_is_refused_with_a_reason(raw, reason):
    with pytest.raises(eforms.NoticeProblem, match=reason.replace("(", r"\(")):
        eforms.parse_notice(raw, now=NOW)


def test_an_unknown_or_missing_subtype_is_refused(shared_data):
    raw = example_bytes(shared_data)
    unknown = raw.replace(b'listName="notice-subtype">16<', b'listName="notice-subtype">99<')
    with pytest.raises(eforms.NoticeProblem, match="unknown notice subtype '99'"):
        eforms.parse_notice(unknown, now=NOW)
    missing = raw.replace(b'listName="notice-subtype">16<', b'listName="notice-subtype"><')
    with pytest.raises(eforms.NoticeProblem, match="no notice subtype"):
        eforms.parse_notice(missing, now=NOW)


def test_a_bad_notice_in_a_batch_is_skipped_and_the_rest_kept(app, db, shared_data):
    sources = [eforms.NoticeSource("good.xml", example_bytes(shared_data)),
               eforms.NoticeSource("laughs.xml", BILLION_LAUGHS),
               eforms.NoticeSource("junk.xml", b"\x00\xff junk"),
               eforms.NoticeSource("other.xml", example_bytes(shared_data, "cn-social_24.xml"))]
    summary = eforms_imports.import_notices(db, sources, now=NOW)
    assert summary.n_created == 2
    assert [p.record for p in summary.skipped] == ["laughs.xml", "junk.xml"]
    assert "refused as unsafe" in summary.skipped[0].reason


def with_lots(raw: bytes, n: int) -> bytes:
    """The notice with its one lot repeated n times (new lot identifiers)."""
    tree = etree.fromstring(raw)
    lot = tree.find("cac:ProcurementProjectLot", NS)
    parent = lot.getparent()
    for number in range(1, n):
        copy = etree.fromstring(etree.tostring(lot))
        copy.find("cbc:ID", NS).text = f"LOT-{number:04d}"
        parent.append(copy)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_a_notice_with_100_lots_imports_all_100(app, db, shared_data):
    raw = with_lots(example_bytes(shared_data), 100)
    assert len(eforms.parse_notice(raw, now=NOW).lots) == 100
    summary = eforms_imports.import_notice_bytes(db, raw, now=NOW)
    assert summary.n_created == 1
    tender = db.exec(select(Tender).where(Tender.source == "eforms")).one()
    assert len(db.exec(select(Lot).where(Lot.tender_id == tender.id)).all()) == 100


# --- zip packages, CLI -----------------------------------------------------------------------


def make_zip(path: Path, shared_data, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name in names:
            package.writestr(f"daily/{name}", example_bytes(shared_data, name))
        package.writestr("daily/broken.xml", b"<not closed")
        package.writestr("daily/readme.txt", b"not a notice")
    return path


def test_a_zip_package_is_read_member_by_member(tmp_path, shared_data):
    package = make_zip(tmp_path / "p.zip", shared_data, ["cn-social_24.xml", "veat_24.xml"])
    sources = eforms.iter_sources([package])
    first = next(sources)  # a generator: members are read one at a time
    assert first.label.endswith("p.zip:daily/cn-social_24.xml") and first.data
    rest = list(sources)
    assert [s.label.rsplit(":", 1)[1] for s in rest] == ["daily/veat_24.xml", "daily/broken.xml"]
    assert eforms.count_sources([package]) == 3


def test_cli_imports_a_folder_and_a_zip(app, db, shared_data, tmp_path):
    runner = app.test_cli_runner()
    folder = shared_data / "eforms" / "examples"
    result = runner.invoke(args=["import", "eforms", str(folder)])
    assert result.exit_code == 0, result.output
    # How many are already closed depends on today's date (the examples' deadlines).
    assert re.search(r"37 created, 2 updated \(\d+ already closed\), 6 skipped", result.output)
    assert "X01_EEIG.xml: a business registration notice" in result.output

    package = make_zip(tmp_path / "daily.zip", shared_data, ["cn-social_24.xml"])
    result = runner.invoke(args=["import", "eforms", str(package)])
    assert result.exit_code == 0, result.output
    # cn-social: already imported
    assert "0 created, 0 updated (0 already closed), 2 skipped" in result.output
    assert "daily.zip:daily/broken.xml: not well-formed XML" in result.output

    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(args=["import", "eforms", str(empty)])
    assert result.exit_code != 0 and "No eForms notices" in result.output


# --- API -------------------------------------------------------------------------------------


URL = "/api/v1/imports/eforms"


def test_api_imports_one_notice_and_a_zip(app, client, db, shared_data, tmp_path):
    auth = bearer(app, COORDINATOR)
    response = client.post(URL, data=example_bytes(shared_data, "cn-social_24.xml"),
                           headers=auth, content_type="application/xml")
    assert response.status_code == 200, response.json
    # The example notice's deadline has passed: stored, and counted as already closed.
    assert response.json == {"created": 1, "updated": 0, "closed": 1, "skipped": [],
                             "warnings": []}

    package = make_zip(tmp_path / "p.zip", shared_data, ["cn-social_24.xml", "veat_24.xml"])
    response = client.post(URL, data=package.read_bytes(), headers=auth,
                           content_type="application/zip")
    assert response.status_code == 200, response.json
    assert (response.json["created"], response.json["updated"]) == (1, 0)
    reasons = {s["record"]: s["reason"] for s in response.json["skipped"]}
    assert set(reasons) == {"package:daily/cn-social_24.xml", "package:daily/broken.xml"}
    assert "already imported" in reasons["package:daily/cn-social_24.xml"]


def test_api_needs_a_token(client, shared_data):
    response = client.post(URL, data=example_bytes(shared_data), content_type="application/xml")
    assert response.status_code == 401


@pytest.mark.parametrize("body, content_type, message", [
    (b"<ContractNotice", "application/xml", "The notice cannot be read: not well-formed XML"),
    (BILLION_LAUGHS, "application/xml", "declares a DTD"),
    (b"<html/>", "text/xml", "not an eForms notice"),
    (b"PK not really", "application/zip", "not a zip package"),
    (b"{}", "application/json", "Content-Type: application/xml"),
])
def test_api_answers_a_bad_body_with_422_and_a_message(app, client, body, content_type,
                                                       message):
    response = client.post(URL, data=body, headers=bearer(app, COORDINATOR),
                           content_type=content_type)
    assert response.status_code == 422
    assert message in response.json["message"]


def test_api_refuses_a_body_over_the_limit(app, client, shared_data):
    app.config["EFORMS_IMPORT_MAX_BYTES"] = 1024
    response = client.post(URL, data=io.BytesIO(b"PK" + b"0" * 5000),
                           headers=bearer(app, COORDINATOR), content_type="application/zip")
    assert response.status_code == 413


def test_the_tender_page_shows_the_languages_and_the_ted_link(app, client, db, shared_data):
    raw = example_bytes(shared_data, "pin-buyer_24_published.xml")
    eforms_imports.import_notice_bytes(db, raw, now=NOW)
    tender = db.exec(select(Tender).where(Tender.source == "eforms")).one()
    login(client, ENTERPRISE)
    html = client.get(f"/opportunities/tenders/{tender.id}").get_data(as_text=True)
    assert "Languages of the notice" in html and "<dd>IT</dd>" in html
    assert 'href="https://ted.europa.eu/en/notice/-/detail/12345678-2025"' in html
    assert "Read the notice on TED" in html


def test_a_multilingual_tender_is_shown_in_the_readers_language(app, db, client, shared_data):
    """Issue 14: tender texts published in several languages reach each reader in theirs."""
    path = shared_data / "eforms" / "examples" / "cn_24_multilingual.xml"
    tree = etree.fromstring(path.read_bytes())
    names = {n.get("languageID"): " ".join(n.text.split())
             for n in tree.xpath("/*/cac:ProcurementProject/cbc:Name", namespaces=NS)}
    eforms_imports.import_notices(db, eforms.iter_sources([path]), now=NOW)
    tender = db.exec(select(Tender).where(Tender.source == "eforms")).one()
    login(client, ENTERPRISE)
    url = f"/opportunities/tenders/{tender.id}"
    dutch = client.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert names["NLD"] != names["ENG"]
    assert f"<h1>{escape(names['NLD'])}</h1>" in dutch
    assert f"<h1>{escape(names['ENG'])}</h1>" in english
