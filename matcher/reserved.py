"""Reserved contracts under Directive 2014/24/EU and the eForms code lists that describe them.

Art. 20 lets a buyer reserve a contract for sheltered workshops and economic operators whose
main aim is the social and professional integration of disabled or disadvantaged persons,
provided at least 30 % of their staff are such workers. Art. 77 lets it reserve contracts for
some health, social and cultural services (the CPV codes of Art. 77(1)) to organisations with
a public-service mission.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from os import PathLike

from matcher.cpv import InvalidCpvCode, normalize_cpv

__all__ = [
    "ART20_MIN_DISADVANTAGED_SHARE",
    "ART77_CPV_CODES",
    "is_art77_cpv",
    "read_genericode",
]

#: Art. 20(1): at least 30 % of the staff must be disabled or disadvantaged workers.
ART20_MIN_DISADVANTAGED_SHARE = 0.30

#: The CPV codes Art. 77(1) allows to reserve, as listed by the eForms code list
#: ``social-service-cpv`` (the directive's range "85000000-9 to 85323000-9" expanded into
#: the codes of CPV 2008 that fall in it). Only these exact codes qualify.
# fmt: off
ART77_CPV_CODES: frozenset[str] = frozenset(
    {
        "75121000", "75122000", "75123000", "79622000", "79624000", "79625000", "80110000",
        "80300000", "80420000", "80430000", "80511000", "80520000", "80590000", "85000000",
        "85100000", "85110000", "85111000", "85111100", "85111200", "85111300", "85111310",
        "85111320", "85111400", "85111500", "85111600", "85111700", "85111800", "85111810",
        "85111820", "85111900", "85112000", "85112100", "85112200", "85120000", "85121000",
        "85121100", "85121200", "85121210", "85121220", "85121230", "85121231", "85121232",
        "85121240", "85121250", "85121251", "85121252", "85121270", "85121271", "85121280",
        "85121281", "85121282", "85121283", "85121290", "85121291", "85121292", "85121300",
        "85130000", "85131000", "85131100", "85131110", "85140000", "85141000", "85141100",
        "85141200", "85141210", "85141211", "85141220", "85142000", "85142100", "85142200",
        "85142300", "85142400", "85143000", "85144000", "85144100", "85145000", "85146000",
        "85146100", "85146200", "85147000", "85148000", "85149000", "85150000", "85160000",
        "85170000", "85171000", "85172000", "85200000", "85210000", "85300000", "85310000",
        "85311000", "85311100", "85311200", "85311300", "85312000", "85312100", "85312110",
        "85312120", "85312200", "85312300", "85312310", "85312320", "85312330", "85312400",
        "85312500", "85312510", "85320000", "85321000", "85322000", "85323000", "92500000",
        "92600000", "98133000", "98133110",
    }
)
# fmt: on


def is_art77_cpv(code: object) -> bool:
    """Whether a CPV code is one Art. 77(1) allows to reserve.

    Examples
    --------
    >>> is_art77_cpv("85311200-4"), is_art77_cpv("90911200")
    (True, False)
    """
    try:
        return normalize_cpv(code) in ART77_CPV_CODES
    except InvalidCpvCode:
        return False


def read_genericode(source: str | PathLike) -> list[dict[str, str]]:
    """Read the rows of a Genericode code list (the eForms ``.gc`` files).

    Parameters
    ----------
    source : path
        A ``.gc`` file.

    Returns
    -------
    list of dict
        One dict per row, keyed by column id (``code``, ``eng_label``, ...).

    Examples
    --------
    >>> import io
    >>> xml = (b'<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">'
    ...        b'<SimpleCodeList><Row><Value ColumnRef="code"><SimpleValue>res-ws'
    ...        b'</SimpleValue></Value></Row></SimpleCodeList></gc:CodeList>')
    >>> read_genericode(io.BytesIO(xml))
    [{'code': 'res-ws'}]
    """
    root = ElementTree.parse(source).getroot()
    return [
        {
            value.get("ColumnRef"): (value.findtext("SimpleValue") or "").strip()
            for value in row.iter("Value")
        }
        for row in root.iter("Row")
    ]
