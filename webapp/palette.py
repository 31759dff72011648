"""One colour per country, the same on every page: the coordinator's group cards and the
authority's view of its group must not paint one country in two colours.

The colour depends on the country alone (not on which other countries are on the page), so
any two views agree. Okabe-Ito, darkened to keep 3:1 against white; with eight colours some
countries share one, which is why the country is always written beside its colour too.
"""

PALETTE = ("#0072B2", "#B35C00", "#007A5A", "#A0457A", "#5F6B00", "#3D6FA8", "#8C4A2F", "#555555")
# the EU and EEA countries in a fixed order; neighbours in the list get different colours
COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "NO",
             "IS", "CH", "LI", "UK")


def country_colour(country: str) -> str:
    """The colour of a country (ISO code; an unknown one still gets a stable colour)."""
    code = (country or "").upper()
    if code == "EL":
        code = "GR"
    index = COUNTRIES.index(code) if code in COUNTRIES else sum(map(ord, code))
    return PALETTE[index % len(PALETTE)]
