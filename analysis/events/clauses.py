"""Cut sentences into clauses and read what each says about an attack."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from analysis.events.actors import find_attackers
from analysis.events.casualties import read_casualties
from analysis.events.countries import country_names, country_of
from analysis.events.dates import DateMention, find_dates
from analysis.events.lexicon import DEMONYMS, LOCATION_NOUNS, alternation, attack_words, rules_table, words
from analysis.events.names import normalise
from analysis.events.numbers import NUMBER_WORD
from analysis.events.places import (
    Mention,
    capitals,
    find_mentions,
    listed_regions,
    primary_anchors,
    revise_roles,
    strip_possessive,
)
from analysis.events.schema import DEFAULT_SETTINGS, Settings
from analysis.events.targets import find_distance, find_target
from analysis.events.unknown_places import find_unknown_places, lone_districts, road_between
from analysis.events.weapons import WeaponMention, find_weapons

_BACKGROUND = re.compile(
    rf"\b(?:have|has)\s+(?:\w+\s+){{0,2}}(?:{attack_words('repeated')})\b[^.]*\b(?:several|many|numerous|"
    r"repeated(?:ly)?|multiple|more than \w+|\d+|dozens of)\s+times\b"
    rf"|\b(?:have|has)\s+(?:\w+\s+){{0,3}}(?:{attack_words('since')})\b[^.]*\b(?:since|"
    r"in recent (?:weeks|months|years)|before\b|over the past)"
    r"|\b(?:comes?|came)\s+(?:less than |more than |just |only |barely )?(?:a|an|one|two|three|four|five|six|"
    r"several|few|\d+)\s+(?:days?|weeks?|months?|years?)\s+after\b"
    r"|\bhave become routine\b|\bsince (?:august|december|\d{4})\b"
    r"|\b(?:reminded|recalled) that\b|\bit will be recalled\b"
    r"|\b(?:denied|denies|deny|denying)\b|\bsaid no\s+(?:[\w-]+\s+){0,3}(?:had been|were|was)\b",
    re.I,
)
# "has been targeted at least four times": a count of past hits is the history of a place, not a new attack
_COUNTED = re.compile(
    rf"\b(?:have|has)\s+(?:\w+\s+){{0,2}}(?:{attack_words('repeated')}|{attack_words('attack')})\b[^.]*\b"
    rf"(?:(?:{alternation(words('quantifiers'))})\s+)?{NUMBER_WORD}\s+times\b", re.I)
_CLOSURE = re.compile(r"\b(?:flights?|airports?|airspace|skies|schools?|traffic|rail|metro|trains?)\b[^.]*\b"
                      r"(?:suspended|closed|shut|halted|diverted|cancelled|canceled|stopped|restricted|"
                      r"restrictions)\b|\b(?:sirens?|alerts?|blackout|warnings?)\b", re.I)
_CLOSURE_ONLY = re.compile(r"\b(?:flights?|airports?|takeoffs|landings|airspace|traffic)\b[^.]*\b(?:held|suspended|"
                           r"halted|closed|shut|diverted|delayed|cancelled|canceled|stopped)\b", re.I)
_IMPACT = re.compile(rf"\b(?:{attack_words('impact')})\b", re.I)
ATTACK = re.compile(rf"\b(?:{attack_words('attack')})\b", re.I)
_HIT = re.compile(rf"\b(?:{attack_words('hit')})\b")
_OPENER = re.compile(r"\s+(?:\w+ly\s+|later\s+|then\s+|also\s+)?(?:had\s+|has\s+|have\s+|was\s+|were\s+)?"
                     rf"(?:{attack_words('opener')})\b")

def _closed(kind: str) -> str:
    rows = rules_table("closed_airports")
    return alternation(row["word"].replace(" ", r"\s+") for row in rows if row["kind"] == kind)


# "flights at Vnukovo and Domodedovo airports were briefly restricted": an airport closing is an effect
_CLOSED_AIRPORT = re.compile(rf"\b(?:{_closed('facility')}|{_closed('flights')})\b[^.]*\b(?:{_closed('verb')})\b"
                             rf"|\b(?:{_closed('verb')})\b[^.]*\b(?:{_closed('facility')}|{_closed('flights')})\b",
                             re.I)
# ... unless what closed it was at the airport: "closed after drones were seen", "over the airfield"
_AIRPORT_CAUSE = re.compile(rf"\b(?:{_closed('cause')}|{_closed('grounds')})\b", re.I)
_AIRPORT_AFTER = re.compile(rf"^(?:['’]s)?(?:(?:\s*,\s*|\s+and\s+|,\s*and\s+)[A-Z][\w'’-]*)*\s+"
                            rf"(?:international\s+)?(?:{_closed('facility')})\b", re.I)
_AIRPORT_BEFORE = re.compile(rf"\b(?:{_closed('flights')})\s+(?:at|to|from|in and out of)\s+$", re.I)
_AIRPORT_NAME = re.compile(rf"\b(?:{_closed('facility')})$", re.I)
# "put fighter jets on the highest readiness", "allied aircraft patrolled along the border": the defence
_DEFENCE = re.compile(rf"\b(?:{alternation(words('defence_words'))})\b", re.I)
# "Ukrenergo imposed emergency power cuts in Kyiv, Odesa ... regions": places of an effect, not places hit
_EFFECTS = alternation(word.replace(" ", r"\s+") for word in words("effect_words"))
_EFFECT_IN = re.compile(rf"\b(?:{_EFFECTS})\s+"
                        r"(?:(?:were|was)\s+)?(?:\w+\s+)?in\s+(?P<rest>[^.;]*)$", re.I)
INCURSION_CUE = re.compile(r"\b(?:airspace|crossed|entered|violat\w+|incursion|intru\w+|infiltrat\w+|"
                            r"border|territory|ADIZ|air[ -]defen[cs]e identification zone|median line|"
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
        opener = next((w for w in reversed(before) if _OPENER.match(
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


_NEXT_ATTACK = re.compile(rf",\s*(?:and|while)\s+(?=(?:{alternation(words('next_attack'))})\s)", re.I)


def split_clauses(text: str, next_attack: bool = True) -> list[tuple[int, int]]:
    """Cut a sentence where a new place is introduced, as (start, end) within ``text``.

    "In Kostiantynivka, a glide bomb hit a street, and in the Sumy region a drone
    hit a tractor" gives two clauses; an ordinary "and" does not split. With ``next_attack``,
    ", and another" or ", while a second" (``rules/next_attack.csv``) starts a clause too: "a drone
    struck a car on the road of Touline, and another dropped a grenade on a bulldozer in Aita al-Shaab".
    """
    cuts = [0]
    if next_attack:
        cuts += [match.end() for match in _NEXT_ATTACK.finditer(text)]
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
                countries: tuple[str, ...], sentence_attack: bool = False,
                settings: Settings = DEFAULT_SETTINGS) -> Facts:
    """Read one clause ``text[start:end]`` of the article (offsets in Facts are absolute)."""
    clause = text[start:end]
    mentions = find_mentions(clause, countries, settings.gazetteer, settings.place_roles)
    if settings.unknown_places:
        mentions = find_unknown_places(clause, mentions, settings.gazetteer, settings.weak_place_cues,
                                       settings.place_roles)
    if settings.lone_districts:
        mentions = lone_districts(clause, mentions)
    if settings.road_between:
        mentions = road_between(clause, mentions)
    mentions = revise_roles(clause, mentions, settings)
    if settings.mention_hook is not None:
        mentions = settings.mention_hook(clause, start, paragraph, mentions)
    for mention in mentions:
        mention.start += start
        mention.end += start
    place_anchors = [m for m in mentions if m.kind == "place" and m.role == "anchor"]
    region_anchors = [m for m in mentions if m.kind == "admin" and m.role == "anchor"]
    if settings.primary_anchors:
        places = primary_anchors(place_anchors, text, settings.list_gaps,
                                 region_anchors if settings.mixed_lists else None)
    else:
        places = place_anchors
    admins = [m for m in mentions if m.kind == "admin" and m.role in ("anchor", "container")
              and not any(m is p for p in places)]  # a region listed with places is a place hit, not theirs
    country_mentions = [m for m in mentions if m.kind == "country" and m.role == "anchor"]
    if settings.listed_regions and settings.primary_anchors:
        places = listed_regions(place_anchors, admins, places, text)
        admins = [m for m in admins if not any(m is p for p in places)]
    if settings.closed_airports and _CLOSED_AIRPORT.search(clause) and not _AIRPORT_CAUSE.search(clause):
        places = [m for m in places if not _closed_airport(text, m)]
    regional = [m for m in admins if m.role == "anchor"]
    anchors = places or (primary_anchors(regional, text, settings.list_gaps, region_words=settings.listed_regions)
                         if settings.primary_anchors else regional)
    if settings.effect_places:
        anchors = [m for m in anchors if not _effect_place(text[start:m.start], text[m.end:end])]
    weapons = find_weapons(clause)
    for weapon in weapons:
        weapon.start += start
        weapon.end += start
    dates = find_dates(clause, anchor_date, settings.night_date)
    for mention in dates:
        mention.start += start
        mention.end += start
    casualties = read_casualties(clause)
    has_casualty = any(key in casualties for key in ("killed", "wounded"))
    attack = bool(ATTACK.search(clause)) or bool(weapons) or has_casualty or (sentence_attack and bool(anchors))
    if _CLOSURE.search(clause) and not [w for w in weapons if w.weapon != "aircraft"] and not has_casualty and \
            not _HIT.search(clause):
        attack = False
    if settings.defending_aircraft and weapons and all(w.weapon == "aircraft" for w in weapons) and \
            _DEFENCE.search(clause) and not has_casualty and not _HIT.search(clause):
        attack = False  # the victim's own jets scrambled or patrolling: no attack of their own
    victim = _victim_country(places or anchors, admins, country_mentions, clause)
    attackers = find_attackers(clause, victim)
    for attacker in attackers:
        attacker.start += start
    reporters = [m for m in mentions if m.role == "reporter" and (m.kind == "country" or normalise(m.name)
                                                                   not in capitals())]
    facts = Facts(start, end, paragraph, anchors, admins, country_mentions, weapons, find_target(clause),
                  casualties, dates, find_distance(clause), attack, clause)
    facts.attackers, facts.reporters = attackers, reporters
    facts.violated = violated_countries(clause)
    return facts


def _closed_airport(text: str, mention: Mention) -> bool:
    """Whether a place is named as an airport whose flights stopped ("Kazan and Nizhnekamsk airports
    closed", "flights at Moscow's Vnukovo"), not as a place hit."""
    return bool(_AIRPORT_NAME.search(mention.name) or _AIRPORT_AFTER.match(text[mention.end:mention.end + 80])
                or _AIRPORT_BEFORE.search(text[max(0, mention.start - 30):mention.start]))


def _effect_place(before: str, after: str) -> bool:
    """Whether a place follows "power cuts in" (or another effect) with no attack word after the cue
    ("power cuts were reported in Khmelnytskyi after an energy facility was hit" is a place hit)."""
    match = _EFFECT_IN.search(before)
    rest = match.group("rest") + " " + after if match else ""
    return bool(match) and not ATTACK.search(rest) and not _HIT.search(rest)


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
        rf"\b(?P<d>{'|'.join(map(re.escape, DEMONYMS))})\s+(?:[\w-]+\s+)?(?:airspace|territory|soil|"
        r"farmland|territorial waters|skies)\b",
    )
    found: list[tuple[int, str]] = []
    for pattern in patterns:
        for match in re.finditer(pattern, clause):
            groups = match.groupdict()
            names = [groups.get("c"), groups.get("c2")] if groups.get("d") is None else [None]
            countries = [country_of(strip_possessive(n)) for n in names if n] if groups.get("d") is None else \
                [country_names().get(DEMONYMS[groups["d"]])]
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
    match = re.search(rf"\b(?P<d>{'|'.join(map(re.escape, DEMONYMS))})\s+(?:[\w-]+\s+)?(?:{LOCATION_NOUNS})\b",
                      clause)  # "Polish airspace", "the Ukrainian city of Sumy"
    return country_names().get(DEMONYMS[match.group("d")]) if match else None


_DENIAL = re.compile("|".join(row["pattern"] for row in rules_table("denials")), re.I)


def is_denial(clause: str) -> bool:
    """True for a clause that says no border was crossed ("had not violated Estonian airspace", "No
    violation of Polish airspace was recorded") or that an intruder could be shot down: no event."""
    return bool(_DENIAL.search(clause))


def is_background(clause: str, dates: list[DateMention], anchor_date: date | None, counted: bool = True) -> bool:
    """True for history and comparisons rather than a report of a new attack; ``counted`` also takes
    a count of past hits spelled out in words ("has been struck at least four times")."""
    if _BACKGROUND.search(clause) or (counted and _COUNTED.search(clause)):
        return True
    if anchor_date is None:
        return False
    for mention in dates:
        if mention.value is not None and (anchor_date - mention.value).days > 30 and not mention.reporting:
            return True
    return False
