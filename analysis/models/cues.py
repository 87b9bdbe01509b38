"""Matching the lexicon's cue phrases, without scikit-learn (the fast model format counts cues too)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from analysis.codebook import LABELS


@lru_cache(maxsize=8)
def _compile(cues: tuple) -> list[re.Pattern]:
    """One regex per label (a phrase can be a cue for two labels at once).

    Compiled on use and cached here rather than stored on the model, because skops
    does not load ``re.Pattern`` objects.
    """
    return [
        re.compile(
            "|".join(f"(?P<c{i}>\\b{pattern}\\b)" for i, (cue_label, pattern, _) in enumerate(cues)
                     if cue_label == label) or "(?!)",
            re.I,
        )
        for label in LABELS
    ]


def matches(cues: tuple, text: str):
    """Every cue match in ``text``; ``int(match.lastgroup[1:])`` is the cue's index."""
    for regex in _compile(cues):
        yield from regex.finditer(text)


def cue_counts(cues: tuple, texts) -> np.ndarray:
    """How often each cue of ``cues`` (``(label, pattern, weight)`` triples) occurs, shape ``(n, cues)``."""
    counts = np.zeros((len(texts), len(cues)))
    for row, text in enumerate(texts):
        for match in matches(cues, str(text)):
            counts[row, int(match.lastgroup[1:])] += 1
    return counts
