"""A sector's texts in one language: its name, description and topic labels.

Sectors are reference data shipped in English (``Sector.name``, ``description``, ``topics``)
with their other languages beside them (``Sector.translations``, language -> texts). What is
stored about a sector elsewhere (an application's ticked topics, the API's answers) stays the
English; only what a person reads is translated. A language or a text that is missing reads
in English, so a sector added without a translation still shows everywhere.

Pure: the language is given. ``webapp.i18n.sector_in_locale`` picks the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class SectorText:
    """A sector as a reader of one language sees it."""

    slug: str
    name: str
    description: str
    labels: Mapping[str, str] = field(default_factory=dict)  # English topic -> its label
    keys: tuple[str, ...] = ()  # the sector's topics, in English, in their order

    def topic(self, key: str) -> str:
        """The label of one topic (the English key for a topic the sector has no label of)."""
        return self.labels.get(key, key)

    def topics_of(self, keys: Iterable[str]) -> list[str]:
        """The labels of some topics (an application's, a pair's shared ones), in order."""
        return [self.topic(key) for key in keys or ()]

    @property
    def topics(self) -> list[str]:
        """Every topic of the sector, as labels."""
        return self.topics_of(self.keys)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(English key, label) of every topic: what a form sends and what it shows."""
        return [(key, self.topic(key)) for key in self.keys]


def _texts(translations: Any, language: str) -> Mapping[str, Any]:
    """The texts of ``language`` (``nl_BE`` falls back to ``nl``), or none."""
    if not isinstance(translations, Mapping) or not language:
        return {}
    for key in (language, language.split("_")[0]):
        found = translations.get(key)
        if isinstance(found, Mapping):
            return found
    return {}


def _text(texts: Mapping[str, Any], key: str, english: str) -> str:
    value = texts.get(key)
    return value if isinstance(value, str) and value.strip() else english


def sector_name(name: str, translations: Any, language: str) -> str:
    """A sector's name in ``language``, from its columns (a query that selects no Sector)."""
    return _text(_texts(translations, language), "name", name)


def sector_text(sector: Any, language: str) -> SectorText:
    """``sector`` (anything with the Sector's fields) in ``language``, English where missing."""
    keys = tuple(getattr(sector, "topics", None) or ())
    texts = _texts(getattr(sector, "translations", None), language)
    labels = texts.get("topics")
    labels = labels if isinstance(labels, Mapping) else {}
    return SectorText(
        slug=sector.slug,
        name=_text(texts, "name", sector.name),
        description=_text(texts, "description", sector.description or ""),
        labels={key: label for key, label in labels.items()
                if isinstance(label, str) and label.strip()},
        keys=keys,
    )


__all__ = ["SOURCE_LANGUAGE", "SectorText", "sector_name", "sector_text"]
