"""NUTS codes: normalising, levels, ancestors, country spellings, the official list."""

import doctest

import pytest

from matcher import nuts
from matcher.nuts import (
    COUNTRY_NAMES,
    InvalidNutsCode,
    NutsNames,
    is_valid_nuts,
    iso_to_nuts_country,
    normalize_nuts,
    nuts_ancestors,
    nuts_level,
    nuts_to_iso_country,
    read_nuts_csv,
)


@pytest.fixture(scope="module")
def official_names(shared_data):
    return read_nuts_csv(shared_data / "nuts" / "nuts_2021.csv")


def test_docstring_examples():
    assert doctest.testmod(nuts).failed == 0


def test_levels_and_ancestors():
    assert [nuts_level(c) for c in ("NL", "NL3", "NL33", "NL33C")] == [0, 1, 2, 3]
    assert nuts_ancestors("NL33C") == ["NL33", "NL3", "NL"]


def test_greece_and_the_uk_use_nuts_spellings():
    assert normalize_nuts("gr") == "EL"
    assert iso_to_nuts_country("GB") == "UK"
    assert nuts_to_iso_country("EL303") == "GR"
    assert nuts_to_iso_country("UKI3") == "GB"


@pytest.mark.parametrize("raw", ["", "N", "NL3321", "Rotterdam", None, 12])
def test_invalid_codes_are_refused(raw):
    assert not is_valid_nuts(raw)
    with pytest.raises(InvalidNutsCode):
        normalize_nuts(raw)


def test_names_work_without_the_file():
    assert NutsNames().name("EL") == "Greece"
    assert NutsNames().name("NL33C") == "NL33C (Netherlands)"


def test_levels_against_the_official_list(official_names):
    names = official_names
    nuts_regions = [code for code in names if code[:2] in COUNTRY_NAMES]
    counts = [sum(nuts_level(c) == level for c in nuts_regions) for level in range(4)]
    assert counts[0] == len({c[:2] for c in nuts_regions})
    assert counts[1] < counts[2] < counts[3]
    assert all(ancestor in names for code in nuts_regions for ancestor in nuts_ancestors(code))
    assert names["EL30"] == "Attiki" and "GR" not in names


def test_every_embedded_country_is_in_the_official_list(official_names):
    assert set(COUNTRY_NAMES) <= set(official_names)
