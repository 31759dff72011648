"""Read TED eForms notices (UBL 2.3 XML, as TED publishes them since 2023) into tenders.

Every value is read with the XPath the eForms SDK gives for its business term (BT-…),
taken from the generated :mod:`webapp.tenders.importing.eforms_fields`; the table in the README
says which term feeds which field. A notice becomes one :class:`ParsedTender` keyed by its
procedure identifier (BT-04 ``cbc:ContractFolderID``; a prior information notice without
one by its notice identifier), so every notice of one procedure lands on one tender.

What a notice does to its tender follows its notice type (BT-02):

* contract notices and calls for competition (``cn-*``, ``pin-cfc-*``, ``qu-sy``, ``subco``)
  give an open tender (closed once every lot's deadline has passed);
* prior information notices that are not calls (``pin-only``, ``pin-rtl``, ``pin-buyer``,
  ``pin-tran``) and preliminary market consultations (``pmc``) give a planned tender;
* change notices (a notice with BT-758, *Change Notice Version Identifier*) carry the
  whole changed notice and so update the tender; one whose reason (BT-140) is ``cancel``
  closes it;
* award, modification, completion and ex-ante transparency notices (``can-*``, ``veat``,
  ``compl``) close it;
* business registration notices (``brin-*``) are not tenders and are skipped.

Notices are untrusted input: lxml is used with entities, DTDs and the network off and
without its huge-tree mode, and a notice that declares a DTD at all is refused. Anything
that stops a notice raises :class:`NoticeProblem` with a reason a person understands;
:func:`iter_parsed` reports it and carries on with the next notice.

:func:`iter_sources` reads notices from files, folders and ``.zip`` packages one at a time
(a zip member is read only when its turn comes), so a daily package of any size is
imported in bounded memory.

No Flask, no database: the service layer (``webapp.services.eforms_imports``) stores them.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from matcher.cpv import InvalidCpvCode, normalize_cpv
from matcher.nuts import InvalidNutsCode, normalize_nuts
from models.enums import Reservation, TenderStatus
from webapp.tenders.importing import eforms_fields
from webapp.tenders.importing.parsed import (
    EUR_RATES,
    RESERVATION_CODES,
    SOCIAL_TERMS,
    ParsedLot,
    ParsedTender,
    readable_codes,
)

__all__ = [
    "MAX_NOTICE_BYTES",
    "NoticeProblem",
    "NoticeSource",
    "check_notice",
    "count_sources",
    "iter_parsed",
    "iter_sources",
    "parse_notice",
    "ted_url",
    "zip_sources",
]

#: A single notice larger than this is refused (the largest official example is ~100 kB).
MAX_NOTICE_BYTES = 20 * 1024 * 1024
TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"

#: The namespaces the SDK's XPath prefixes stand for.
NAMESPACES: Mapping[str, str] = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
_ROOTS = ("ContractNotice", "PriorInformationNotice", "ContractAwardNotice")
_ROOT_NAMESPACES = {
    **{f"urn:oasis:names:specification:ubl:schema:xsd:{name}-2": name for name in _ROOTS},
    "http://data.europa.eu/p27/eforms-business-registration-information-notice/1":
        "BusinessRegistrationInformationNotice",
}

OPEN, PLANNED, RESULT, NOT_A_TENDER = "open", "planned", "result", "not a tender"
#: Notice type (BT-02, code list notice-type) -> what it does to its tender.
NOTICE_TYPES: Mapping[str, str] = {
    **dict.fromkeys(("cn-standard", "cn-social", "cn-desg", "pin-cfc-standard",
                     "pin-cfc-social", "qu-sy", "subco"), OPEN),
    **dict.fromkeys(("pin-only", "pin-rtl", "pin-buyer", "pin-tran", "pmc"), PLANNED),
    **dict.fromkeys(("can-standard", "can-social", "can-desg", "can-modif", "can-tran",
                     "veat", "compl"), RESULT),
    **dict.fromkeys(("brin-ecs", "brin-eeig"), NOT_A_TENDER),
}

#: eForms languages (ISO 639-3 as in the eu-official-language list) -> the 2-letter codes
#: the rest of the application uses.
LANGUAGES: Mapping[str, str] = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en",
    "EST": "et", "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu",
    "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl", "POL": "pl",
    "POR": "pt", "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv",
    "NOR": "no", "ISL": "is",
}

#: ISO 3166 alpha-3 (eForms country list) -> NUTS country code, for the NUTS countries.
COUNTRIES: Mapping[str, str] = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "CYP": "CY", "CZE": "CZ", "DEU": "DE",
    "DNK": "DK", "EST": "EE", "GRC": "EL", "ESP": "ES", "FIN": "FI", "FRA": "FR",
    "HRV": "HR", "HUN": "HU", "IRL": "IE", "ITA": "IT", "LTU": "LT", "LUX": "LU",
    "LVA": "LV", "MLT": "MT", "NLD": "NL", "POL": "PL", "PRT": "PT", "ROU": "RO",
    "SWE": "SE", "SVN": "SI", "SVK": "SK", "ISL": "IS", "LIE": "LI", "NOR": "NO",
    "CHE": "CH", "GBR": "UK", "ALB": "AL", "MNE": "ME", "MKD": "MK", "SRB": "RS",
    "TUR": "TR",
}

#: Procedure type (BT-105, code list procurement-procedure-type) -> words.
PROCEDURES: Mapping[str, str] = {
    "open": "Open procedure",
    "restricted": "Restricted procedure",
    "neg-w-call": "Competitive procedure with negotiation",
    "neg-wo-call": "Negotiated procedure without prior call for competition",
    "comp-dial": "Competitive dialogue",
    "innovation": "Innovation partnership",
    "comp-tend": "Competitive tendering (Regulation 1370/2007)",
    "oth-single": "Other single stage procedure",
    "oth-mult": "Other multiple stage procedure",
}

_CODE_LABELS = eforms_fields.CODE_LABELS
_MAX_SOURCE_ID = 200
_MAX_LOT_REF = 50
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")
_TIME = re.compile(r"^(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


class NoticeProblem(ValueError):
    """One notice cannot be imported; the message says why."""


@dataclass
class NoticeSource:
    """One notice to import: its label in messages (file, or zip and member) and its bytes,
    or the problem that kept them from being read."""

    label: str
    data: bytes | None = None
    problem: str = ""


# --- the XPaths of the SDK -------------------------------------------------------------------


def _compile(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=dict(NAMESPACES), smart_strings=False)


_XPATH = {name: _compile(field["path"]) for name, field in eforms_fields.FIELDS.items()}


def _node_path(field_id: str) -> etree.XPath:
    """The repeating node a field lives in (a lot, a part, an organisation), from the root:
    the field's absolute XPath without its relative part."""
    field = eforms_fields.FIELDS[field_id]
    prefix = field["xpath"][: -len(field["path"])]
    return _compile(prefix.removeprefix("/*/").rstrip("/"))


_LOTS = _node_path("BT-137-Lot")
_PARTS = _node_path("BT-137-Part")
_ORGANIZATIONS = _node_path("OPT-200-Organization-Company")


def _criterion_path() -> etree.XPath:
    """One award criterion (BT-539, BT-734, BT-540, BT-541 are its parts), from the lot."""
    paths = [eforms_fields.FIELDS[f]["path"] for f in
             ("BT-539-Lot", "BT-734-Lot", "BT-540-Lot", "BT-541-Lot-WeightNumber")]
    common = os.path.commonprefix(paths)
    return _compile(common[: common.rindex("/")])


_CRITERIA = _criterion_path()
_CRITERION_PART = {
    field: _compile(eforms_fields.FIELDS[field]["path"][len(_CRITERIA.path) + 1:])
    for field in ("BT-539-Lot", "BT-734-Lot", "BT-540-Lot", "BT-541-Lot-WeightNumber")
}


def _values(node: etree._Element, field: str) -> list:
    return _XPATH[field](node)


def _texts(node: etree._Element, field: str) -> list[str]:
    """The non-empty texts of a field (elements or attributes), stripped."""
    found = []
    for value in _values(node, field):
        text = value if isinstance(value, str) else (value.text or "")
        text = " ".join(text.split())
        if text:
            found.append(text)
    return found


def _text(node: etree._Element, field: str) -> str:
    texts = _texts(node, field)
    return texts[0] if texts else ""


def _by_language(elements: Iterable) -> dict[str, str]:
    """{2-letter language: text} of multilingual elements (``languageID``); first wins."""
    texts: dict[str, str] = {}
    for element in elements:
        if isinstance(element, str):
            continue
        text = " ".join((element.text or "").split())
        code = (element.get("languageID") or "").strip().upper()
        language = LANGUAGES.get(code, code.lower()[:2] if code else "")
        if text and language not in texts:
            texts[language] = text
    return texts


def _main_text(texts: Mapping[str, str], language: str) -> str:
    if language in texts:
        return texts[language]
    return next(iter(texts.values()), "")


# --- one notice ------------------------------------------------------------------------------


def parse_notice(data: bytes, *, now: datetime | None = None) -> ParsedTender:
    """Parse one notice's XML into a tender, or raise :class:`NoticeProblem`.

    ``now`` decides whether a deadline has passed (default: the current time).
    """
    root = _root(data)
    return _parse(root, now if now is not None else datetime.now(UTC))


def check_notice(data: bytes) -> None:
    """Raise :class:`NoticeProblem` unless ``data`` is a well-formed, safe eForms notice."""
    _root(data)


def _root(data: bytes) -> etree._Element:
    if not isinstance(data, bytes):
        raise NoticeProblem("expected the notice's bytes")
    if not data or data.isspace():
        raise NoticeProblem("empty file, not an eForms notice")
    if len(data) > MAX_NOTICE_BYTES:
        raise NoticeProblem(f"larger than {MAX_NOTICE_BYTES // (1024 * 1024)} MB: not a notice")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise NoticeProblem(f"not well-formed XML: {_first_line(error)}") from None
    if root is None:
        raise NoticeProblem("not XML")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise NoticeProblem("declares a DTD (<!DOCTYPE>), which eForms notices never do; "
                            "refused as unsafe")
    namespace = etree.QName(root).namespace or ""
    if namespace not in _ROOT_NAMESPACES:
        name = etree.QName(root).localname
        raise NoticeProblem(
            f"not an eForms notice: the root element is {name!r}"
            + (f" in namespace {namespace!r}" if namespace else " without a namespace")
            + " (expected a UBL ContractNotice, PriorInformationNotice or ContractAwardNotice)"
        )
    for prefix, uri in root.nsmap.items():
        if prefix in NAMESPACES and uri != NAMESPACES[prefix]:
            raise NoticeProblem(f"not an eForms notice: prefix {prefix!r} is bound to {uri!r}")
    customization = _text(root, "OPT-002-notice")
    if not customization.startswith("eforms-sdk-"):
        raise NoticeProblem(
            "not an eForms notice: no eForms SDK version in cbc:CustomizationID (OPT-002)"
            + (f", found {customization[:40]!r}" if customization else "")
        )
    return root


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def _parse(root: etree._Element, now: datetime) -> ParsedTender:
    subtype = _text(root, "OPP-070-notice")
    if not subtype:
        raise NoticeProblem("no notice subtype (OPP-070, efac:NoticeSubType/cbc:SubTypeCode)")
    if subtype not in eforms_fields.NOTICE_SUBTYPES:
        raise NoticeProblem(
            f"unknown notice subtype {subtype[:20]!r}: the eForms SDK "
            f"({eforms_fields.SDK_VERSION}) knows 1-40, CEI, E1-E6, T01, T02, X01 and X02"
        )
    notice_type = _text(root, "BT-02-notice")
    effect = NOTICE_TYPES.get(notice_type)
    if effect is None:
        raise NoticeProblem(f"notice type {notice_type[:30]!r} (BT-02) is not one this "
                            "importer knows what to do with")
    if effect == NOT_A_TENDER:
        raise NoticeProblem(f"a business registration notice ({notice_type}, subtype "
                            f"{subtype}), not a tender")

    warnings: list[str] = []
    notice_uuid = _text(root, "BT-701-notice")
    version = _text(root, "BT-757-notice")
    notice_id = f"{notice_uuid}-{version}" if notice_uuid and version else notice_uuid
    source_id = _text(root, "BT-04-notice")
    if not source_id:
        if not notice_uuid:
            raise NoticeProblem("neither a procedure identifier (BT-04) nor a notice "
                                "identifier (BT-701)")
        source_id = notice_uuid
        if effect != PLANNED:
            warnings.append("no procedure identifier (BT-04): keyed by the notice identifier")
    if len(source_id) > _MAX_SOURCE_ID:
        raise NoticeProblem(f"procedure identifier longer than {_MAX_SOURCE_ID} characters")

    main_language = _language(_text(root, "BT-702(a)-notice"))
    languages = [main_language, *(_language(code) for code in _texts(root, "BT-702(b)-notice"))]
    languages = [code for code in dict.fromkeys(languages) if code]
    language = main_language or "en"

    titles = _by_language(_values(root, "BT-21-Procedure"))
    descriptions = _by_language(_values(root, "BT-24-Procedure"))
    procedure_nuts = _nuts(_texts(root, "BT-5071-Procedure"), warnings)
    procedure_countries = _countries(_texts(root, "BT-5141-Procedure"))
    pairs = [_lot(node, "Lot", language, procedure_nuts, warnings) for node in _LOTS(root)]
    pairs += [_lot(node, "Part", language, procedure_nuts, warnings) for node in _PARTS(root)]
    pairs = _unique_lots(pairs, warnings)
    parsed_lots, facts = [lot for lot, _ in pairs], [facts for _, facts in pairs]

    title = _main_text(titles, language) or next((lot.title for lot in parsed_lots
                                                  if lot.title), "")
    if not title:
        raise NoticeProblem("no title (BT-21) in the procedure or any lot")
    buyer_name, buyer_country, buyer_nuts = _buyer(root, language, warnings)

    parsed = ParsedTender(source_id=source_id, title=title[:500])
    parsed.warnings = warnings
    parsed.description = _main_text(descriptions, language)
    parsed.titles, parsed.descriptions = titles, descriptions
    parsed.language, parsed.languages = language, languages or [language]
    parsed.notice_id = notice_id[:100]
    parsed.notice_kind = notice_type
    parsed.changed_notice_id = _text(root, "BT-758-notice")
    if parsed.changed_notice_id:
        parsed.notice_kind = f"change-{notice_type}"
    parsed.buyer_name, parsed.buyer_country, parsed.buyer_nuts = buyer_name, buyer_country, \
        buyer_nuts
    parsed.cpv_main, parsed.cpv_additional = _tender_cpvs(root, parsed_lots, warnings)
    parsed.nuts_codes = _tender_nuts(procedure_nuts, procedure_countries, facts, buyer_nuts,
                                     buyer_country)
    parsed.value_amount, parsed.currency, parsed.value_eur = _tender_value(root, facts,
                                                                           warnings)
    parsed.lots = parsed_lots
    deadlines = [f["deadline"] for f in facts if f["deadline"] is not None]
    parsed.deadline = max(deadlines) if deadlines else None
    parsed.published_at = _moment(_text(root, "BT-05(a)-notice"),
                                  _text(root, "BT-05(b)-notice"))
    code = _text(root, "BT-105-Procedure")
    parsed.procedure = PROCEDURES.get(code, code)[:500]
    reservations = {lot.reservation for lot in parsed_lots}
    if len(reservations) == 1:  # every lot reserved alike (as the OCDS importer does)
        parsed.reservation = reservations.pop()
    parsed.reserved_execution = any(f["reserved_execution"] for f in facts)
    parsed.award_criteria = "; ".join(dict.fromkeys(
        c for f in facts for c in f["criteria"]))[:5000]
    parsed.social_criteria = [text[:1000] for text in dict.fromkeys(
        s for f in facts for s in f["social"])]
    parsed.sme_suitable = any(f["sme"] for f in facts)
    parsed.social_enterprise_suitable = parsed.reserved_execution or any(
        lot.reservation is not Reservation.NONE for lot in parsed_lots)
    publication = _text(root, "OPP-010-notice")
    parsed.url = ted_url(publication) if publication else ""
    parsed.status = _status(effect, root, parsed.deadline, now, warnings)
    return parsed


def ted_url(publication_number: str) -> str:
    """The notice's page on TED, from its publication number (OPP-010, ``12345678-2025``)."""
    return TED_NOTICE_URL.format(publication_number.strip())


def _status(effect: str, root, deadline: datetime | None, now: datetime,
            warnings: list[str]) -> TenderStatus:
    if _text(root, "BT-140-notice") == "cancel":
        warnings.append("the change notice cancels the procedure (BT-140 'cancel')")
        return TenderStatus.CLOSED
    if effect == PLANNED:
        return TenderStatus.PLANNED
    if effect == RESULT:
        return TenderStatus.CLOSED
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    if deadline is not None and deadline < now:
        return TenderStatus.CLOSED
    return TenderStatus.OPEN


def _language(code: str) -> str:
    code = code.strip().upper()
    return LANGUAGES.get(code, code.lower()[:2] if len(code) >= 2 else "")


# --- lots ------------------------------------------------------------------------------------


def _lot(node, scheme: str, language: str, procedure_nuts: list[str], warnings: list[str]):
    """A lot or part: the ParsedLot and the facts the tender sums up (deadline, criteria…)."""
    def field(bt: str) -> str:
        return f"{bt}-{scheme}"

    def has(bt: str) -> bool:
        return field(bt) in _XPATH

    ref = _text(node, field("BT-137"))[:_MAX_LOT_REF]
    titles = _by_language(_values(node, field("BT-21")))
    descriptions = _by_language(_values(node, field("BT-24")))
    cpvs = _cpvs(node, field("BT-262"), field("BT-26(m)"), warnings)
    cpvs += _cpvs(node, field("BT-263"), field("BT-26(a)"), warnings)
    nuts = _nuts(_texts(node, field("BT-5071")), warnings)
    lot_warnings: list[str] = []
    amount, currency = _amount(node, field("BT-27"), field("BT-27") + "-Currency",
                               f"lot {ref} estimated value", lot_warnings)
    warnings.extend(lot_warnings)
    reservation = Reservation.NONE
    for code in _texts(node, field("BT-71")):
        reservation = RESERVATION_CODES.get(code.casefold(), Reservation.NONE)
        if reservation is not Reservation.NONE:
            break
    reserved_execution = "yes" in _texts(node, field("BT-736"))
    lot = ParsedLot(
        lot_ref=ref,
        title=(_main_text(titles, language) or f"Lot {ref}")[:500],
        description=_main_text(descriptions, language),
        cpv_codes=list(dict.fromkeys(cpvs)),
        value_eur=_eur(amount, currency, f"lot {ref} estimated value", warnings),
        reservation=reservation,
    )
    lot.titles, lot.descriptions = titles, descriptions
    lot.nuts_codes = nuts or list(procedure_nuts)
    lot.reserved_execution = reserved_execution
    deadline = None
    if has("BT-131(d)"):  # tenders (BT-131), else requests to participate (BT-1311)
        deadline = _moment(_text(node, field("BT-131(d)")), _text(node, field("BT-131(t)")),
                           end_of_day=True) or _moment(
            _text(node, field("BT-1311(d)")), _text(node, field("BT-1311(t)")),
            end_of_day=True)
    social = []
    if has("BT-775"):
        social += [f"Social procurement: {_label('social-objective', code)}"
                   for code in _texts(node, field("BT-775"))]
    if has("BT-06"):
        social += [f"Strategic procurement: {_label('strategic-procurement', code)}"
                   for code in _texts(node, field("BT-06")) if code == "soc-obj"]
    criteria = _criteria(node, language) if scheme == "Lot" else []
    social += [text for text in criteria if SOCIAL_TERMS.search(text)]
    facts = {
        "ref": ref, "deadline": deadline, "amount": amount, "currency": currency,
        "cpvs": cpvs, "nuts": nuts, "countries": _countries(_texts(node, field("BT-5141"))),
        "reserved_execution": reserved_execution, "criteria": criteria, "social": social,
        "sme": has("BT-726") and "true" in _texts(node, field("BT-726")),
    }
    return lot, facts


def _unique_lots(pairs: list[tuple[ParsedLot, dict]], warnings: list[str]):
    unique: dict[str, tuple[ParsedLot, dict]] = {}
    for lot, facts in pairs:
        if not lot.lot_ref:
            warnings.append("a lot without an identifier (BT-137) was left out")
        elif lot.lot_ref in unique:
            warnings.append(f"lot {lot.lot_ref} appears twice; the first is kept")
        else:
            unique[lot.lot_ref] = (lot, facts)
    return list(unique.values())


def _criteria(lot_node, language: str) -> list[str]:
    """Award criteria of a lot as text: ``type: name: description (weight)``."""
    found = []
    for criterion in _CRITERIA(lot_node):
        kind = next((v.text.strip() for v in _CRITERION_PART["BT-539-Lot"](criterion)
                     if v.text and v.text.strip()), "")
        name = _main_text(_by_language(_CRITERION_PART["BT-734-Lot"](criterion)), language)
        description = _main_text(_by_language(_CRITERION_PART["BT-540-Lot"](criterion)),
                                 language)
        weight = next((v.text.strip() for v in
                       _CRITERION_PART["BT-541-Lot-WeightNumber"](criterion)
                       if v.text and v.text.strip()), "")
        parts = [p for p in (kind, name, description) if p]
        text = ": ".join(dict.fromkeys(parts))
        if weight:
            text = f"{text} (weight {weight})"
        if text:
            found.append(text)
    return found


def _label(code_list: str, code: str) -> str:
    return _CODE_LABELS.get(code_list, {}).get(code, code)


# --- codes and values ------------------------------------------------------------------------


def _cpvs(node, codes_field: str, list_field: str, warnings: list[str]) -> list[str]:
    """CPV codes of a classification field whose list (BT-26) is ``cpv``."""
    listed = [element.text or "" for element in _values(node, codes_field)
              if (element.get("listName") or "cpv").strip().lower() == "cpv"]
    return readable_codes(listed, normalize_cpv, InvalidCpvCode, "CPV", warnings)


def _tender_cpvs(root, lots: list[ParsedLot], warnings: list[str]) -> tuple[str, list[str]]:
    main = _cpvs(root, "BT-262-Procedure", "BT-26(m)-Procedure", warnings)
    additional = _cpvs(root, "BT-263-Procedure", "BT-26(a)-Procedure", warnings)
    seen = [*main, *additional, *(code for lot in lots for code in lot.cpv_codes)]
    if not seen:
        return "", []
    first = main[0] if main else seen[0]
    return first, [code for code in dict.fromkeys(seen) if code != first]


def _nuts(values: list[str], warnings: list[str]) -> list[str]:
    return list(dict.fromkeys(readable_codes(values, normalize_nuts, InvalidNutsCode, "NUTS",
                                             warnings)))


def _countries(values: list[str]) -> list[str]:
    return list(dict.fromkeys(COUNTRIES[v.upper()] for v in values if v.upper() in COUNTRIES))


def _tender_nuts(procedure_nuts, procedure_countries, facts, buyer_nuts, buyer_country):
    """Place of performance: NUTS of the procedure and lots (BT-5071), else their countries
    (BT-5141), else the buyer's NUTS (BT-507), else the buyer's country (BT-514)."""
    codes = [*procedure_nuts, *(code for f in facts for code in f["nuts"])]
    if not codes:
        codes = [*procedure_countries, *(code for f in facts for code in f["countries"])]
    if not codes and buyer_nuts:
        codes = [buyer_nuts]
    if not codes and buyer_country:
        codes = [buyer_country]
    return list(dict.fromkeys(codes))


def _amount(node, amount_field: str, currency_field: str, what: str,
            warnings: list[str]) -> tuple[float | None, str]:
    if amount_field not in _XPATH:
        return None, ""
    text = _text(node, amount_field)
    if not text:
        return None, ""
    try:
        amount = float(text)
    except ValueError:
        warnings.append(f"{what} not readable: {text[:40]!r}")
        return None, ""
    if amount != amount or amount < 0 or amount > 1e15:
        warnings.append(f"{what} not plausible: {text[:40]!r}")
        return None, ""
    currency = _text(node, currency_field).upper()
    if len(currency) != 3 or not currency.isalpha():
        warnings.append(f"{what} has no currency; taken as EUR")
        currency = "EUR"
    return amount, currency


def _eur(amount: float | None, currency: str, what: str, warnings: list[str]) -> float | None:
    if amount is None:
        return None
    rate = EUR_RATES.get(currency)
    if rate is None:
        warnings.append(f"{what} in {currency}: no conversion rate, no EUR value")
        return None
    return round(amount * rate, 2)


def _tender_value(root, facts, warnings) -> tuple[float | None, str, float | None]:
    """The procedure's estimated value (BT-27), else the sum of the lots' in one currency."""
    amount, currency = _amount(root, "BT-27-Procedure", "BT-27-Procedure-Currency",
                               "estimated value", warnings)
    if amount is None:
        priced = [(f["amount"], f["currency"]) for f in facts if f["amount"] is not None]
        if priced and len({c for _, c in priced}) == 1:
            amount, currency = sum(a for a, _ in priced), priced[0][1]
    if amount is None:
        return None, "EUR", None
    return amount, currency, _eur(amount, currency, "estimated value", warnings)


def _moment(date_text: str, time_text: str = "", *, end_of_day: bool = False):
    """An eForms date (``2020-01-06+01:00``) and optional time (``12:00:00+01:00``) as an
    aware UTC datetime; a date alone is its start, or its end for deadlines."""
    match = _DATE.match(date_text)
    if not match:
        return None
    day, date_zone = match.groups()
    time_match = _TIME.match(time_text) if time_text else None
    if time_match:
        clock, time_zone = time_match.groups()
        zone = time_zone or date_zone
    else:
        clock, zone = ("23:59:59" if end_of_day else "00:00:00"), date_zone
    try:
        moment = datetime.combine(datetime.fromisoformat(day).date(), time.fromisoformat(clock))
        return moment.replace(tzinfo=_zone(zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _zone(text: str | None):
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# --- the buyer -------------------------------------------------------------------------------


def _buyer(root, language: str, warnings: list[str]) -> tuple[str, str, str]:
    """(name, NUTS country, NUTS code) of the first buyer (OPT-300 -> its organisation)."""
    buyer_ids = _texts(root, "OPT-300-Procedure-Buyer")
    if not buyer_ids:
        return "", "", ""
    for organization in _ORGANIZATIONS(root):
        if _text(organization, "OPT-200-Organization-Company") != buyer_ids[0]:
            continue
        names = _by_language(_values(organization, "BT-500-Organization-Company"))
        country = _text(organization, "BT-514-Organization-Company").upper()
        nuts = _nuts(_texts(organization, "BT-507-Organization-Company"), warnings)
        return (_main_text(names, language)[:500], COUNTRIES.get(country, ""),
                nuts[0] if nuts else "")
    warnings.append(f"buyer {buyer_ids[0][:40]!r} is not among the notice's organisations")
    return "", "", ""


# --- many notices ----------------------------------------------------------------------------


def iter_parsed(
    sources: Iterable[NoticeSource], *, now: datetime | None = None
) -> Iterator[tuple[str, ParsedTender | NoticeProblem]]:
    """Yield each notice's label with its tender, or with the problem that stopped it."""
    now = now if now is not None else datetime.now(UTC)
    for source in sources:
        if source.problem or source.data is None:
            yield source.label, NoticeProblem(source.problem or "could not be read")
            continue
        try:
            yield source.label, _parse(_root(source.data), now)
        except NoticeProblem as problem:
            yield source.label, problem


def iter_sources(paths: Iterable[str | os.PathLike]) -> Iterator[NoticeSource]:
    """The notices in files, folders (their ``*.xml`` and ``*.zip``, recursively, in name
    order) and ``.zip`` packages, read one at a time."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()
                                and p.suffix.lower() in (".xml", ".zip")):
                yield from _file_sources(child, child.relative_to(path.parent).as_posix())
        else:
            yield from _file_sources(path, str(path))


def count_sources(paths: Iterable[str | os.PathLike]) -> int:
    """How many notices :func:`iter_sources` will yield (for a progress bar)."""
    total = 0
    for path in map(Path, paths):
        files = [path] if not path.is_dir() else [
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".xml", ".zip")]
        for file in files:
            if file.suffix.lower() == ".zip" or (not path.is_dir() and _is_zip(file)):
                try:
                    with zipfile.ZipFile(file) as package:
                        total += sum(1 for info in package.infolist() if _is_notice(info))
                except (zipfile.BadZipFile, OSError):
                    total += 1
            else:
                total += 1
    return total


def _file_sources(path: Path, label: str) -> Iterator[NoticeSource]:
    if path.suffix.lower() == ".zip" or _is_zip(path):
        yield from zip_sources(path, label)
        return
    try:
        size = path.stat().st_size
        if size > MAX_NOTICE_BYTES:
            yield NoticeSource(label, problem=f"larger than {MAX_NOTICE_BYTES // 2**20} MB: "
                                              "not a notice")
            return
        yield NoticeSource(label, path.read_bytes())
    except OSError as error:
        yield NoticeSource(label, problem=f"could not be read: {error.strerror or error}")


def _is_zip(path: Path) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _is_notice(info: zipfile.ZipInfo) -> bool:
    return not info.is_dir() and info.filename.lower().endswith(".xml")


def zip_sources(package: str | os.PathLike | BinaryIO, label: str) -> Iterator[NoticeSource]:
    """The ``*.xml`` members of a zip package (a path or a seekable binary file), one at a
    time: only the member being read is in memory."""
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError) as error:
        yield NoticeSource(label, problem=f"not a readable zip package: {error}")
        return
    with archive:
        for info in archive.infolist():
            if not _is_notice(info):
                continue
            member = f"{label}:{info.filename}"
            if info.file_size > MAX_NOTICE_BYTES:
                yield NoticeSource(member, problem=f"larger than {MAX_NOTICE_BYTES // 2**20} "
                                                   "MB: not a notice")
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_NOTICE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError,
                    EOFError) as error:
                yield NoticeSource(member, problem=f"could not be unpacked: {error}")
                continue
            if len(data) > MAX_NOTICE_BYTES:
                yield NoticeSource(member, problem=f"larger than {MAX_NOTICE_BYTES // 2**20} "
                                                   "MB: not a notice")
                continue
            yield NoticeSource(member, data)
