"""Saved searches on the pages and over the API: save, list, edit, delete, feed tokens."""

from sqlmodel import select

from models import SavedSearch
from tests.helpers import AUTHORITY, ENTERPRISE, bearer, login, post_form
from tests.webapp.groupings.test_members import ENTERPRISE2, arrange_proposals


def test_save_edit_renew_feed_and_delete_on_the_pages(client, db):
    login(client, ENTERPRISE)
    response = post_form(client, "/alerts/searches/", {
        "name": "Reserved cleaning", "frequency": "weekly", "q": "schoonmaak",
        "nuts": "nl33", "reserved": "on", "min_value": "10000", "reach": "country"})
    assert response.status_code == 303
    search = db.exec(select(SavedSearch)).one()
    assert search.filters == {"q": "schoonmaak", "nuts": "NL33", "min_value": 10000,
                              "reserved": True, "reach": "country"}
    page = client.get("/alerts/searches/").get_data(as_text=True)
    assert "Reserved cleaning" in page and "Every week" in page
    assert "reserved=on" in page and "nuts=NL33" in page  # opens the list filtered
    assert "reach=country" in page and "My whole country" in page

    old_token = search.feed_token
    assert client.get(f"/alerts/feeds/{old_token}").status_code == 200
    post_form(client, f"/alerts/searches/{search.id}/feed")
    db.refresh(search)
    assert search.feed_token != old_token
    assert client.get(f"/alerts/feeds/{old_token}").status_code == 404
    assert client.get(f"/alerts/feeds/{search.feed_token}").status_code == 200

    edit = client.get(f"/alerts/searches/{search.id}").get_data(as_text=True)
    assert 'value="Reserved cleaning"' in edit
    assert '<option value="country" selected>' in edit  # the saved reach, to change
    bad = post_form(client, f"/alerts/searches/{search.id}", {
        "name": "Reserved cleaning", "frequency": "daily", "nuts": "12345"})
    assert bad.status_code == 422
    assert "Give a NUTS code" in bad.get_data(as_text=True)
    good = post_form(client, f"/alerts/searches/{search.id}", {
        "name": "All cleaning", "frequency": "off", "q": "schoonmaak"})
    assert good.status_code == 303
    db.refresh(search)
    assert (search.name, search.frequency, search.filters) == (
        "All cleaning", "off", {"q": "schoonmaak"})

    assert post_form(client, f"/alerts/searches/{search.id}/delete").status_code == 303
    assert db.exec(select(SavedSearch)).all() == []


def test_saving_with_bad_filters_shows_the_form_again_with_the_errors(client, db):
    login(client, ENTERPRISE)
    response = post_form(client, "/alerts/searches/", {
        "name": "", "frequency": "hourly", "min_value": "5000", "max_value": "10"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the search a name." in html
    assert "The maximum is below the minimum." in html
    assert "Choose how often you want an e-mail." in html
    assert db.exec(select(SavedSearch)).all() == []


def test_another_users_search_is_404(client, db):
    arrange_proposals(db)
    login(client, ENTERPRISE)
    post_form(client, "/alerts/searches/", {"name": "Mine", "frequency": "daily"})
    search = db.exec(select(SavedSearch)).one()
    other = client.application.test_client()
    login(other, ENTERPRISE2)
    assert other.get(f"/alerts/searches/{search.id}").status_code == 404
    assert post_form(other, f"/alerts/searches/{search.id}/delete").status_code == 404
    assert db.exec(select(SavedSearch)).one()


def test_the_api_creates_lists_changes_and_deletes(app, client, db):
    headers = bearer(app, ENTERPRISE)
    created = client.post("/api/v1/saved-searches", headers=headers, json={
        "name": "Rotterdam", "frequency": "daily",
        "filters": {"region": "NL33C", "max_value": 500000, "closing_after": "2030-01-01"}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["filters"]["region"] == "NL33C" and body["filters"]["max_value"] == 500000
    assert body["feed_url"].startswith("http://localhost/alerts/feeds/")
    assert client.get(body["feed_url"]).status_code == 200

    listed = client.get("/api/v1/saved-searches", headers=headers).get_json()
    assert [s["name"] for s in listed["items"]] == ["Rotterdam"]
    patched = client.patch(f"/api/v1/saved-searches/{body['id']}", headers=headers,
                           json={"frequency": "weekly", "filters": {"reserved_only": True}})
    assert patched.status_code == 200
    assert patched.get_json()["frequency"] == "weekly"
    assert patched.get_json()["filters"]["reserved_only"] is True
    assert patched.get_json()["filters"]["region"] == ""

    invalid = client.post("/api/v1/saved-searches", headers=headers, json={
        "name": "x", "frequency": "hourly", "filters": {"region": "Atlantis", "colour": 1}})
    assert invalid.status_code == 422
    fields = invalid.get_json()["fields"]
    assert "frequency" in fields and any(k.startswith("filters") for k in fields)
    bad_region = client.post("/api/v1/saved-searches", headers=headers,
                             json={"name": "x", "filters": {"region": "12345"}})
    assert bad_region.status_code == 422
    assert bad_region.get_json()["fields"] == {
        "filters.region": "Give a NUTS code, for example NL33 or UKM."}

    assert client.delete(f"/api/v1/saved-searches/{body['id']}", headers=headers
                         ).status_code == 204
    assert client.delete(f"/api/v1/saved-searches/{body['id']}", headers=headers
                         ).status_code == 404


def test_the_api_speaks_the_lists_filter_names_and_still_reads_the_former(app, client, db):
    headers = bearer(app, ENTERPRISE)
    created = client.post("/api/v1/saved-searches", headers=headers, json={
        "name": "Nearby", "filters": {"nuts": "nl33", "deadline_after": "2030-01-01",
                                      "reserved": True, "reach": "country"}})
    assert created.status_code == 201, created.get_json()
    filters = created.get_json()["filters"]
    assert (filters["nuts"], filters["deadline_after"], filters["reserved"],
            filters["reach"]) == ("NL33", "2030-01-01", True, "country")
    # the former names beside them, with the same values, for clients written before
    assert (filters["region"], filters["closing_after"], filters["reserved_only"]) == (
        "NL33", "2030-01-01", True)
    stored = db.get(SavedSearch, created.get_json()["id"])
    assert stored.filters == {"nuts": "NL33", "deadline_after": "2030-01-01",
                              "reserved": True, "reach": "country"}
    bad = client.post("/api/v1/saved-searches", headers=headers,
                      json={"name": "x", "filters": {"nuts": "12345", "reach": "moon"}})
    assert set(bad.get_json()["fields"]) == {"filters.nuts", "filters.reach"}


def test_the_api_refuses_other_roles_and_other_users(app, client, db):
    arrange_proposals(db)
    mine = client.post("/api/v1/saved-searches", headers=bearer(app, ENTERPRISE),
                       json={"name": "Mine"}).get_json()
    assert client.get("/api/v1/saved-searches", headers=bearer(app, AUTHORITY)
                      ).status_code == 403
    theirs = bearer(app, ENTERPRISE2)
    assert client.get("/api/v1/saved-searches", headers=theirs).get_json() == {"items": []}
    assert client.patch(f"/api/v1/saved-searches/{mine['id']}", headers=theirs,
                        json={"name": "Stolen"}).status_code == 404
    assert client.get("/api/v1/saved-searches").status_code == 401
