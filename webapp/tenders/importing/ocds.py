"""Read Open Contracting Data Standard (OCDS) JSON into the common parsed tender
(:mod:`webapp.tenders.importing.parsed`).

Accepted shapes: a release package (``{"releases": [...]}``), a record package
(``{"records": [{"compiledRelease": ...} or {"releases": [...]}]}``), a plain list of
releases and a single release. Releases of the same ``ocid`` are compiled (merged in date
order, as OCDS does) so a file holding a tender and its amendment gives one tender.

Real publishers' files are messy, so every field is read defensively: a value of the wrong
type counts as missing. A record that cannot become a tender raises :class:`RecordProblem`
with a reason a person can act on; :func:`parse_releases` reports it and keeps the rest.
Only a file that is not JSON, or not one of the shapes above, raises :class:`MalformedFile`.

No Flask, no database: the service layer (``webapp.tenders.services.importing``) stores the result.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from matcher.cpv import InvalidCpvCode, normalize_cpv
from matcher.languages import detect_language
from matcher.nuts import COUNTRY_NAMES, InvalidNutsCode, iso_to_nuts_country, normalize_nuts
from models.enums import Reservation, TenderStatus
from webapp.jsonbounds import UnusableJSON, check_json_value
from webapp.tenders.importing.parsed import (
    EUR_RATES,
    RESERVATION_CODES,
    SOCIAL_TERMS,
    ParsedLot,
    ParsedTender,
    Problem,
    readable_codes,
)

__all__ = [
    "MalformedFile",
    "OcdsRecord",
    "ParseResult",
    "RecordProblem",
    "load_json",
    "parse_release",
    "parse_releases",
    "read_records",
    "region_names_lookup",
]

#: Common region names -> NUTS code, used when no NUTS list is loaded in the database.
BUILTIN_REGION_NAMES: Mapping[str, str] = {
    **{name: code for code, name in COUNTRY_NAMES.items()},
    "England": "UK", "Great Britain": "UK", "Czech Republic": "CZ", "Holland": "NL",
    "Scotland": "UKM", "Wales": "UKL", "Northern Ireland": "UKN", "London": "UKI",
    "Greater London": "UKI", "Île-de-France": "FR10", "Ile-de-France": "FR10",
    "Berlin": "DE30", "Hamburg": "DE60", "Bayern": "DE2", "Bavaria": "DE2",
    "Wien": "AT13", "Vienna": "AT13", "Bruxelles": "BE10", "Brussels": "BE10",
    "Brussel": "BE10", "Noord-Holland": "NL32", "Zuid-Holland": "NL33", "Utrecht": "NL31",
    "Noord-Brabant": "NL41", "Madrid": "ES30", "Cataluña": "ES51", "Catalonia": "ES51",
    "Lisboa": "PT17", "Lisbon": "PT17", "Stockholm": "SE11", "Praha": "CZ01",
    "Prague": "CZ01", "Budapest": "HU11", "Dublin": "IE061", "Helsinki-Uusimaa": "FI1B",
    "Hovedstaden": "DK01", "Oslo": "NO081", "Lombardia": "ITC4", "Lazio": "ITI4",
    "Warszawa": "PL911", "Bucuresti": "RO321", "Bucharest": "RO321",
}

_STATUS = {
    "active": TenderStatus.OPEN,
    "planning": TenderStatus.PLANNED,
    "planned": TenderStatus.PLANNED,
    "complete": TenderStatus.CLOSED,
    "cancelled": TenderStatus.CLOSED,
    "unsuccessful": TenderStatus.CLOSED,
    "withdrawn": TenderStatus.CLOSED,
}
_NOTICE_DOCUMENTS = ("tenderNotice", "contractNotice", "biddingDocuments")
_MAX_SOURCE_ID = 200
_MAX_LOT_REF = 50
MAX_DEPTH = 64  # OCDS nests about 8 levels; the release merge recurses once per level
_SHAPE_MESSAGE = "expected an OCDS release package, record package or list of releases"


class MalformedFile(ValueError):
    """The whole file is unusable: not JSON, or not an OCDS shape."""


class RecordProblem(ValueError):
    """One release cannot become a tender; the message says why."""


@dataclass
class OcdsRecord:
    """One contracting process to import: its label in messages and its compiled release."""

    label: str
    release: dict


@dataclass
class ParseResult:
    tenders: list[ParsedTender] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# --- the file --------------------------------------------------------------------------------


def load_json(raw: bytes | str) -> object:
    """Decode a file's JSON, or raise :class:`MalformedFile` saying where it breaks."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8-sig")
        data = json.loads(raw)
    except UnicodeDecodeError as error:
        raise MalformedFile(f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise MalformedFile(
            f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError as error:  # an integer of more than 4,300 digits, for one
        raise MalformedFile(f"not usable JSON: {str(error)[:200]}") from None
    except RecursionError:
        raise MalformedFile("not usable JSON: nested too deeply") from None
    try:  # compiling releases recurses into the structure: bound its depth first
        check_json_value(data, max_depth=MAX_DEPTH, allow_nul=True)
    except UnusableJSON as error:
        raise MalformedFile(f"not usable JSON: {error}") from None
    return data


def read_records(data: object) -> list[OcdsRecord]:
    """The contracting processes in a decoded OCDS file, one per ocid, releases compiled.

    Raises :class:`MalformedFile` when ``data`` is none of the accepted shapes.
    """
    if isinstance(data, list):
        return _group_releases(data, "release")
    if not isinstance(data, dict):
        raise MalformedFile(_SHAPE_MESSAGE)
    if isinstance(data.get("records"), list):
        return [_record(position, item) for position, item in enumerate(data["records"], 1)]
    if isinstance(data.get("releases"), list):
        return _group_releases(data["releases"], "release")
    if "ocid" in data and ("tender" in data or "tag" in data):
        return _group_releases([data], "release")
    raise MalformedFile(_SHAPE_MESSAGE)


def _record(position: int, item: object) -> OcdsRecord:
    """A record package's entry: its compiled release, else its embedded releases merged."""
    if not isinstance(item, dict):
        return OcdsRecord(f"record {position}", {})
    ocid = _text(item.get("ocid"))
    label = f"record {position} ({ocid})" if ocid else f"record {position}"
    compiled = item.get("compiledRelease")
    if isinstance(compiled, dict):
        release = dict(compiled)
    else:
        embedded = [r for r in _list(item.get("releases")) if isinstance(r, dict)]
        release = merge_releases(embedded)
    if ocid and not release.get("ocid"):
        release["ocid"] = ocid
    return OcdsRecord(label, release)


def _group_releases(releases: list, noun: str) -> list[OcdsRecord]:
    """Group releases by ocid (the first position labels the group), compile each group."""
    groups: dict[tuple[str, int], list[tuple[int, dict]]] = {}
    for position, release in enumerate(releases, 1):
        release = release if isinstance(release, dict) else {}
        ocid = _text(release.get("ocid"))
        key = (ocid, 0) if ocid else ("", position)  # no ocid: reported by parse_release
        groups.setdefault(key, []).append((position, release))
    records = []
    for (ocid, _), members in groups.items():
        position = members[0][0]
        label = f"{noun} {position} ({ocid})" if ocid else f"{noun} {position}"
        ordered = sorted(members, key=lambda member: _text(member[1].get("date")))
        records.append(OcdsRecord(label, merge_releases([r for _, r in ordered])))
    return records


def merge_releases(releases: Iterable[dict]) -> dict:
    """Compile releases oldest first: later values win, objects merge, arrays of objects with
    ids merge by id (OCDS's merge routine, without its versioned form)."""
    compiled: dict = {}
    for release in releases:
        compiled = _merge(compiled, release)
    return compiled


def _merge(old: object, new: object) -> object:
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge(old.get(key), value) if key in old else value
        return merged
    if (
        isinstance(old, list) and isinstance(new, list)
        and all(isinstance(x, dict) and "id" in x for x in old + new)
    ):
        by_id = {str(x["id"]): x for x in old}
        for item in new:
            key = str(item["id"])
            by_id[key] = _merge(by_id[key], item) if key in by_id else item
        return list(by_id.values())
    return new


# --- many records ----------------------------------------------------------------------------


def parse_releases(
    records: Iterable[OcdsRecord],
    *,
    region_lookup: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParseResult:
    """Parse every record, keeping the good ones and reporting the others with their reason."""
    result = ParseResult()
    for record, outcome in iter_parsed(records, region_lookup=region_lookup, now=now):
        if isinstance(outcome, RecordProblem):
            result.skipped.append(Problem(record.label, str(outcome)))
            continue
        result.tenders.append(outcome)
        result.warnings.extend(Problem(record.label, w) for w in outcome.warnings)
    return result


def iter_parsed(
    records: Iterable[OcdsRecord],
    *,
    region_lookup: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Iterator[tuple[OcdsRecord, ParsedTender | RecordProblem]]:
    """Yield each record with its tender, or with the problem that stopped it."""
    lookup = _name_index(region_lookup if region_lookup is not None else BUILTIN_REGION_NAMES)
    for record in records:
        try:
            yield record, _parse(record.release, lookup, now)
        except RecordProblem as problem:
            yield record, problem


def region_names_lookup(regions: Mapping[str, str]) -> dict[str, str]:
    """Region name -> NUTS code from a code -> name list (the loaded NUTS table).

    A name shared by nested levels (``Berlin`` is DE3, DE30 and DE300) maps to the broadest
    code; a name shared by unrelated regions (``Limburg`` is BE22 and NL42) is left out, so
    it is reported as unmapped rather than guessed. The built-in names fill in English names
    the list lacks (``Austria``).
    """
    codes_by_name: dict[str, set[str]] = {}
    for code, name in regions.items():
        parts = [name, *(p.strip() for p in re.split(r"/| — | - ", name) if p.strip())]
        for part in dict.fromkeys(parts):  # "Belgique/België", "Inner London — West"
            codes_by_name.setdefault(part, set()).add(code)
    lookup: dict[str, str] = dict(BUILTIN_REGION_NAMES)
    for name, codes in codes_by_name.items():
        broadest = min(codes, key=lambda code: (len(code), code))
        if all(code.startswith(broadest) for code in codes):
            lookup[name] = broadest
        elif name not in BUILTIN_REGION_NAMES:
            lookup.pop(name, None)
    return lookup


def parse_release(
    release: object,
    *,
    region_lookup: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParsedTender:
    """Parse one (compiled) release into a tender, or raise :class:`RecordProblem`.

    ``region_lookup`` maps region names to NUTS codes (see :func:`region_names_lookup`);
    without it a small built-in list of common names is used. ``now`` decides whether a
    deadline has passed (a naive value is taken as UTC).
    """
    names = region_lookup if region_lookup is not None else BUILTIN_REGION_NAMES
    return _parse(release, _name_index(names), now)


def _parse(release: object, lookup: Mapping[str, str], now: datetime | None) -> ParsedTender:
    if not isinstance(release, dict):
        raise RecordProblem("not a JSON object")
    ocid = _text(release.get("ocid"))
    if not ocid:
        raise RecordProblem("no ocid")
    if len(ocid) > _MAX_SOURCE_ID:
        raise RecordProblem(f"ocid longer than {_MAX_SOURCE_ID} characters")
    tender = release.get("tender")
    if not isinstance(tender, dict):
        raise RecordProblem("no tender section")
    title = _text(tender.get("title")) or _text(release.get("title"))
    if not title:
        raise RecordProblem("no tender title")

    parsed = ParsedTender(source_id=ocid, title=title)
    warnings = parsed.warnings
    parsed.description = _text(tender.get("description"))
    parsed.buyer_name = _buyer_name(release, tender)
    parsed.cpv_main, parsed.cpv_additional = _cpv_codes(tender, warnings)
    parsed.nuts_codes = _nuts_codes(release, tender, lookup, warnings)
    parsed.value_amount, parsed.currency, parsed.value_eur = _value(
        tender.get("value"), "tender value", warnings
    )
    parsed.deadline = _datetime(_obj(tender.get("tenderPeriod")).get("endDate"), end_of_day=True)
    if _obj(tender.get("tenderPeriod")).get("endDate") and parsed.deadline is None:
        warnings.append("deadline not readable: " + _text(tender["tenderPeriod"]["endDate"])[:40])
    parsed.published_at = (
        _datetime(tender.get("datePublished"))
        or _datetime(_obj(tender.get("tenderPeriod")).get("startDate"))
        or _datetime(release.get("date"))
    )
    parsed.procedure = _procedure(tender)
    parsed.lots = _lots(tender, warnings)
    parsed.reservation = _reservation(tender)
    if parsed.reservation is not Reservation.NONE:
        for lot in parsed.lots:
            if lot.reservation is Reservation.NONE:
                lot.reservation = parsed.reservation
    elif parsed.lots and len({lot.reservation for lot in parsed.lots}) == 1:
        parsed.reservation = parsed.lots[0].reservation  # every lot reserved alike
    parsed.reserved_execution = _reserved_execution(tender)
    parsed.award_criteria = _award_criteria(tender)
    parsed.social_criteria = _social_criteria(tender)
    parsed.sme_suitable = _flag(tender, ("sme",))
    parsed.social_enterprise_suitable = (
        _flag(tender, ("sheltered", "socialEnterprise", "socialEconomy"))
        or parsed.reservation is not Reservation.NONE
        or any(lot.reservation is not Reservation.NONE for lot in parsed.lots)
    )
    parsed.language = _language(release, tender)
    parsed.url = _url(release, tender)
    parsed.status = _status(release, tender, parsed.deadline, now)
    return parsed


# --- fields ----------------------------------------------------------------------------------


def _buyer_name(release: dict, tender: dict) -> str:
    name = _text(_obj(release.get("buyer")).get("name"))
    if name:
        return name[:500]
    buyer = _buyer_party(release)
    return (_text(buyer.get("name")) or _text(_obj(tender.get("procuringEntity")).get("name")))[
        :500
    ]


def _buyer_party(release: dict) -> dict:
    """The buyer among the parties: by the buyer's id, else by its role."""
    parties = [p for p in _list(release.get("parties")) if isinstance(p, dict)]
    buyer_id = _text(_obj(release.get("buyer")).get("id"))
    for party in parties:
        if buyer_id and _text(party.get("id")) == buyer_id:
            return party
    for party in parties:
        if "buyer" in [_text(role) for role in _list(party.get("roles"))]:
            return party
    return {}


def _classifications(node: dict) -> Iterator[object]:
    """CPV ids in `classification` and `additionalClassifications` of one object."""
    entries = [*_list(node.get("classification")), *_list(node.get("additionalClassifications"))]
    for entry in map(_obj, entries):
        scheme = _text(entry.get("scheme")).upper()
        if scheme in ("", "CPV") and entry.get("id") is not None:
            yield entry.get("id")


def _cpv_codes(tender: dict, warnings: list[str]) -> tuple[str, list[str]]:
    """Main CPV (the tender's own classification, else the most frequent item code) and the
    rest, in order of appearance."""
    declared = _valid_cpvs(_classifications(tender), warnings)
    primary: list[str] = []
    seen: list[str] = list(declared)
    for item in _items(tender):
        item_codes = _valid_cpvs(_classifications(item), warnings)
        main_of_item = _valid_cpvs(
            (_obj(c).get("id") for c in _list(item.get("classification"))
             if _text(_obj(c).get("scheme")).upper() in ("", "CPV")),
            [],
        )
        primary.extend(main_of_item)
        seen.extend(item_codes)
    if not seen:
        return "", []
    if declared:
        main = declared[0]
    else:
        counts = Counter(primary or seen)
        main = max(counts, key=lambda code: (counts[code], -seen.index(code)))
    additional = list(dict.fromkeys(code for code in seen if code != main))
    return main, additional


def _valid_cpvs(values: Iterable[object], warnings: list[str]) -> list[str]:
    return readable_codes(values, normalize_cpv, InvalidCpvCode, "CPV", warnings)


def _nuts_codes(
    release: dict, tender: dict, lookup: Mapping[str, str], warnings: list[str]
) -> list[str]:
    """Places of performance from the items, else the buyer's address."""
    codes: list[str] = []
    for item in _items(tender):
        for address in [*_list(item.get("deliveryAddresses")), *_list(item.get("deliveryAddress"))]:
            region = _obj(address).get("region")
            if region:
                codes.extend(_region_codes(region, lookup, warnings))
        for location in [
            *_list(item.get("deliveryLocations")), *_list(item.get("deliveryLocation"))
        ]:
            gazetteer = _obj(_obj(location).get("gazetteer"))
            if "NUTS" in _text(gazetteer.get("scheme")).upper():
                for identifier in _list(gazetteer.get("identifiers")):
                    codes.extend(_region_codes(identifier, lookup, warnings))
    if not codes:
        address = _obj(_buyer_party(release).get("address"))
        if address.get("region"):
            codes.extend(_region_codes(address["region"], lookup, warnings))
        if not codes:
            country = _text(address.get("countryCode")) or _text(address.get("country"))
            if len(country) == 2 and country.isalpha():
                codes.extend(_region_codes(iso_to_nuts_country(country), lookup, warnings))
            elif _text(address.get("countryName")):
                codes.extend(_region_codes(address["countryName"], lookup, warnings))
    return list(dict.fromkeys(codes))


def _region_codes(value: object, lookup: Mapping[str, str], warnings: list[str]) -> list[str]:
    """A region given as a NUTS code (upper case) or as a name found in ``lookup``."""
    text = _text(value)
    if not text:
        return []
    compact = text.replace(" ", "")
    if compact == compact.upper():
        try:
            return [normalize_nuts(compact)]
        except InvalidNutsCode:
            pass
    code = lookup.get(_name_key(text))
    if code:
        return [code]
    warnings.append(f"region name {text[:80]!r} could not be mapped to a NUTS code")
    return []


def _name_index(names: Mapping[str, str]) -> dict[str, str]:
    return {_name_key(name): code for name, code in names.items()}


def _name_key(name: str) -> str:
    return re.sub(r"[\s\-–—_.,']+", " ", name).strip().casefold()


def _value(node: object, what: str, warnings: list[str]) -> tuple[float | None, str, float | None]:
    """(published amount, currency, EUR amount) of an OCDS Value."""
    node = _obj(node)
    amount = _number(node.get("amount"))
    currency = _text(node.get("currency")).upper()
    if node.get("amount") not in (None, "") and amount is None:
        warnings.append(f"{what} not readable: {str(node.get('amount'))[:40]!r}")
    if amount is None:
        return None, "EUR", None
    if len(currency) != 3 or not currency.isalpha():
        warnings.append(f"{what} has no currency; taken as EUR")
        currency = "EUR"
    rate = EUR_RATES.get(currency)
    if rate is None:
        warnings.append(f"{what} in {currency}: no conversion rate, no EUR value")
        return amount, currency, None
    return amount, currency, round(amount * rate, 2)


def _procedure(tender: dict) -> str:
    method = _text(tender.get("procurementMethod"))
    details = _text(tender.get("procurementMethodDetails"))
    if details and method and method.casefold() not in details.casefold():
        return f"{details} ({method})"[:500]
    return (details or method)[:500]


def _items(node: dict) -> list[dict]:
    return [item for item in _list(node.get("items")) if isinstance(item, dict)]


def _lots(tender: dict, warnings: list[str]) -> list[ParsedLot]:
    """Lots with the CPV codes of their items and their own value and reservation."""
    lots: dict[str, ParsedLot] = {}
    for raw in _list(tender.get("lots")):
        raw = _obj(raw)
        ref = _text(raw.get("id"))[:_MAX_LOT_REF]
        if not ref:
            warnings.append("a lot without an id was left out")
            continue
        if ref in lots:
            warnings.append(f"lot {ref} appears twice; the first is kept")
            continue
        _, _, value_eur = _value(raw.get("value"), f"lot {ref} value", warnings)
        lot_items = [i for i in _items(tender) if _text(i.get("relatedLot")) == ref]
        codes = _valid_cpvs((c for i in lot_items for c in _classifications(i)), [])
        lots[ref] = ParsedLot(
            lot_ref=ref,
            title=(_text(raw.get("title")) or f"Lot {ref}")[:500],
            description=_text(raw.get("description")),
            cpv_codes=list(dict.fromkeys(codes)),
            value_eur=value_eur,
            reservation=_reservation(raw),
        )
    return list(lots.values())


def _reservation(node: dict) -> Reservation:
    """Reserved participation of a tender or lot (EU profile or eForms codes)."""
    values = [
        *_list(_obj(node.get("otherRequirements")).get("reservedParticipation")),
        *_list(node.get("reservedParticipation")),
        *_list(node.get("reservedProcurement")),
    ]
    for value in values:
        reservation = RESERVATION_CODES.get(_text(value).replace("_", "").casefold())
        if reservation is not None:
            return reservation
    return Reservation.NONE


def _reserved_execution(tender: dict) -> bool:
    holders = [tender, _obj(tender.get("contractTerms")), _obj(tender.get("otherRequirements"))]
    holders += [_obj(_obj(lot).get("contractTerms")) for lot in _list(tender.get("lots"))]
    return any(_truthy(holder.get("reservedExecution")) for holder in holders)


def _criteria(node: dict) -> list[dict]:
    return [_obj(c) for c in _list(_obj(node.get("awardCriteria")).get("criteria"))]


def _award_criteria(tender: dict) -> str:
    """Award criteria as one readable text: details, then named criteria (tender or lots)."""
    parts = [_text(tender.get("awardCriteriaDetails"))]
    if isinstance(tender.get("awardCriteria"), str):
        parts.append(_text(tender["awardCriteria"]))
    nodes = [tender, *[_obj(lot) for lot in _list(tender.get("lots"))]]
    for node in nodes:
        parts.append(_text(node.get("awardCriteriaDetails")) if node is not tender else "")
        for criterion in _criteria(node):
            name = _text(criterion.get("name")) or _text(criterion.get("type"))
            description = _text(criterion.get("description"))
            parts.append(f"{name}: {description}" if name and description else name or description)
    return "; ".join(dict.fromkeys(p for p in parts if p))[:5000]


def _social_criteria(tender: dict) -> list[str]:
    """Social sustainability goals, social standards and social award criteria, as text."""
    found: list[str] = []
    nodes = [tender, *[_obj(lot) for lot in _list(tender.get("lots"))]]
    for node in nodes:
        for entry in _list(node.get("sustainability")):
            entry = _obj(entry)
            goal = _text(entry.get("goal"))
            if goal.casefold().startswith("social"):
                strategies = ", ".join(_text(s) for s in _list(entry.get("strategies")) if _text(s))
                found.append(f"{goal} ({strategies})" if strategies else goal)
        standards = _text(_obj(node.get("contractTerms")).get("socialStandards"))
        if standards:
            found.append(standards)
        for criterion in _criteria(node):
            text = " ".join(
                _text(criterion.get(key)) for key in ("name", "description") if criterion.get(key)
            )
            if SOCIAL_TERMS.search(text):
                found.append(text)
        details = _text(node.get("awardCriteriaDetails"))
        if details and SOCIAL_TERMS.search(details):
            found.append(details)
    return [text[:1000] for text in dict.fromkeys(found)]


def _flag(tender: dict, names: tuple[str, ...]) -> bool:
    """Whether a suitability flag is set on the tender or any lot."""
    nodes = [tender, *[_obj(lot) for lot in _list(tender.get("lots"))]]
    return any(
        _truthy(_obj(node.get("suitability")).get(name)) for node in nodes for name in names
    )


def _language(release: dict, tender: dict) -> str:
    """The release's language, else the first language of submission, else the one its title
    and description are written in, else English (OCDS's default)."""
    submission_languages = _list(_obj(tender.get("submissionTerms")).get("languages"))
    candidates = [release.get("language"), *submission_languages]
    for value in candidates:
        text = _text(value).strip().lower()[:2]
        if len(text) == 2 and text.isalpha() and text.isascii():
            return text
    written = f"{_text(tender.get('title'))}. {_text(tender.get('description'))}"
    return detect_language(written) or "en"


def _url(release: dict, tender: dict) -> str:
    """The notice's address: tender.url, else a notice document, else any document."""
    direct = _text(tender.get("url"))
    if direct.startswith(("http://", "https://")):
        return direct[:1000]
    documents = [_obj(d) for d in _list(tender.get("documents"))]
    documents.sort(key=lambda d: _text(d.get("documentType")) not in _NOTICE_DOCUMENTS)
    for document in documents:
        url = _text(document.get("url"))
        if url.startswith(("http://", "https://")):
            return url[:1000]
    return ""


def _status(
    release: dict, tender: dict, deadline: datetime | None, now: datetime | None
) -> TenderStatus:
    status = _STATUS.get(_text(tender.get("status")).casefold())
    if status is None:
        tags = [_text(t) for t in _list(release.get("tag"))]
        status = TenderStatus.PLANNED if tags and set(tags) <= {"planning", "planningUpdate"} \
            else TenderStatus.OPEN
    now = _as_utc(now) if now is not None else datetime.now(UTC)
    if status is TenderStatus.OPEN and deadline is not None and deadline < now:
        return TenderStatus.CLOSED
    return status


# --- defensive readers -----------------------------------------------------------------------


def _obj(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    """A list as it is; a single object or string as a list of one; anything else empty."""
    if isinstance(value, list):
        return value
    if isinstance(value, (dict, str)) and value:
        return [value]
    return []


def _text(value: object) -> str:
    """A string field (numbers accepted, as publishers write ids as numbers)."""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return str(int(value)) if value.is_integer() else str(value)
    return ""


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).casefold() in ("true", "yes", "1", "y")


def _number(value: object) -> float | None:
    """A number, also from strings such as ``"1,250,000.00"`` or ``"1250000,50"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            return None
    elif isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f']", "", value)
        if "," in text and "." in text:
            text = text.replace(",", "")
        elif text.count(",") == 1 and len(text.split(",")[1]) <= 2:
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    if number != number or abs(number) == float("inf") or number < 0 or number > 1e15:
        return None
    return number


def _as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _datetime(value: object, *, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (the columns store aware
    values); a date alone is its end (deadlines) or start; no timezone means UTC."""
    text = _text(value)
    if not text:
        return None
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            moment = datetime.combine(day, time.max if end_of_day else time.min)
            return moment.replace(microsecond=0, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    try:
        return _as_utc(moment)
    except OverflowError:
        return None
