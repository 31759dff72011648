"""NUTS region codes: normalising, levels, ancestors and names.

``NL`` is a country (level 0), ``NL3`` a NUTS 1 region, ``NL33`` NUTS 2 and ``NL332`` NUTS 3.
NUTS spells Greece ``EL`` and the United Kingdom ``UK`` where ISO 3166 has ``GR`` and ``GB``;
:func:`normalize_nuts` accepts the ISO spelling and returns the NUTS one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from os import PathLike
from typing import TextIO

from matcher.text import N_, Text

__all__ = [
    "COUNTRY_NAMES",
    "NUTS_LEVEL_NAMES",
    "InvalidNutsCode",
    "NutsNames",
    "is_valid_nuts",
    "iso_to_nuts_country",
    "normalize_nuts",
    "nuts_ancestors",
    "nuts_chain",
    "nuts_country",
    "nuts_level",
    "nuts_to_iso_country",
    "read_nuts_csv",
]

#: English names of the countries that have NUTS codes (EU, EEA, Switzerland, the UK
#: and the candidate countries), keyed by their NUTS country code.
COUNTRY_NAMES: Mapping[str, str] = {
    "AT": Text(N_("Austria")),
    "BE": Text(N_("Belgium")),
    "BG": Text(N_("Bulgaria")),
    "CY": Text(N_("Cyprus")),
    "CZ": Text(N_("Czechia")),
    "DE": Text(N_("Germany")),
    "DK": Text(N_("Denmark")),
    "EE": Text(N_("Estonia")),
    "EL": Text(N_("Greece")),
    "ES": Text(N_("Spain")),
    "FI": Text(N_("Finland")),
    "FR": Text(N_("France")),
    "HR": Text(N_("Croatia")),
    "HU": Text(N_("Hungary")),
    "IE": Text(N_("Ireland")),
    "IT": Text(N_("Italy")),
    "LT": Text(N_("Lithuania")),
    "LU": Text(N_("Luxembourg")),
    "LV": Text(N_("Latvia")),
    "MT": Text(N_("Malta")),
    "NL": Text(N_("Netherlands")),
    "PL": Text(N_("Poland")),
    "PT": Text(N_("Portugal")),
    "RO": Text(N_("Romania")),
    "SE": Text(N_("Sweden")),
    "SI": Text(N_("Slovenia")),
    "SK": Text(N_("Slovakia")),
    "IS": Text(N_("Iceland")),
    "LI": Text(N_("Liechtenstein")),
    "NO": Text(N_("Norway")),
    "CH": Text(N_("Switzerland")),
    "UK": Text(N_("United Kingdom")),
    "AL": Text(N_("Albania")),
    "ME": Text(N_("Montenegro")),
    "MK": Text(N_("North Macedonia")),
    "RS": Text(N_("Serbia")),
    "TR": Text(N_("Türkiye")),
}

NUTS_LEVEL_NAMES: Mapping[int, str] = {0: Text(N_("country")), 1: "NUTS 1", 2: "NUTS 2",
                                        3: "NUTS 3"}

_ISO_TO_NUTS = {"GR": "EL", "GB": "UK"}
_NUTS_TO_ISO = {nuts: iso for iso, nuts in _ISO_TO_NUTS.items()}
_NUTS_PATTERN = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")


class InvalidNutsCode(ValueError):
    """Raised when a value cannot be read as a NUTS code."""


def normalize_nuts(code: object) -> str:
    """Return a NUTS code in upper case with the NUTS country spelling.

    Examples
    --------
    >>> normalize_nuts(" nl332 "), normalize_nuts("GR"), normalize_nuts("gb")
    ('NL332', 'EL', 'UK')
    """
    if not isinstance(code, str):
        raise InvalidNutsCode(f"not a NUTS code: {code!r}")
    text = code.strip().upper().replace(" ", "")
    if not _NUTS_PATTERN.fullmatch(text):
        raise InvalidNutsCode(f"not a NUTS code: {code!r}")
    return _ISO_TO_NUTS.get(text[:2], text[:2]) + text[2:]


def is_valid_nuts(code: object) -> bool:
    """Tell whether ``code`` reads as a NUTS code (format only).

    Examples
    --------
    >>> is_valid_nuts("NL33"), is_valid_nuts("NL3321"), is_valid_nuts("Rotterdam")
    (True, False, False)
    """
    try:
        normalize_nuts(code)
    except InvalidNutsCode:
        return False
    return True


def nuts_level(code: object) -> int:
    """Return 0 for a country, 1, 2 or 3 for a NUTS 1, 2 or 3 region.

    Examples
    --------
    >>> [nuts_level(c) for c in ("NL", "NL3", "NL33", "NL332")]
    [0, 1, 2, 3]
    """
    return len(normalize_nuts(code)) - 2


def nuts_country(code: object) -> str:
    """Return the NUTS country code of a region.

    Examples
    --------
    >>> nuts_country("EL303")
    'EL'
    """
    return normalize_nuts(code)[:2]


def nuts_chain(code: object) -> list[str]:
    """The country and every region down to ``code``, broadest first.

    Examples
    --------
    >>> nuts_chain("NL332")
    ['NL', 'NL3', 'NL33', 'NL332']
    """
    code = normalize_nuts(code)
    return [code[:length] for length in range(2, len(code) + 1)]


def nuts_ancestors(code: object) -> list[str]:
    """The regions that contain ``code``, nearest first.

    Examples
    --------
    >>> nuts_ancestors("NL332")
    ['NL33', 'NL3', 'NL']
    """
    return nuts_chain(code)[-2::-1]


def iso_to_nuts_country(iso_code: str) -> str:
    """Map an ISO 3166 alpha-2 country code to its NUTS spelling.

    Examples
    --------
    >>> iso_to_nuts_country("GR"), iso_to_nuts_country("de")
    ('EL', 'DE')
    """
    iso_code = iso_code.strip().upper()
    return _ISO_TO_NUTS.get(iso_code, iso_code)


def nuts_to_iso_country(nuts_code: str) -> str:
    """Map the country part of a NUTS code to ISO 3166 alpha-2.

    Examples
    --------
    >>> nuts_to_iso_country("EL30"), nuts_to_iso_country("UKI")
    ('GR', 'GB')
    """
    country = nuts_country(nuts_code)
    return _NUTS_TO_ISO.get(country, country)


def read_nuts_csv(source: str | PathLike | TextIO) -> dict[str, str]:
    """Read Eurostat's NUTS list (``NUTS_ID;NAME_LATN``, semicolon separated).

    Rows whose id is not shaped like a NUTS code (Kosovo's ``1A``) are skipped.

    Examples
    --------
    >>> import io
    >>> read_nuts_csv(io.StringIO("NUTS_ID;NAME_LATN\\nNL33;Zuid-Holland\\n"))
    {'NL33': 'Zuid-Holland'}
    """
    if isinstance(source, (str, PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return _parse_nuts_rows(handle)
    return _parse_nuts_rows(source)


def _parse_nuts_rows(handle: TextIO) -> dict[str, str]:
    """Parse the rows of an open NUTS CSV file."""
    reader = csv.DictReader(handle, delimiter=";")
    return {
        normalize_nuts(row["NUTS_ID"]): row["NAME_LATN"].strip()
        for row in reader
        if is_valid_nuts(row.get("NUTS_ID") or "")
    }


class NutsNames:
    """Names of NUTS regions, from Eurostat's list when loaded, else country names only.

    Parameters
    ----------
    names : mapping, optional
        NUTS code -> name, e.g. from :func:`read_nuts_csv`.

    Examples
    --------
    >>> NutsNames().name("NL332")
    'NL332 (Netherlands)'
    >>> NutsNames({"NL33": "Zuid-Holland"}).name("NL33")
    'Zuid-Holland'
    """

    def __init__(self, names: Mapping[str, str] | None = None):
        self._names = {normalize_nuts(code): name for code, name in (names or {}).items()}

    @classmethod
    def from_csv(cls, source: str | PathLike | TextIO) -> NutsNames:
        """Load names from Eurostat's CSV file."""
        return cls(read_nuts_csv(source))

    def __contains__(self, code: object) -> bool:
        return is_valid_nuts(code) and normalize_nuts(code) in self._names

    def name(self, code: object) -> str:
        """Name of the region, or its code with the country's name when unknown."""
        code = normalize_nuts(code)
        if code in self._names:
            return self._names[code]
        country = COUNTRY_NAMES.get(code[:2], code[:2])
        return country if len(code) == 2 else Text("%(code)s (%(country)s)", code=code,
                                                   country=country)

    def label(self, code: object) -> str | Text:
        """The code and the region's name, without saying the code twice when the name is
        unknown.

        >>> NutsNames({"NL33C": "Groot-Rijnmond"}).label("NL33C")
        'NL33C Groot-Rijnmond'
        >>> str(NutsNames().label("NL33C")), NutsNames().label("NL")
        ('NL33C (Netherlands)', 'NL Netherlands')
        """
        code = normalize_nuts(code)
        if code in self._names or len(code) == 2:
            return f"{code} {self.name(code)}"
        return self.name(code)

    def words(self, countries) -> frozenset[str]:
        """The lowercased words (three letters or more) of the names of the regions of these
        countries (two-letter NUTS prefixes), e.g. ``{"east", "ayrshire", "inverclyde"}``.

        >>> sorted(NutsNames({"UKM93": "East Ayrshire and North Ayrshire mainland"})
        ...        .words({"UK"}))
        ['and', 'ayrshire', 'east', 'mainland', 'north']
        """
        countries = set(countries)
        return frozenset(
            word
            for code, name in self._names.items() if code[:2] in countries
            for word in re.findall(r"[^\W\d_]{3,}", str(name).lower())
        )
