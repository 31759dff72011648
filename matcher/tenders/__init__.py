"""Match social enterprises and public tenders, in both directions.

Plain data in (:class:`EnterpriseProfile`, :class:`TenderItem`, :class:`LotItem`), plain
data out (:class:`TenderRanking`, :class:`EnterpriseRanking`), scored by
:class:`TenderMatcher`.
"""

from .engine import DEFAULT_WEIGHTS, SIGNALS, TenderMatcher
from .items import EnterpriseProfile, LotItem, TenderItem
from .learning import fit_signal_weights, pair_signal_matrix
from .results import (
    EnterpriseMatch,
    EnterpriseRanking,
    Gate,
    RegionCount,
    Signal,
    TenderMatch,
    TenderRanking,
)
from .topk import top_k_rows

__all__ = [
    "DEFAULT_WEIGHTS",
    "SIGNALS",
    "EnterpriseMatch",
    "EnterpriseProfile",
    "EnterpriseRanking",
    "Gate",
    "LotItem",
    "RegionCount",
    "Signal",
    "TenderItem",
    "TenderMatch",
    "TenderMatcher",
    "TenderRanking",
    "fit_signal_weights",
    "pair_signal_matrix",
    "top_k_rows",
]
