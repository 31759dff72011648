"""Why partners are grouped: reading the engine's explanation, and the fallbacks (no database)."""

from models import Application, Authority, AuthorityKind
from webapp.groupings.services.explanations import ExplanationReader
from webapp.groupings.services.members import (
    fallback_reasons,
    group_makeup,
    partner_reasons,
)


def _authority(id, country="NL", nuts="NL310", population=100_000, languages=("nl", "en")):
    return Authority(id=id, name=f"Authority {id}", kind=AuthorityKind.MUNICIPALITY,
                     country=country, nuts=nuts, population=population,
                     languages=list(languages))


def _application(id, topics):
    return Application(id=id, authority_id=id, sector_id=1, topics=list(topics))


def test_reader_understands_members_keyed_by_id():
    reader = ExplanationReader({"members": {"7": {
        "why_here": ["Strong topic overlap."],
        "partner_reasons": {"8": ["Both pilot electric excavators."]},
    }}})
    assert reader.why_here(7) == ["Strong topic overlap."]
    assert reader.partner_reasons(7, 8) == ["Both pilot electric excavators."]
    assert reader.partner_reasons(7, 9) == []
    assert reader.why_here(8) == []


def test_reader_survives_missing_or_odd_explanations():
    for odd in (None, {}, {"members": "nonsense"}, {"members": {"7": 3}}, [],
                {"members": {"7": {"why_here": "not a list", "partner_reasons": ["8"]}}}):
        reader = ExplanationReader(odd)
        assert reader.why_here(7) == []
        assert reader.partner_reasons(7, 8) == []


def test_fallback_names_shared_topics_size_region_and_language():
    me, other = _authority(1), _authority(2, nuts="NL31A", population=400_000)
    reasons = fallback_reasons(_application(1, ["A", "B"]), me, _application(2, ["b", "C"]),
                               other)
    assert reasons[0] == "Shared interests: B."
    assert any("Larger than you (about 4×)" in r for r in reasons)
    assert "In your region." in reasons
    assert "You can work together in Dutch, English." in reasons


def test_fallback_for_a_foreign_partner_without_common_language():
    me = _authority(1)
    other = _authority(2, country="SE", nuts="SE110", population=None, languages=("sv",))
    reasons = fallback_reasons(_application(1, ["A"]), me, _application(2, ["Z"]), other)
    assert reasons == ["From Sweden: a view from another country."]


def test_engine_reasons_come_first_without_duplicates():
    reader = ExplanationReader({"members": {"1": {"partner_reasons": {"2": ["In your region."]}}}})
    me, other = _authority(1), _authority(2)
    reasons = partner_reasons(reader, _application(1, []), me, _application(2, []), other)
    assert reasons[0] == "In your region." and reasons.count("In your region.") == 1


def test_makeup_bars_and_text_alternative():
    members = [_authority(1, population=900_000), _authority(2, country="BE", nuts="BE100",
                                                           population=100_000),
               _authority(3, population=None)]
    makeup = group_makeup(members, my_id=2)
    assert [bar.label for bar in makeup.bars] == ["Authority 1", "Authority 2", "Authority 3"]
    assert makeup.bars[0].width == 360 and makeup.bars[1].width == 120.0
    assert makeup.bars[2].population_text == "population unknown"
    assert [bar.is_me for bar in makeup.bars] == [False, True, False]
    assert makeup.summary == ("3 members: 2 from Netherlands, 1 from Belgium; "
                              "populations from 100,000 to 900,000.")
    assert makeup.countries == [("Belgium", 1, makeup.bars[1].colour),
                                ("Netherlands", 2, makeup.bars[0].colour)]


def test_engine_phrases_become_sentences_and_fallbacks_fill_only_the_gaps():
    """The shape `matcher.groupings` stores: members keyed by application id, short phrases."""
    reader = ExplanationReader({"members": {"1": {
        "why_here": ["shares B; complementary size (larger, about 4×) with Authority 2"],
        "partner_reasons": {"2": ["shares B", "complementary size (larger, about 4×)"]},
    }}})
    me, other = _authority(1), _authority(2, nuts="NL31A", population=400_000)
    reasons = partner_reasons(reader, _application(1, ["A", "B"]), me,
                              _application(2, ["B"]), other)
    assert reasons == ["Shares B.", "Complementary size (larger, about 4×).", "In your region.",
                       "You can work together in Dutch, English."]
