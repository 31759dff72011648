"""The tender matcher: one engine, ranking tenders for enterprises and enterprises for tenders."""

from __future__ import annotations

import copy
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from matcher.cpv import CpvTree, cpv_level, cpv_truncation_ancestors
from matcher.nuts import NutsNames, nuts_chain, nuts_level
from matcher.tenders import explain, rules
from matcher.tenders.features import (
    EVIDENCE_TOKEN_PATTERN,
    GATE_COLUMNS,
    GATE_PENALTY,
    SOCIAL_COLUMNS,
    EvidenceEncoder,
    HierarchyEncoder,
    ReachEncoder,
    TextEncoder,
    named_rows,
    positive_mask,
    value_profile_rows,
    value_unit_rows,
)
from matcher.tenders.items import EnterpriseProfile, TenderItem, Unit, expand_units
from matcher.tenders.results import (
    EnterpriseMatch,
    EnterpriseRanking,
    Gate,
    RegionCount,
    Signal,
    TenderMatch,
    TenderRanking,
)
from matcher.tenders.topk import top_k_rows
from matcher.text import Text

__all__ = ["DEFAULT_WEIGHTS", "SIGNALS", "TenderMatcher"]

SIGNALS = ("cpv", "text", "region", "value", "social")
#: Learned, not guessed: a pairwise logistic model (``learning.fit_signal_weights``) fitted on
#: the graded set of ../shared/data/relevance (8 Scottish social enterprises x 90 real Public
#: Contracts Scotland tenders, imported and ranked through the product with the default
#: reach). Refit with ``python -m bench.relevance --refit``; the fit reads the signals of
#: each tender's best lot under the current weights, and one refit from these gives them
#: back exactly. Value and social barely order the graded pairs: they stay explained but
#: hardly count (social now comes out at 0).
#: These come from the fit with the CPV labels in the enterprise's text, WORD_SHARE 0.75,
#: C=0.1 (see ``fit_signal_weights``), lot centrality, the sentences of the description
#: (TEXT_CENTRALITY, TEXT_FACETS, FIRST_FACET), region names, their plurals and places listed
#: beside them out of the texts (DROP_PLACE_WORDS), and a served NUTS 2 region reaching the
#: rest of its NUTS 1 (``rules.reach_areas``). That reach offers the fit far tenders of the
#: right trade (graded 1, "too far away"), so region weighs more than before (0.076 -> 0.155).
#: Refitted once a listed branch kept its whole width beside codes inside it (_cpv_contains),
#: and again once the evidence words left out the introducing first sentence, the CPV labels
#: and the words generic across CPV divisions (EVIDENCE_FIRST_SENTENCE,
#: GENERIC_WORD_DIVISIONS) and a lot's evidence read its tender's main code
#: (``_lot_evidence_cpv``): fewer far zeros are offered, so region weighs less (0.156 ->
#: 0.119) and value more (0.091 -> 0.143). Refitted once a pair also needed a CPV or a text
#: signal above 0 (``_shows_activity``): 34 zeros fewer, cpv 0.279 -> 0.271, text 0.458 ->
#: 0.464, social 0.001 -> 0.004.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "cpv": 0.271, "text": 0.464, "region": 0.119, "value": 0.142, "social": 0.004
}
#: Tender scores are rounded to this many decimals (far below the 1 % a page shows); see
#: ``_tender_scores``.
SCORE_DECIMALS = 4
#: Signals scored as one matrix product; text is scored apart and calibrated.
_PRODUCT_SIGNALS = tuple(name for name in SIGNALS if name != "text")
_LSA_ABOVE_N_UNITS = 20_000
_LSA_COMPONENTS = 128
#: Text similarity is calibrated per enterprise against its own similarities to (a seeded
#: sample of at most this many of) the fitted lots: 0 at its typical (mean) lot, 1 at its
#: closest one, clipped to [0, 1]. Raw cosines of real texts lie in 0.03-0.25, and any two
#: English texts share character n-grams, so uncalibrated the signal barely counted.
_TEXT_REFERENCE_UNITS = 20_000
#: The n-gram vocabularies and IDF weights are learned on a seeded sample of at most this many
#: documents: character n-grams are cut in Python (about 1 ms a document), and a few thousand
#: documents already give stable weights; fitting on 20,000 took most of the fit.
_TEXT_FIT_DOCS = 5_000
#: The spread (closest minus typical) is never taken below this, so that the small
#: differences of an enterprise with no real textual match anywhere are not blown up.
TEXT_SPREAD_FLOOR = 0.05
#: Pseudo-count of lots with nothing in common, against which the typical similarity of a
#: small corpus is shrunk (10 lots: half the weight of the evidence at 10 real lots).
TEXT_PRIOR_LOTS = 10
#: How much of a lot's centrality (its mean text similarity to the other lots) is taken off
#: its similarities to an enterprise; see ``TenderMatcher._fit_text_centrality``.
#: bench.relevance, reach=country, refitted weights: 0.875 at 0, 0.878 at 1, 0.881 at 2,
#: 0.853 at 3 (with sentences, below, 1 is the better one).
TEXT_CENTRALITY = 1.0
#: An enterprise with two trades (care equipment *and* confidential shredding) reads, as one
#: vector, mostly like its main trade, so a notice about the second one scores low against
#: the whole description. Each sentence of the description (at most TEXT_FACETS, of four
#: words or more) is therefore also compared on its own, calibrated like the whole, and the
#: text signal is the larger of the whole's and FACET_SHARE times the best sentence's (below
#: 1: a single sentence is weaker evidence than the whole description).
#: Measured on the graded Scottish set (bench.relevance, reach=country): 0.878 without
#: sentences, 0.875 at 0.5, 0.897 at 0.7, 0.888 at 0.9 (with TEXT_CENTRALITY 1; at 2 they
#: did not help). Both constants were chosen on that set: read its LOPO figure, not the mean.
#: With region names out of the texts (DROP_PLACE_WORDS): 0.880 without sentences, 0.899 at
#: 0.5, 0.906 at 0.7, 0.907 at 0.9.
TEXT_FACETS = 4
#: The first sentence is not compared on its own: it introduces the enterprise ("Taybridge
#: Industries is a supported business in Dundee, and more than half of our workforce is
#: disabled"), and calibrated alone its faint best match (a Business World specialist, on
#: "business") scored as if it were the trade; or it states the main trade, which the whole
#: description carries already. Chosen on the graded Scottish set (bench.relevance, default
#: reach / country): 0.894 / 0.920 from the first sentence on, 0.903 / 0.929 from the
#: second, the whole gain being taybridge's (0.834 -> 0.907); LOPO does not refit it.
FIRST_FACET = 1
#: The text signal of a pair whose texts are in two languages, per unit of its CPV signal:
#: on the graded Scottish set (one language; bench.relevance's pairs, reach=country) the mean
#: calibrated text signal is 0.44 where the CPV signal is 1 (the enterprise's own code or
#: inside its branch), 0.36 at 0.6-0.99, 0.23 at 0.3-0.6 and 0.08 below.
TEXT_PER_CPV_ACROSS_LANGUAGES = 0.45
#: Whether region names are taken out of the texts (see ``TenderMatcher._place_words``).
#: bench.relevance, refitted weights: reach=country 0.897 -> 0.906 (LOPO 0.883 -> 0.906),
#: default reach 0.846 -> 0.866 (LOPO 0.838 -> 0.866).
DROP_PLACE_WORDS = True
FACET_SHARE = 0.7
#: A word the official CPV labels use in at least this many of the 45 divisions ("services",
#: "equipment", "systems", "support", "management") is the language of procurement, not of
#: one trade: it is no evidence of an activity (see ``_generic_words``). Chosen on the graded
#: Scottish set (bench.relevance), together with EVIDENCE_FIRST_SENTENCE: 10 and 12 give the
#: same lists; from 15 on "support" (13 divisions) counts again and nothing changes.
GENERIC_WORD_DIVISIONS = 12
#: The evidence words of an enterprise are those of its description from this sentence on
#: (when it has more sentences than that): the first introduces the enterprise, its name,
#: legal form, board and whom it employs ("people in recovery on its board and among its
#: staff"), and the trade follows. Nor are the labels of its CPV codes evidence words: its
#: codes' divisions are their evidence already, and the labels' words ("Social work
#: services", "Community health services") are everyone's ("health board", "work").
EVIDENCE_FIRST_SENTENCE = 1


@dataclass(frozen=True)
class _UnitCodes:
    """Cleaned codes of some lots, one list per lot (``TenderMatcher._unit_codes``)."""

    cpv: list[list[str]]
    nuts: list[list[str]]
    evidence_cpv: list[list[str]]  # the lot's codes and its tender's main code


@dataclass
class _Side:
    """Feature blocks of one side (enterprises or lots) and the signals each row has."""

    blocks: dict[str, sp.csr_matrix | np.ndarray]
    presence: np.ndarray  # (n_rows, len(SIGNALS)) bool

    def rows(self, index) -> _Side:
        """The given rows (positions, in order), each sparse block's rows copied out of its
        arrays: scipy's fancy indexing cost about 0.2 ms a block, more than the products of a
        row (a digest round takes one enterprise's row, and its shown tenders' lots, about
        20,000 times); the entries are the same, in the same order."""
        index = np.asarray(index, dtype=np.int64).reshape(-1)
        return _Side({k: _csr_rows(v, index) if sp.issparse(v) else v[index]
                      for k, v in self.blocks.items()}, self.presence[index])

    def row(self, index: int) -> _Side:
        """``rows([index])``."""
        return self.rows([index])

    def combined(self, weights: np.ndarray | None) -> tuple[np.ndarray, sp.csr_matrix]:
        """Dense and sparse matrices whose summed products give the weighted numerator of
        every signal but text (whose calibration is not a product, see ``_text_values``)."""
        factor = dict(zip(SIGNALS, weights, strict=True)) if weights is not None else {}

        def scaled(name):
            block = self.blocks[name]
            return block * np.float32(factor.get(name, 1.0)) if factor else block

        dense_names = [n for n in (*_PRODUCT_SIGNALS, "gate") if not sp.issparse(self.blocks[n])]
        sparse_names = [n for n in _PRODUCT_SIGNALS if sp.issparse(self.blocks[n])]
        dense = np.hstack([scaled(n) for n in dense_names]).astype(np.float32)
        sparse = sp.hstack([scaled(n) for n in sparse_names], format="csr", dtype=np.float32)
        return np.ascontiguousarray(dense), sparse


class TenderMatcher(BaseEstimator):
    """Rank open tenders for social enterprises, and enterprises for (planned) tenders.

    The score of an enterprise and a lot is the weighted mean of the signals the pair has:
    CPV closeness through the hierarchy (weaker for broad codes and catch-all notices), text
    similarity (words and character n-grams, calibrated per enterprise: 0 at its typical
    lot, 1 at its closest; for a description and a tender in two known languages,
    ``TEXT_PER_CPV_ACROSS_LANGUAGES`` times the CPV signal), region, value against capacity
    and social fit, each in [0, 1].
    The default weights are learned from graded pairs (see :data:`DEFAULT_WEIGHTS`). A
    missing value or place leaves its signal out instead of counting it as 0. A tender
    scores as its best lot. Gates leave out tenders whose deadline has passed or is too
    close, reserved tenders or lots the enterprise does not qualify for (Art. 20 and Art. 77
    of Directive 2014/24/EU), places beyond the enterprise's ``reach``, and pairs that do not
    show the activity (no shared CPV division and no distinctive shared word, or CPV and text
    signals both at 0).

    Parameters
    ----------
    weights : mapping, optional
        Signal name -> weight, for ``cpv``, ``text``, ``region``, ``value`` and ``social``.
        Defaults to :data:`DEFAULT_WEIGHTS`.
    min_days_to_deadline : float, default=5
        Tenders closing sooner than this are gated.
    text_components : int, None or "auto", default="auto"
        ``None`` compares exact TF-IDF vectors; an integer projects them on that many LSA
        components (needed to score millions of pairs quickly); ``"auto"`` uses 128
        components above 20,000 lots and exact vectors below.
    cpv_tree : CpvTree, optional
        The official CPV list; without it the hierarchy works on codes alone.
    nuts_names : NutsNames, optional
        Region names for the explanations.
    block_size : int, default=512
        Enterprises scored at once by :meth:`kneighbors` (memory: block_size x n_lots
        float32).
    random_state : int, default=0
        Seeds the text sample and the LSA projection.

    Attributes
    ----------
    tenders_, enterprises_ : list
        The fitted items.
    units_ : list of Unit
        The lots scored (a tender without lots is one unit).
    n_tenders_, n_enterprises_, n_units_ : int
    weights_ : ndarray of shape (5,)
    now_ : datetime

    Examples
    --------
    >>> from datetime import datetime
    >>> cleaning = TenderItem(id="T1", title="Office cleaning", cpv_codes=["90919200"],
    ...                       nuts_codes=["NL332"], value_eur=200_000, reservation="art20")
    >>> roads = TenderItem(id="T2", title="Road resurfacing", cpv_codes=["45233140"],
    ...                    nuts_codes=["EL303"], value_eur=4_000_000)
    >>> wise = EnterpriseProfile(id=1, kind="wise", disadvantaged_share=0.6, nuts="NL332",
    ...                          cpv_codes=["90910000"], description="Cleaning of offices",
    ...                          turnover_eur=1_000_000)
    >>> matcher = TenderMatcher().fit([cleaning, roads], [wise], now=datetime(2025, 1, 1))
    >>> scores, indices = matcher.kneighbors(n_neighbors=2)
    >>> [matcher.tenders_[i].id for i in indices[0]]
    ['T1', 'T2']
    >>> ranking = matcher.rank_tenders(wise, n=1)
    >>> ranking.matches[0].signals[0].reason
    'CPV 90919200 (part of Sewage, refuse, cleaning and environmental services) is inside \
your branch 90910000 (part of Sewage, refuse, cleaning and environmental services).'

    Labels come from the division names unless the official list is passed as ``cpv_tree``
    (a code is then shown as part of its division).
    """

    def __init__(
        self,
        *,
        weights: Mapping[str, float] | None = None,
        min_days_to_deadline: float = 5.0,
        text_components: int | str | None = "auto",
        cpv_tree: CpvTree | None = None,
        nuts_names: NutsNames | None = None,
        block_size: int = 512,
        random_state: int = 0,
    ):
        self.weights = weights
        self.min_days_to_deadline = min_days_to_deadline
        self.text_components = text_components
        self.cpv_tree = cpv_tree
        self.nuts_names = nuts_names
        self.block_size = block_size
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        tenders: Sequence[TenderItem],
        enterprises: Sequence[EnterpriseProfile] = (),
        now: datetime | None = None,
    ) -> TenderMatcher:
        """Encode the tenders (and enterprises) once, so rankings are products.

        Parameters
        ----------
        tenders : sequence of TenderItem
        enterprises : sequence of EnterpriseProfile, optional
            Needed for :meth:`kneighbors` without arguments and :meth:`rank_enterprises`.
        now : datetime, optional
            The moment deadlines are checked against; the clock is read only when omitted.

        Returns
        -------
        self
        """
        self.weights_ = self._validated_weights()
        self.now_ = now if now is not None else datetime.now(UTC)
        self.tree_ = self.cpv_tree if self.cpv_tree is not None else CpvTree()
        self.names_ = self.nuts_names if self.nuts_names is not None else NutsNames()
        self.tenders_ = list(tenders)
        self.enterprises_ = list(enterprises)
        self.units_ = [u for i, t in enumerate(self.tenders_) for u in expand_units(t, i)]
        self.n_tenders_, self.n_units_ = len(self.tenders_), len(self.units_)
        self.n_enterprises_ = len(self.enterprises_)
        self.unit_tender_ = np.array([u.tender_index for u in self.units_], dtype=np.int64)
        self.tender_first_unit_ = np.searchsorted(self.unit_tender_, np.arange(self.n_tenders_))
        # Every encoder reads the lots' cleaned codes: cleaned once here, not by each of them
        # (nine times per lot, 2.4 s of a 33 s fit at 100,000 tenders).
        codes = self._unit_codes(self.units_)
        self._fit_encoders(codes)
        self.unit_gates_ = [self._closing_gate(u) for u in self.units_]
        self.unit_side_ = self._encode_units(self.units_, self.unit_gates_, codes)
        self._fit_text_centrality()
        self.unit_dense_, self.unit_sparse_ = self.unit_side_.combined(None)
        # Transposed once: scipy would convert ``block.T`` (CSC) back to CSR on every product.
        self.unit_transposed_ = {
            name: _transposed(self.unit_side_.blocks[name])
            for name in ("text", "evidence", "reach", "cpv")
        }
        self.unit_sparse_t_ = _transposed(self.unit_sparse_)
        self.enterprise_side_ = self._encode_enterprises(self.enterprises_)
        return self

    def _validated_weights(self) -> np.ndarray:
        weights = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        unknown = set(weights) - set(SIGNALS)
        if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"weights need non-negative values for {SIGNALS}, got {weights}")
        return np.array([weights.get(name, 0.0) for name in SIGNALS], dtype=np.float64)

    def _fit_encoders(self, codes: _UnitCodes) -> None:
        tree = self.tree_
        self.cpv_encoder_ = HierarchyEncoder(
            tree.chain, cpv_level, rules.CPV_SHARED_SCORE, rules.CPV_COVER_SCORE, _cpv_contains
        ).fit([*codes.cpv, *self._profile_cpv(self.enterprises_)])
        self.region_encoder_ = HierarchyEncoder(
            nuts_chain,
            nuts_level,
            rules.REGION_SHARED_SCORE,
            rules.REGION_COVER_SCORE,
            _nuts_within,
        ).fit([*codes.nuts, *map(rules.enterprise_areas, self.enterprises_)])
        self.reach_encoder_ = ReachEncoder(nuts_chain).fit(
            [*codes.nuts, *map(rules.enterprise_areas, self.enterprises_)]
        )
        components = self.text_components
        if components == "auto":
            components = _LSA_COMPONENTS if self.n_units_ > _LSA_ABOVE_N_UNITS else None
        documents = [self._tender_text(t) for t in self.tenders_]
        documents += [self._profile_text(e) for e in self.enterprises_]
        self.place_words_ = (self._place_words(documents, codes.nuts) if DROP_PLACE_WORDS
                             else frozenset())
        self.text_encoder_ = TextEncoder(
            components, self.random_state, _TEXT_FIT_DOCS, self.place_words_
        ).fit(documents)
        self.generic_words_ = self._generic_words()
        self.evidence_encoder_ = EvidenceEncoder(
            _TEXT_FIT_DOCS, self.random_state, self.place_words_ | self.generic_words_
        ).fit(documents, [*codes.evidence_cpv, *self._profile_cpv(self.enterprises_)])

    def _place_words(self, documents: Sequence[str],
                     unit_nuts: Sequence[Sequence[str]]) -> frozenset[str]:
        """The words of the names of the regions of the fitted items' countries.

        Place is the region signal's job (and the reach gate's). In the texts, place names
        ("East Ayrshire, Inverclyde, South Lanarkshire and West Dunbartonshire") made a bus
        shelter advertising concession read like every local enterprise's trade, and counted
        as evidence of it; they are left out of the text and of the evidence. Only with the
        official NUTS list (``nuts_names``); the words of every level's names are dropped,
        directions ("north", "east") included, and so are their plurals: "across the
        Lothians" names East Lothian and Midlothian. Names the NUTS list does not know
        (former regions, health boards) are taken from the fitted ``documents`` where they
        are listed beside known ones: "across Tayside, Fife and the Lothians" (see
        ``_listed_places``).
        """
        places = [*unit_nuts, *map(rules.enterprise_areas, self.enterprises_)]
        countries = {code[:2] for codes in places for code in codes}
        words = self.names_.words(countries)
        words = words | {f"{word}s" for word in words}
        if len(documents) > _TEXT_FIT_DOCS:  # the sample the text encoders learn from
            rng = np.random.default_rng(self.random_state)
            chosen = np.sort(rng.choice(len(documents), _TEXT_FIT_DOCS, replace=False))
            documents = [documents[i] for i in chosen]
        return words | _listed_places(documents, words) if words else words

    def _generic_words(self) -> frozenset[str]:
        """Words of four letters or more found in the labels of at least
        GENERIC_WORD_DIVISIONS CPV divisions (empty without the official list).

        The fitted notices are too few to tell (90 in the graded set; "support" is in fewer
        than a fifth of them): the 9,454 labels of the vocabulary the buyers code with say
        which words run across trades.
        """
        divisions: dict[str, set[str]] = {}
        for code in self.tree_:
            for word in set(_EVIDENCE_WORD.findall(self.tree_.label(code).lower())):
                divisions.setdefault(word, set()).add(code[:2])
        return frozenset(w for w, found in divisions.items()
                         if len(found) >= GENERIC_WORD_DIVISIONS)

    def _closing_gate(self, unit: Unit) -> tuple[str, Text] | None:
        tender = self.tenders_[unit.tender_index]
        return rules.tender_gate(tender, self.now_, self.min_days_to_deadline) or (
            rules.unit_gate(unit)
        )

    # ------------------------------------------------------------------ encoding

    def _unit_cpv(self, units: Sequence[Unit]) -> list[list[str]]:
        return [rules.clean_cpv_codes(u.cpv_codes) for u in units]

    def _profile_cpv(self, enterprises: Sequence[EnterpriseProfile]) -> list[list[str]]:
        return [rules.clean_cpv_codes(e.cpv_codes) for e in enterprises]

    def _unit_nuts(self, units: Sequence[Unit]) -> list[list[str]]:
        return [rules.clean_nuts_codes(u.nuts_codes) for u in units]

    def _profile_text(self, enterprise: EnterpriseProfile) -> str:
        # The labels of its CPV codes are appended to the enterprise's description (not to
        # the tenders'): they name its trade in the buyers' words ("Refuse disposal and
        # treatment") and so add shared words and evidence. Measured with WORD_SHARE 0.75 on
        # the graded Scottish set (bench.relevance): reach=country 0.873 -> 0.886, default
        # reach 0.833 -> 0.831 (0.831 -> 0.813 once, when the text was half characters).
        labels = [self.tree_.label(c) for c in rules.clean_cpv_codes(enterprise.cpv_codes)]
        return "\n".join([enterprise.description.strip(), *labels]).strip()

    def _evidence_text(self, enterprise: EnterpriseProfile) -> str:
        """The part of the description whose words are evidence (EVIDENCE_FIRST_SENTENCE)."""
        sentences = _sentences(enterprise.description)
        if len(sentences) > EVIDENCE_FIRST_SENTENCE:
            sentences = sentences[EVIDENCE_FIRST_SENTENCE:]
        return " ".join(sentences)

    def _tender_text(self, tender: TenderItem) -> str:
        parts = [tender.title, tender.description]
        for lot in tender.lots:
            parts += [lot.title, lot.description]
        return "\n".join(p for p in parts if p)

    def _unit_codes(self, units: Sequence[Unit],
                    tenders: Sequence[TenderItem] | None = None) -> _UnitCodes:
        """The lots' cleaned CPV and NUTS codes, and the CPV codes their evidence reads."""
        if tenders is None:
            tenders = [self.tenders_[u.tender_index] for u in units]
        cpv = self._unit_cpv(units)
        return _UnitCodes(cpv, self._unit_nuts(units), self._lot_evidence_cpv(cpv, tenders))

    def _encode_units(self, units: Sequence[Unit], gates, codes: _UnitCodes | None = None) -> _Side:
        tenders = [self.tenders_[u.tender_index] for u in units]
        return self._encode_unit_rows(units, tenders, gates, codes)

    def _encode_unit_rows(self, units, tenders, gates, codes: _UnitCodes | None = None) -> _Side:
        if codes is None:
            codes = self._unit_codes(units, tenders)
        cpv, nuts = codes.cpv, codes.nuts
        texts = [u.text for u in units]
        values = [u.value_eur if u.value_eur and u.value_eur > 0 else None for u in units]
        gate_rows = [
            {
                "art20": float(u.reservation == "art20"),
                "art77": float(u.reservation == "art77"),
                "closed": float(gate is not None),
            }
            for u, gate in zip(units, gates, strict=True)
        ]
        text = self.text_encoder_.transform(texts)
        blocks = {
            "cpv": self.cpv_encoder_.transform_units(cpv, rules.cpv_breadth_factor),
            "text": text,
            "centrality": self._centrality(text, np.array([bool(t.strip()) for t in texts])),
            "region": self.region_encoder_.transform_units(nuts),
            "value": value_unit_rows(values),
            "social": named_rows(
                [rules.social_unit_parts(t, u) for t, u in zip(tenders, units, strict=True)],
                SOCIAL_COLUMNS,
            ),
            "gate": named_rows(gate_rows, GATE_COLUMNS),
            "reach": self.reach_encoder_.transform_units(nuts),
            "evidence": self.evidence_encoder_.transform(texts, codes.evidence_cpv),
            "language": _language_numbers([t.language for t in tenders]),
        }
        presence = np.column_stack(
            [
                [bool(c) for c in cpv],
                [bool(t.strip()) for t in texts],
                [bool(n) for n in nuts],
                [v is not None for v in values],
                np.ones(len(units), dtype=bool),
            ]
        ).reshape(len(units), len(SIGNALS))
        return _Side(blocks, presence)

    @staticmethod
    def _lot_evidence_cpv(cpv: list[list[str]], tenders) -> list[list[str]]:
        """Each lot's codes and its tender's main code, whose divisions are evidence.

        The main code says what the whole notice is about, and a lot is part of it: Zero
        Waste Scotland's circular-economy consultancy is coded 90713000 (environmental issues
        consultancy), its four lots only 79411100 and 79900000 (business consultancy, misc.),
        so a recycling enterprise (division 90) found no evidence in any lot. Only the gate
        reads it; the CPV signal stays that of the lot's own codes."""
        out = []
        for codes, tender in zip(cpv, tenders, strict=True):
            main = rules.clean_cpv_codes(tender.cpv_codes[:1])
            out.append(codes if not main or main[0] in codes else [*codes, main[0]])
        return out

    def _encode_enterprises(self, enterprises: Sequence[EnterpriseProfile]) -> _Side:
        cpv = self._profile_cpv(enterprises)
        areas = [rules.enterprise_areas(e) for e in enterprises]
        texts = [self._profile_text(e) for e in enterprises]
        capacities = [rules.capacity_range(e) for e in enterprises]
        penalty = -GATE_PENALTY
        gate_rows = [
            {
                "art20": 0.0 if rules.qualifies_art20(e) else penalty,
                "art77": 0.0 if rules.qualifies_art77(e) else penalty,
                "closed": penalty,
            }
            for e in enterprises
        ]
        text = self.text_encoder_.transform(texts)
        scale, offset = self._text_calibration(text)
        # Every sentence of every profile encoded and calibrated in one pass, then split into
        # one block per sentence position (so that a block still has one row per enterprise).
        sentences = [_facets(e.description) for e in enterprises]
        n = len(enterprises)
        rows = self.text_encoder_.transform(
            [s[k] if k < len(s) else "" for k in range(TEXT_FACETS) for s in sentences]
        )
        facet_scale, facet_offset = self._text_calibration(rows)
        rows = _scaled_rows(rows, facet_scale)
        facets = {}
        for k in range(TEXT_FACETS):
            facets[f"facet{k}"] = rows[k * n : (k + 1) * n]
            facets[f"facet{k}_scale"] = facet_scale[k * n : (k + 1) * n]
            facets[f"facet{k}_offset"] = facet_offset[k * n : (k + 1) * n]
        blocks = {
            "cpv": self.cpv_encoder_.transform_profiles(cpv),
            "text": _scaled_rows(text, scale),
            "text_offset": offset,
            "text_scale": scale,
            "region": self.region_encoder_.transform_profiles(areas),
            "value": value_profile_rows(capacities),
            "social": named_rows(
                [rules.social_enterprise_parts(e) for e in enterprises], SOCIAL_COLUMNS
            ),
            "gate": named_rows(gate_rows, GATE_COLUMNS),
            "reach": self.reach_encoder_.transform_profiles(
                [rules.reach_areas(e) for e in enterprises]
            ),
            "evidence": self.evidence_encoder_.transform(
                [self._evidence_text(e) for e in enterprises], cpv
            ),
            "language": _language_numbers([e.language for e in enterprises]),
            **facets,
        }
        presence = np.column_stack(
            [
                [bool(c) for c in cpv],
                [bool(t) for t in texts],
                [bool(a) for a in areas],
                [c is not None for c in capacities],
                np.ones(len(enterprises), dtype=bool),
            ]
        ).reshape(len(enterprises), len(SIGNALS))
        return _Side(blocks, presence)

    def _fit_text_centrality(self) -> None:
        """Remember the mean text vector of the fitted lots, and give each lot its typical
        similarity to the others (its *centrality*).

        A lot whose text resembles every other lot (long procedural boilerplate, advertising
        concessions, facilities frameworks) shares words with every enterprise without being
        about any one trade; its centrality is subtracted from its similarities (times
        TEXT_CENTRALITY) before the per-enterprise calibration, as an IDF for whole notices.
        """
        text = self.unit_side_.blocks["text"]
        has_text = self.unit_side_.presence[:, SIGNALS.index("text")]
        n_with_text = int(has_text.sum())
        if text.shape[1] == 0 or n_with_text < 2:
            self.text_mean_ = None
        else:
            total = np.asarray(text[has_text].sum(axis=0)).ravel().astype(np.float32)
            self.text_mean_ = (total, n_with_text)
        self.unit_side_.blocks["centrality"] = self._centrality(text, has_text, fitted=True)

    def _centrality(self, text, has_text, fitted: bool = False) -> np.ndarray:
        """Mean cosine of each lot to the fitted lots (itself left out when fitted)."""
        n_rows = text.shape[0]
        if getattr(self, "text_mean_", None) is None or not TEXT_CENTRALITY:
            return np.zeros(n_rows, dtype=np.float32)
        total, n = self.text_mean_
        dot = np.asarray(text @ total).ravel().astype(np.float32)
        if fitted:  # leave each lot's similarity to itself (1) out of its mean
            dot = np.where(has_text, (dot - 1.0) / (n - 1), 0.0)
        else:
            dot = np.where(has_text, dot / n, 0.0)
        return (TEXT_CENTRALITY * np.maximum(dot, 0.0)).astype(np.float32)

    def _text_calibration(self, text_rows) -> tuple[np.ndarray, np.ndarray]:
        """Per row, ``(scale, offset)`` so that ``cosine * scale - offset`` is 0 at the row's
        mean similarity over the reference lots and 1 at its best."""
        n_rows = text_rows.shape[0]
        reference = self.unit_side_.blocks["text"]
        if n_rows == 0 or reference.shape[0] == 0 or reference.shape[1] == 0:
            return np.ones(n_rows, dtype=np.float32), np.zeros(n_rows, dtype=np.float32)
        reference_t, centrality = self._calibration_reference()
        has_text = self.unit_side_.presence[:, SIGNALS.index("text")]
        n_with_text = max(int(has_text.sum()), 1)
        n_mean = min(n_with_text, reference.shape[0])
        best = np.zeros(n_rows, dtype=np.float32)
        mean = np.zeros(n_rows, dtype=np.float32)
        # A row without text (a sentence slot the description does not fill) is 0 against
        # every lot: its figures are those of a zero product, worked out once.
        empty = (np.diff(text_rows.indptr) == 0 if sp.issparse(text_rows)
                 else ~np.asarray(text_rows).any(axis=1))
        if empty.any():
            product = np.zeros((1, centrality.shape[0]), dtype=np.float32) - centrality[None, :]
            best[empty], mean[empty] = product.max(axis=1), product.sum(axis=1) / n_mean
        filled = np.flatnonzero(~empty)
        for start in range(0, len(filled), self.block_size):
            rows = filled[start : start + self.block_size]
            product = text_rows[rows] @ reference_t
            product = product.toarray() if sp.issparse(product) else np.asarray(product)
            product = product - centrality[None, :]
            best[rows] = product.max(axis=1)
            mean[rows] = product.sum(axis=1) / n_mean
        # 0 at the typical lot, 1 at the closest; a spread below the floor moves the zero
        # down instead (when every lot reads alike, all of them are "as close as the closest").
        # With few lots the mean says little: shrink it towards 0 (plain division by the best)
        # as if TEXT_PRIOR_LOTS more lots shared nothing with the enterprise.
        n_reference = min(n_with_text, reference.shape[0])
        mean = mean * (n_reference / (n_reference + TEXT_PRIOR_LOTS))
        # Never below 0: a profile without text, or sharing nothing with any lot, scores 0.
        zero = np.maximum(np.minimum(mean, best - TEXT_SPREAD_FLOOR), 0.0)
        spread = np.maximum(best - zero, TEXT_SPREAD_FLOOR)
        return (1.0 / spread).astype(np.float32), (zero / spread).astype(np.float32)

    def _calibration_reference(self) -> tuple:
        """The lots' text vectors (transposed) and centralities that profiles are calibrated
        against: a seeded sample of at most _TEXT_REFERENCE_UNITS lots. Made once per number
        of lots and kept: cutting the sample out of every lot's vectors took a large share of
        a request's time."""
        reference = self.unit_side_.blocks["text"]
        cached = self.__dict__.get("calibration_reference_")
        if cached is not None and cached[0] == reference.shape[0]:
            return cached[1], cached[2]
        centrality = self.unit_side_.blocks["centrality"]
        if reference.shape[0] > _TEXT_REFERENCE_UNITS:
            rng = np.random.default_rng(self.random_state)
            chosen = np.sort(rng.choice(reference.shape[0], _TEXT_REFERENCE_UNITS, replace=False))
            reference_t, centrality = _transposed(reference[chosen]), centrality[chosen]
        else:
            reference_t = self.unit_transposed_["text"]
        self.calibration_reference_ = (reference.shape[0], reference_t, centrality)
        return reference_t, centrality

    def warm_up(self) -> TenderMatcher:
        """Make now the caches a first ranking would make (a loaded matcher's calibration
        sample and text projection), so that the first request does not pay for them."""
        check_is_fitted(self)
        if self.unit_side_.blocks["text"].shape[1]:
            self._calibration_reference()
        if getattr(self.text_encoder_, "svd_", None) is not None:
            self.text_encoder_.projection()
        self._later_lots()
        return self

    def __getstate__(self) -> dict:
        # A cache of a sample of the lots, made again after loading rather than stored.
        state = super().__getstate__()
        state.pop("calibration_reference_", None)
        state.pop("later_lots_", None)
        state.pop("pattern_normalisers_", None)
        return state

    def _text_values(self, profiles: _Side, units: _Side) -> np.ndarray:
        """Calibrated text similarity of every pair, in [0, 1] (0 where a side has no text)."""
        product = self._product(profiles, units, "text")
        product = product.toarray() if sp.issparse(product) else np.asarray(product)
        product = product.astype(np.float32, copy=False)
        product -= profiles.blocks["text_scale"][:, None] * units.blocks["centrality"][None, :]
        product -= profiles.blocks["text_offset"][:, None]
        np.clip(product, 0.0, 1.0, out=product)
        # The best single sentence of the description, a little weaker (see TEXT_FACETS).
        centrality = units.blocks["centrality"][None, :]
        for k in range(TEXT_FACETS):
            name = f"facet{k}"
            block = profiles.blocks[name]
            if not (block.nnz if sp.issparse(block) else block.any()):
                # No profile here has that many sentences: the facet would be 0 everywhere
                # (its scale and offset are never negative), which changes no maximum.
                continue
            facet = self._product(profiles, units, name, right="text")
            facet = facet.toarray() if sp.issparse(facet) else np.asarray(facet)
            facet = facet.astype(np.float32, copy=False)
            facet -= profiles.blocks[f"{name}_scale"][:, None] * centrality
            facet -= profiles.blocks[f"{name}_offset"][:, None]
            np.clip(facet, 0.0, 1.0, out=facet)
            np.maximum(product, np.float32(FACET_SHARE) * facet, out=product)
        product[:, ~units.presence[:, SIGNALS.index("text")]] = 0.0
        across = _across_languages(profiles, units)
        if across is not None:
            # Words and character n-grams of two languages say nothing of the trade: such a
            # pair's text signal is what texts of one language score at that CPV closeness
            # (TEXT_PER_CPV_ACROSS_LANGUAGES). Left out, the pair's region and value counted
            # alone and lifted a furniture workshop to 53% for a reception service (shared
            # CPV group only); left at 0, a Dutch notice of exactly an English description's
            # trade scored 54%.
            cpv = self._product(profiles, units, "cpv")
            cpv = cpv.toarray() if sp.issparse(cpv) else np.asarray(cpv)
            product[across] = np.clip(np.float32(TEXT_PER_CPV_ACROSS_LANGUAGES) * cpv[across],
                                      0.0, 1.0)
        return product

    # ------------------------------------------------------------------ scoring

    def _unit_scores(self, side: _Side) -> np.ndarray:
        """Scores of the given enterprise rows against every fitted lot (float32)."""
        dense, sparse = side.combined(self.weights_)
        scores = dense @ self.unit_dense_.T
        _add_sparse_product(scores, sparse @ self.unit_sparse_t_)
        text = self._text_values(side, self.unit_side_)
        text_weight = np.float32(self.weights_[SIGNALS.index("text")])
        if text_weight:
            scores += text_weight * text
        patterns, inverse = np.unique(side.presence, axis=0, return_inverse=True)
        if len(patterns) == 1:
            scores *= self._pattern_normalisers(patterns)[0]
        else:
            scores *= self._normalisers(patterns, self.unit_side_.presence)[inverse.ravel()]
        scores[~self._open_pairs(side, self.unit_side_, text)] = -GATE_PENALTY
        return scores

    def _open_pairs(self, profiles: _Side, units: _Side, text: np.ndarray) -> np.ndarray:
        """Pairs whose place is within the enterprise's reach and that show its activity
        (``_shows_activity``; ``text`` is their calibrated text signal), as a boolean matrix.

        These gates are not sums, so they are products of their own (small sparse blocks)
        instead of penalty columns.
        """
        return self._within_reach(profiles, units) & self._shows_activity(profiles, units, text)

    def _within_reach(self, profiles: _Side, units: _Side) -> np.ndarray:
        """Pairs whose place the enterprise's ``reach`` takes in."""
        shape = (profiles.presence.shape[0], units.presence.shape[0])
        return positive_mask(self._product(profiles, units, "reach"), shape)

    def _shows_activity(self, profiles: _Side, units: _Side, text: np.ndarray) -> np.ndarray:
        """Pairs with evidence of the enterprise's activity (a CPV division or a distinctive
        word in common) that also shows in a signal: a CPV or a text signal above 0.

        One shared word alone let through "Maintenance of the vehicle fleet" for a cleaning
        enterprise ("municipal"), listed at 22 % beside "Activity (CPV) 0 %, Description 0 %".
        On the graded Scottish set (bench.relevance) the signals' condition left out 34 of
        the 157 tenders offered at the default reach (41 of 208 at reach=country), every one
        graded 0, and changed no profile's nDCG@10.
        """
        shape = text.shape
        evidence = positive_mask(self._product(profiles, units, "evidence"), shape)
        cpv = positive_mask(self._product(profiles, units, "cpv"), shape)
        return evidence & (cpv | (text > 0))

    def _product(self, profiles: _Side, units: _Side, name: str, right: str | None = None):
        """``profiles.blocks[name] @ units.blocks[right or name].T`` without transposing a big
        sparse block on every call (scipy turns ``csr.T`` back into CSR each time)."""
        right_name = right or name
        left, right = profiles.blocks[name], units.blocks[right_name]
        if units is self.unit_side_ and right_name in self.unit_transposed_:
            return left @ self.unit_transposed_[right_name]
        if not sp.issparse(left):
            return left @ right.T
        if left.shape[0] <= right.shape[0]:  # few profiles (one enterprise): dense them
            return (right @ left.toarray().T).T
        return (right @ left.T).T  # many enterprises, the few lots of one tender

    def _pattern_normalisers(self, pattern: np.ndarray) -> np.ndarray:
        """``_normalisers(pattern, unit presence)`` of one profile's signals, remembered per
        pattern (at most 2 ** 5 of them) for these lots: every request of a profile with the
        same signals made the same row again, about a millisecond of casting and product."""
        presence = self.unit_side_.presence
        cached = self.__dict__.get("pattern_normalisers_")
        if cached is None or cached[0] is not presence:  # new lots (with_tenders): anew
            cached = self.pattern_normalisers_ = (presence, {})
        key = (pattern.dtype.str, pattern.shape, pattern.tobytes())
        found = cached[1].get(key)
        if found is None:
            found = self._normalisers(pattern, presence)
            found.flags.writeable = False
            cached[1][key] = found
        return found

    def _normalisers(self, profile_presence, unit_presence) -> np.ndarray:
        """1 / (sum of the weights of the signals each pair has)."""
        weights = self.weights_.astype(np.float32)
        # 0/1 presence times finite non-negative weights cannot give NaN, but OpenBLAS's
        # small-matrix kernels can leave the FE_INVALID flag set (numpy issues #13173,
        # #24067), which numpy reports as "invalid value encountered in matmul": seen once in
        # a full test run, where warnings are errors.
        with np.errstate(invalid="ignore"):
            weight_sums = (profile_presence * weights) @ unit_presence.T.astype(np.float32)
        return (1.0 / np.maximum(weight_sums, 1e-6)).astype(np.float32)

    def _tender_scores(self, unit_scores: np.ndarray) -> np.ndarray:
        """A tender scores as its best lot: its first lot's column, then the maximum with its
        second lots' columns, its third lots', and so on (``np.maximum.reduceat`` along the
        rows of a block was the slowest step of the batch path)."""
        if self.n_units_ == self.n_tenders_:
            tender_scores = unit_scores
        else:
            tender_scores = unit_scores[:, self.tender_first_unit_]
            for lots, tenders in self._later_lots():
                tender_scores[:, tenders] = np.maximum(tender_scores[:, tenders],
                                                       unit_scores[:, lots])
        # On a grid of 10 ** -SCORE_DECIMALS, so that two tenders that tie stay tied (and go in
        # index order) however the rows were blocked: float32 products of a block of
        # enterprises and of one alone differ in the 7th digit, and a sharded digest round
        # (one enterprise at a time) listed two 31 % tenders in the other order than the
        # whole round. About 0.05 s per 256 x 100,000 block.
        np.round(tender_scores, SCORE_DECIMALS, out=tender_scores)
        return tender_scores

    def _later_lots(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per rank r >= 1 of a lot within its tender: the positions of the lots of that rank
        and their tenders (each tender once per rank). Made once per number of lots."""
        cached = self.__dict__.get("later_lots_")
        if cached is not None and cached[0] == self.n_units_:
            return cached[1]
        rank = np.arange(self.n_units_) - self.tender_first_unit_[self.unit_tender_]
        groups = []
        for r in range(1, int(rank.max(initial=0)) + 1):
            lots = np.flatnonzero(rank == r)
            groups.append((lots, self.unit_tender_[lots]))
        self.later_lots_ = (self.n_units_, groups)
        return groups

    def kneighbors(
        self,
        enterprises: Sequence[EnterpriseProfile] | None = None,
        n_neighbors: int = 20,
        n_threads: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best tenders for each enterprise, as ``(scores, indices)`` into ``tenders_``.

        Parameters
        ----------
        enterprises : sequence of EnterpriseProfile, optional
            Defaults to the fitted enterprises.
        n_neighbors : int, default=20
        n_threads : int, optional
            Blocks of enterprises scored at once, each on its own thread with one BLAS
            thread (the products and array operations release the GIL). Defaults to the
            number of cores.

        Returns
        -------
        scores : ndarray of shape (n_enterprises, n_neighbors)
            Best first; 0 where fewer tenders qualify.
        indices : ndarray of shape (n_enterprises, n_neighbors)
            Tender positions; -1 where fewer tenders qualify (gated ones never appear).
        """
        check_is_fitted(self)
        side = (
            self.enterprise_side_ if enterprises is None else self._encode_enterprises(enterprises)
        )
        return self.top_tenders(side, n_neighbors, n_threads)

    def top_tenders(
        self, side: _Side, n_neighbors: int = 20, n_threads: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`kneighbors` of already encoded profiles (``enterprise_side_`` or some of its
        rows): the batch path alone, which the benchmark times against its baselines."""
        n_rows = side.presence.shape[0]
        scores = np.zeros((n_rows, n_neighbors), dtype=np.float32)
        indices = np.full((n_rows, n_neighbors), -1, dtype=np.int64)
        self._later_lots()  # made once here, not by the first block of every thread
        # Rows with the same signals share one normaliser per lot: group them into blocks.
        order = np.lexsort(side.presence.T[::-1])
        n_threads = max(n_threads or os.cpu_count() or 1, 1)
        size = max(min(self.block_size, -(-n_rows // n_threads)), 1)  # a block for each
        blocks = [order[start : start + size] for start in range(0, n_rows, size)]

        def score_block(rows: np.ndarray) -> None:
            block = self._tender_scores(self._unit_scores(side.rows(rows)))
            scores[rows], indices[rows] = top_k_rows(block, n_neighbors)

        if min(n_threads, len(blocks)) <= 1:
            for rows in blocks:
                score_block(rows)
        else:
            # Each thread holds a few block x lots arrays (about 1 GB at 512 x 130,000 lots).
            with threadpool_limits(limits=1, user_api="blas"), \
                    ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(score_block, blocks))
        return np.clip(scores, 0.0, 1.0), indices

    # ------------------------------------------------------------------ rankings

    def rank_tenders(
        self, enterprise: EnterpriseProfile, n: int = 20, explain_gates: bool = False
    ) -> TenderRanking:
        """Tenders for one enterprise, best first, each with its signals and best lot.

        Parameters
        ----------
        enterprise : EnterpriseProfile
        n : int, default=20
        explain_gates : bool, default=False
            Also list the tenders left out and why.

        Returns
        -------
        TenderRanking
        """
        side, unit_scores, tender_scores = self.score_tenders(enterprise)
        _, indices = top_k_rows(tender_scores[None, :], n)
        matches = self.explain_tenders(enterprise, side, indices[0][indices[0] >= 0])
        gates = self._gates_for(enterprise, side, unit_scores) if explain_gates else []
        return TenderRanking(enterprise.id, matches, gates)

    def score_tenders(
        self, enterprise: EnterpriseProfile
    ) -> tuple[_Side, np.ndarray, np.ndarray]:
        """One enterprise against every fitted tender, computed once.

        Returns the encoded profile (for :meth:`explain_tenders`), the lot scores and the
        tender scores (float32; gated tenders score below 0).
        """
        check_is_fitted(self)
        side = self._encode_enterprises([enterprise])
        unit_scores = self._unit_scores(side)[0]
        return side, unit_scores, self._tender_scores(unit_scores[None, :])[0]

    def score_tenders_many(
        self, enterprises: Sequence[EnterpriseProfile]
    ) -> tuple[_Side, np.ndarray]:
        """Several enterprises against every fitted tender, in one pass.

        What :meth:`score_tenders` gives one enterprise, for a batch: encoding and scoring rows
        together costs little more than one row (the encoders' and products' overhead is per
        call). Returns the encoded profiles (``side.rows([i])`` is the i-th one, for
        :meth:`explain_tenders`) and the tender scores, one row per enterprise (float32; gated
        tenders score below 0). Memory grows with rows × lots: pass blocks of a few dozen.
        """
        check_is_fitted(self)
        side = self._encode_enterprises(list(enterprises))
        if not len(enterprises):
            return side, np.zeros((0, self.n_tenders_), dtype=np.float32)
        return side, self._tender_scores(self._unit_scores(side))

    def explain_tenders(
        self, enterprise, side: _Side, tender_indices, only_top_reason: bool = False
    ) -> list[TenderMatch]:
        """Signals, reasons and best lot of the given tenders only (positions in tenders_).

        ``only_top_reason`` writes the reason of the strongest signal alone (the others get
        ""): a digest quotes one reason per tender, and reasons are the costly part of a
        round over thousands of enterprises.
        """
        chosen = [int(index) for index in tender_indices]
        # The signals of every lot of the chosen tenders in one pass: slicing the sparse blocks
        # and multiplying them per tender cost more than the whole ranking.
        positions = [self._tender_unit_positions(index) for index in chosen]
        flat = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        unit_rows = self.unit_side_.rows(flat)
        values, scores = self._pair_signals(side, unit_rows)
        evidence = self._has_evidence(side, unit_rows, values)
        bounds = np.cumsum([0, *map(len, positions)])
        own = self._reason_inputs(enterprise)
        return [
            self._tender_match(enterprise, index, units,
                               (values[a:b], scores[a:b], evidence[a:b]), only_top_reason, own)
            for index, units, a, b in zip(chosen, positions, bounds[:-1], bounds[1:], strict=True)
        ]

    def tender_evidence(self, side: _Side) -> np.ndarray:
        """Per fitted tender: does any of its lots share activity (CPV or distinctive words)
        with the encoded enterprise? Lets a page list the relevant left-out tenders first."""
        shape = (1, self.n_units_)
        shared = positive_mask(self._product(side, self.unit_side_, "evidence"), shape)[0]
        evidence = np.asarray(shared, dtype=np.int8)
        return np.maximum.reduceat(evidence, self.tender_first_unit_) > 0

    def gates_of(
        self, enterprise, side: _Side, tender_indices, now: datetime | None = None
    ) -> list[Gate]:
        """Why each given tender is left out for the enterprise (deadlines checked at ``now``):
        the first of its lots' gates, as :meth:`rank_tenders` reports them."""
        evidence = self._has_evidence(side, self.unit_side_)
        gates = []
        for tender_index in tender_indices:
            for position in self._tender_unit_positions(tender_index):
                unit = self.units_[position]
                gate = self._gate_of(enterprise, unit, bool(evidence[position]), now)
                if gate is not None:
                    gates.append(Gate(self.tenders_[tender_index].id, unit.lot_id, *gate))
                    break
        return gates

    def _tender_match(self, enterprise, tender_index: int, units, signals,
                      only_top_reason: bool, own: dict) -> TenderMatch:
        """The match of one tender, from the signals of its lots (``units``) computed by
        ``_pair_signals`` and ``_has_evidence``."""
        tender = self.tenders_[tender_index]
        values, scores, evidence = signals
        gates = [
            self._gate_of(enterprise, self.units_[u], has)
            for u, has in zip(units, evidence, strict=True)
        ]
        open_rows = [i for i, gate in enumerate(gates) if gate is None]
        best = max(open_rows, key=lambda i: (scores[i], -i))
        best_unit = self.units_[units[best]]
        gated_lots = [
            Gate(tender.id, self.units_[u].lot_id, *gate)
            for u, gate in zip(units, gates, strict=True)
            if gate is not None
        ]
        return TenderMatch(
            tender_id=tender.id,
            score=float(np.clip(scores[best], 0, 1)),
            best_lot_id=best_unit.lot_id,
            signals=self._signals(enterprise, tender, best_unit, values[best], only_top_reason,
                                  own),
            gated_lots=gated_lots,
        )

    def _tender_unit_positions(self, tender_index: int) -> np.ndarray:
        start = self.tender_first_unit_[tender_index]
        stop = (
            self.tender_first_unit_[tender_index + 1]
            if tender_index + 1 < self.n_tenders_
            else self.n_units_
        )
        return np.arange(start, stop)

    def _pair_signals(self, profile: _Side, units: _Side) -> tuple[np.ndarray, np.ndarray]:
        """Per-signal values (NaN where absent) and scores of one profile against lots."""
        n_units = units.presence.shape[0]
        values = np.full((n_units, len(SIGNALS)), np.nan)
        for column, name in enumerate(SIGNALS):
            if name == "text":
                product = self._text_values(profile, units)
            else:
                product = self._product(profile, units, name)
                product = product.toarray() if sp.issparse(product) else np.asarray(product)
            present = profile.presence[0, column] & units.presence[:, column]
            values[present, column] = np.clip(product[0, present], 0.0, 1.0)
        weights = np.where(np.isnan(values), 0.0, self.weights_)
        scores = np.nansum(values * weights, axis=1) / np.maximum(weights.sum(axis=1), 1e-6)
        return values, scores

    def _has_evidence(self, profile: _Side, units: _Side,
                      values: np.ndarray | None = None) -> np.ndarray:
        """Whether each lot shows the profile's activity (``_shows_activity``); ``values`` are
        the pair's signals from ``_pair_signals`` when the caller has them."""
        if values is None:
            text = self._text_values(profile, units)
        else:
            text = np.nan_to_num(values[:, SIGNALS.index("text")])[None, :]
        return self._shows_activity(profile, units, text)[0]

    def _gate_of(
        self, enterprise: EnterpriseProfile, unit: Unit, has_evidence: bool = True,
        now: datetime | None = None,
    ) -> tuple[str, Text] | None:
        tender = self.tenders_[unit.tender_index]
        gate = (
            rules.tender_gate(tender, now or self.now_, self.min_days_to_deadline)
            or rules.unit_gate(unit)
            or rules.enterprise_gate(enterprise, unit)
        )
        if gate is None and not has_evidence:
            return "no_evidence", rules.NO_EVIDENCE_REASON
        return gate

    def _reason_inputs(self, enterprise) -> dict:
        """What the reasons read of the enterprise alone: made once for all the tenders one
        call explains (its profile text joins the labels of its codes)."""
        return {"cpv": rules.clean_cpv_codes(enterprise.cpv_codes),
                "text": self._profile_text(enterprise),
                "areas": rules.enterprise_areas(enterprise)}

    def _signals(self, enterprise, tender, unit: Unit, values: np.ndarray,
                 only_top: bool = False, own: dict | None = None) -> list[Signal]:
        """The pair's signals with their reasons (``only_top``: the strongest one's alone);
        ``own`` is the enterprise's :meth:`_reason_inputs` when the caller already has it."""
        value_of = {
            name: None if np.isnan(v) else round(float(v), 4)
            for name, v in zip(SIGNALS, values, strict=True)
        }
        own = own if own is not None else self._reason_inputs(enterprise)
        reasons = {  # written lazily: only the wanted ones are worked out
            "cpv": lambda: explain.cpv_reason(
                self.tree_, own["cpv"], rules.clean_cpv_codes(unit.cpv_codes),
            ),
            "text": lambda: explain.text_reason(
                own["text"], unit.text, value_of["text"], self.place_words_, self.generic_words_,
                (enterprise.language, tender.language),
            ),
            "region": lambda: explain.region_reason(
                self.names_, own["areas"], rules.clean_nuts_codes(unit.nuts_codes),
            ),
            "value": lambda: explain.value_reason(enterprise, unit, value_of["value"]),
            "social": lambda: explain.social_reason(enterprise, tender, unit),
        }
        wanted = set(SIGNALS)
        if only_top:
            top = explain.top_signal({
                name: value_of[name] * weight
                for name, weight in zip(SIGNALS, self.weights_, strict=True)
                if value_of[name] is not None})
            wanted = {top} if top else set()
        return [
            Signal(name, value_of[name], float(weight),
                   reasons[name]() if name in wanted else "")
            for name, weight in zip(SIGNALS, self.weights_, strict=True)
        ]

    def _gates_for(self, enterprise, side: _Side, unit_scores: np.ndarray) -> list[Gate]:
        """One gate per tender whose every lot is gated for this enterprise (its first lot's)."""
        gated = self._tender_scores(unit_scores[None, :])[0] < 0
        evidence = self._has_evidence(side, self.unit_side_)
        gates = []
        for tender_index in np.flatnonzero(gated):
            for position in self._tender_unit_positions(tender_index):
                unit = self.units_[position]
                gate = self._gate_of(enterprise, unit, bool(evidence[position]))
                if gate is not None:
                    gates.append(Gate(self.tenders_[tender_index].id, unit.lot_id, *gate))
                    break
        return gates

    def rank_enterprises(
        self,
        tender: TenderItem,
        n: int = 20,
        region_level: int = 2,
        min_score: float = rules.STRONG_FIT,
    ) -> EnterpriseRanking:
        """Enterprises for a published or planned tender, with counts per region.

        The deadline is not checked (a planned tender has none yet); reservations are.

        Parameters
        ----------
        tender : TenderItem
            It need not be among the fitted tenders.
        n : int, default=20
        region_level : int, default=2
            NUTS level of the counts (0 counts by country).
        min_score : float, default=rules.STRONG_FIT
            Enterprises scoring at least this are counted per region.

        Returns
        -------
        EnterpriseRanking
        """
        return self.rank_enterprises_many([tender], n, region_level, min_score)[0]

    def rank_enterprises_many(
        self,
        tenders: Sequence[TenderItem],
        n: int = 20,
        region_level: int = 2,
        min_score: float = rules.STRONG_FIT,
    ) -> list[EnterpriseRanking]:
        """:meth:`rank_enterprises` of several tenders, their lots encoded and scored in one
        pass (market research asks for a planned tender and for the same tender reserved:
        encoding was a third of each call)."""
        check_is_fitted(self)
        if not tenders:
            return []
        unit_lists = [expand_units(tender, 0) for tender in tenders]
        units = [u for unit_list in unit_lists for u in unit_list]
        owners = [t for t, unit_list in zip(tenders, unit_lists, strict=True) for _u in unit_list]
        unit_side = self._encode_unit_rows(units, owners, [rules.unit_gate(u) for u in units])
        all_scores, all_activity = self._enterprise_scores(unit_side)
        bounds = np.cumsum([0, *map(len, unit_lists)])
        return [
            self._enterprise_ranking(tender, unit_list, unit_side.rows(np.arange(a, b)),
                                     all_scores[:, a:b], all_activity[:, a:b], n,
                                     region_level, min_score)
            for tender, unit_list, a, b in zip(tenders, unit_lists, bounds[:-1], bounds[1:],
                                               strict=True)
        ]

    def _enterprise_ranking(self, tender, units, unit_side, scores, activity, n, region_level,
                            min_score) -> EnterpriseRanking:
        best = scores.max(axis=1)
        _, top = top_k_rows(best[None, :], n)
        matches = []
        for index in top[0][top[0] >= 0]:
            profile = self.enterprise_side_.row(int(index))
            values, pair_scores = self._pair_signals(profile, unit_side)
            open_rows = np.flatnonzero(scores[index] >= 0)
            lot = int(open_rows[np.argmax(pair_scores[open_rows])])
            enterprise = self.enterprises_[index]
            matches.append(
                EnterpriseMatch(
                    enterprise_id=enterprise.id,
                    score=float(np.clip(pair_scores[lot], 0, 1)),
                    best_lot_id=units[lot].lot_id,
                    signals=self._signals(enterprise, tender, units[lot], values[lot]),
                )
            )
        counts = self._region_counts(np.flatnonzero(best >= min_score), region_level)
        return EnterpriseRanking(tender.id, matches, counts,
                                 self._left_out(units, scores, activity))

    def _left_out(self, units: list[Unit], scores: np.ndarray,
                  activity: np.ndarray) -> dict[str, int]:
        """Per gate code, the enterprises that show the activity for some lot and are gated
        on every lot (the gate of the first lot they show it for)."""
        counts: Counter[str] = Counter()
        for row in np.flatnonzero((scores < 0).all(axis=1) & activity.any(axis=1)):
            unit = units[int(np.argmax(activity[row]))]
            gate = rules.enterprise_gate(self.enterprises_[row], unit) or rules.unit_gate(unit)
            counts[gate[0] if gate else "other"] += 1
        return dict(sorted(counts.items()))

    def _enterprise_scores(self, unit_side: _Side) -> tuple[np.ndarray, np.ndarray]:
        """(n_enterprises, n_lots) scores of every fitted enterprise for the given lots,
        gated as the tender lists are (``_open_pairs``), and which pairs show the activity
        (``_shows_activity``), whatever their other gates."""
        profiles = self.enterprise_side_
        dense, sparse = profiles.combined(self.weights_)
        unit_dense, unit_sparse = unit_side.combined(None)
        scores = dense @ unit_dense.T
        _add_sparse_product(scores, sparse @ unit_sparse.T)
        text = self._text_values(profiles, unit_side)
        text_weight = np.float32(self.weights_[SIGNALS.index("text")])
        if text_weight:
            scores += text_weight * text
        scores *= self._normalisers(profiles.presence, unit_side.presence)
        activity = self._shows_activity(profiles, unit_side, text)
        scores[~(self._within_reach(profiles, unit_side) & activity)] = -GATE_PENALTY
        return scores, activity

    # ------------------------------------------------------------------ incremental

    def with_tenders(self, tenders: Sequence[TenderItem]) -> tuple[TenderMatcher, np.ndarray]:
        """A copy with ``tenders`` appended, encoded by the fitted encoders (no refit).

        The copy shares the unchanged arrays with this matcher, which is never modified, so
        requests still using it are safe. Returns the copy and the new tenders' positions.
        """
        check_is_fitted(self)
        new = copy.copy(self)
        first = self.n_tenders_
        units = [u for i, t in enumerate(tenders) for u in expand_units(t, first + i)]
        # `+`, not unpacking: a stored index keeps these as lazily decoded sequences.
        new.tenders_ = self.tenders_ + list(tenders)
        new.units_ = self.units_ + units
        new.n_tenders_, new.n_units_ = len(new.tenders_), len(new.units_)
        new.unit_tender_ = np.concatenate(
            [self.unit_tender_, np.array([u.tender_index for u in units], dtype=np.int64)]
        )
        new.tender_first_unit_ = np.searchsorted(new.unit_tender_, np.arange(new.n_tenders_))
        gates = [new._closing_gate(u) for u in units]
        new.unit_gates_ = [*self.unit_gates_, *gates]
        added = new._encode_units(units, gates)
        new.unit_side_ = _stacked(self.unit_side_, added)
        dense, sparse = added.combined(None)
        new.unit_dense_ = np.ascontiguousarray(np.vstack([self.unit_dense_, dense]))
        new.unit_sparse_ = sp.vstack([self.unit_sparse_, sparse], format="csr")
        # The products read these transposed copies: they must hold the new rows too.
        new.unit_transposed_ = {
            name: _transposed(new.unit_side_.blocks[name]) for name in self.unit_transposed_
        }
        new.unit_sparse_t_ = _transposed(new.unit_sparse_)
        return new, np.arange(first, new.n_tenders_)

    def with_enterprises(self, enterprises: Sequence[EnterpriseProfile]) -> TenderMatcher:
        """A copy with these enterprises re-encoded (same id: replaced; new id: appended)."""
        check_is_fitted(self)
        new = copy.copy(self)
        positions = {e.id: i for i, e in enumerate(self.enterprises_)}
        merged = list(self.enterprises_)
        order = np.arange(len(merged) + len(enterprises))
        for j, enterprise in enumerate(enterprises):
            if enterprise.id in positions:
                merged[positions[enterprise.id]] = enterprise
                order[positions[enterprise.id]] = len(self.enterprises_) + j
            else:
                positions[enterprise.id] = len(merged)
                order[len(merged)] = len(self.enterprises_) + j
                merged.append(enterprise)
        new.enterprises_ = merged
        new.n_enterprises_ = len(merged)
        added = self._encode_enterprises(list(enterprises))
        new.enterprise_side_ = _stacked(self.enterprise_side_, added).rows(order[: len(merged)])
        return new

    def _region_counts(self, enterprise_indices, level: int) -> list[RegionCount]:
        counter = Counter()
        for index in enterprise_indices:
            areas = rules.clean_nuts_codes([self.enterprises_[index].nuts])
            areas = areas or rules.enterprise_areas(self.enterprises_[index])
            counter[areas[0][: 2 + level] if areas else "?"] += 1
        return [
            RegionCount(code, self.names_.name(code) if code != "?" else "unknown", count)
            for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]


#: The evidence encoder's words, for reading the CPV labels the same way.
_EVIDENCE_WORD = re.compile(EVIDENCE_TOKEN_PATTERN)
#: Where a list of places ends (a list never runs over these), and what separates its items.
_CLAUSES = re.compile(r"[.;:!?()\n/]")
_LIST_SEPARATORS = re.compile(r",|\s(?:and|&|und|en|et|e|y|i|och|og)\s")
_LEADING_ARTICLE = re.compile(r"^(?:the|de|het|die|der|das|la|le|les|il|el)\s+", re.IGNORECASE)
_CAPITALISED_WORD = re.compile(r"[^\W\d_a-z][^\W\d_]{2,}")


def _listed_places(documents: Sequence[str], place_words: frozenset[str]) -> set[str]:
    """Single capitalised words listed with known place names, as places themselves.

    In "across Tayside, Fife and the Lothians" the list holds a known region (Fife), so
    Tayside, beside it, names a place as well; an enterprise's and a tender's text sharing
    it share a place, not a trade. A list counts when at least half of its items are made
    of place words only; the others count when they are one capitalised word (the first
    item's last word, the words before it being the sentence that leads to the list).
    """
    found: set[str] = set()
    for document in documents:
        for clause in _CLAUSES.split(document):
            items = [_LEADING_ARTICLE.sub("", item.strip()) for item in
                     _LIST_SEPARATORS.split(clause)]
            items = [item for item in items if item]
            if len(items) < 2:
                continue
            # "across Tayside": its last word; not "Dundee Airport", a name of two words.
            lead = items[0].split()
            if len(lead) > 1 and lead[-2][:1].isupper():
                items = items[1:]
            else:
                items[0] = lead[-1]
            if len(items) < 2:
                continue
            known = [item for item in items if _all_in(re.findall(r"[^\W\d_]+", item),
                                                       place_words)]
            if 2 * len(known) < len(items):
                continue
            found.update(item.lower() for item in items
                         if item not in known and _CAPITALISED_WORD.fullmatch(item))
    return found


def _all_in(words: list[str], vocabulary: frozenset[str]) -> bool:
    """Whether there are words and every one, lowercased, is in the vocabulary."""
    return bool(words) and all(word.lower() in vocabulary for word in words)


def _language_numbers(codes: Sequence[str]) -> np.ndarray:
    """Each two-letter language code as a number (a to z, base 26); -1 where unknown."""
    numbers = np.full(len(codes), -1, dtype=np.int16)
    for i, code in enumerate(codes):
        code = (code or "").strip().lower()[:2]
        if len(code) == 2 and code.isascii() and code.isalpha():
            numbers[i] = (ord(code[0]) - 97) * 26 + ord(code[1]) - 97
    return numbers


def _across_languages(profiles: _Side, units: _Side) -> np.ndarray | None:
    """Pairs whose texts are both there and in two known languages (None when there are none,
    the usual case: one language, or languages not known)."""
    mine, theirs = profiles.blocks.get("language"), units.blocks.get("language")
    if mine is None or theirs is None:  # an index stored before languages were read
        return None
    known_mine, known_theirs = mine >= 0, theirs >= 0
    known = np.concatenate([mine[known_mine], theirs[known_theirs]])
    if not known_mine.any() or not known_theirs.any() or known.min() == known.max():
        return None  # a side without known languages, or one language on both sides
    text = SIGNALS.index("text")
    known_mine &= profiles.presence[:, text]
    known_theirs &= units.presence[:, text]
    across = (known_mine[:, None] & known_theirs[None, :]
              & (mine[:, None] != theirs[None, :]))
    return across if across.any() else None


def _sentences(description: str) -> list[str]:
    """The sentences of a description, in order, empty ones left out."""
    sentences = [p.strip() for p in re.split(r"(?<=[.!?;])\s+", description or "")]
    return [p for p in sentences if p]


def _facets(description: str) -> list[str]:
    """The sentences of a description compared on their own (see TEXT_FACETS)."""
    sentences = _sentences(description)
    return [p for p in sentences[FIRST_FACET:] if len(p.split()) >= 4][:TEXT_FACETS]


def _transposed(block):
    """A block's transpose, as CSR when sparse (the right operand of fast products)."""
    return sp.csr_matrix(block.T) if sp.issparse(block) else np.ascontiguousarray(block.T)


def _scaled_rows(rows, factors: np.ndarray):
    """Each row multiplied by its factor (sparse or dense, float32)."""
    if sp.issparse(rows):
        return sp.csr_matrix(sp.diags(factors.astype(np.float32)) @ rows, dtype=np.float32)
    return (rows * factors[:, None]).astype(np.float32)


def _cpv_contains(outer: str, inner: str) -> bool:
    """Whether the CPV code ``inner`` is ``outer`` or lies below it: the encoder's
    ``contains(outer, inner)``. ``CpvTree.is_within`` takes its arguments the other way round
    (code, branch); passed as it was, a profile listing a branch and a code inside it kept only
    the narrower code, so a lot elsewhere in the branch it named scored as a mere sibling."""
    return outer == inner or outer in cpv_truncation_ancestors(inner)


def _nuts_within(outer: str, inner: str) -> bool:
    """A module-level function, not a lambda: the fitted matcher is pickled into the index."""
    return inner.startswith(outer)


def _stacked(first: _Side, second: _Side) -> _Side:
    """The rows of ``first`` then those of ``second``."""
    blocks = {
        name: sp.vstack([block, second.blocks[name]], format="csr")
        if sp.issparse(block)
        else np.concatenate([block, second.blocks[name]])  # 1-D per-row blocks too
        for name, block in first.blocks.items()
    }
    return _Side(blocks, np.vstack([first.presence, second.presence]))



def _csr_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """``matrix[rows]`` for a CSR matrix, gathered with numpy from its three arrays."""
    starts, stops = matrix.indptr[rows], matrix.indptr[rows + 1]
    lengths = stops - starts
    indptr = np.zeros(len(rows) + 1, dtype=matrix.indptr.dtype)
    np.cumsum(lengths, out=indptr[1:])
    # Position of each kept entry in the matrix's arrays: its row's start, then 0, 1, 2 ...
    take = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1], dtype=np.int64)
    return sp.csr_matrix((matrix.data[take], matrix.indices[take], indptr),
                         shape=(len(rows), matrix.shape[1]))


def _add_sparse_product(dense: np.ndarray, product: sp.csr_matrix) -> None:
    """Add a CSR matrix into a dense one of the same shape, in place (densified in C: a
    scatter by fancy index was several times slower on the batch path's blocks)."""
    dense += sp.csr_matrix(product).toarray()
