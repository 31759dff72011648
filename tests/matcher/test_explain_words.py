"""The engine's reasons say who is larger (issue 14: "complementary size (smaller, about 10×)")."""

from matcher.groupings import Applicant, WorkingGroupBuilder


def test_the_size_reason_says_which_partner_is_larger():
    pool = [Applicant("small", interests=["e-buses"], size=30_000),
            Applicant("large", interests=["e-buses"], size=3_000_000),
            Applicant("mid", interests=["e-buses"], size=35_000)]
    builder = WorkingGroupBuilder(max_group_size=3, min_group_size=3,
                                  weights={"size_mix": 1.0}, random_state=0).fit(pool)
    members = builder.partitions_[0].explanations[0]["members"]
    about_large = members["small"]["partner_reasons"]["large"]
    about_small = members["large"]["partner_reasons"]["small"]
    assert "complementary size (the partner is about 100× larger)" in about_large
    assert "complementary size (the partner is about 100× smaller)" in about_small


def test_the_explanations_have_the_documented_shape():
    """Readers (the authority's partner cards, the exports) rely on GroupExplanation's keys."""
    from matcher.groupings import GroupExplanation, MemberExplanation

    pool = [Applicant(f"a{i}", interests=["e-buses", "charging"][: 1 + i % 2], size=10_000 * i)
            for i in range(1, 7)]
    builder = WorkingGroupBuilder(max_group_size=3, min_group_size=3, random_state=0).fit(pool)
    for group in builder.partitions_[0].explanations:
        assert set(group) >= set(GroupExplanation.__annotations__)
        for member in group["members"].values():
            assert set(member) == set(MemberExplanation.__annotations__)
            assert all(isinstance(text, str) for text in member["why_here"])
            assert set(member["best_alternative"]) == {"group", "delta", "fits"}
