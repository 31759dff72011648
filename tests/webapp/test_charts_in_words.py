"""Charts: every region, honest summaries, labels that fit, one colour per country (issue 14)."""

import re
from types import SimpleNamespace

from tests.helpers import AUTHORITY, login
from webapp.groupings.services.members import group_makeup
from webapp.groupings.services.pictures import colours_for
from webapp.tenders.services.charts import LABEL_CHARS, bar_chart, most_text


def test_research_chart_shows_every_region_of_its_summary(client):
    login(client, AUTHORITY)
    html = client.get("/buyers/research?cpv_codes=90910000").get_data(as_text=True)
    chart = html[html.index('id="research-by-region-title"'):]
    chart = chart[:chart.index("</svg>")]
    n_regions = int(re.search(r"enterprises in (\d+) regions", html).group(1))
    assert n_regions > 12  # the case the old chart cut at twelve
    assert chart.count('class="chart-label"') == n_regions


def test_the_summary_names_the_most_only_when_one_region_leads(app):
    with app.test_request_context():
        assert most_text([("AT22", 1), ("NL33", 1), ("DE21", 1)]) == "; 1 in each"
        assert most_text([("AT22", 3), ("NL33", 1)]) == "; the most (3) in AT22"
        assert most_text([("AT22", 3), ("NL33", 3), ("DE21", 1)]) == \
            "; the most (3) in AT22, NL33"


def test_long_labels_are_shortened_to_fit_not_clipped(app):
    long = "ITH20 Provincia Autonoma di Trento"
    with app.test_request_context():
        chart = bar_chart("c", "t", "s", [(long, 1.0, "1"), ("Contract value (weight 15%)", 1.0,
                                                                "1")], "Region", "n")
    assert len(chart.bars[0].short) <= LABEL_CHARS and chart.bars[0].short.startswith("ITH20")
    assert chart.bars[0].short.endswith("…") and chart.bars[0].label == long
    assert chart.bars[1].short == "Contract value (weight 15%)"  # fits: kept whole
    assert chart.label_width >= 7.5 * LABEL_CHARS


def test_a_country_has_one_colour_for_coordinators_and_authorities(app):
    def authority(i, country):
        return SimpleNamespace(id=i, name=f"A{i}", country=country, population=1000 * i)
    with app.test_request_context():
        coordinator_view = colours_for(["AT", "BE", "DE", "NL"])
        authority_view = group_makeup([authority(1, "NL"), authority(2, "DE")], my_id=1)
    colours = {bar.country: bar.colour for bar in authority_view.bars}
    assert colours == {"NL": coordinator_view["NL"], "DE": coordinator_view["DE"]}
