"""Properties of the working-group engine that must hold for any pool and any settings.

Constraints are drawn from a planted grouping that keeps them all, so a grouping always exists
and the engine must find one; settings that cannot work must raise with a message.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.synthetic import generate_pool
from matcher.groupings import InfeasibleGrouping, WorkingGroupBuilder

FAST = {"n_restarts": 2, "n_kicks": 4, "time_limit": 30.0}
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def planted_problems(draw):
    """A pool, settings, and constraints that a hidden grouping satisfies."""
    n = draw(st.integers(5, 30))
    max_size = draw(st.integers(3, 7))
    n_groups = math.ceil(n / max_size)
    min_size = draw(st.integers(1, min(3, n // n_groups)))
    max_groups = draw(st.one_of(st.none(), st.integers(1, n_groups)))
    k = n_groups if max_groups is None else max_groups
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    order = rng.permutation(n)
    placed = min(n, k * max_size)
    planted = np.array_split(order[:placed], k)
    ids = [f"a{i}" for i in range(n)]
    together, apart, locked = [], [], {}
    for h, group in enumerate(planted):
        if len(group) >= 2 and draw(st.booleans()):
            together.append((ids[group[0]], ids[group[1]]))
        if draw(st.booleans()):
            locked[ids[group[-1]]] = h
    for _ in range(draw(st.integers(0, 3))):
        g1, g2 = rng.choice(k, size=2) if k > 1 else (0, 0)
        if g1 != g2:
            apart.append((ids[rng.choice(planted[g1])], ids[rng.choice(planted[g2])]))
    weights = {"interests": draw(st.sampled_from([0.0, 1.0])),
               "size_mix": draw(st.sampled_from([0.0, 0.5])),
               "region": draw(st.sampled_from([0.0, 0.5]))}
    builder = WorkingGroupBuilder(
        max_group_size=max_size, min_group_size=min_size, max_groups=max_groups,
        weights=weights, region_mode=draw(st.sampled_from(["near", "spread"])),
        large_buyer=draw(st.sampled_from(["off", "soft"])),
        no_lone_country=draw(st.booleans()), fairness=draw(st.sampled_from([0.0, 1.0])),
        together=together, apart=apart, locked=locked,
        random_state=draw(st.integers(0, 100)), **FAST)
    return generate_pool(n, seed=int(rng.integers(1000))), builder


def where(groups):
    return {member: h for h, group in enumerate(groups) for member in group}


@PROPERTY
@given(planted_problems())
def test_hard_constraints_never_break(problem):
    pool, builder = problem
    builder.fit(pool)
    for proposal in builder.partitions_:
        placed = [m for group in proposal.groups for m in group]
        waitlisted = [m for m, _ in proposal.waitlist]
        assert sorted(placed + waitlisted) == sorted(a.id for a in pool)
        assert all(builder.min_group_size <= len(g) <= builder.max_group_size
                   for g in proposal.groups)
        if builder.max_groups is not None:
            assert len(proposal.groups) <= builder.max_groups
        at = where(proposal.groups)
        assert all(at.get(m) == h for m, h in builder.locked.items())
        assert all(a in at and at.get(a) == at.get(b) for a, b in builder.together)
        assert all(at.get(a) is None or at.get(a) != at.get(b) for a, b in builder.apart)
        assert all(reason for _, reason in proposal.waitlist)
        assert builder.score(proposal.groups, proposal.waitlist).violations == []


@PROPERTY
@given(planted_problems())
def test_same_input_and_random_state_give_the_same_proposals(problem):
    pool, builder = problem
    first = [p.groups for p in builder.fit(pool).partitions_]
    assert [p.groups for p in builder.fit(pool).partitions_] == first


@PROPERTY
@given(planted_problems(), st.data())
def test_a_move_delta_equals_the_full_rescoring(problem, data):
    pool, builder = problem
    groups = builder.fit(pool).partitions_[0].groups
    member = data.draw(st.sampled_from([m for group in groups for m in group]))
    to_group = data.draw(st.sampled_from([*range(len(groups)), None]))
    moved = [[m for m in group if m != member] for group in groups]
    if to_group is not None:
        moved[to_group].append(member)
    expected = builder.score(moved).objective - builder.score(groups).objective
    assert builder.score_move(groups, member, to_group) == pytest.approx(expected, abs=1e-9)


@PROPERTY
@given(planted_problems())
def test_explanations_agree_with_the_scores(problem):
    pool, builder = problem
    proposal = builder.fit(pool).partitions_[0]
    card = builder.score(proposal.groups)
    assert proposal.objective == pytest.approx(card.objective)
    assert proposal.objective == pytest.approx(sum(card.scores) + builder.fairness * min(
        card.scores))
    for group, score, explanation in zip(proposal.groups, proposal.scores,
                                         proposal.explanations, strict=True):
        assert explanation["score"] == pytest.approx(score)
        points = sum(explanation["points"].values())
        assert points - explanation["penalty"] == pytest.approx(score, abs=1e-6)
        shares = explanation["criteria"].values()
        assert sum(shares) == pytest.approx(1.0 if points > 1e-9 else 0.0, abs=1e-6)
        assert set(explanation["members"]) == set(group)
        for member, why in explanation["members"].items():
            assert set(why["partner_reasons"]) == set(group) - {member}
            alternative = why["best_alternative"]
            if alternative is not None:
                assert alternative["delta"] == pytest.approx(builder.score_move(
                    proposal.groups, member, alternative["group"]), abs=1e-6)


@PROPERTY
@given(n=st.integers(1, 40), max_size=st.integers(1, 9), min_size=st.integers(0, 8),
       n_groups=st.one_of(st.none(), st.integers(0, 12)))
def test_sizes_either_work_or_raise_a_message(n, max_size, min_size, n_groups):
    builder = WorkingGroupBuilder(max_group_size=max_size, min_group_size=min_size,
                                  n_groups=n_groups, random_state=0, **FAST)
    try:
        builder.fit(generate_pool(n, seed=n))
    except InfeasibleGrouping as error:
        assert len(str(error)) > 15
        return
    k = builder.n_groups_
    assert min_size * k <= n and max_size <= 7 and 1 <= min_size <= max_size
    assert all(min_size <= len(g) <= max_size for g in builder.partitions_[0].groups)
