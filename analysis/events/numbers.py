"""Counts written in digits or words."""

from __future__ import annotations

import re

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
NUMBER_WORD = r"(?:" + "|".join(sorted(_SMALL, key=len, reverse=True)) + r"|hundred|thousand)"
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:a\s+)?dozen|{NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+){NUMBER_WORD})*)"
)
def parse_number(text: str) -> float | None:
    """Read a count written in digits or words: "14", "1,200", "three", "twenty-one", "a dozen".

    Returns
    -------
    float or None
        None when ``text`` is not a number.
    """
    from text_to_num import text2num

    words = text.lower().strip()
    if not words:
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?", words):
        return float(words.replace(",", ""))
    if re.fullmatch(r"(?:a\s+)?dozen", words):
        return 12.0
    words = re.sub(r"\s+and\s+", " ", words)
    try:
        return float(text2num(words, "en"))
    except ValueError:
        parts = re.split(r"[\s-]+", words)
        if parts and all(part in _SMALL for part in parts):
            return float(sum(_SMALL[part] for part in parts))
        return None
