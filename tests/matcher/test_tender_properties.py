"""Properties of the tender matcher over generated tenders and enterprises (hypothesis)."""

from datetime import datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.tenders import EnterpriseProfile, LotItem, TenderItem, TenderMatcher, top_k_rows
from matcher.tenders.topk import _top_k_of_positive

NOW = datetime(2025, 3, 1)
CPV_CODES = ["90919200", "90911000", "90910000", "45233120", "45000000", "85312400", "55520000"]
NUTS_CODES = ["NL33C", "NL33A", "NL328", "NL411", "EL303", "DEA11", "NL33"]
WORDS = ["schoonmaak", "kantoor", "cleaning", "road", "strasse", "pulizia", "care", "catering"]

codes = st.lists(st.sampled_from(CPV_CODES), max_size=3)
places = st.lists(st.sampled_from(NUTS_CODES), max_size=2)
texts = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
values = st.none() | st.floats(1_000, 50_000_000)
reservations = st.sampled_from(["none", "art20", "art77"])

lots = st.builds(
    LotItem,
    id=st.integers(0, 9),
    title=texts,
    cpv_codes=codes,
    value_eur=values,
    reservation=st.none() | reservations,
)
tenders = st.builds(
    TenderItem,
    id=st.just(0),
    title=texts,
    description=texts,
    cpv_codes=codes,
    nuts_codes=places,
    value_eur=values,
    deadline=st.none() | st.integers(-3, 60).map(lambda d: NOW + timedelta(days=d)),
    reservation=reservations,
    reserved_execution=st.booleans(),
    social_criteria=st.lists(st.just("social return"), max_size=1),
    sme_suitable=st.booleans(),
    social_enterprise_suitable=st.booleans(),
    lots=st.lists(lots, max_size=3),
)
enterprises = st.builds(
    EnterpriseProfile,
    id=st.just(0),
    kind=st.sampled_from(["wise", "sheltered_workshop", "social_cooperative", "other"]),
    disadvantaged_share=st.floats(0, 1),
    public_service_mission=st.booleans(),
    nuts=st.sampled_from(["", *NUTS_CODES]),
    regions_served=places,
    cpv_codes=codes,
    description=texts,
    turnover_eur=values,
    min_contract_value_eur=st.none() | st.floats(0, 100_000),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def numbered(items):
    for number, item in enumerate(items):
        item.id = number
    return items


@SETTINGS
@given(st.lists(tenders, min_size=1, max_size=8), st.lists(enterprises, min_size=1, max_size=4))
def test_scores_lie_in_unit_interval_and_match_the_explained_score(tender_list, profiles):
    matcher = TenderMatcher().fit(numbered(tender_list), numbered(profiles), now=NOW)
    scores, indices = matcher.kneighbors(n_neighbors=5)
    assert np.all((scores >= 0) & (scores <= 1))
    for row, profile in enumerate(profiles):
        ranking = matcher.rank_tenders(profile, n=5)
        assert [m.tender_id for m in ranking.matches] == [i for i in indices[row] if i >= 0]
        for match, score in zip(ranking.matches, scores[row], strict=False):
            assert 0 <= match.score <= 1
            assert abs(match.score - score) < 1e-4
            assert all(s.value is None or 0 <= s.value <= 1 for s in match.signals)


@SETTINGS
@given(st.lists(tenders, min_size=1, max_size=8), st.lists(enterprises, min_size=1, max_size=4))
def test_ranking_is_deterministic(tender_list, profiles):
    first = TenderMatcher().fit(numbered(tender_list), numbered(profiles), now=NOW)
    second = TenderMatcher().fit(tender_list, profiles, now=NOW)
    for left, right in zip(first.kneighbors(), second.kneighbors(), strict=True):
        np.testing.assert_array_equal(left, right)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 40),
    st.integers(1, 12),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.sampled_from([-0.2, -20.0]),
)
def test_top_k_equals_the_full_sorts_top_k(n_rows, n_columns, k, seed, with_ties, lowest):
    """Both ways (partition of whole rows; sort of the positive scores alone, taken when
    few are positive, as in the lists of real enterprises) give the full sort's top k."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(lowest, 1, (n_rows, n_columns)).astype(np.float32)
    if with_ties:
        scores = np.round(scores, 1)
    top_scores, top = top_k_rows(scores, k)
    positive = scores > 0
    by_positive = _top_k_of_positive(scores, positive, positive.sum(axis=1), k)
    np.testing.assert_array_equal(by_positive[0], top_scores)
    np.testing.assert_array_equal(by_positive[1], top)
    column_major = top_k_rows(np.asfortranarray(scores), k)  # as the batch path's blocks are
    np.testing.assert_array_equal(column_major[1], top)
    for row in range(n_rows):
        order = sorted(range(n_columns), key=lambda c: (-scores[row, c], c))
        expected = [c for c in order if scores[row, c] > 0][:k]
        assert top[row, : len(expected)].tolist() == expected
        assert np.all(top[row, len(expected) :] == -1)
        np.testing.assert_array_equal(top_scores[row, : len(expected)], scores[row, expected])


@settings(max_examples=150, deadline=None)
@given(
    n_rows=st.integers(1, 40), n_columns=st.integers(1, 30), density=st.floats(0, 1),
    picks=st.lists(st.integers(0, 10_000), max_size=25), seed=st.integers(0, 2**31),
    wide_indptr=st.booleans(),
)
def test_a_sides_rows_are_the_sparse_blocks_rows(n_rows, n_columns, density, picks, seed,
                                                  wide_indptr):
    # _Side.rows gathers CSR rows from the arrays (repeated, out of order, empty rows and an
    # empty selection included): the same matrix as scipy's own indexing, entry for entry.
    import scipy.sparse as sp

    from matcher.tenders.engine import _csr_rows

    matrix = sp.random(n_rows, n_columns, density=density, format="csr", dtype=np.float32,
                       random_state=seed)
    if wide_indptr:
        matrix.indptr, matrix.indices = (matrix.indptr.astype(np.int64),
                                         matrix.indices.astype(np.int64))
    rows = np.array([p % n_rows for p in picks], dtype=np.int64)
    expected, got = matrix[rows], _csr_rows(matrix, rows)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


SHARED_WORD_PIECES = ["schoon", "maak", "kantoor", "reinig", "ung", "cleaning", "Strasse",
                      "öffentlich", "re", "gladheid", "bestrijding", "GROEN"]
shared_word_texts = st.lists(
    st.lists(st.sampled_from(SHARED_WORD_PIECES), min_size=1, max_size=3).map("".join),
    max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(shared_word_texts, shared_word_texts,
       st.frozensets(st.sampled_from(["schoonmaak", "kantoor", "cleaning", "strasse"])))
def test_the_shared_words_are_those_of_the_pairwise_test(first, second, not_counted):
    # _shared_words searches a NUL-joined string and five-letter heads; the rule it implements
    # is the plain test of every pair of words: a word of the tender is shared when it lies in,
    # or contains, a word of the description (parts of compounds count).
    from matcher.tenders.explain import _WORD, _shared_words

    mine = {w.lower() for w in _WORD.findall(first)} - not_counted
    expected = [w for w in dict.fromkeys(w.lower() for w in _WORD.findall(second))
                if w not in not_counted and any(w in own or own in w for own in mine)]
    generic = frozenset(expected[::2])
    expected = sorted(expected, key=lambda w: (w in generic, -len(w)))[:4]
    assert _shared_words(first, second, not_counted, generic) == expected
