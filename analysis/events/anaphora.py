"""Another attack at a place told before: "Elsewhere in the city, shells fell ...", "a second drone hit the same site".

A paragraph that names no place but refers back to the last one ("the city", "the village") with a word
saying that this is a further attack ("also", "a second", "elsewhere") reports a new event at that
place, not more about the earlier one (events guide, section 2: different targets or times told apart).
The words are data, ``rules/same_place_words.csv``: ``again`` words mark a further attack, ``noun`` words
name the place referred back to.
"""

from __future__ import annotations

import re

from analysis.events.lexicon import alternation, rules_table


def _words(kind: str) -> str:
    return alternation(re.escape(row["word"]).replace(r"\ ", r"\s+") for row in rules_table("same_place_words")
                       if row["kind"] == kind)


_AGAIN = re.compile(rf"\b(?:{_words('again')})\b", re.I)
_BACK = re.compile(rf"\b(?:the|that|this)\s+(?:same\s+)?(?:{_words('noun')})\b(?!\s+of\b)", re.I)


def again_at_told_place(clause: str) -> bool:
    """Whether a clause with no place of its own reports a further attack at the place told before."""
    return bool(_AGAIN.search(clause) and _BACK.search(clause))
