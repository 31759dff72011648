"""Match social enterprises and public tenders, in both directions.

Plain data in (:class:`EnterpriseProfile`, :class:`TenderItem`, :class:`LotItem`), plain
data out (:class:`TenderRanking`, :class:`EnterpriseRanking`), scored by
:class:`TenderMatcher`.
"""

from matcher.tenders import results
from matcher.tenders.engine import DEFAULT_WEIGHTS, SIGNALS, TenderMatcher
from matcher.tenders.items import EnterpriseProfile, LotItem, TenderItem
from matcher.tenders.learning import (
    fit_signal_weights,
    pair_signal_matrix,
    pair_signals,
    shrunk_weights,
)
from matcher.tenders.results import *  # noqa: F403  (the read models: results.__all__)
from matcher.tenders.rules import STRONG_FIT
from matcher.tenders.topk import top_k_rows

__all__ = [
    "DEFAULT_WEIGHTS",
    "SIGNALS",
    "STRONG_FIT",
    "EnterpriseProfile",
    "LotItem",
    "TenderItem",
    "TenderMatcher",
    "fit_signal_weights",
    "pair_signal_matrix",
    "pair_signals",
    "shrunk_weights",
    "top_k_rows",
]
__all__ += results.__all__
