"""Events being assembled from clauses, and what is filled in at the end."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.articles import Article
from analysis.events.actors import ACTOR_RE, actor_name
from analysis.events.clauses import INCURSION_CUE, Facts
from analysis.events.countries import country_names, country_of
from analysis.events.dates import DateMention
from analysis.events.lexicon import DEMONYMS, LOCATION_NOUNS, OPPONENTS, attack_words
from analysis.events.names import normalise
from analysis.events.places import Mention
from analysis.events.weapons import WeaponMention, refines


@dataclass
class Event:
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


def place_fields(event: Event, anchor: Mention, admins: list[Mention], text: str) -> None:
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


def copy_place(event: Event, source: Event) -> None:
    """Give ``event`` the place, region, country and coordinates of ``source``."""
    for name in ("place", "admin_region", "country", "latitude", "longitude"):
        if source.get(name) is not None:
            event.values[name] = source.get(name)
            if name in source.evidence:
                event.evidence[name] = source.evidence[name]
    event.located = True


def same_location(event: Event, anchor: Mention, loose: bool = True) -> bool:
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


def apply_facts(event: Event, facts: Facts, text: str, first: bool, single_anchor: bool,
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


def _apply_weapon(event: Event, weapons: list[WeaponMention], text: str, first: bool) -> None:
    """Set the weapon from the founding clause; later clauses only make it more precise."""
    if not weapons:
        return
    chosen = _main_weapon(weapons, text, event)
    if event.get("weapon") is None or "weapon" in event.inherited or first:
        event.put("weapon", chosen.weapon, chosen.text, override=True)
        event.put("weapon_type", chosen.weapon_type, chosen.text, override=True)
        return
    for mention in weapons:
        if refines(event.get("weapon"), mention.weapon):
            event.put("weapon", mention.weapon, mention.text, override=True)
        if mention.weapon_type and event.get("weapon_type") is None and (
                mention.weapon == event.get("weapon") or refines(mention.weapon, event.get("weapon"))
                or mention.weapon_type == "Gerbera" and event.get("weapon") in ("drone", "decoy drone")):
            event.put("weapon_type", mention.weapon_type, mention.text)


def _main_weapon(weapons: list[WeaponMention], text: str, event: Event) -> WeaponMention:
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
    side = re.search(rf"\b({ACTOR_RE})\s+(?:[\w-]+\s+)?$", text[max(0, mention.start - 30):mention.start])
    return actor_name(side.group(1)) if side else None


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
    match = re.search(rf"\b(?P<d>{'|'.join(map(re.escape, DEMONYMS))})\s+(?:[\w-]+\s+)?"
                      rf"(?:{LOCATION_NOUNS})\b", facts.text)
    return country_names().get(DEMONYMS[match.group("d")]) if match else None


def _clause_country(facts: Facts, attacker: str | None) -> tuple[str, str] | None:
    """The country a located-nowhere clause is about: not its attacker, not a place of origin."""
    clause = facts.text
    for match in re.finditer(rf"\b(?P<d>{'|'.join(map(re.escape, DEMONYMS))})\s+(?:[\w-]+\s+)?"
                             rf"(?:{LOCATION_NOUNS})\b", clause):
        country = country_names().get(DEMONYMS[match.group("d")])
        if country and country != attacker:
            return country, match.group(0)
    for mention in sorted(facts.countries, key=lambda m: not m.cued):
        if mention.country and mention.country != attacker:
            return mention.country, mention.name
    return None

_NEW_ATTACK = re.compile(rf"\b(?:{attack_words('new_attack')})\b")


def new_attack(event: Event, facts: Facts) -> bool:
    """Whether a clause of a later paragraph reports another attack than ``event``:
    another day, or another kind of weapon ("a missile strike" after glide bombs)."""
    dated = [d for d in facts.dates if d.value is not None and not d.reporting]
    if dated and event.get("date") and dated[0].value.isoformat() != event.get("date"):
        return True
    if any(d.days_before_previous for d in dated):
        return True  # "Two days earlier, ...": another day than the attack just told, dated or not
    if event.located and any(not same_location(event, r) for r in facts.reporters if r.kind == "place"):
        return True  # "The deputy commissioner of Muzaffarabad informed ..." after a strike elsewhere
    country = _located_country(facts)
    if country and event.get("country") and country != event.get("country"):
        return True  # "In southern Israel, sirens wailed ..." after a strike in Gaza
    if event.kind == "incursion" and facts.violated and event.get("country") not in facts.violated:
        return True  # "Iraq also shut its airspace" after drones over Jordan
    weapon = event.get("weapon")
    strong = _NEW_ATTACK.search(facts.text)
    return weapon is not None and bool(strong) and any(
        w.weapon not in (weapon, "aircraft") and not refines(weapon, w.weapon) and not refines(w.weapon, weapon)
        for w in facts.weapons)


def compatible_country(event: Event, anchor: Mention) -> bool:
    country = event.get("country")
    return country is None or anchor.country is None or country == anchor.country


def choose_kinds(sentence: str, kinds: set[str]) -> list[str]:
    """Both labels: an incursion when the sentence speaks of borders or airspace, else a strike."""
    if kinds == {"strike", "incursion"}:
        return ["incursion"] if INCURSION_CUE.search(sentence) else ["strike"]
    return sorted(kinds)


def article_countries(text: str) -> tuple[str, ...]:
    """Countries the article names (by name or adjective), to pick between namesake towns."""
    found = set()
    for match in re.finditer(rf"\b(?:{'|'.join(map(re.escape, DEMONYMS))})\b", text):
        found.add(country_names().get(DEMONYMS[match.group(0)]))
    for match in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b", text):
        country = country_of(match.group(0))
        if country:
            found.add(country)
    return tuple(sorted(c for c in found if c))


def finish_events(events: list[Event], article: Article) -> None:
    """Fill what the text left implicit: weapon, place, date, attacker, violated state."""
    anchor = article.date
    last_date = None
    for event in events:
        if not event.located and event.reporter is not None:
            # "Gaza's civil defence agency said ... killed 44": the local authority speaks for the place
            place_fields(event, event.reporter, [], article.text)
        _fill_date(event, last_date or (anchor.isoformat() if anchor else None))
        last_date = event.get("date")
        _fill_attacker(event, article.text)
    _share_weapons(events)
    for event in events:
        _fill_weapon(event, article.text)
        if event.kind == "incursion":
            event.put("violated_state", event.get("country"), event.evidence.get("country"))


def _share_weapons(events: list[Event]) -> None:
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
        elif refines(event.get("weapon"), source.get("weapon")):
            event.put("weapon", source.get("weapon"), source.evidence.get("weapon"), override=True, inherited=True)


def _fill_weapon(event: Event, text: str) -> None:
    """A strike with no weapon named ("an Israeli strike on a displacement camp") is an air strike."""
    if event.get("weapon") is not None or event.kind != "strike":
        return
    words = " ".join(text[a:b] for a, b in event.spans)
    strike = re.search(r"\b(?:air ?strikes?|airstrikes?|strikes?|raids?|aviation|bombardment|bombed)\b", words, re.I)
    if strike:
        event.put("weapon", "aircraft", strike.group(0))


def _fill_date(event: Event, fallback: str | None) -> None:
    """The day it was reported, else the day of the attack before it, else the paper's date."""
    if event.get("date") is not None:
        return
    if event.reported is not None and event.reported.value is not None:
        event.put("date", event.reported.value.isoformat(), event.reported.text)
    else:
        event.put("date", fallback, None)


def _fill_attacker(event: Event, text: str) -> None:
    """A strike on one side of a war with no attacker named is the other side's, when the
    article mentions that side at all; the evidence says it was inferred."""
    if event.get("attacker") is not None or event.kind != "strike":
        return
    opponent = OPPONENTS.get(event.get("country"))
    if opponent and re.search(rf"\b(?:{re.escape(opponent)}|{_demonym_of(opponent)})\b", text):
        event.put("attacker", opponent, None)
        event.evidence["attacker"] = f"(inferred: attack on {event.get('country')})"


def _demonym_of(country: str) -> str:
    names = [d for d, code in DEMONYMS.items() if country_names().get(code) == country]
    return "|".join(map(re.escape, names)) or re.escape(country)
