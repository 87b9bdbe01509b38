"""Split an article into passages (paragraphs or sentences) with character offsets.

Every passage satisfies ``article.text[start:end] == passage.text``. Sentences
come from syntok, a rule-based splitter that keeps token offsets, so abbreviations
and figures such as "about 100km (60 miles) from Warsaw" stay inside one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from analysis.articles import Article
from analysis.errors import InputError

LEVELS = ("paragraph", "sentence")
PASSAGE_COLUMNS = ["article", "level", "index", "paragraph", "start", "end", "text", "boilerplate"]

_CREDIT = re.compile(
    r"^(photograph|photo|photos|image|picture|illustration|video|graphic|credit|file photo)"
    r"\s*[:\-–]\s*(?P<rest>.*)$",
    re.I,
)
_BYLINE = re.compile(
    r"^([Bb]y\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}(\s+(in|and)\s+[A-Z][\w .'’-]+)?"
    r"|((?i:additional)\s+)?(?i:reporting)\s+by\b.*|(?i:writing|editing|edited)\s+by\b.*"
    r"|[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}\s*/\s*(Reuters|AP|AFP|EPA|Getty Images|Anadolu))\.?$"
)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each paragraph of ``text``.

    A line is a paragraph, as in the seed article, unless the text is hard-wrapped:
    blank-line separated blocks of several lines each, which are then joined.
    """
    lines, offset = [], 0
    # Classic Mac files end lines with a bare CR; both replacements keep every offset.
    scan = text.replace("\r\n", " \n").replace("\r", "\n")
    for line in scan.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    blocks: list[list[tuple[int, int]]] = []
    previous_blank = True
    for start, end in lines:
        if not text[start:end].strip():
            previous_blank = True
            continue
        if previous_blank or not blocks:
            blocks.append([])
        blocks[-1].append((start, end))
        previous_blank = False
    wrapped = len(blocks) > 1 and sum(len(b) for b in blocks) / len(blocks) > 1.5
    units = [(b[0][0], b[-1][1]) for b in blocks] if wrapped else [ln for b in blocks for ln in b]
    return [_strip(text, start, end) for start, end in units]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    return start + left, start + right


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each sentence of ``text[start:end]``.

    The spans tile the range: only white space lies between consecutive sentences.
    """
    import syntok.segmenter as syntok_segmenter

    end = len(text) if end is None else end
    chunk = text[start:end]
    starts = []
    for paragraph in syntok_segmenter.analyze(chunk):
        for sentence in paragraph:
            if sentence:
                starts.append(sentence[0].offset)
    if not starts:
        return [_strip(text, start, end)] if chunk.strip() else []
    starts[0] = 0
    bounds = starts + [len(chunk)]
    spans = [_strip(text, start + a, start + b) for a, b in zip(bounds, bounds[1:])]
    return [span for span in spans if span[1] > span[0]]


def is_boilerplate(passage: str) -> bool:
    """True for a bare photo credit or byline, which the codebook labels ``other``."""
    passage = passage.strip()
    if len(passage) > 160:
        return False
    credit = _CREDIT.match(passage)
    if credit:
        return len(credit.group("rest").split()) <= 8
    return bool(_BYLINE.match(passage))


def iter_passages(article: Article, level: str = "paragraph") -> Iterator[dict]:
    """Yield the passages of ``article`` as dicts with the :data:`PASSAGE_COLUMNS`."""
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    index = 0
    for number, (p_start, p_end) in enumerate(paragraph_spans(article.text)):
        spans = [(p_start, p_end)] if level == "paragraph" else sentence_spans(
            article.text, p_start, p_end
        )
        for start, end in spans:
            passage = article.text[start:end]
            row = {
                "article": article.id,
                "level": level,
                "index": index,
                "paragraph": number,
                "start": start,
                "end": end,
                "text": passage,
                "boilerplate": is_boilerplate(passage),
            }
            if level == "sentence":
                row["context"] = article.text[p_start:p_end]  # read by sentence models with the sentence
            yield row
            index += 1


def segment(article: Article, level: str = "paragraph") -> pd.DataFrame:
    """Split ``article`` into a DataFrame of passages, one row each.

    Parameters
    ----------
    article : Article
        From :func:`analysis.articles.read_article`.
    level : {"paragraph", "sentence"}

    Returns
    -------
    DataFrame
        Columns :data:`PASSAGE_COLUMNS` (plus ``context``, the paragraph, for
        sentences); ``start``/``end`` are character offsets into ``article.text``.
    """
    columns = PASSAGE_COLUMNS + (["context"] if level == "sentence" else [])
    return pd.DataFrame(list(iter_passages(article, level)), columns=columns)
