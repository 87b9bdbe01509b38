"""Weapons named in text, normalised to the guide's weapon classes."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def refines(old: str | None, new: str) -> bool:
    return new in _REFINES.get(old, set())
