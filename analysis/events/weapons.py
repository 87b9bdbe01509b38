"""Weapons named in text, normalised to the guide's weapon classes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.events.lexicon import WEAPONS

# (pattern, weapon, weapon_type) from rules/weapons.csv; the first pattern that matches at a
# position wins, so named types and specific phrases come before the generic nouns.
_WEAPON_RE = [(re.compile(rf"\b(?:{pattern})\b", re.I), w, t) for pattern, w, t in WEAPONS]
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


def refines(old: str | None, new: str) -> bool:
    return new in _REFINES.get(old, set())
