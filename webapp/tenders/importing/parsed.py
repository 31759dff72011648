"""What every reader of a publisher's format yields: one tender and its lots, in the shape of
the Tender and Lot tables, before anything is stored.

The OCDS reader (``ocds.py``) and the eForms reader (``eforms.py``) both produce
:class:`ParsedTender`; ``webapp.tenders.services.importing`` stores it, whatever the format.
The vocabularies the formats share (reservation codes, currencies, social terms) live here too.
No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from models.enums import Reservation, TenderStatus

__all__ = [
    "EUR_RATES",
    "RESERVATION_CODES",
    "SOCIAL_TERMS",
    "ParsedLot",
    "ParsedTender",
    "Problem",
    "readable_codes",
]

def readable_codes(values: Iterable[object], normalize: Callable[[object], str],
                   invalid: type[Exception], kind: str, warnings: list[str]) -> list[str]:
    """The values ``normalize`` reads, normalised and in order; a warning for each it cannot
    (a code a publisher mistyped loses only that code, never the record)."""
    codes = []
    for value in values:
        try:
            codes.append(normalize(value))
        except invalid:
            warnings.append(f"{kind} code not readable: {str(value)[:40]!r}")
    return codes


#: Fixed conversion rates to EUR (EUR per unit of the currency), roughly the ECB reference
#: rates of 2024. Good enough to compare tender sizes; the published amount and currency are
#: kept beside the converted value. A currency not listed gets no EUR value and a warning.
EUR_RATES: Mapping[str, float] = {
    "EUR": 1.0,
    "GBP": 1.17,
    "SEK": 0.087,
    "DKK": 0.134,
    "NOK": 0.086,
    "PLN": 0.23,
    "CZK": 0.040,
    "HUF": 0.0025,
    "RON": 0.20,
    "CHF": 1.05,
}

#: Reserved-participation codes (OCDS EU profile and eForms BT-71) -> reservation.
RESERVATION_CODES: Mapping[str, Reservation] = {
    "shelteredworkshop": Reservation.ART20,
    "res-ws": Reservation.ART20,
    "publicservicemissionorganization": Reservation.ART77,
    "publicservicemissionorganisation": Reservation.ART77,
    "res-pub-ser": Reservation.ART77,
}

#: Words that mark social criteria or social aims in a tender's texts.
SOCIAL_TERMS = re.compile(
    r"social|employ|apprentic|disadvantag|disabilit|inclusi|fair work|living wage|"
    r"community benefit|sheltered|integration|equalit|diversit",
    re.IGNORECASE,
)


@dataclass
class Problem:
    """A per-record problem or warning: which record, and what."""

    record: str
    reason: str


@dataclass
class ParsedLot:
    lot_ref: str
    title: str = ""
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    value_eur: float | None = None
    reservation: Reservation = Reservation.NONE
    # read from eForms notices (OCDS leaves them empty)
    titles: dict[str, str] = field(default_factory=dict)  # language -> text
    descriptions: dict[str, str] = field(default_factory=dict)
    nuts_codes: list[str] = field(default_factory=list)
    reserved_execution: bool = False


@dataclass
class ParsedTender:
    """What a release says about a tender, in the shape of the Tender table (and its lots)."""

    source_id: str
    title: str
    description: str = ""
    buyer_name: str = ""
    cpv_main: str = ""
    cpv_additional: list[str] = field(default_factory=list)
    nuts_codes: list[str] = field(default_factory=list)
    value_amount: float | None = None
    currency: str = "EUR"
    value_eur: float | None = None
    deadline: datetime | None = None
    published_at: datetime | None = None  # aware UTC, as deadline
    procedure: str = ""
    reservation: Reservation = Reservation.NONE
    reserved_execution: bool = False
    award_criteria: str = ""
    sme_suitable: bool = False
    social_enterprise_suitable: bool = False
    social_criteria: list[str] = field(default_factory=list)
    language: str = "en"
    url: str = ""
    status: TenderStatus = TenderStatus.OPEN
    lots: list[ParsedLot] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # read from eForms notices (OCDS leaves them empty)
    titles: dict[str, str] = field(default_factory=dict)  # language -> text, every language
    descriptions: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)  # the notice's languages, main first
    notice_id: str = ""  # the notice identifier and version that gave these values
    notice_kind: str = ""  # its notice type (BT-02), "change-" before it for a change notice
    changed_notice_id: str = ""  # the notice a change notice changes (BT-758); not stored
    buyer_country: str = ""  # NUTS country code
    buyer_nuts: str = ""
