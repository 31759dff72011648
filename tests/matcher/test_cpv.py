"""CPV codes: normalising, levels, the hierarchy with holes, the Art. 77 list."""

import doctest
import io

import pytest

from matcher import cpv, reserved
from matcher.cpv import (
    CPV_DIVISIONS,
    CpvTree,
    InvalidCpvCode,
    cpv_level,
    cpv_truncation_ancestors,
    is_valid_cpv,
    normalize_cpv,
    read_cpv_csv,
)
from matcher.reserved import ART77_CPV_CODES, is_art77_cpv, read_genericode


@pytest.fixture(scope="module")
def official_tree(shared_data):
    return CpvTree.from_csv(shared_data / "cpv" / "cpv_2008_en.csv")


@pytest.mark.parametrize("module", [cpv, reserved])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(
    "raw", ["90910000-9", " 90910000 ", "90910000.0", 90910000, 90910000.0, "9091 0000"]
)
def test_normalize_accepts_the_forms_found_in_data(raw):
    assert normalize_cpv(raw) == "90910000"


def test_normalize_restores_leading_zero_of_integers():
    assert normalize_cpv(3000000) == "03000000"
    assert normalize_cpv("3000000.0") == "03000000"


INVALID_CODES = ["", "9091000", "909100000", "cleaning", None, True, 1.5, "00000000"]


@pytest.mark.parametrize("raw", INVALID_CODES)
def test_invalid_codes_are_refused(raw):
    assert not is_valid_cpv(raw)
    with pytest.raises(InvalidCpvCode):
        normalize_cpv(raw)


def test_levels_follow_significant_digits():
    levels = [cpv_level(c) for c in ("45000000", "45200000", "45230000", "45233000", "45233140")]
    assert levels == [1, 2, 3, 4, 5]


def test_codes_alone_give_a_working_tree():
    tree = CpvTree()
    assert tree.parent("45233140") == "45233100"
    assert tree.chain("45233140")[0] == "45000000"
    assert tree.label("45233140") == "Construction work"
    assert tree.is_within("45233140", "45230000")
    assert not tree.is_within("45230000", "45233140")


def test_label_falls_back_to_nearest_labelled_ancestor_then_division():
    tree = CpvTree({"90910000": "Cleaning services"})
    assert tree.label("90910000") == "Cleaning services"
    assert tree.label("90911200") == "Cleaning services"
    assert tree.label("90500000") == CPV_DIVISIONS["90"]


def test_read_cpv_csv_handles_bom_and_check_digits():
    text = '\ufeffCODE,EN\n03000000-1,"Agricultural, farming"\n'
    rows = read_cpv_csv(io.StringIO(text))
    assert rows == {"03000000": cpv.CpvEntry("1", "Agricultural, farming")}


def test_every_official_division_has_an_embedded_label(official_tree):
    divisions = {code[:2] for code in official_tree if cpv_level(code) == 1}
    assert divisions == set(CPV_DIVISIONS)


def test_official_levels_match_the_published_counts(official_tree):
    counts = [sum(cpv_level(c) == level for c in official_tree) for level in range(1, 6)]
    assert counts == [45, 272, 1002, 2379, 5756]


def test_parent_skips_a_hole_in_the_official_list(official_tree):
    # 30192120 does not exist, so 30192121's parent is 30192100.
    assert "30192120" not in official_tree
    assert cpv_truncation_ancestors("30192121")[0] == "30192120"
    assert official_tree.parent("30192121") == "30192100"
    assert official_tree.label("30192120") == official_tree.label("30192100")


def test_every_official_code_has_an_existing_parent_or_is_a_division(official_tree):
    for code in official_tree:
        parent = official_tree.parent(code)
        assert (parent is None) == (cpv_level(code) == 1)
        assert parent is None or parent in official_tree


def test_check_digit_verified_against_the_official_list(official_tree):
    assert official_tree.verify("03000000-1")
    assert not official_tree.verify("03000000-2")


def test_art77_constant_equals_the_eforms_code_list(shared_data):
    codelist = shared_data / "eforms-codelists" / "cpv_social-service-cpv.gc"
    official = {row["code"] for row in read_genericode(codelist)}
    assert official == ART77_CPV_CODES


def test_art77_membership_is_exact():
    assert is_art77_cpv("85311200-4")
    assert is_art77_cpv("92500000")
    assert not is_art77_cpv("92510000")  # below 92500000, but Art. 77(1) names 92500000 only
    assert not is_art77_cpv("not a code")
