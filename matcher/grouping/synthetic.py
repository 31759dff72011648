"""Seeded pools of applicants of realistic shape, for the benchmark, the tests and demos.

Applicants tick 1 to 5 of 10 sub-topics, drawn mostly from one of four overlapping clusters;
their motivation is a short sentence from the vocabulary of their topics; sizes are log-normal
between 20,000 and 5 million; countries come from 15 EU countries with NUTS 3-like codes.
"""

from __future__ import annotations

import numpy as np

from .applicants import Applicant

__all__ = ["generate_pool"]

TOPIC_WORDS = {
    "e-buses": "electric bus fleet depot battery public transport",
    "charging": "charging points grid connection depot electricity",
    "zero-emission machinery": "excavator construction site electric machinery diesel",
    "circular materials": "reuse recycled concrete material passport demolition",
    "timber construction": "timber wood building bio-based housing",
    "refurbished ICT": "laptops refurbished devices lifetime repair",
    "data centres": "servers cooling energy efficiency data centre",
    "school food": "school canteen meals organic local food",
    "food waste": "waste kitchen leftovers compost canteen",
    "green logistics": "delivery cargo bikes logistics urban freight",
}
TOPICS = tuple(TOPIC_WORDS)
CLUSTERS = (  # overlapping on purpose: charging, circular materials, food waste, logistics
    ("e-buses", "charging", "green logistics"),
    ("zero-emission machinery", "charging", "circular materials", "timber construction"),
    ("refurbished ICT", "data centres", "circular materials"),
    ("school food", "food waste", "green logistics"),
)
COUNTRIES = ("NL", "BE", "DE", "FR", "IT", "ES", "PT", "EL", "PL", "CZ", "AT", "SE", "FI",
             "IE", "DK")
LANGUAGES = {"NL": "nl", "BE": "fr", "DE": "de", "FR": "fr", "IT": "it", "ES": "es",
             "PT": "pt", "EL": "el", "PL": "pl", "CZ": "cs", "AT": "de", "SE": "sv",
             "FI": "fi", "IE": "en", "DK": "da"}
OPENINGS = ("We want to", "Our city plans to", "We aim to", "Our region will", "We need to")
VERBS = ("procure", "scale up", "learn about", "tender for", "pilot")


def generate_pool(n: int, seed: int = 0, n_topics: int = 10) -> list[Applicant]:
    """``n`` applicants drawn reproducibly from ``seed`` (``n_topics`` of the 10 topics)."""
    rng = np.random.default_rng(seed)
    topics = TOPICS[:n_topics]
    clusters = [c for c in ([t for t in cluster if t in topics] for cluster in CLUSTERS) if c]
    countries = rng.choice(COUNTRIES, size=rng.integers(6, len(COUNTRIES) + 1), replace=False)
    return [_applicant(k, rng, topics, clusters, countries) for k in range(n)]


def _applicant(k: int, rng: np.random.Generator, topics, clusters, countries) -> Applicant:
    cluster = clusters[rng.integers(len(clusters))]
    n_ticked = int(rng.integers(1, 6))
    ticked = [t for t in cluster if rng.random() < 0.7] or [cluster[0]]
    while len(ticked) < n_ticked and rng.random() < 0.5:
        extra = topics[rng.integers(len(topics))]
        if extra not in ticked:
            ticked.append(extra)
    ticked = ticked[:n_ticked]
    country = str(countries[rng.integers(len(countries))])
    nuts = f"{country}{rng.integers(1, 4)}{rng.integers(1, 4)}{rng.integers(1, 4)}"
    languages = [LANGUAGES[country]] + (["en"] if rng.random() < 0.6 else [])
    return Applicant(
        id=f"a{k}", interests=ticked, motivation=_motivation(rng, ticked),
        size=float(np.clip(rng.lognormal(np.log(250_000), 1.2), 20_000, 5_000_000)),
        country=country, nuts=nuts, languages=languages, name=f"Authority {k}",
    )


def _motivation(rng: np.random.Generator, ticked: list[str]) -> str:
    words = " ".join(TOPIC_WORDS[t] for t in ticked).split()
    chosen = rng.choice(words, size=min(len(words), int(rng.integers(3, 7))), replace=False)
    return (f"{OPENINGS[rng.integers(len(OPENINGS))]} {VERBS[rng.integers(len(VERBS))]} "
            f"{' '.join(chosen)}.")
