"""Sectors read in the reader's language: names, topics, titles, mails; the API stays English.

The fixtures ship every sector in Dutch. A Dutch coordinator or authority reads the Dutch
names and topic labels on every page; what is stored (an application's topics) and what the
API answers stay the English.
"""

import json

import pytest
from sqlmodel import select

from models import Application, OutboxMessage, Sector, User
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    bearer,
    login,
    post_form,
    upload_applications,
)
from tests.webapp.groupings.test_members_with_groupings import publish_a_proposal

ICT = "circular-ict"
ICT_NL = "Circulaire ICT en digitale apparatuur"
ICT_EN = "Circular ICT and digital equipment"


def _dutch(client, email):
    """Log in and press the language switch's "Nederlands", as a person would."""
    login(client, email)
    assert post_form(client, "/language", {"locale": "nl", "next": "/"}).status_code == 303
    return client


def _sector(db, slug=ICT) -> Sector:
    return db.exec(select(Sector).where(Sector.slug == slug)).one()


def _applications(db, sector):
    return db.exec(select(Application).where(Application.sector_id == sector.id)).all()


def test_the_dutch_coordinator_reads_the_sector_list_in_dutch(client, db):
    html = _dutch(client, COORDINATOR).get("/sectors/").get_data(as_text=True)
    for sector in db.exec(select(Sector)).all():
        assert sector.translations["nl"]["name"] in html
        assert f">{sector.name}<" not in html, sector.slug
    # in the order of the Dutch names
    names = sorted((s.translations["nl"]["name"] for s in db.exec(select(Sector)).all()),
                   key=str.casefold)
    assert [html.index(n) for n in names] == sorted(html.index(n) for n in names)


def test_the_dutch_sector_page_names_the_sector_and_its_applicants_topics_in_dutch(client, db):
    sector = _sector(db)
    labels = sector.translations["nl"]["topics"]
    html = _dutch(client, COORDINATOR).get(f"/sectors/{ICT}").get_data(as_text=True)
    assert f"<title>{ICT_NL}" in html and f"<h1>{ICT_NL}</h1>" in html
    ticked = {t for a in _applications(db, sector) for t in a.topics}
    assert ticked
    for topic in ticked:
        assert labels[topic] in html
        assert topic not in html, topic
    assert ICT_EN not in html


def test_english_pages_are_unchanged(client, db):
    sector = _sector(db)
    login(client, COORDINATOR)
    index = client.get("/sectors/").get_data(as_text=True)
    page = client.get(f"/sectors/{ICT}").get_data(as_text=True)
    assert f">{ICT_EN}<" in index and ICT_NL not in index
    assert f"<title>{ICT_EN}" in page and ICT_NL not in page
    for topic in {t for a in _applications(db, sector) for t in a.topics}:
        assert topic in page
        assert sector.translations["nl"]["topics"][topic] not in page


def test_a_sector_without_a_dutch_translation_reads_in_english(client, db):
    sector = _sector(db)
    sector.translations = {}
    db.add(sector)
    db.commit()
    _dutch(client, COORDINATOR)
    index = client.get("/sectors/").get_data(as_text=True)
    page = client.get(f"/sectors/{ICT}").get_data(as_text=True)
    assert f">{ICT_EN}<" in index and ICT_NL not in index
    assert "Circulaire bouwmaterialen" in index  # the others still in Dutch
    assert f"<title>{ICT_EN}" in page
    assert sector.topics[0] in client.get(f"/sectors/{ICT}/import").get_data(as_text=True)


def test_a_dutch_import_lists_dutch_topics_and_stores_the_english(client, db):
    sector = _sector(db)
    english = sector.topics[0]
    dutch = sector.translations["nl"]["topics"][english]
    _dutch(client, COORDINATOR)
    page = client.get(f"/sectors/{ICT}/import").get_data(as_text=True)
    assert f"<li>{dutch}</li>" in page and f"<li>{english}</li>" not in page
    response = upload_applications(
        client, ICT, "Gemeente Testdorp,NL,NL329,municipality,12000,"
        f"{dutch.upper()}; {sector.topics[1]},We willen leren,1")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.expire_all()
    added = next(a for a in _applications(db, sector) if a.motivation == "We willen leren")
    assert added.topics == [english, sector.topics[1]]


def test_the_dutch_authority_reads_its_sectors_and_topics_in_dutch(client, db):
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    _dutch(client, AUTHORITY)
    pages = [client.get(path).get_data(as_text=True) for path in ("/", "/partners/")]
    mine = db.exec(select(Application).where(Application.authority_id == me.authority_id)).all()
    assert mine
    for application in mine:
        sector = db.get(Sector, application.sector_id)
        dutch = sector.translations["nl"]
        for html in pages:
            assert dutch["name"] in html and f">{sector.name}<" not in html
            for topic in application.topics:
                assert dutch["topics"][topic] in html and topic not in html, topic
        assert application.topics == [t for t in application.topics if t in sector.topics]


def test_the_group_page_and_the_mail_of_a_published_group_read_in_dutch(app, client, db):
    me = db.exec(select(User).where(User.email == AUTHORITY)).one()
    me.locale = "nl"
    db.add(me)
    db.commit()
    with app.app_context():  # as a command or a job publishes: the mails need the app
        proposal = publish_a_proposal(db)
    sector = db.get(Sector, proposal.sector_id)
    dutch = sector.translations["nl"]
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.user_id == me.id)).one()
    assert dutch["name"] in mail.subject and dutch["name"] in mail.body_text
    assert sector.name not in mail.body_text + mail.body_html
    login(client, AUTHORITY)
    index = client.get("/partners/").get_data(as_text=True)
    group_url = index.split('href="/partners/groups/')[1].split('"')[0]
    html = client.get(f"/partners/groups/{group_url}").get_data(as_text=True)
    assert f"{dutch['name']}</h1>" in html
    english_topics = [t for t in sector.topics if t in html]
    assert not english_topics, english_topics
    assert any(label in html for label in dutch["topics"].values())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_api_answers_the_english_whatever_the_language(app, client, db, language):
    headers = {**bearer(app, COORDINATOR), "Accept-Language": language}
    sectors = client.get("/api/v1/groupings/sectors", headers=headers).get_json()
    assert {s["name"] for s in sectors} == {s.name for s in db.exec(select(Sector)).all()}
    assert [s["name"] for s in sectors] == sorted(s["name"] for s in sectors)
    headers = {**bearer(app, AUTHORITY), "Accept-Language": language}
    applications = client.get("/api/v1/partners/applications", headers=headers).get_json()
    assert applications
    for item in applications:
        sector = _sector(db, item["sector"]["slug"])
        assert item["sector"]["name"] == sector.name
        assert set(item["topics"]) <= set(sector.topics)
    assert ICT_NL not in json.dumps(sectors)


def test_a_dutch_proposal_and_its_export_name_sectors_and_topics_in_dutch(client, db):
    """The engine's reasons cite topics ("shares …") and, for an authority limited to fewer
    sectors, the sectors it ranked higher: all in Dutch, from the English the engine stored."""
    _dutch(client, COORDINATOR)
    response = post_form(client, f"/sectors/{ICT}/proposals",
                         {"weight_interests": "1", "random_state": "0", "n_alternatives": "1"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    export = client.get(response.headers["Location"] + "/export.csv").get_data(as_text=True)
    sectors = db.exec(select(Sector)).all()
    english = {s.name for s in sectors} | {t for s in sectors for t in s.topics}
    for text in (page, export):
        left = sorted(t for t in english if t in text)
        assert not left, left
    assert "Circulair meubilair" in page  # a limited authority kept its first choice there
    assert ICT_NL in export and "deelt " in export
