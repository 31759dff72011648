"""The tender matcher: one engine, ranking tenders for enterprises and enterprises for tenders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matcher.cpv import CpvTree, cpv_level
from matcher.nuts import NutsNames, nuts_chain, nuts_level
from matcher.tenders import explain, rules
from matcher.tenders.features import (
    GATE_COLUMNS,
    GATE_PENALTY,
    SOCIAL_COLUMNS,
    HierarchyEncoder,
    TextEncoder,
    named_rows,
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

__all__ = ["DEFAULT_WEIGHTS", "SIGNALS", "TenderMatcher"]

SIGNALS = ("cpv", "text", "region", "value", "social")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "cpv": 0.35,
    "text": 0.2,
    "region": 0.2,
    "value": 0.15,
    "social": 0.1,
}
_LSA_ABOVE_N_UNITS = 20_000
_LSA_COMPONENTS = 128


@dataclass
class _Side:
    """Feature blocks of one side (enterprises or lots) and the signals each row has."""

    blocks: dict[str, sp.csr_matrix | np.ndarray]
    presence: np.ndarray  # (n_rows, len(SIGNALS)) bool

    def rows(self, index) -> _Side:
        return _Side({k: v[index] for k, v in self.blocks.items()}, self.presence[index])

    def combined(self, weights: np.ndarray | None) -> tuple[np.ndarray, sp.csr_matrix]:
        """Dense and sparse matrices whose summed products give the weighted numerator."""
        factor = dict(zip(SIGNALS, weights, strict=True)) if weights is not None else {}

        def scaled(name):
            block = self.blocks[name]
            return block * np.float32(factor.get(name, 1.0)) if factor else block

        dense_names = [n for n in (*SIGNALS, "gate") if not sp.issparse(self.blocks[n])]
        sparse_names = [n for n in SIGNALS if sp.issparse(self.blocks[n])]
        dense = np.hstack([scaled(n) for n in dense_names]).astype(np.float32)
        sparse = sp.hstack([scaled(n) for n in sparse_names], format="csr", dtype=np.float32)
        return np.ascontiguousarray(dense), sparse


class TenderMatcher(BaseEstimator):
    """Rank open tenders for social enterprises, and enterprises for (planned) tenders.

    The score of an enterprise and a lot is the weighted mean of the signals the pair has:
    CPV closeness through the hierarchy, text similarity, region, value against capacity
    and social fit, each in [0, 1]. A missing value or place leaves its signal out instead
    of counting it as 0. A tender scores as its best lot. Gates leave out tenders whose
    deadline has passed or is too close, and reserved tenders or lots the enterprise does
    not qualify for (Art. 20 and Art. 77 of Directive 2014/24/EU).

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
    'CPV 90919200 Sewage, refuse, cleaning and environmental services is inside your branch \
90910000 Sewage, refuse, cleaning and environmental services.'

    Labels come from the division names unless the official list is passed as ``cpv_tree``.
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
        self._fit_encoders()
        self.unit_gates_ = [self._closing_gate(u) for u in self.units_]
        self.unit_side_ = self._encode_units(self.units_, self.unit_gates_)
        self.unit_dense_, self.unit_sparse_ = self.unit_side_.combined(None)
        self.enterprise_side_ = self._encode_enterprises(self.enterprises_)
        return self

    def _validated_weights(self) -> np.ndarray:
        weights = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        unknown = set(weights) - set(SIGNALS)
        if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"weights need non-negative values for {SIGNALS}, got {weights}")
        return np.array([weights.get(name, 0.0) for name in SIGNALS], dtype=np.float64)

    def _fit_encoders(self) -> None:
        tree = self.tree_
        self.cpv_encoder_ = HierarchyEncoder(
            tree.chain, cpv_level, rules.CPV_SHARED_SCORE, rules.CPV_COVER_SCORE, tree.is_within
        ).fit([*self._unit_cpv(self.units_), *self._profile_cpv(self.enterprises_)])
        self.region_encoder_ = HierarchyEncoder(
            nuts_chain,
            nuts_level,
            rules.REGION_SHARED_SCORE,
            rules.REGION_COVER_SCORE,
            lambda outer, inner: inner.startswith(outer),
        ).fit([*self._unit_nuts(self.units_), *map(rules.enterprise_areas, self.enterprises_)])
        components = self.text_components
        if components == "auto":
            components = _LSA_COMPONENTS if self.n_units_ > _LSA_ABOVE_N_UNITS else None
        documents = [_tender_text(t) for t in self.tenders_]
        documents += [self._profile_text(e) for e in self.enterprises_]
        self.text_encoder_ = TextEncoder(components, self.random_state, 20_000).fit(documents)

    def _closing_gate(self, unit: Unit) -> tuple[str, str] | None:
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
        labels = [self.tree_.label(c) for c in rules.clean_cpv_codes(enterprise.cpv_codes)]
        return "\n".join([enterprise.description, *labels]).strip()

    def _encode_units(self, units: Sequence[Unit], gates) -> _Side:
        tenders = [self.tenders_[u.tender_index] for u in units]
        return self._encode_unit_rows(units, tenders, gates)

    def _encode_unit_rows(self, units, tenders, gates) -> _Side:
        cpv, nuts = self._unit_cpv(units), self._unit_nuts(units)
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
        blocks = {
            "cpv": self.cpv_encoder_.transform_units(cpv),
            "text": self.text_encoder_.transform(texts),
            "region": self.region_encoder_.transform_units(nuts),
            "value": value_unit_rows(values),
            "social": named_rows(
                [rules.social_unit_parts(t, u) for t, u in zip(tenders, units, strict=True)],
                SOCIAL_COLUMNS,
            ),
            "gate": named_rows(gate_rows, GATE_COLUMNS),
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
        blocks = {
            "cpv": self.cpv_encoder_.transform_profiles(cpv),
            "text": self.text_encoder_.transform(texts),
            "region": self.region_encoder_.transform_profiles(areas),
            "value": value_profile_rows(capacities),
            "social": named_rows(
                [rules.social_enterprise_parts(e) for e in enterprises], SOCIAL_COLUMNS
            ),
            "gate": named_rows(gate_rows, GATE_COLUMNS),
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

    # ------------------------------------------------------------------ scoring

    def _unit_scores(self, side: _Side) -> np.ndarray:
        """Scores of the given enterprise rows against every fitted lot (float32)."""
        dense, sparse = side.combined(self.weights_)
        scores = dense @ self.unit_dense_.T
        _add_sparse_product(scores, sparse @ self.unit_sparse_.T)
        patterns, inverse = np.unique(side.presence, axis=0, return_inverse=True)
        scale = self._normalisers(patterns, self.unit_side_.presence)
        if len(patterns) == 1:
            scores *= scale[0]
        else:
            scores *= scale[inverse.ravel()]
        return scores

    def _normalisers(self, profile_presence, unit_presence) -> np.ndarray:
        """1 / (sum of the weights of the signals each pair has)."""
        weights = self.weights_.astype(np.float32)
        weight_sums = (profile_presence * weights) @ unit_presence.T.astype(np.float32)
        return (1.0 / np.maximum(weight_sums, 1e-6)).astype(np.float32)

    def _tender_scores(self, unit_scores: np.ndarray) -> np.ndarray:
        """A tender scores as its best lot."""
        if self.n_units_ == self.n_tenders_:
            return unit_scores
        return np.maximum.reduceat(unit_scores, self.tender_first_unit_, axis=1)

    def kneighbors(
        self, enterprises: Sequence[EnterpriseProfile] | None = None, n_neighbors: int = 20
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best tenders for each enterprise, as ``(scores, indices)`` into ``tenders_``.

        Parameters
        ----------
        enterprises : sequence of EnterpriseProfile, optional
            Defaults to the fitted enterprises.
        n_neighbors : int, default=20

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
        n_rows = side.presence.shape[0]
        scores = np.zeros((n_rows, n_neighbors), dtype=np.float32)
        indices = np.full((n_rows, n_neighbors), -1, dtype=np.int64)
        # Rows with the same signals share one normaliser per lot: group them into blocks.
        order = np.lexsort(side.presence.T[::-1])
        for start in range(0, n_rows, self.block_size):
            rows = order[start : start + self.block_size]
            block = self._tender_scores(self._unit_scores(side.rows(rows)))
            scores[rows], indices[rows] = top_k_rows(block, n_neighbors)
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
        check_is_fitted(self)
        side = self._encode_enterprises([enterprise])
        unit_scores = self._unit_scores(side)[0]
        _, indices = top_k_rows(self._tender_scores(unit_scores[None, :]), n)
        matches = [
            self._tender_match(enterprise, side, int(index)) for index in indices[0] if index >= 0
        ]
        gates = self._gates_for(enterprise, unit_scores) if explain_gates else []
        return TenderRanking(enterprise.id, matches, gates)

    def explain_tenders(
        self,
        enterprises: Sequence[EnterpriseProfile],
        tender_indices: Sequence[Sequence[int]],
        only_top_reason: bool = False,
    ) -> list[list[TenderMatch]]:
        """For each enterprise, the matches (signals, best lot) of its given tenders.

        Encodes the enterprises once and scores only the lots of their tenders, where
        :meth:`rank_tenders` would encode and score every lot again per enterprise: for
        explaining the few tenders that :meth:`kneighbors` found for a batch.

        Parameters
        ----------
        enterprises : sequence of EnterpriseProfile
        tender_indices : sequence of sequences of int
            Per enterprise, positions in ``tenders_`` (as :meth:`kneighbors` returns them).
        only_top_reason : bool, default=False
            Write the reason of the strongest signal only (the others get ""): a digest
            quotes one reason per tender, and reasons are the costly part.

        Returns
        -------
        list of lists of TenderMatch
            Per enterprise, in the given order; a tender whose every lot is gated for the
            enterprise is left out.
        """
        check_is_fitted(self)
        if not enterprises:
            return []
        sides = self._encode_enterprises(list(enterprises))
        return [
            self._explain_one(enterprise, sides.rows([row]), indices, only_top_reason)
            for row, (enterprise, indices) in enumerate(
                zip(enterprises, tender_indices, strict=True))
        ]

    def _explain_one(self, enterprise, side: _Side, tender_indices, only_top_reason: bool):
        per_tender = [self._tender_unit_positions(int(i)) for i in tender_indices]
        if not per_tender:
            return []
        values, scores = self._pair_signals(side, self.unit_side_.rows(np.concatenate(per_tender)))
        matches, start = [], 0
        for index, units in zip(tender_indices, per_tender, strict=True):
            rows = slice(start, start + len(units))
            start += len(units)
            gates = [self._gate_of(enterprise, self.units_[u]) for u in units]
            open_rows = [i for i, gate in enumerate(gates) if gate is None]
            if not open_rows:
                continue
            unit_scores = scores[rows]
            best = max(open_rows, key=lambda i: (unit_scores[i], -i))
            tender = self.tenders_[int(index)]
            best_unit = self.units_[units[best]]
            matches.append(TenderMatch(
                tender_id=tender.id,
                score=float(np.clip(unit_scores[best], 0, 1)),
                best_lot_id=best_unit.lot_id,
                signals=self._signals(enterprise, tender, best_unit, values[rows][best],
                                      only_top=only_top_reason),
                gated_lots=[Gate(tender.id, self.units_[u].lot_id, *gate)
                            for u, gate in zip(units, gates, strict=True) if gate is not None],
            ))
        return matches

    def _tender_match(self, enterprise, side: _Side, tender_index: int) -> TenderMatch:
        units = self._tender_unit_positions(tender_index)
        tender = self.tenders_[tender_index]
        values, scores = self._pair_signals(side, self.unit_side_.rows(units))
        gates = [self._gate_of(enterprise, self.units_[u]) for u in units]
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
            signals=self._signals(enterprise, tender, best_unit, values[best]),
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
            product = profile.blocks[name] @ units.blocks[name].T
            product = product.toarray() if sp.issparse(product) else np.asarray(product)
            present = profile.presence[0, column] & units.presence[:, column]
            values[present, column] = np.clip(product[0, present], 0.0, 1.0)
        weights = np.where(np.isnan(values), 0.0, self.weights_)
        scores = np.nansum(values * weights, axis=1) / np.maximum(weights.sum(axis=1), 1e-6)
        return values, scores

    def _gate_of(self, enterprise: EnterpriseProfile, unit: Unit) -> tuple[str, str] | None:
        tender = self.tenders_[unit.tender_index]
        return (
            rules.tender_gate(tender, self.now_, self.min_days_to_deadline)
            or rules.unit_gate(unit)
            or rules.enterprise_gate(enterprise, unit)
        )

    def _signals(self, enterprise, tender, unit: Unit, values: np.ndarray,
                 only_top: bool = False) -> list[Signal]:
        """The signals of a pair with their reasons (`only_top`: the strongest one's only)."""
        value_of = {
            name: None if np.isnan(v) else round(float(v), 4)
            for name, v in zip(SIGNALS, values, strict=True)
        }
        reasons = {  # lazily: a reason is the costly part, and a digest needs only the top one
            "cpv": lambda: explain.cpv_reason(
                self.tree_,
                rules.clean_cpv_codes(enterprise.cpv_codes),
                rules.clean_cpv_codes(unit.cpv_codes),
            ),
            "text": lambda: explain.text_reason(
                self._profile_text(enterprise), unit.text, value_of["text"]
            ),
            "region": lambda: explain.region_reason(
                self.names_,
                rules.enterprise_areas(enterprise),
                rules.clean_nuts_codes(unit.nuts_codes),
            ),
            "value": lambda: explain.value_reason(enterprise, unit, value_of["value"]),
            "social": lambda: explain.social_reason(enterprise, tender, unit),
        }
        wanted = set(SIGNALS)
        if only_top:
            counted = [(value_of[n] * w, n) for n, w in zip(SIGNALS, self.weights_, strict=True)
                       if value_of[n] is not None]
            wanted = {max(counted)[1]} if counted else set()
        return [
            Signal(name, value_of[name], float(weight),
                   reasons[name]() if name in wanted else "")
            for name, weight in zip(SIGNALS, self.weights_, strict=True)
        ]

    def _gates_for(self, enterprise, unit_scores: np.ndarray) -> list[Gate]:
        """One gate per tender whose every lot is gated for this enterprise."""
        gated = self._tender_scores(unit_scores[None, :])[0] < 0
        gates = []
        for tender_index in np.flatnonzero(gated):
            unit = self.units_[self.tender_first_unit_[tender_index]]
            gate = self._gate_of(enterprise, unit)
            if gate is not None:
                gates.append(Gate(self.tenders_[tender_index].id, unit.lot_id, *gate))
        return gates

    def rank_enterprises(
        self,
        tender: TenderItem,
        n: int = 20,
        region_level: int = 2,
        min_score: float = 0.4,
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
        min_score : float, default=0.4
            Enterprises scoring at least this are counted per region.

        Returns
        -------
        EnterpriseRanking
        """
        check_is_fitted(self)
        units = expand_units(tender, 0)
        gates = [rules.unit_gate(u) for u in units]
        unit_side = self._encode_unit_rows(units, [tender] * len(units), gates)
        scores = self._enterprise_scores(unit_side)
        best = scores.max(axis=1)
        _, top = top_k_rows(best[None, :], n)
        matches = []
        for index in top[0][top[0] >= 0]:
            profile = self.enterprise_side_.rows([index])
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
        return EnterpriseRanking(tender.id, matches, counts)

    def _enterprise_scores(self, unit_side: _Side) -> np.ndarray:
        """(n_enterprises, n_lots) scores of every fitted enterprise for the given lots."""
        dense, sparse = self.enterprise_side_.combined(self.weights_)
        unit_dense, unit_sparse = unit_side.combined(None)
        scores = dense @ unit_dense.T
        _add_sparse_product(scores, sparse @ unit_sparse.T)
        return scores * self._normalisers(self.enterprise_side_.presence, unit_side.presence)

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


def _tender_text(tender: TenderItem) -> str:
    return "\n".join([tender.title, tender.description, *(lot.title for lot in tender.lots)])


def _add_sparse_product(dense: np.ndarray, product: sp.csr_matrix) -> None:
    """Add a CSR matrix into a dense one of the same shape, in place."""
    product = sp.csr_matrix(product)
    rows = np.repeat(np.arange(product.shape[0]), np.diff(product.indptr))
    dense[rows, product.indices] += product.data
