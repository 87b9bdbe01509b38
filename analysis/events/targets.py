"""What was hit, and how far from a border."""

from __future__ import annotations

import re

from analysis.events.lexicon import TARGETS, attack_words

# Target nouns, most specific first; the value reported is the phrase without articles.
_TARGET_RE = re.compile(r"\b(?:" + "|".join(TARGETS) + r")\b", re.I)
_TARGET_CUE = re.compile(
    rf"\b(?:{attack_words('target_cue')})\s+"
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
