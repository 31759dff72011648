"""An id in a URL that no row can have is a plain 404, on pages and in the API."""

import pytest

from tests.helpers import ENTERPRISE, bearer, login

BEYOND_INTEGER = 2**31  # one past PostgreSQL's INTEGER, far below SQLite's overflow too


@pytest.mark.parametrize("number", [BEYOND_INTEGER, 10**20])
def test_an_impossible_id_is_not_found(app, client, number):
    api = client.get(f"/api/v1/tenders/{number}", headers=bearer(app, ENTERPRISE))
    assert api.status_code == 404
    assert api.json["message"]
    login(client, ENTERPRISE)
    page = client.get(f"/opportunities/tenders/{number}")
    assert page.status_code == 404
    assert "Traceback" not in page.get_data(as_text=True)
