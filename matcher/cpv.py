"""Common Procurement Vocabulary (CPV 2008) codes: normalising, levels and the hierarchy.

A CPV code has eight digits and an optional check digit (``45233140-2``). The hierarchy is
read from the significant digits: ``45000000`` is a division, ``45200000`` a group,
``45230000`` a class, ``45233000`` a category and anything deeper a subcategory. The
official list has holes: the parent of a code is its nearest *existing* ancestor, which is
not always the code with one more trailing zero.

The check digit is not verified arithmetically. The Publications Office's documented
algorithm does not reproduce the published check digits of CPV 2008 (they acknowledged the
error in OP-TED/ePO discussion 589), so :class:`CpvTree` checks a check digit only against
the official list when one is loaded.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from typing import NamedTuple, TextIO

from matcher.text import N_, Text

__all__ = [
    "CPV_DIVISIONS",
    "CPV_LEVEL_NAMES",
    "CpvEntry",
    "CpvTree",
    "InvalidCpvCode",
    "cpv_division",
    "cpv_level",
    "cpv_truncation_ancestors",
    "is_valid_cpv",
    "normalize_cpv",
    "read_cpv_csv",
]

#: The 45 divisions of CPV 2008, with short English labels for display.
CPV_DIVISIONS: Mapping[str, str] = {
    "03": Text(N_("Agricultural, farming, fishing and forestry products")),
    "09": Text(N_("Petroleum products, fuel, electricity and energy")),
    "14": Text(N_("Mining, basic metals and related products")),
    "15": Text(N_("Food, beverages and tobacco")),
    "16": Text(N_("Agricultural machinery")),
    "18": Text(N_("Clothing, footwear and luggage")),
    "19": Text(N_("Leather, textile, plastic and rubber materials")),
    "22": Text(N_("Printed matter")),
    "24": Text(N_("Chemical products")),
    "30": Text(N_("Office and computing machinery")),
    "31": Text(N_("Electrical machinery and lighting")),
    "32": Text(N_("Radio, television and communication equipment")),
    "33": Text(N_("Medical equipment, pharmaceuticals and personal care")),
    "34": Text(N_("Transport equipment")),
    "35": Text(N_("Security, fire-fighting, police and defence equipment")),
    "37": Text(N_("Musical instruments, sport goods, games and toys")),
    "38": Text(N_("Laboratory, optical and precision equipment")),
    "39": Text(N_("Furniture and furnishings")),
    "41": Text(N_("Collected and purified water")),
    "42": Text(N_("Industrial machinery")),
    "43": Text(N_("Mining, quarrying and construction machinery")),
    "44": Text(N_("Construction structures and materials")),
    "45": Text(N_("Construction work")),
    "48": Text(N_("Software packages and information systems")),
    "50": Text(N_("Repair and maintenance services")),
    "51": Text(N_("Installation services")),
    "55": Text(N_("Hotel, restaurant and retail trade services")),
    "60": Text(N_("Transport services")),
    "63": Text(N_("Supporting transport services and travel agencies")),
    "64": Text(N_("Postal and telecommunications services")),
    "65": Text(N_("Public utilities")),
    "66": Text(N_("Financial and insurance services")),
    "70": Text(N_("Real estate services")),
    "71": Text(N_("Architectural, engineering and inspection services")),
    "72": Text(N_("IT services")),
    "73": Text(N_("Research and development services")),
    "75": Text(N_("Administration, defence and social security services")),
    "76": Text(N_("Oil and gas industry services")),
    "77": Text(N_("Agricultural, forestry and horticultural services")),
    "79": Text(N_("Business services")),
    "80": Text(N_("Education and training services")),
    "85": Text(N_("Health and social work services")),
    "90": Text(N_("Sewage, refuse, cleaning and environmental services")),
    "92": Text(N_("Recreational, cultural and sporting services")),
    "98": Text(N_("Other community, social and personal services")),
}

#: Level number -> name. Level 5 covers every code deeper than a category.
CPV_LEVEL_NAMES: Mapping[int, str] = {
    1: Text(N_("division")),
    2: Text(N_("group")),
    3: Text(N_("class")),
    4: Text(N_("category")),
    5: Text(N_("subcategory")),
}

_CPV_PATTERN = re.compile(r"\d{8}")
_CHECK_DIGIT_SUFFIX = re.compile(r"^(\d{8})-\d$")
_FLOAT_SUFFIX = re.compile(r"^(\d{1,8})\.0+$")


class InvalidCpvCode(ValueError):
    """Raised when a value cannot be read as an eight-digit CPV code."""


class CpvEntry(NamedTuple):
    """One row of the official CPV list."""

    check_digit: str
    label: str


def normalize_cpv(code: object) -> str:
    """Return the eight-digit form of a CPV code.

    Accepts the check-digit form, surrounding spaces, a trailing ``.0`` left by a spreadsheet
    and integers (leading zeros restored).

    Parameters
    ----------
    code : str or int or float
        The code as found in the data.

    Returns
    -------
    str
        Eight digits.

    Raises
    ------
    InvalidCpvCode
        If the value is not a CPV code.

    Examples
    --------
    >>> normalize_cpv("90910000-9")
    '90910000'
    >>> normalize_cpv(" 90910000.0 ")
    '90910000'
    >>> normalize_cpv(3000000)
    '03000000'
    """
    if type(code) is str and len(code) == 8 and code.isascii() and code.isdigit():
        # Already normal, as nearly every code the tree and the reasons pass around is: the
        # general path below costs a few regular expressions, hundreds of times per list.
        if code.startswith("00"):
            raise InvalidCpvCode(f"not a CPV code: {code!r}")
        return code
    if isinstance(code, bool):
        raise InvalidCpvCode(f"not a CPV code: {code!r}")
    if isinstance(code, int):
        text = f"{code:08d}" if 0 <= code < 10**8 else str(code)
    elif isinstance(code, float):
        if not (math.isfinite(code) and code.is_integer()):
            raise InvalidCpvCode(f"not a CPV code: {code!r}")
        text = f"{int(code):08d}"
    elif isinstance(code, str):
        text = _strip_decorations(code)
    else:
        raise InvalidCpvCode(f"not a CPV code: {code!r}")
    if not _CPV_PATTERN.fullmatch(text) or text.startswith("00"):
        raise InvalidCpvCode(f"not a CPV code: {code!r}")
    return text


def _strip_decorations(text: str) -> str:
    """Remove spaces, a check digit and a spreadsheet's ``.0`` from a code."""
    text = text.strip().replace(" ", "")
    if match := _CHECK_DIGIT_SUFFIX.match(text):
        return match.group(1)
    if match := _FLOAT_SUFFIX.match(text):
        return match.group(1).zfill(8)
    return text


def is_valid_cpv(code: object) -> bool:
    """Tell whether ``code`` reads as a CPV code (format only, see the module docstring).

    Examples
    --------
    >>> is_valid_cpv("45233140-2"), is_valid_cpv("4523314"), is_valid_cpv("cleaning")
    (True, False, False)
    """
    try:
        normalize_cpv(code)
    except InvalidCpvCode:
        return False
    return True


def _significant_digits(code: str) -> int:
    """Number of digits before the trailing zeros, at least the two of the division."""
    return max(2, len(code.rstrip("0")))


def cpv_level(code: object) -> int:
    """Return the level of a code: 1 division, 2 group, 3 class, 4 category, 5 deeper.

    Examples
    --------
    >>> [cpv_level(c) for c in ("90000000", "90900000", "90910000", "90911000", "90911200")]
    [1, 2, 3, 4, 5]
    """
    return min(5, _significant_digits(normalize_cpv(code)) - 1)


def cpv_division(code: object) -> str:
    """Return the two-digit division of a code.

    Examples
    --------
    >>> cpv_division("90911200")
    '90'
    """
    return normalize_cpv(code)[:2]


def cpv_truncation_ancestors(code: object) -> list[str]:
    """Return the codes above ``code`` made by zeroing its last digits, nearest first.

    These are the *possible* ancestors; the official list lacks some of them.

    Examples
    --------
    >>> cpv_truncation_ancestors("90911200")
    ['90911000', '90910000', '90900000', '90000000']
    """
    code = normalize_cpv(code)
    ancestors = []
    for keep in range(_significant_digits(code) - 1, 1, -1):
        ancestor = code[:keep].ljust(8, "0")
        if ancestor != code:
            ancestors.append(ancestor)
    return ancestors


def read_cpv_csv(source: str | PathLike | TextIO) -> dict[str, CpvEntry]:
    """Read the official CPV list (``CODE,EN``; UTF-8 with or without a BOM).

    Parameters
    ----------
    source : path or text file
        ``cpv_2008_en.csv`` or an open file with the same columns.

    Returns
    -------
    dict
        Eight-digit code -> :class:`CpvEntry` (check digit, English label).

    Examples
    --------
    >>> import io
    >>> rows = read_cpv_csv(io.StringIO("CODE,EN\\n90910000-9,Cleaning services\\n"))
    >>> rows["90910000"]
    CpvEntry(check_digit='9', label='Cleaning services')
    """
    if isinstance(source, (str, PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return _parse_cpv_rows(handle)
    return _parse_cpv_rows(source)


def _parse_cpv_rows(handle: TextIO) -> dict[str, CpvEntry]:
    """Parse the rows of an open CPV CSV file."""
    reader = csv.reader(handle)
    header = [cell.lstrip("\ufeff").strip().upper() for cell in next(reader)]
    code_column, label_column = header.index("CODE"), header.index("EN")
    entries = {}
    for row in reader:
        if not row or not row[code_column].strip():
            continue
        raw = row[code_column].strip()
        check_digit = raw[9:] if len(raw) > 9 and raw[8] == "-" else ""
        entries[normalize_cpv(raw)] = CpvEntry(check_digit, row[label_column].strip())
    return entries


class CpvTree:
    """The CPV hierarchy, from the official list or from the codes alone.

    With a list of labels, a code's parent is its nearest ancestor that exists in the list.
    Without one, every truncation ancestor is taken to exist, so the tree still works on
    codes alone and labels fall back to the embedded division labels.

    Parameters
    ----------
    labels : mapping, optional
        Eight-digit code -> English label (or -> :class:`CpvEntry`). ``None`` for codes only.

    Attributes
    ----------
    n_codes : int
        Number of codes in the loaded list (0 when built on codes alone).

    Examples
    --------
    >>> tree = CpvTree({"90000000": "Sewage, refuse, cleaning and environmental services",
    ...                 "90910000": "Cleaning services",
    ...                 "90911200": "Building-cleaning services"})
    >>> tree.parent("90911200")  # 90911000 is a hole in this list
    '90910000'
    >>> tree.label("90911300")
    'Cleaning services'
    >>> tree.is_within("90911200", "90910000")
    True
    >>> CpvTree().parent("90911200")
    '90911000'
    """

    def __init__(self, labels: Mapping[str, str | CpvEntry] | None = None):
        entries = {normalize_cpv(code): value for code, value in (labels or {}).items()}
        self._labels = {
            code: value.label if isinstance(value, CpvEntry) else value
            for code, value in entries.items()
        }
        self._check_digits = {
            code: value.check_digit
            for code, value in entries.items()
            if isinstance(value, CpvEntry) and value.check_digit
        }

    @classmethod
    def from_csv(cls, source: str | PathLike | TextIO) -> CpvTree:
        """Build the tree from the official CSV file (see :func:`read_cpv_csv`)."""
        return cls(read_cpv_csv(source))

    @property
    def has_list(self) -> bool:
        """Whether an official list is loaded (otherwise every code is taken to exist)."""
        return bool(self._labels)

    @property
    def n_codes(self) -> int:
        """Number of codes in the loaded list."""
        return len(self._labels)

    def __contains__(self, code: object) -> bool:
        try:
            code = normalize_cpv(code)
        except InvalidCpvCode:
            return False
        return code in self._labels if self.has_list else True

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._labels))

    def __len__(self) -> int:
        return len(self._labels)

    def ancestors(self, code: object) -> list[str]:
        """Existing ancestors of ``code``, nearest first (the code itself excluded)."""
        return [a for a in cpv_truncation_ancestors(code) if a in self]

    def parent(self, code: object) -> str | None:
        """Nearest existing ancestor of ``code``, or ``None`` for a division."""
        ancestors = self.ancestors(code)
        return ancestors[0] if ancestors else None

    def chain(self, code: object) -> list[str]:
        """The code and its existing ancestors, from the division down to the code."""
        code = normalize_cpv(code)
        return [*reversed(self.ancestors(code)), code]

    def is_within(self, code: object, branch: object) -> bool:
        """Whether ``code`` is ``branch`` or lies below it."""
        code, branch = normalize_cpv(code), normalize_cpv(branch)
        return code == branch or branch in cpv_truncation_ancestors(code)

    def common_ancestor(self, first: object, second: object) -> str | None:
        """Deepest existing code that both codes are equal to or below, if any."""
        second_chain = set(self.chain(second))
        shared = [code for code in self.chain(first) if code in second_chain]
        return shared[-1] if shared else None

    def label(self, code: object) -> str:
        """Label of ``code``, else of its nearest labelled ancestor, else of its division."""
        code = normalize_cpv(code)
        for candidate in (code, *cpv_truncation_ancestors(code)):
            if candidate in self._labels:
                return self._labels[candidate]
        return CPV_DIVISIONS.get(code[:2], Text("CPV %(code)s", code=code))

    def describe(self, code: object) -> str:
        """``code`` followed by its label, as shown to people.

        A code the loaded list does not label (or any code but a division's, without the
        list) is shown as part of its nearest labelled ancestor: "77313000 Agricultural,
        forestry… services" for parks maintenance read as if it were the code's own name.
        """
        code = normalize_cpv(code)
        if self.labels_itself(code):
            return Text("%(code)s %(label)s", code=code, label=self.label(code))
        return _part_of([code], self.label(code))

    def describe_all(self, codes: Iterable[object]) -> list[Text]:
        """:meth:`describe` of each code, except that the codes the list does not label come
        together, once, under the ancestor they fall in: "77310000, 77313000 (part of
        Agricultural… services)", not that phrase once per code (without the official list
        only divisions have names). A group keeps the place of its first code."""
        shown: list[Text | list[str]] = []  # a described code, or a group of unlabelled ones
        groups: dict[str, list[str]] = {}  # the ancestor's label -> its unlabelled codes
        for code in map(normalize_cpv, codes):
            if self.labels_itself(code):
                shown.append(self.describe(code))
            elif (label := self.label(code)) in groups:
                groups[label].append(code)
            else:
                groups[label] = [code]
                shown.append(groups[label])
        return [item if isinstance(item, Text) else _part_of(item, self.label(item[0]))
                for item in shown]

    def labels_itself(self, code: object) -> bool:
        """Whether ``label(code)`` is the code's own name, not an ancestor's (a division
        always has its own, from the built-in names when no list is loaded)."""
        code = normalize_cpv(code)
        return code in self._labels or code[2:] == "000000"

    def check_digit(self, code: object) -> str | None:
        """Official check digit of ``code`` when the loaded list has it."""
        return self._check_digits.get(normalize_cpv(code))

    def verify(self, code_with_check_digit: str) -> bool:
        """Whether ``"XXXXXXXX-C"`` carries the official check digit (needs the list)."""
        match = _CHECK_DIGIT_SUFFIX.match(code_with_check_digit.strip())
        if not match:
            return False
        return self.check_digit(match.group(1)) == code_with_check_digit.strip()[-1]

    def existing(self, codes: Iterable[object]) -> list[str]:
        """The normalised codes that exist in the tree, in their original order."""
        return [code for code in (normalize_cpv(c) for c in codes) if code in self]


def _part_of(codes: list[str], label: str) -> Text:
    """Codes shown under the label of the ancestor they fall in (see ``CpvTree.describe``)."""
    return Text(N_("%(code)s (part of %(label)s)"), code=", ".join(codes), label=label)
