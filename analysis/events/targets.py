"""What was hit, and how far from a border."""

from __future__ import annotations

import re

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
