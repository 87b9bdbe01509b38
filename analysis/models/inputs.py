"""The columns a level-aware model reads, built without scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd


def model_input(passages: pd.DataFrame) -> pd.DataFrame:
    """The ``text``, ``context``, ``level``, ``article`` and ``position`` columns a :class:`LevelModel` reads.

    ``context`` is the passage's paragraph: taken from a ``context`` column when the passages
    have one, else rebuilt from the sentences of the same article and paragraph; for a
    paragraph it is the paragraph itself.
    """
    texts = passages["text"].astype(str).reset_index(drop=True)
    levels = (passages["level"].astype(str) if "level" in passages else pd.Series("paragraph", index=passages.index))
    levels = levels.reset_index(drop=True)
    if "context" in passages:
        context = passages["context"].astype(str).reset_index(drop=True)
    elif {"article", "paragraph"} <= set(passages.columns):
        keys = list(zip(passages["article"], passages["paragraph"]))
        joined: dict = {}
        for key, text in zip(keys, texts):
            joined.setdefault(key, []).append(text)
        context = pd.Series([" ".join(joined[key]) for key in keys])
    else:
        context = texts
    context = context.where(levels == "sentence", texts)
    # Paragraphs read within their article need to know which article and where in it. Only rows
    # segmented from an article (they carry a ``paragraph`` column) have one; the rows of a passages
    # file are each read alone, since nothing says they follow one another.
    articles = (passages["article"].astype(str).reset_index(drop=True)
                if {"article", "paragraph"} <= set(passages.columns)
                else pd.Series(standalone_articles(len(texts)), dtype=object))
    positions = (passages["index"].reset_index(drop=True) if "index" in passages
                 else pd.Series(range(len(texts))))
    return pd.DataFrame({"text": texts, "context": context, "level": levels, "article": articles,
                         "position": positions})


_SCORE_FLOOR = 1e-4
#: The largest magnitude of an :func:`article_context` feature (scores are clipped to [1e-4, 1 - 1e-4]).
LOGIT_BOUND = float(np.log((1 - _SCORE_FLOOR) / _SCORE_FLOOR))


def standalone_articles(n: int) -> list[str]:
    """Article ids that put each of ``n`` rows in an article of its own."""
    return [f"#{i}" for i in range(n)]


def article_context(scores, articles, positions) -> np.ndarray:
    """Second-stage features of :class:`~analysis.models.context.ArticleContextModel`.

    For each row: its own label scores, the mean of the other rows of its article (0 when it
    is alone), the article's maximum, and the scores of the rows just before and after it in
    ``positions`` order (0 at the article's edges), all as clipped logits.

    Parameters
    ----------
    scores : array of shape (n, labels)
    articles : array of shape (n,)
        Article id of each row.
    positions : array of shape (n,)
        Reading order of the rows within their article.

    Returns
    -------
    ndarray of shape (n, 5 * labels)
    """
    scores = np.asarray(scores, dtype=float)
    n, k = scores.shape
    if n == 0:
        return np.zeros((0, 5 * k))
    codes = pd.factorize(pd.Series(articles, dtype=object))[0]
    order = np.lexsort((np.asarray(positions), codes))
    ranked, ranked_codes = scores[order], codes[order]
    totals = np.zeros((codes.max() + 1, k))
    np.add.at(totals, codes, scores)
    counts = np.bincount(codes, minlength=len(totals)).astype(float)
    maxima = np.full((len(totals), k), -np.inf)
    np.maximum.at(maxima, codes, scores)
    others = np.where(counts[codes][:, None] > 1,
                      (totals[codes] - scores) / np.maximum(counts[codes] - 1, 1)[:, None], 0.0)
    before, after = np.zeros((n, k)), np.zeros((n, k))
    same_before = np.r_[False, ranked_codes[1:] == ranked_codes[:-1]]
    same_after = np.r_[ranked_codes[:-1] == ranked_codes[1:], False]
    shifted_before = np.vstack([np.zeros((1, k)), ranked[:-1]])
    shifted_after = np.vstack([ranked[1:], np.zeros((1, k))])
    before[order] = np.where(same_before[:, None], shifted_before, 0.0)
    after[order] = np.where(same_after[:, None], shifted_after, 0.0)
    features = np.hstack([scores, others, maxima[codes], before, after])
    clipped = np.clip(features, _SCORE_FLOOR, 1 - _SCORE_FLOOR)
    return np.log(clipped / (1 - clipped))
