"""The attacking side named in a clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.events.countries import country_names, country_of
from analysis.events.lexicon import (
    ACTORS,
    CAPITAL_ACTORS,
    DEMONYMS,
    SPEECH,
    STATE_NAMES,
    alternation,
    attack_words,
    words,
)
from analysis.events.names import normalise

_ACTOR_NAMES = sorted(list(ACTORS) + list(DEMONYMS) + list(CAPITAL_ACTORS) + list(STATE_NAMES),
                      key=len, reverse=True)
ACTOR_RE = "|".join(re.escape(name) for name in _ACTOR_NAMES)
_ATTACK_NOUN = f"(?:{alternation(words('attack_nouns'))})"
_ATTACK_VERB = attack_words("actor_verb")


def actor_name(word: str) -> str | None:
    """Canonical attacker for an actor name, country or demonym."""
    word = re.sub(r"^the\s+", "", word.strip())
    if word in CAPITAL_ACTORS:
        return CAPITAL_ACTORS[word]
    for name, actor in ACTORS.items():
        if normalise(name) == normalise(word):
            return actor
    code = DEMONYMS.get(word)
    if code:
        return country_names().get(code)
    return country_of(word)


@dataclass
class AttackerMention:
    """An attacking side named in text."""

    actor: str
    start: int
    text: str


def find_attackers(text: str, victim: str | None = None) -> list[AttackerMention]:
    """Every attacking side named in ``text``, in order; the ``victim`` is never one.

    "a Russian artillery attack" -> Russia; "Ukrainian drone forces" -> Ukraine;
    "Iran sent about 100 drones" -> Iran; "blamed the Rapid Support Forces for the
    attack" -> Rapid Support Forces. Not "the Indian army said" (a source) nor the
    victim's "Armenian military positions" (a target).
    """
    not_speech = r"(?!(?:said|says|told|stated|informed|reported|confirmed)\b)"
    patterns = (
        rf"\b(?:launched|fired|carried out|sent) by (?:the )?(?:[\w-]+ ){{0,2}}?(?P<a>{ACTOR_RE})\b",
        rf"\bblamed (?:the )?(?P<a>{ACTOR_RE})\b",
        rf"\b(?P<a>{ACTOR_RE})(?:'s|’s)?(?:\s+{not_speech}[\w-]+){{0,2}}?\s+{_ATTACK_NOUN}\b"
        rf"(?!['’]s|\s+(?:{SPEECH}|has said|had said|positions|posts|bases?|targets|facilit\w+|infrastructure|"
        r"installations|sites|equipment|command|headquarters|spokes\w+|officials|units? (?:said|reported)))",
        rf"\b(?P<a>{ACTOR_RE})\s+(?:had |has |have |was |were |is |are |also |then |again |later |reportedly )*"
        rf"(?:{_ATTACK_VERB})\b",
    )
    found: dict[int, AttackerMention] = {}
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            actor = actor_name(match.group("a"))
            if actor and actor != victim and match.start() not in found:
                found[match.start()] = AttackerMention(actor, match.start(), match.group(0))
    return [found[start] for start in sorted(found)]


def find_attacker(text: str, victim: str | None = None) -> tuple[str, str] | None:
    """The first attacking side named in ``text`` and the words naming it (see :func:`find_attackers`)."""
    found = find_attackers(text, victim)
    return (found[0].actor, found[0].text) if found else None
