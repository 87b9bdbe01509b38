"""Name folding: the spellings of one name compare equal."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str | None) -> str:
    """Fold case, accents, apostrophes and hyphens so that name variants compare equal.

    >>> normalise("Adré") == normalise("adre")
    True
    """
    if text is None:
        return ""
    text = str(text)
    if not text.isascii():  # the gazetteer's 145,000 names are mostly ASCII: skip the Unicode work for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("’", "'").replace("‘", "'")
    text = _NON_WORD.sub(" ", _SEPARATORS.sub(" ", text.lower()))
    return _SPACES.sub(" ", text).strip()


_SEPARATORS = re.compile(r"[-_/]")
_NON_WORD = re.compile(r"[^\w' ]")
_SPACES = re.compile(r"\s+")
