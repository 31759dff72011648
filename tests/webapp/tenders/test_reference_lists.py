"""Loading the official CPV and NUTS lists: real files, re-runs, malformed files."""

import json

import pytest
from sqlmodel import func, select

from models import CpvCode, NutsRegion, Tender
from webapp.tenders.services import importing, reference

N_CPV = 9454


def count(db, table) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def cpv_file(shared_data):
    return shared_data / "cpv" / "cpv_2008_en.csv"


@pytest.fixture
def nuts_file(shared_data):
    return shared_data / "nuts" / "nuts_2021.csv"


def test_product_runs_without_the_lists(db):
    assert count(db, CpvCode) == 0 and count(db, NutsRegion) == 0
    assert importing.region_lookup(db) is None  # the importer falls back to built-in names


def test_load_cpv_from_the_official_file_and_again(db, cpv_file):
    first = reference.load_cpv(db, cpv_file)
    assert (first.n_created, first.n_updated) == (N_CPV, 0)
    code = db.get(CpvCode, "03000000")
    assert (code.check_digit, code.label.startswith("Agricultural")) == ("1", True)
    code.label = "changed"
    db.commit()
    again = reference.load_cpv(db, cpv_file)
    assert (again.n_created, again.n_updated) == (0, N_CPV)
    db.refresh(code)
    assert code.label.startswith("Agricultural")
    assert count(db, CpvCode) == N_CPV


def test_load_nuts_from_the_official_file(db, nuts_file):
    summary = reference.load_nuts(db, nuts_file)
    assert summary.n_created == count(db, NutsRegion) > 2000
    assert db.get(NutsRegion, "NL33").name == "Zuid-Holland"
    assert db.get(NutsRegion, "EL30") is not None  # Greece spelt EL
    assert reference.load_nuts(db, nuts_file).n_created == 0


def test_loaded_nuts_names_map_region_names_in_imports(db, nuts_file):
    reference.load_nuts(db, nuts_file)
    data = {"ocid": "ocds-ref-1", "tender": {"title": "Groenonderhoud", "items": [
        {"id": "1", "deliveryAddresses": [{"region": "Zuid-Holland"}, {"region": "Utrecht"},
                                          {"region": "Nowhere-on-Sea"},
                                          {"region": "Limburg"}]}]}}
    summary = importing.import_ocds(db, json.dumps(data))
    tender = db.exec(select(Tender).where(Tender.source_id == "ocds-ref-1")).one()
    assert tender.nuts_codes == ["NL33", "NL31"]
    assert [w.reason for w in summary.warnings] == [  # Limburg: BE22 or NL42, not guessed
        "region name 'Nowhere-on-Sea' could not be mapped to a NUTS code",
        "region name 'Limburg' could not be mapped to a NUTS code"]


@pytest.mark.parametrize("loader, content, message", [
    (reference.load_cpv, "NUTS_ID;NAME_LATN\nNL33;Zuid-Holland\n", "header 'CODE,EN'"),
    (reference.load_nuts, "\ufeffCODE,EN\n03000000-1,Agricultural\n", "header 'NUTS_ID;NAME_LATN'"),
    (reference.load_cpv, "", "the file is empty"),
    (reference.load_cpv, "CODE,EN\nnot-a-code,Label\n", "not a readable CPV list"),
])
def test_a_wrong_file_is_refused_with_a_clear_message(db, tmp_path, loader, content, message):
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(reference.InvalidReferenceFile, match=message):
        loader(db, path)
    assert count(db, CpvCode) == 0 and count(db, NutsRegion) == 0


def test_cli_loads_both_lists_and_refuses_a_wrong_file(app, cpv_file, nuts_file):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reference", "load-cpv", str(cpv_file)])
    assert result.exit_code == 0, result.output
    assert f"Loaded {N_CPV} CPV codes: {N_CPV} new, 0 updated." in result.output
    result = runner.invoke(args=["reference", "load-cpv", str(cpv_file)])
    assert f"0 new, {N_CPV} updated" in result.output
    result = runner.invoke(args=["reference", "load-nuts", str(nuts_file)])
    assert result.exit_code == 0 and "NUTS regions" in result.output
    result = runner.invoke(args=["reference", "load-nuts", str(cpv_file)])
    assert result.exit_code == 1
    assert "expected the official NUTS list with the header 'NUTS_ID;NAME_LATN'" in result.output
