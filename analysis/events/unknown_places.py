"""Places no gazetteer knows, recognised by the words around them ("near Khost", "Barmal district").

Small towns, villages and districts of the theatres are the largest single cause of missed events
(``docs/results/event-misses.md``): the gazetteer cannot list every hamlet, but reporting names
them in a few fixed ways. The cue words are data, ``rules/place_cues.csv``: ``before`` cues lead
up to a name, ``after`` cues follow it; ``weak`` cues ("in", "at") are common before other
capitalised words too and can be switched off on their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from analysis.events.countries import country_of
from analysis.events.gazetteer import lookup_place
from analysis.events.lexicon import (
    ACTORS,
    DEMONYMS,
    FACILITY_WORDS,
    MONTHS,
    NOT_PLACES,
    WEEKDAYS,
    alternation,
    place_cues,
)
from analysis.events.places import NAME_RUN, Mention, assign_roles, strip_possessive

_STRONG_BEFORE = re.compile(rf"\b(?:{place_cues('before', 'strong')})\s+(?:the\s+)?$", re.I)
_WEAK_BEFORE = re.compile(rf"\b(?:{place_cues('before', 'weak')})\s+(?:nearby\s+)?$", re.I)
_AFTER = re.compile(rf"\s+(?:{place_cues('after', 'strong')})\b(?!\s+of\b)")  # not "the Danube port of Izmail"
# bases and airports are named with their noun, as the guide writes them ("Nur Khan air base")
_NAMED_WITH = re.compile(rf"\s+(?:{place_cues('after', 'strong', True)})\b", re.I)
# a capitalised site noun ending a name ("Pratas Island", "Ben Gurion Airport") is split off and added back
_NAMED_END = re.compile(rf"\s+(?:{place_cues('after', 'strong', True)})$", re.I)
# a side's border or forces, a speaker, another facility's own name: not a place
_VETO_AFTER = re.compile(rf"(?:-(?:held|controlled|backed|led|flagged|based)\b|\s+(?:border|side|forces|army|military|"
                         rf"government|frontier)\b|,?\s+(?:has|have|had|was|were|is|said|says|told)\b"
                         rf"|\s+(?:{alternation(sorted(FACILITY_WORDS, key=len, reverse=True))})\b)", re.I)
_LIST_GAP = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_LEADING_CUE = re.compile(rf"(?:{place_cues('before', 'strong')}|{place_cues('before', 'weak')})\s+", re.I)
_NEVER = frozenset(WEEKDAYS) | frozenset(MONTHS)


def _candidates(text: str):
    """Capitalised runs as (name, start, end), without a leading cue word ("Near Tulkarm"), a closing
    site noun the cue adds back ("Pratas Island", "Ben Gurion Airport") or a
    region owning the place ("Sagaing's Chaung-U township" -> "Chaung-U")."""
    for run in NAME_RUN.finditer(text):
        name, start = run.group(0), run.start()
        cue = _LEADING_CUE.match(name)
        if cue and cue.end() < len(name):
            name, start = name[cue.end():], start + cue.end()
        owner = re.match(r"(?:[\w-]+['’]s\s+)+", name)
        if owner and owner.end() < len(name):
            town = strip_possessive(owner.group(0).split()[-1])
            known = lookup_place(town)
            if known is not None and not known.is_region:
                # "Copenhagen's Kastrup airport": the city owning the airport or base is the place
                if _NAMED_WITH.match(text[start + len(name):]):
                    at = start + owner.group(0).rindex(town)
                    yield town, at, at + len(town), True
                continue
            name, start = name[owner.end():], start + owner.end()
        named = _NAMED_END.search(name)
        if named and named.start() > 0:
            name = name[:named.start()]
        yield name, start, start + len(name), False


def _never_a_place(name: str, index: Mapping | None) -> bool:
    """Names that are something else: a side, a country, a date, a facility's own name ("Soroka Medical
    Center"), a side's area ("Houthi-held Yemen"), or a name the gazetteer knows and the place
    reader found as a region."""
    words = [w.lower() for w in re.split(r"\s+", name)]
    first = re.split(r"[-\s]", name)[0]
    return (words[0] in NOT_PLACES or name.isupper() or re.search(r"\d", name) is not None
            or any(w in _NEVER or w in FACILITY_WORDS for w in words) or name in ACTORS
            or first in DEMONYMS or first in ACTORS or country_of(name) is not None or len(name) < 3
            or _region(name, index))


def _region(name: str, index: Mapping | None) -> bool:
    entry = lookup_place(name, index=index)
    return entry is not None and entry.is_region


def find_unknown_places(text: str, mentions: list[Mention], index: Mapping | None = None, weak: bool = True,
                        roles: bool = True) -> list[Mention]:
    """``mentions`` plus the names in ``text`` that its cues introduce as places (offsets within ``text``).

    A name counts when a cue leads up to it ("near Nyabibwe", "on the outskirts of Mais al-Jabal"),
    follows it ("in Barmal district", "the Khanasor market") or a region in brackets or after a
    comma follows it ("Mota (East Gojjam)", "Suárez, Cauca"); names listed after one of them
    ("... of Hodeidah, Ras Isa and Salif") count too. ``weak`` also accepts "in", "at", "into" and
    ("in Arauquita"). Names already found, countries, sides, months and the words of
    ``not_places.csv`` are never added; roles are assigned again over all mentions.
    """
    taken = [(m.start, m.end) for m in mentions]
    found: list[Mention] = []
    owners: list[Mention] = []  # "Fataki (Djugu)": the region or town around a new place
    for name, start, end, owns in _candidates(text):
        if any(s < end and start < e for s, e in taken):
            continue
        bare = strip_possessive(name)
        if _never_a_place(bare, index):
            continue
        before, after = text[:start], text[end:]
        noun_after = bool(_AFTER.match(after) or _NAMED_WITH.match(after))  # "Pratas Island" as "Barmal district"
        strong = owns or bool(_STRONG_BEFORE.search(before)) or noun_after
        if not owns and not noun_after and _VETO_AFTER.match(after) or re.search(r"\b\d+\w*\s+$", before):
            continue
        bracket = re.match(r"\s*\((?P<r>[A-Z][^()]{1,40})\)", after)
        comma = re.match(r",\s+(?P<r>[A-Z][\w-]+)", after)  # "Suárez, Cauca"; a town after a comma is a list
        region_mention = next((m for m in mentions if (bracket and m.kind in ("admin", "place") and
                                                       m.start == end + bracket.start("r")) or
                               (comma and m.kind == "admin" and m.start == end + comma.start("r"))), None)
        listed = any(_LIST_GAP.fullmatch(text[m.end:start]) for m in [*mentions, *found]
                     if m.kind == "place" and m.end <= start)
        cued = strong or region_mention is not None or listed or (weak and bool(_WEAK_BEFORE.search(before)))
        if not cued or (bare != name and not strong):
            continue  # a possessive name ("Sagaing's") only with a strong cue
        entry = lookup_place(bare, region=False, index=index)  # a small town the reader wanted a cue for
        country = entry.country if entry else (region_mention.country if region_mention is not None
                                               and region_mention.kind == "admin" else None)
        if region_mention is not None:
            owners.append(region_mention)
        named = _NAMED_WITH.match(after) if bare == name else None
        end = start + len(bare) + (named.end() if named else 0)
        found.append(Mention(text[start:end], start, end, "place", entry, country))
        taken.append((start, end))
    if not found:
        return mentions
    result = mentions + found
    assign_roles(text, result, roles)
    for mention in owners:
        mention.role = "container"
    return lone_districts(text, result, keep=owners)


def lone_districts(text: str, mentions: list[Mention], keep: list[Mention] = ()) -> list[Mention]:
    """Make "X district" the place when the clause names no other ("shelled positions in the Kalbajar
    district"): the district is then not part of a city told elsewhere but where the attack was.
    Mentions in ``keep`` stay containers."""
    if any(m.role == "anchor" and m.kind == "place" for m in mentions):
        return mentions
    for mention in mentions:
        if mention.role == "container" and mention.kind == "place" and mention not in keep and \
                re.match(r"\s+districts?\b", text[mention.end:]):
            mention.role = "anchor"
    return mentions


def road_between(text: str, mentions: list[Mention]) -> list[Mention]:
    """"On the road between Sinune and Khanasor" is one attack, told at the first place: the second
    becomes a point of reference (events guide: one event per place hit, not per place named)."""
    places = [m for m in mentions if m.kind == "place" and m.role == "anchor"]
    for first, second in zip(places, places[1:]):
        if re.search(r"\bbetween\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", text[max(0, first.start - 40):first.start]) \
                and re.fullmatch(r"\s+and\s+(?:the\s+)?(?:[\w-]+\s+of\s+)?", text[first.end:second.start]):
            second.role = "reference"
    return mentions
