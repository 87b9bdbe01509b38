"""Killed and wounded counts of a clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.events.lexicon import SPEECH, alternation, phrases, rules_table, words
from analysis.events.numbers import NUMBER, parse_number

_AT_LEAST = alternation(row["phrase"] for row in rules_table("quantifiers") if row["at_least"])
_QUANT = f"(?:{alternation(words('quantifiers'))})"
_VAGUE = re.compile(r"^(?:dozens|scores|several|many|hundreds|thousands|numerous|a number|a few|some|"
                    r"more|others)\b", re.I)

_PERSON = alternation(row["noun"] for row in rules_table("people") if row["counts"] == "many")
_SINGLE_PERSON = f"(?:{alternation(row['noun'] for row in rules_table('people') if row['counts'] == 'one')})"
_AUX = f"(?:{alternation(phrases('aux'))})"
_ADVERB = f"(?:{alternation(phrases('adverb'))})"


def _passive(toll: str) -> str:
    """"were (reportedly) killed", "died", "sustained injuries": the forms a toll's subject comes before."""
    participles = rf"{_AUX}\s+(?:{_ADVERB}\s+)*(?:{alternation(phrases('participle', toll))})"
    return alternation([participles, *(p.replace("{aux}", _AUX) for p in phrases("passive", toll))])


_PASSIVE = {toll: _passive(toll) for toll in ("killed", "wounded")}
_ACTIVE = {toll: alternation(phrases("active", toll)) for toll in ("killed", "wounded")}
_NOUN = {toll: alternation(phrases("noun", toll)) for toll in ("killed", "wounded")}

_ZERO_BOTH = re.compile(
    r"\b(?:no one|nobody|no-one|none|no persons?|no people)\b(?: \w+){0,3}? (?:was|were) "
    r"(?:\w+ )?(?:killed or (?:injured|wounded|hurt)|hurt|harmed|injured|wounded)\b"
    r"|\bwithout (?:causing )?(?:any )?(?:\w+ )?(?:injury|injuries|casualties)\b"
    r"|\b(?:there were|causing|with|caused|and|but) (?:\w+ )?no (?:\w+ )?(?:casualties|victims|injuries)\b"
    r"|\bno (?:\w+ )?(?:casualties|victims|injuries)(?: among \w+| or damage)? (?:(?:were|was) )?(?:\w+ )?"
    r"(?:reported|recorded|"
    r"registered|caused)\b"
    r"|\b(?:no|without) (?:\w+ )?reports? of (?:\w+ )?(?:casualties|injuries)\b",
    re.I,
)
_ZERO_WOUNDED = re.compile(r"\b(?:no one|nobody|no-one|none|no persons?) (?:was|were) (?:\w+ )?(?:injured|wounded)\b",
                           re.I)
_ZERO_KILLED = re.compile(r"\bno (?:deaths|fatalities|one was killed|dead)\b(?! figures)|\bnobody was killed\b"
                          r"|\bno one was killed\b", re.I)
_COUNTRYWIDE = re.compile(r"\bacross (?:the country|all of \w+|Ukraine|Israel|Russia|Iran|Pakistan|India)\b"
                          r"|\bnationwide\b|\bin total\b", re.I)


def _mask(text: str, pattern: str) -> str:
    """Blank out matches of ``pattern`` with spaces, keeping every offset in place."""
    return re.sub(pattern, lambda m: " " * len(m.group(0)), text, flags=re.I)


def _prepare_casualty_text(text: str) -> str:
    """Hide ages and 'including ...' asides, which hold numbers that are not counts.

    "At least 14 people, including a family with three children, were wounded"
    is 14, not 17; "a 64-year-old man" is one man.
    """
    text = _mask(text, r"\b\d+-year-old\b|\baged \d+(?:\s*(?:and|,)\s*\d+)*|\bno[- ]one\b|\bnot one\b")
    return _mask(text, r",\s*(?:including|among them|among whom|most of them|many of them|mostly|"
                       r"some of them|all of them|among the dead|of whom)\b[^,.;]*,")


@dataclass
class Count:
    """A casualty count read from text."""

    value: int
    at_least: bool
    start: int
    end: int


def _count_conjunct(part: str, allow_name: bool) -> tuple[int | None, bool]:
    """Count the people in one noun phrase; (None, False) when it is not a count of people."""
    part = part.strip(" ,")
    if not part or re.search(r"\b(?:was|were|is|are|has|have|had|been)\b", part):
        return None, False
    vague = _VAGUE.match(part)
    if vague:
        return None, True
    number = re.match(rf"({NUMBER})\b", part, re.I)
    if number:
        value = parse_number(number.group(1))
        return (int(value), False) if value is not None else (None, False)
    if re.match(rf"(?:a|an|one|the|her|his|their|its)\s+(?:[\w-]+\s+){{0,3}}?{_SINGLE_PERSON}\b", part, re.I):
        return 1, False
    if allow_name and re.fullmatch(r"(?:[A-Z][\w'’-]+\s+){1,3}[A-Z][\w'’-]+", part):
        return 1, False
    return None, False


def count_people(phrase: str, allow_name: bool = False, partial: bool = False) -> tuple[int | None, bool]:
    """Count the people a noun phrase names.

    "Three soldiers and a civilian" -> 4; "the driver and three passengers" -> 4;
    "at least 14 people" -> (14, True); "dozens of others" -> None.

    With ``partial``, counting stops at the first conjunct that is not a count of
    people ("one person and caused a fire" -> 1), as for the object of a verb.

    Returns
    -------
    (int or None, bool)
        The count and whether it is a lower bound ("at least", "more than").
    """
    phrase = phrase.strip()
    quantifier = re.match(rf"(?P<q>{_QUANT})\s+", phrase, re.I)
    at_least = bool(quantifier and re.fullmatch(_AT_LEAST, quantifier.group("q"), re.I))
    rest = phrase[quantifier.end():] if quantifier else phrase
    total = 0
    for part in re.split(r"\s*,\s*|\s+and\s+", rest):
        value, vague = _count_conjunct(part, allow_name)
        if vague:
            return None, False
        if value is None:
            if partial and total:
                break
            return None, False
        total += value
    return (total, at_least) if rest.strip() else (None, False)


def _subject_before(text: str, end: int) -> tuple[str, int]:
    """The noun phrase that ends at ``end``: back to the last clause boundary."""
    left = text[:end]
    boundary = 0
    for match in re.finditer(rf"[,;:()]|\b(?:{SPEECH}|that|when|after|as|while|where|because|whom|"
                             r"according to \w+)\b", left, re.I):
        boundary = match.end()
    return left[boundary:], boundary


def _object_after(text: str, start: int) -> str:
    """The noun phrase that starts at ``start``: up to the next clause boundary."""
    right = text[start:]
    stop = re.search(r"[,;:.()]|\s(?:in|on|at|when|as|after|while|near|inside|across|during|and (?:wounding|"
                     r"injuring|killing|wounded|injured|killed|destroying|damaging|setting|causing)|"
                     r"with|who|whom|which|whose|the army|according|before|by|from|under|over)\b", right)
    return right[: stop.start()] if stop else right


def _count_subject(subject: str) -> tuple[int | None, bool, str]:
    """Count the people in the longest tail of ``subject`` that is a noun phrase.

    "a warehouse was damaged and one man" -> 1 (from "one man"); "near Lahore
    four soldiers" -> 4; "Three soldiers and a civilian" -> 4 (the whole).
    """
    starts = [0] + [m.end() for m in re.finditer(r"\s+", subject)]
    for start in starts:
        tail = subject[start:].rstrip()
        if not tail:
            break
        value, at_least = count_people(tail)
        if value is not None:
            return value, at_least, subject[start:]
    return None, False, ""


def find_counts(text: str, which: str) -> list[Count]:
    """All counts of people ``which`` ("killed" or "wounded") stated in ``text``, in order.

    Passive ("three people were killed"), active ("killing three people"),
    bare noun ("and 19 wounded") and "treated ... for injuries" forms are read.
    """
    prepared = _prepare_casualty_text(text)
    passive, active, noun = _PASSIVE[which], _ACTIVE[which], _NOUN[which]
    found: list[Count] = []

    for match in re.finditer(rf"\b(?:{passive})\b", prepared, re.I):
        subject, offset = _subject_before(prepared, match.start())
        value, at_least, used = _count_subject(subject)
        if value is not None:
            found.append(Count(value, at_least, match.start() - len(used), match.end()))
    for match in re.finditer(rf"\b(?:{active})\s+(?=(?:{_QUANT}\s+)?(?:{NUMBER}|a|an|one|the|her|his|their|"
                             r"[A-Z]))", prepared, re.I):
        phrase = _object_after(prepared, match.end())
        value, at_least = count_people(phrase, allow_name=True, partial=True)
        if value is not None:
            found.append(Count(value, at_least, match.start(), match.end() + len(phrase)))
    for match in re.finditer(rf"(?:(?P<q>{_AT_LEAST}|about|around|some|nearly)\s+)?(?P<n>{NUMBER})\s+"
                             rf"(?:(?:{_PERSON})\s+)?(?:{noun})\b", prepared, re.I):
        value = parse_number(match.group("n"))
        if value is not None and not any(c.start <= match.start() < c.end for c in found):
            at_least = bool(match.group("q") and re.fullmatch(_AT_LEAST, match.group("q"), re.I))
            found.append(Count(int(value), at_least, match.start(), match.end()))
    if which == "wounded":
        for match in re.finditer(rf"\btreat(?:ed|ing)\s+(?P<np>(?:{_QUANT}\s+)?{NUMBER}\s+[\w\s]{{0,30}}?)\s+"
                                 r"for\s+(?:\w+\s+){0,2}(?:wounds|injuries)", prepared, re.I):
            value, at_least = count_people(match.group("np"))
            if value is not None:
                found.append(Count(value, at_least, match.start(), match.end()))
    return sorted(found, key=lambda c: c.start)


def read_casualties(text: str) -> dict:
    """Killed and wounded counts of one clause, with their flags and evidence spans.

    Returns
    -------
    dict
        Keys ``killed``, ``killed_at_least``, ``wounded``, ``wounded_at_least``
        (only those stated) and ``evidence`` mapping each count to its text.
        0 is returned only when the text says nobody was hurt ("no one was
        hurt", "no casualties were reported"); "no casualty figures", "no
        immediate reports" or "no serious injuries" leave the count unknown.
    """
    out: dict = {"evidence": {}}
    if _COUNTRYWIDE.search(text):
        return out
    for which in ("killed", "wounded"):
        counts = find_counts(text, which)
        if counts:
            first = counts[0]
            out[which] = first.value
            out[f"{which}_at_least"] = first.at_least
            out["evidence"][which] = text[first.start:first.end].strip()
    zero = _ZERO_BOTH.search(text)
    # "no immediate reports", "no serious injuries", "no casualties among military personnel" leave it open
    if zero and not re.search(r"\b(?:immediate|serious|further|figures?|word)\b|\bamong (?:the )?(?:military|soldiers|"
                              r"troops|personnel|servicemen)\b", zero.group(0), re.I):
        # "nobody was hurt", "no injuries" say nothing of deaths; "no casualties", "no victims" cover both
        both = re.search(r"\b(?:killed|casualt\w*|victims?|dead)\b", zero.group(0), re.I)
        for which in ("killed", "wounded") if both else ("wounded",):
            if which not in out:
                out[which], out[f"{which}_at_least"] = 0, False
                out["evidence"][which] = zero.group(0)
    for pattern, which in ((_ZERO_WOUNDED, "wounded"), (_ZERO_KILLED, "killed")):
        match = pattern.search(text)
        if match and which not in out:
            out[which], out[f"{which}_at_least"] = 0, False
            out["evidence"][which] = match.group(0)
    return out
