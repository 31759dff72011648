"""Generate webapp/tenders/importing/eforms_fields.py from the eForms SDK (fields.json, code lists).

    python scripts/generate_eforms_fields.py PATH/TO/eforms/sdk/fields.json PATH/TO/eforms-codelists

Only the business terms the importer reads are kept (``FIELD_IDS``); each keeps the SDK's
absolute XPath verbatim and, for a field inside a repeating node (a lot, a part, an
organisation), the path relative to that node, which is what the importer evaluates.
The English labels of a few code lists come from their Genericode files. The result is
committed so the product runs without the SDK; tests/webapp/test_eforms_import.py checks
that it still agrees with the SDK.
"""

from __future__ import annotations

import json
import pprint
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "webapp" / "tenders" / "importing" / "eforms_fields.py"

#: Node prefixes (absolute XPath, as the SDK writes them) of the repeating nodes.
NODES = {
    "Lot": "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']/",
    "Part": "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Part']/",
    "Organization": (
        "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/"
        "efac:Organizations/efac:Organization/"
    ),
    "Root": "/*/",
}

FIELD_IDS = (
    # the notice
    "OPT-002-notice", "BT-701-notice", "BT-757-notice", "BT-04-notice", "BT-02-notice",
    "BT-03-notice", "OPP-070-notice", "BT-05(a)-notice", "BT-05(b)-notice",
    "BT-702(a)-notice", "BT-702(b)-notice", "BT-758-notice", "BT-140-notice",
    "OPP-010-notice",
    # the procedure
    "BT-21-Procedure", "BT-21-Procedure-Language", "BT-24-Procedure",
    "BT-24-Procedure-Language", "BT-262-Procedure", "BT-263-Procedure",
    "BT-26(m)-Procedure", "BT-26(a)-Procedure", "BT-27-Procedure", "BT-27-Procedure-Currency",
    "BT-5071-Procedure", "BT-5141-Procedure", "BT-105-Procedure", "OPT-300-Procedure-Buyer",
    # organisations (the buyer)
    "OPT-200-Organization-Company", "BT-500-Organization-Company",
    "BT-500-Organization-Company-Language", "BT-514-Organization-Company",
    "BT-507-Organization-Company",
    # lots and parts
    *(f"{bt}-{node}{suffix}" for node in ("Lot", "Part") for bt, suffix in (
        ("BT-137", ""), ("BT-21", ""), ("BT-21", "-Language"), ("BT-24", ""),
        ("BT-24", "-Language"), ("BT-262", ""), ("BT-263", ""), ("BT-26(m)", ""),
        ("BT-26(a)", ""), ("BT-27", ""), ("BT-27", "-Currency"), ("BT-5071", ""),
        ("BT-5141", ""), ("BT-71", ""), ("BT-736", ""), ("BT-726", ""),
    )),
    "BT-131(d)-Lot", "BT-131(t)-Lot", "BT-1311(d)-Lot", "BT-1311(t)-Lot", "BT-06-Lot",
    "BT-775-Lot", "BT-539-Lot", "BT-734-Lot",
    "BT-540-Lot", "BT-541-Lot-WeightNumber",
)

CODE_LISTS = ("reserved-procurement", "social-objective", "strategic-procurement",
              "applicability_reserved-execution")


def node_of(field: dict) -> str:
    """The repeating node a field is evaluated under: Lot, Part, Organization or Root."""
    xpath = field["xpathAbsolute"]
    for node in ("Lot", "Part", "Organization"):
        if xpath.startswith(NODES[node]):
            return node
    return "Root"


def relative_path(xpath: str, node: str) -> str:
    return xpath[len(NODES[node]):]


def read_fields(fields_json: Path) -> tuple[dict, list[str], str]:
    sdk = json.loads(fields_json.read_text(encoding="utf-8"))
    by_id = {field["id"]: field for field in sdk["fields"]}
    missing = [name for name in FIELD_IDS if name not in by_id]
    if missing:
        raise SystemExit(f"not in fields.json: {missing}")
    fields = {}
    for name in dict.fromkeys(FIELD_IDS):
        field = by_id[name]
        node = node_of(field)
        fields[name] = {
            "bt": field["btId"],
            "name": field["name"],
            "xpath": field["xpathAbsolute"],
            "node": node,
            "path": relative_path(field["xpathAbsolute"], node),
            "repeatable": bool(field.get("repeatable", {}).get("value")),
        }
    subtypes = []
    for constraint in by_id["OPP-070-notice"]["mandatory"].get("constraints", []):
        subtypes.extend(constraint.get("noticeTypes", []))
    return fields, list(dict.fromkeys(subtypes)), sdk["sdkVersion"]


def read_code_list(path: Path) -> dict[str, str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(path), parser)
    labels = {}
    for row in tree.iter("Row"):
        values = {v.get("ColumnRef"): (v.findtext("SimpleValue") or "").strip()
                  for v in row.iter("Value")}
        if values.get("code"):
            labels[values["code"]] = values.get("eng_label") or values.get("Name") or ""
    return labels


def render(fields: dict, subtypes: list[str], version: str, code_lists: dict) -> str:
    return (
        '"""The eForms business terms the importer reads: generated, do not edit.\n\n'
        f"Generated by scripts/generate_eforms_fields.py from the eForms SDK ({version})\n"
        "fields.json and code lists. ``xpath`` is the SDK's absolute XPath; ``path`` is the\n"
        "same path relative to ``node`` (a lot, a part, an organisation, or the root).\n"
        '"""\n\n'
        "# ruff: noqa: E501\n\n"
        f"SDK_VERSION = {version!r}\n\n"
        f"FIELDS: dict[str, dict] = {pprint.pformat(fields, width=96, sort_dicts=False)}\n\n"
        f"NOTICE_SUBTYPES: tuple[str, ...] = {pprint.pformat(tuple(subtypes), width=96)}\n\n"
        "CODE_LABELS: dict[str, dict[str, str]] = "
        f"{pprint.pformat(code_lists, width=96, sort_dicts=True)}\n"
    )


def main(argv: list[str]) -> None:
    fields_json, code_dir = Path(argv[0]), Path(argv[1])
    fields, subtypes, version = read_fields(fields_json)
    code_lists = {name: read_code_list(code_dir / f"{name}.gc") for name in CODE_LISTS}
    TARGET.write_text(render(fields, subtypes, version, code_lists), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(fields)} fields, {len(subtypes)} subtypes")


if __name__ == "__main__":
    main(sys.argv[1:])
