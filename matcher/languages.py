"""Languages of texts: their names, and which one a text is written in.

Words and character n-grams compare texts of one language; a tender in Dutch and a description
in English share almost none, whatever the trade. The tender matcher does not compare such
pairs word by word (``EnterpriseProfile.language``, ``TenderItem.language``,
``TEXT_PER_CPV_ACROSS_LANGUAGES``); this module names the languages and tells which one a text
is in when its publisher did not say.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.text import N_, Text

__all__ = ["EU_LANGUAGES", "LANGUAGE_NAMES", "detect_language", "language_name"]

#: The official languages of the EU, the languages notices are published in.
LANGUAGE_NAMES: dict[str, Text] = {
    "bg": Text(N_("Bulgarian")), "cs": Text(N_("Czech")), "da": Text(N_("Danish")),
    "de": Text(N_("German")), "el": Text(N_("Greek")), "en": Text(N_("English")),
    "es": Text(N_("Spanish")), "et": Text(N_("Estonian")), "fi": Text(N_("Finnish")),
    "fr": Text(N_("French")), "ga": Text(N_("Irish")), "hr": Text(N_("Croatian")),
    "hu": Text(N_("Hungarian")), "it": Text(N_("Italian")), "lt": Text(N_("Lithuanian")),
    "lv": Text(N_("Latvian")), "mt": Text(N_("Maltese")), "nl": Text(N_("Dutch")),
    "pl": Text(N_("Polish")), "pt": Text(N_("Portuguese")), "ro": Text(N_("Romanian")),
    "sk": Text(N_("Slovak")), "sl": Text(N_("Slovenian")), "sv": Text(N_("Swedish")),
}


def language_name(code: str) -> str:
    """The language's name, or its code in capitals when it is not an EU language."""
    code = (code or "").strip().lower()
    return LANGUAGE_NAMES.get(code, code.upper())


EU_LANGUAGES = tuple(LANGUAGE_NAMES)
#: A guess below this probability is no answer: short or mixed texts ("Schoon & Sociaal").
MIN_CONFIDENCE = 0.9
#: Nor is a text of fewer letters than this (a title of two words).
MIN_LETTERS = 20


@lru_cache(maxsize=1)
def _identifier():
    # py3langid: langid.py's model (97 languages, naive Bayes over byte n-grams) in numpy,
    # about 0.03 ms a sentence; restricted to the EU's languages, the ones notices use.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in EU_LANGUAGES if code in identifier.nb_classes])
    return identifier


@lru_cache(maxsize=20_000)
def detect_language(text: str) -> str:
    """The ISO 639-1 code of the EU language ``text`` is written in, or "" when unsure.

    >>> detect_language("Daily cleaning of the town hall, schools and sports halls.")
    'en'
    >>> detect_language("Dagelijkse schoonmaak van het stadhuis, scholen en sporthallen.")
    'nl'
    >>> detect_language("Schoon & Sociaal")
    ''
    """
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    code, probability = _identifier().classify(text)
    return code if probability >= MIN_CONFIDENCE else ""
