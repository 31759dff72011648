"""The audit trail is written for people and can be downloaded (issue 14)."""

import csv
import io
import re

from tests.helpers import AUTHORITY, COORDINATOR, login, post_form
from tests.webapp.groupings.test_coordinator import SECTOR, generate, placement


def test_the_trail_speaks_in_sentences_and_downloads_as_csv(client, db):
    login(client, COORDINATOR)
    proposal_id = generate(client, n_alternatives="1")
    placed, _waiting = placement(db, proposal_id)
    member = next(a for a, n in placed.items() if n == 1)
    post_form(client, f"/sectors/{SECTOR}/proposals/{proposal_id}/move",
              {"application_id": member, "target": "2", "version": "1"})
    html = client.get("/audit/").get_data(as_text=True)
    main = html.split('<div id="results"', 1)[1]  # the table (the filter's values are ids)
    for developer_words in ("proposal.run", "run key", "from label", "proposal.move"):
        assert developer_words not in main, developer_words
    assert re.search(rf"Generated 1 proposal \(#{proposal_id}\) from \d+ applicants: \d+ on "
                     r"the waitlist", main)
    assert "from group 1 to group 2." in main
    assert "member moved" in main
    export = client.get("/audit/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When (UTC)", "Who", "Sector", "Proposal", "Action", "What happened"]
    assert [r[4] for r in rows[1:]] == ["member moved", "proposals generated"]
    assert rows[1][1] == COORDINATOR and "from group 1 to group 2" in rows[1][5]


def test_only_coordinators_download_the_trail(client):
    login(client, AUTHORITY)
    assert client.get("/audit/export.csv").status_code == 403
