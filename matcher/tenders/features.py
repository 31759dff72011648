"""Feature matrices whose row products are the signals.

Every signal is a dot product between an enterprise row and a lot row, so scoring all pairs
is a matrix product (sparse where the features are sparse) and the score of a pair is the
sum of its blocks' products.

Hierarchies (CPV, NUTS) use two blocks over the nodes of the tree:

* *chain*: the lot puts its weight on every node from the root down to its code. The
  enterprise puts on each ancestor of its codes the *increment* of the shared-ancestor
  score at that level, and on its own codes what is left up to 1. The product is then the
  score of the deepest shared ancestor, and 1 when the lot's code lies inside one of the
  enterprise's branches.
* *self*: the lot puts its weight on its own code only; the enterprise puts, on the
  ancestors of its codes, the bonus that lifts "shares this ancestor" to "the lot's code
  covers your code".

A lot with several codes gives its main code 60 % of the weight and shares the rest.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from matcher.tenders.rules import outermost, value_fit

MAIN_CODE_SHARE = 0.6
VALUE_BUCKETS_PER_DECADE = 8
VALUE_MIN_LOG10 = 2  # EUR 100
VALUE_MAX_LOG10 = 10  # EUR 10 billion
N_VALUE_BUCKETS = (VALUE_MAX_LOG10 - VALUE_MIN_LOG10) * VALUE_BUCKETS_PER_DECADE
SOCIAL_COLUMNS = (
    "reserved_art20",
    "reserved_art77",
    "reserved_execution",
    "social_clauses",
    "social_enterprise_suitable",
    "sme_suitable",
)
GATE_COLUMNS = ("art20", "art77", "closed")
#: Added (negated) to the score of a gated pair: far below any real score in [0, 1].
GATE_PENALTY = 1000.0
#: Words (of four letters or more) found in more than this share of the documents are too
#: common to be evidence of an activity ("services", "council", "provide"); applied only from
#: EVIDENCE_MIN_DOCS documents on, below which document frequencies mean nothing.
EVIDENCE_MAX_DF = 0.2
#: Share of the text similarity that comes from whole words (the rest from character n-grams).
#: 0.75 rather than 0.5: whole words carry the topic, character n-grams mostly the language
#: (bench.relevance, reach=country: 0.863 at 0.5, 0.873 at 0.75, 0.874 at 0.9, 0.858 at 0.25).
WORD_SHARE = 0.75
EVIDENCE_MIN_DOCS = 30
#: The words the evidence encoder counts: letters only, four or more.
EVIDENCE_TOKEN_PATTERN = r"(?u)\b[^\W\d_]{4,}\b"


def code_weights(n_codes: int) -> list[float]:
    """Weights of a lot's codes: the main (first) code counts most."""
    if n_codes <= 1:
        return [1.0] * n_codes
    return [MAIN_CODE_SHARE] + [(1 - MAIN_CODE_SHARE) / (n_codes - 1)] * (n_codes - 1)


class _CachedChain:
    """A chain function that remembers its answers; a class, not a closure, so the fitted
    encoder can be pickled into the shared matching index."""

    def __init__(self, chain):
        self.chain, self.cache = chain, {}

    def __call__(self, code: str) -> list[str]:
        found = self.cache.get(code)
        if found is None:
            found = self.cache[code] = self.chain(code)
        return found


class HierarchyEncoder:
    """Encode code lists over a hierarchy (CPV or NUTS) as chain and self blocks.

    Parameters
    ----------
    chain : callable
        code -> its existing ancestors and itself, broadest first.
    level : callable
        code -> level number, the key of ``shared`` and ``cover``.
    shared, cover : mapping
        Score by level of the deepest shared ancestor / of a lot code covering the
        enterprise's code.
    contains : callable
        (outer, inner) -> whether ``inner`` lies inside ``outer``.
    """

    def __init__(
        self,
        chain: Callable[[str], list[str]],
        level: Callable[[str], int],
        shared: Mapping[int, float],
        cover: Mapping[int, float],
        contains: Callable[[str, str], bool],
    ):
        self.chain = chain
        self.level = level
        self.shared = shared
        self.cover = cover
        self.contains = contains

    def fit(self, code_lists: Sequence[Sequence[str]]) -> HierarchyEncoder:
        """Index every node met on the chains of the given codes."""
        # The same few thousand codes come back on every lot: look their chains up once.
        if not isinstance(self.chain, _CachedChain):
            self.chain = _CachedChain(self.chain)
        nodes = sorted({node for codes in code_lists for c in codes for node in self.chain(c)})
        self.vocabulary_ = {node: index for index, node in enumerate(nodes)}
        return self

    @property
    def n_features(self) -> int:
        return 2 * len(self.vocabulary_)

    def transform_profiles(self, code_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Enterprise rows: increments on ancestors, the remainder on the codes."""
        return self._build(code_lists, self._profile_entries)

    def transform_units(
        self, code_lists: Sequence[Sequence[str]], breadth: Callable[[int], float] | None = None
    ) -> sp.csr_matrix:
        """Lot rows: weight on every node of each code's chain, and on the code itself.

        ``breadth(n_codes)`` scales a row: a catch-all list of codes is weaker evidence.
        """
        rows = _csr_from_dicts(_encoded_once(code_lists, self._unit_entries), self.n_features)
        if breadth is not None and rows.shape[0]:
            factors = np.array([breadth(len(codes)) for codes in code_lists], dtype=np.float32)
            rows = sp.csr_matrix(sp.diags(factors) @ rows)
        return rows

    def _profile_entries(self, codes: Sequence[str]) -> dict[int, float]:
        entries: dict[int, float] = {}
        for code in outermost(list(codes), self.contains):
            previous_score = 0.0
            chain = self.chain(code)
            for node in chain[:-1]:
                score = self.shared[self.level(node)]
                self._put(entries, node, 0, score - previous_score)
                self._put(entries, node, 1, self.cover[self.level(node)] - score)
                previous_score = score
            self._put(entries, chain[-1], 0, 1.0 - previous_score)
        return entries

    def _unit_entries(self, codes: Sequence[str]) -> dict[int, float]:
        entries: dict[int, float] = {}
        for code, weight in zip(codes, code_weights(len(codes)), strict=True):
            for node in self.chain(code):
                self._add(entries, node, 0, weight)
            self._add(entries, code, 1, weight)
        return entries

    def _column(self, node: str, block: int) -> int | None:
        index = self.vocabulary_.get(node)
        return None if index is None else index + block * len(self.vocabulary_)

    def _put(self, entries: dict[int, float], node: str, block: int, value: float) -> None:
        column = self._column(node, block)
        if column is not None and value:
            entries[column] = value

    def _add(self, entries: dict[int, float], node: str, block: int, value: float) -> None:
        column = self._column(node, block)
        if column is not None:
            entries[column] = entries.get(column, 0.0) + value

    def _build(self, code_lists, entries_of) -> sp.csr_matrix:
        rows = [entries_of(codes) for codes in code_lists]
        return _csr_from_dicts(rows, self.n_features)


def _encoded_once(code_lists: Sequence[Sequence[str]],
                  encode: Callable[[tuple[str, ...]], dict[int, float]]) -> list[dict[int, float]]:
    """``encode`` of every list, each distinct list encoded once: lots repeat code lists (a
    tender's lots share its places, often its codes; 541 place lists for 24,224 generated
    lots). The rows share their dicts, which only ``_csr_from_dicts`` reads."""
    encoded: dict[tuple[str, ...], dict[int, float]] = {}
    rows = []
    for codes in code_lists:
        key = tuple(codes)
        row = encoded.get(key)
        if row is None:
            row = encoded[key] = encode(key)
        rows.append(row)
    return rows


def _csr_from_dicts(rows: Sequence[dict[int, float]], n_columns: int) -> sp.csr_matrix:
    """Build a float32 CSR matrix from one {column: value} dict per row."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in rows])
    indices = np.fromiter((c for row in rows for c in sorted(row)), dtype=np.int32)
    data = np.fromiter(
        (row[c] for row in rows for c in sorted(row)), dtype=np.float32, count=len(indices)
    )
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_columns))


_WORD = re.compile(r"[^\W\d_]+")


def without_words(text: str, words: frozenset[str]) -> str:
    """The text with these (lowercase) words taken out, the rest as it was."""
    if not words:
        return text
    return _WORD.sub(lambda m: "" if m.group(0).lower() in words else m.group(0), text)


def char_wb_ngrams(text: str) -> list[str]:
    """Character 3-5-grams within words, padded with a space, of the lowercased text: the
    n-grams of scikit-learn's ``analyzer="char_wb", ngram_range=(3, 5)``, cut with list
    comprehensions (about twice as fast; n-gram cutting was most of the fit)."""
    grams: list[str] = []
    for word in text.lower().split():
        grams += _word_ngrams(word)
    return grams


def _word_ngrams(word: str) -> list[str]:
    """The n-grams of one lowercased word (see :func:`char_wb_ngrams`)."""
    word = f" {word} "
    length = len(word)
    grams: list[str] = []
    for n in (3, 4, 5):
        if length <= n:  # a word shorter than n gives itself once, and no longer n-grams
            grams.append(word)
            break
        grams += [word[i : i + n] for i in range(length - n + 1)]
    return grams


def char_wb_counts(documents: Sequence[str], vocabulary: Mapping[str, int]) -> sp.csr_matrix:
    """Per document, the counts of the vocabulary's n-grams as :func:`char_wb_ngrams` cuts
    them (float32): what a fitted ``CountVectorizer(analyzer=char_wb_ngrams)`` transforms to.

    The n-grams never cross a word, so a document's counts are the sum of its words' counts:
    each distinct word is cut once, and the documents' word counts times that word-by-n-gram
    matrix give the same integers as counting every n-gram of every document (which took most
    of a fit: a dict look-up per n-gram instead of one per word).
    """
    word_ids: dict[str, int] = {}
    word_column: list[int] = []
    indptr = np.zeros(len(documents) + 1, dtype=np.int64)
    for i, document in enumerate(documents):
        word_column.extend(word_ids.setdefault(w, len(word_ids)) for w in document.lower().split())
        indptr[i + 1] = len(word_column)
    by_word = sp.csr_matrix(
        (np.ones(len(word_column), dtype=np.float32), np.array(word_column, dtype=np.int64),
         indptr),
        shape=(len(documents), len(word_ids)),
    )
    gram_columns: list[int] = []
    gram_indptr = np.zeros(len(word_ids) + 1, dtype=np.int64)
    for j, word in enumerate(word_ids):
        gram_columns.extend(c for c in map(vocabulary.get, _word_ngrams(word)) if c is not None)
        gram_indptr[j + 1] = len(gram_columns)
    grams = sp.csr_matrix(
        (np.ones(len(gram_columns), dtype=np.float32), np.array(gram_columns, dtype=np.int64),
         gram_indptr),
        shape=(len(word_ids), len(vocabulary)),
    )
    counts = sp.csr_matrix(by_word @ grams, dtype=np.float32)
    counts.sum_duplicates()
    counts.sort_indices()  # as scikit-learn's counts are
    counts.eliminate_zeros()
    counts.indices = counts.indices.astype(np.int32)
    counts.indptr = counts.indptr.astype(np.int32)
    return counts


def tfidf_rows(vectorizer: TfidfVectorizer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """The fitted vectorizer's TF-IDF rows of these counts: its own steps (sublinear tf, idf,
    l2 norm) in its own order, so the numbers are those ``vectorizer.transform`` gives."""
    counts = counts.copy()
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm is not None:
        counts = normalize(counts, norm=vectorizer.norm, copy=False)
    return sp.csr_matrix(counts)


#: Documents encoded (to LSA rows) on every core from this many on: cutting n-grams is Python,
#: so threads would wait for each other; forked processes share the fitted vocabularies and
#: send back small dense rows. Every row is encoded on its own, so the result is the same.
PARALLEL_MIN_DOCS = 20_000
_FORKED: list = []  # the function the forked processes call, set just before they fork


def in_processes(function: Callable[[Sequence], np.ndarray], items: Sequence) -> np.ndarray:
    """``function(items)`` as the rows of its calls on consecutive chunks of ``items``, one
    chunk per core in forked processes (in this process where fork is not available)."""
    n_processes = min(os.cpu_count() or 1, len(items))
    if (n_processes <= 1 or "fork" not in multiprocessing.get_all_start_methods()
            or multiprocessing.current_process().daemon):  # a pool's worker may not fork
        return function(items)
    bounds = np.linspace(0, len(items), n_processes + 1).astype(int)
    chunks = [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    _FORKED[:] = [function]
    try:
        with multiprocessing.get_context("fork").Pool(n_processes) as pool:
            return np.vstack(pool.map(_call_forked, chunks))
    finally:
        _FORKED.clear()


def _call_forked(chunk: Sequence) -> np.ndarray:
    return _FORKED[0](chunk)


class TextEncoder:
    """TF-IDF on words (1-2 grams) and on character n-grams (3-5, within words), optionally
    reduced by LSA.

    Character n-grams within word boundaries match the parts of Dutch, German or Italian
    compounds ("kantoorschoonmaak" shares n-grams with "schoonmaak") but also give every
    pair of English texts some similarity through common endings; whole words and word pairs
    ("grounds maintenance", "school transport") carry the topic. Each part is unit length
    and weighs half, so the product is the mean of the two cosines. With ``n_components``
    the vectors are projected on their top singular directions so that scoring many pairs is
    a dense product; the similarity is then the cosine in that space.
    """

    def __init__(self, n_components: int | None, random_state: int, max_fit_docs: int,
                 drop_words: frozenset[str] = frozenset()):
        self.n_components = n_components
        self.random_state = random_state
        self.max_fit_docs = max_fit_docs
        self.drop_words = drop_words

    def fit(self, documents: Sequence[str]) -> TextEncoder:
        """Learn the n-gram vocabularies and, with LSA, the projection."""
        min_df = 2 if len(documents) > 1000 else 1
        self.vectorizer_ = TfidfVectorizer(
            analyzer=char_wb_ngrams,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
            min_df=min_df,
        )
        self.word_vectorizer_ = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
            stop_words=sorted(ENGLISH_STOP_WORDS),
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
            min_df=min_df,
        )
        sample = [without_words(d, self.drop_words) for d in self._sample(documents)]
        self.svd_ = None
        try:
            self.vectorizer_.fit(sample)
        except ValueError:  # no text at all: the text signal is absent everywhere
            self.vectorizer_ = None
            return self
        try:
            self.word_vectorizer_.fit(sample)
        except ValueError:  # only stop words or single letters: characters alone
            self.word_vectorizer_ = None
        if self.n_components is not None:
            tfidf = self._tfidf(sample)
            n_components = min(self.n_components, max(1, min(tfidf.shape) - 1))
            self.svd_ = TruncatedSVD(
                n_components=n_components, n_iter=4, random_state=self.random_state
            ).fit(tfidf)
        return self

    def _sample(self, documents: Sequence[str]) -> Sequence[str]:
        """A seeded sample of the documents, enough to learn n-gram weights and topics."""
        if len(documents) <= self.max_fit_docs:
            return documents
        rng = np.random.default_rng(self.random_state)
        chosen = np.sort(rng.choice(len(documents), self.max_fit_docs, replace=False))
        return [documents[i] for i in chosen]

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix | np.ndarray:
        """Unit-length rows (sparse TF-IDF, or dense LSA)."""
        if self.vectorizer_ is None:  # no text anywhere at fit time
            return sp.csr_matrix((len(documents), 0), dtype=np.float32)
        if not documents:  # scikit-learn refuses empty input; an empty side is legitimate
            if self.svd_ is not None:
                return np.zeros((0, self.svd_.n_components), dtype=np.float32)
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        if self.svd_ is None:
            return self._tfidf([without_words(d, self.drop_words) for d in documents]).astype(
                np.float32)
        if len(documents) >= PARALLEL_MIN_DOCS:
            return in_processes(self._lsa_rows, documents)
        return self._lsa_rows(documents)

    def _lsa_rows(self, documents: Sequence[str]) -> np.ndarray:
        tfidf = self._tfidf([without_words(d, self.drop_words) for d in documents])
        return normalize(tfidf @ self.projection()).astype(np.float32)

    def projection(self) -> np.ndarray:
        """``svd_.components_.T`` as a C-ordered array, made once: ``svd_.transform`` is the
        same product, but scipy copies the transposed (Fortran-ordered) components into C
        order on every call, which was most of encoding one profile in a request."""
        projection = self.__dict__.get("projection_")
        if projection is None:
            projection = self.projection_ = np.ascontiguousarray(self.svd_.components_.T)
        return projection

    def __getstate__(self) -> dict:
        # A copy of the components: made again after loading rather than stored twice.
        state = dict(self.__dict__)
        state.pop("projection_", None)
        return state

    @property
    def n_features(self) -> int:
        if self.vectorizer_ is None:
            return 0
        if self.svd_ is not None:
            return self.svd_.n_components
        words = len(self.word_vectorizer_.vocabulary_) if self.word_vectorizer_ else 0
        return words + len(self.vectorizer_.vocabulary_)

    def _tfidf(self, documents: Sequence[str]) -> sp.csr_matrix:
        """Words and characters side by side, each unit length, weighing WORD_SHARE and the rest
        (square roots, so that products of unit rows mix the two cosines in that ratio)."""
        counts = char_wb_counts(documents, self.vectorizer_.vocabulary_)
        chars = normalize(tfidf_rows(self.vectorizer_, counts))
        if self.word_vectorizer_ is None:
            return sp.csr_matrix(chars, dtype=np.float32)
        words = normalize(self.word_vectorizer_.transform(documents))
        word_factor = np.float32(np.sqrt(WORD_SHARE))
        char_factor = np.float32(np.sqrt(1 - WORD_SHARE))
        return sp.hstack([words * word_factor, chars * char_factor], format="csr",
                         dtype=np.float32)


class EvidenceEncoder:
    """Binary rows whose product counts what a profile and a lot have in common: CPV
    divisions and distinctive words. Zero means nothing points to the enterprise's activity.
    """

    def __init__(self, max_fit_docs: int, random_state: int,
                 drop_words: frozenset[str] = frozenset()):
        self.max_fit_docs = max_fit_docs
        self.random_state = random_state
        self.drop_words = drop_words

    def fit(self, documents: Sequence[str], code_lists: Sequence[Sequence[str]]):
        """Learn the distinctive words of the documents and the divisions of the codes."""
        many = len(documents) >= EVIDENCE_MIN_DOCS
        self.words_ = CountVectorizer(
            binary=True,
            lowercase=True,
            token_pattern=EVIDENCE_TOKEN_PATTERN,
            stop_words=sorted(ENGLISH_STOP_WORDS | self.drop_words),
            max_df=EVIDENCE_MAX_DF if many else 1.0,
            dtype=np.float32,
        )
        sample = documents
        if len(documents) > self.max_fit_docs:
            rng = np.random.default_rng(self.random_state)
            chosen = np.sort(rng.choice(len(documents), self.max_fit_docs, replace=False))
            sample = [documents[i] for i in chosen]
        try:
            self.words_.fit(sample)
        except ValueError:  # no distinctive word anywhere
            self.words_ = None
        divisions = sorted({c[:2] for codes in code_lists for c in codes})
        self.divisions_ = {division: i for i, division in enumerate(divisions)}
        return self

    def transform(self, documents: Sequence[str], code_lists) -> sp.csr_matrix:
        """One row per document: its CPV divisions, then its distinctive words."""
        rows = [{self.divisions_[c[:2]]: 1.0 for c in codes if c[:2] in self.divisions_}
                for codes in code_lists]
        divisions = _csr_from_dicts(rows, len(self.divisions_))
        if self.words_ is None or not len(documents):
            n_words = len(self.words_.vocabulary_) if self.words_ is not None else 0
            return sp.hstack([divisions, sp.csr_matrix((len(rows), n_words))], format="csr",
                             dtype=np.float32)
        words = self.words_.transform(documents)
        return sp.hstack([divisions, words], format="csr", dtype=np.float32)


class ReachEncoder:
    """Rows whose product is positive when a lot's place is within an enterprise's reach.

    A place is within reach when it lies inside one of the enterprise's areas or covers one.
    The lot puts 1 on the chain of each of its places (block 0) and on each place itself
    (block 1); the enterprise puts 1 on its areas (block 0) and on their chains (block 1).
    Column ``-1`` holds "no place stated" (every enterprise accepts it) and column ``-2``
    "anywhere" (every lot has it).
    """

    def __init__(self, chain: Callable[[str], list[str]]):
        self.chain = chain

    def fit(self, place_lists: Sequence[Sequence[str]]) -> ReachEncoder:
        nodes = sorted({n for places in place_lists for p in places for n in self.chain(p)})
        self.vocabulary_ = {node: index for index, node in enumerate(nodes)}
        return self

    @property
    def n_features(self) -> int:
        return 2 * len(self.vocabulary_) + 2

    def _column(self, node: str, block: int) -> int | None:
        index = self.vocabulary_.get(node)
        return None if index is None else index + block * len(self.vocabulary_)

    def transform_units(self, place_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        return _csr_from_dicts(_encoded_once(place_lists, self._unit_row), self.n_features)

    def _unit_row(self, places: Sequence[str]) -> dict[int, float]:
        unknown, anywhere = self.n_features - 1, self.n_features - 2
        row = {anywhere: 1.0}
        if not places:
            row[unknown] = 1.0
        for place in places:
            for column in (*(self._column(n, 0) for n in self.chain(place)),
                           self._column(place, 1)):
                if column is not None:
                    row[column] = 1.0
        return row

    def transform_profiles(self, area_lists: Sequence[Sequence[str] | None]) -> sp.csr_matrix:
        unknown, anywhere = self.n_features - 1, self.n_features - 2
        rows = []
        for areas in area_lists:
            row = {unknown: 1.0}
            if areas is None:
                row[anywhere] = 1.0
            for area in areas or ():
                for column in (self._column(area, 0),
                               *(self._column(n, 1) for n in self.chain(area))):
                    if column is not None:
                        row[column] = 1.0
            rows.append(row)
        return _csr_from_dicts(rows, self.n_features)


def positive_mask(product, shape: tuple[int, int]) -> np.ndarray:
    """Dense boolean mask of the positive entries of a (sparse or dense) product."""
    if not sp.issparse(product):
        return np.asarray(product) > 0
    product = sp.csr_matrix(product)
    # Densified in C (scipy's toarray): scattering the entries by fancy index took several
    # times as long on a block of 512 profiles x 130,000 lots.
    return sp.csr_matrix((product.data > 0, product.indices, product.indptr),
                         shape=shape).toarray()


def value_bucket(value: float) -> int:
    """Index of the logarithmic value bucket holding ``value`` (clipped at both ends)."""
    position = (math.log10(max(value, 1.0)) - VALUE_MIN_LOG10) * VALUE_BUCKETS_PER_DECADE
    return int(min(max(position, 0), N_VALUE_BUCKETS - 1))


def bucket_value(bucket: int) -> float:
    """The value a bucket stands for (its geometric middle)."""
    return 10 ** (VALUE_MIN_LOG10 + (bucket + 0.5) / VALUE_BUCKETS_PER_DECADE)


def value_profile_rows(capacities: Sequence[tuple[float, float] | None]) -> np.ndarray:
    """Enterprise rows: the value fit of each bucket (zeros when the capacity is unknown)."""
    middles = [bucket_value(b) for b in range(N_VALUE_BUCKETS)]
    rows = np.zeros((len(capacities), N_VALUE_BUCKETS), dtype=np.float32)
    for i, capacity in enumerate(capacities):
        if capacity is not None:
            rows[i] = [value_fit(middle, capacity) for middle in middles]
    return rows


def value_unit_rows(values: Sequence[float | None]) -> np.ndarray:
    """Lot rows: one-hot of the value bucket (zeros when the value is unknown)."""
    rows = np.zeros((len(values), N_VALUE_BUCKETS), dtype=np.float32)
    for i, value in enumerate(values):
        if value is not None and value > 0:
            rows[i, value_bucket(value)] = 1.0
    return rows


def named_rows(parts: Sequence[Mapping[str, float]], columns: Sequence[str]) -> np.ndarray:
    """Dense rows from {column name: value} dicts."""
    rows = np.zeros((len(parts), len(columns)), dtype=np.float32)
    for i, row in enumerate(parts):
        for j, column in enumerate(columns):
            rows[i, j] = row.get(column, 0.0)
    return rows
