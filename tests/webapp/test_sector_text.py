"""A sector read in one language: the translation where there is one, the English elsewhere."""

from models import Sector
from webapp.sector_text import sector_name, sector_text

ICT = Sector(
    slug="circular-ict", name="Circular ICT and digital equipment",
    description="Laptops and servers.",
    topics=["Refurbished laptops and desktops", "Smartphones and tablets"],
    translations={"nl": {"name": "Circulaire ICT en digitale apparatuur",
                         "description": "Laptops en servers.",
                         "topics": {"Refurbished laptops and desktops":
                                    "Refurbished laptops en desktops"}}},
)


def test_dutch_where_translated_english_where_not():
    dutch = sector_text(ICT, "nl")
    assert (dutch.name, dutch.description) == ("Circulaire ICT en digitale apparatuur",
                                               "Laptops en servers.")
    assert dutch.topics == ["Refurbished laptops en desktops", "Smartphones and tablets"]
    assert dutch.choices[0] == ("Refurbished laptops and desktops",
                                "Refurbished laptops en desktops")
    assert dutch.topics_of(["Smartphones and tablets", "Refurbished laptops and desktops"]) == [
        "Smartphones and tablets", "Refurbished laptops en desktops"]


def test_english_and_unknown_languages_read_the_columns():
    for language in ("en", "fr", ""):
        text = sector_text(ICT, language)
        assert (text.name, text.description, text.topics) == (ICT.name, ICT.description,
                                                              ICT.topics)


def test_a_region_of_a_language_reads_the_language():
    assert sector_text(ICT, "nl_BE").name == "Circulaire ICT en digitale apparatuur"
    assert sector_name(ICT.name, ICT.translations, "nl_BE") == sector_text(ICT, "nl").name


def test_a_sector_without_translations_and_odd_json_read_in_english():
    for translations in ({}, None, {"nl": "Circulair"}, {"nl": {"name": " ", "topics": []}}):
        sector = Sector(slug="s", name="Food", topics=["Soil"], translations=translations)
        text = sector_text(sector, "nl")
        assert (text.name, text.topics, text.topic("Not a topic")) == ("Food", ["Soil"],
                                                                       "Not a topic")
