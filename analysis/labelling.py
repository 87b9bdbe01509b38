"""Apply a model to passages: the labelled-passages table every later stage reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.codebook import LABELS

SCORE_COLUMNS = [f"score_{label}" for label in LABELS]


def label_passages(passages: pd.DataFrame, model) -> pd.DataFrame:
    """Add ``labels`` and one ``score_<label>`` column per label to ``passages``.

    Parameters
    ----------
    passages : DataFrame
        From :func:`analysis.segment.segment` or :func:`analysis.articles.read_passages`.
    model
        A fitted model from :func:`analysis.models.get_model`.

    Returns
    -------
    DataFrame
        A copy of ``passages``. Bare credits and bylines (``boilerplate``) get no
        labels whatever their scores, as the codebook says.
    """
    out = passages.copy()
    texts = out["text"].astype(str).tolist()
    scores = np.asarray(model.predict_proba(texts), dtype=float).reshape(len(texts), len(LABELS))
    chosen = scores >= np.asarray(model.thresholds_)
    if "boilerplate" in out.columns:
        chosen[out["boilerplate"].to_numpy(dtype=bool)] = False
    for column, values in zip(SCORE_COLUMNS, scores.T):
        out[column] = values.round(4)
    out["labels"] = [[label for label, on in zip(LABELS, row) if on] for row in chosen]
    return out


def label_matrix(labels: pd.Series) -> np.ndarray:
    """Turn a Series of label lists into a 0/1 matrix with one column per label."""
    return np.array([[int(label in row) for label in LABELS] for row in labels], dtype=int).reshape(
        len(labels), len(LABELS)
    )


def margins(labelled: pd.DataFrame, model) -> pd.DataFrame:
    """Passage-label pairs sorted by how close the score is to its threshold.

    Returns a DataFrame with ``index``, ``label``, ``score``, ``threshold``,
    ``margin`` (score minus threshold) and ``text``; the first rows are the
    decisions a reader should check.
    """
    rows = []
    for row in labelled.itertuples(index=False):
        for label, column, threshold in zip(LABELS, SCORE_COLUMNS, model.thresholds_):
            score = getattr(row, column)
            rows.append({"index": row.index, "label": label, "score": score,
                         "threshold": round(float(threshold), 3),
                         "margin": round(float(score - threshold), 4), "text": row.text})
    table = pd.DataFrame(rows)
    order = table["margin"].abs().sort_values(kind="stable").index
    return table.loc[order].reset_index(drop=True)


def topic_shares(labelled: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of passages carrying each label (and none), per value of column ``by``."""
    table = pd.DataFrame(label_matrix(labelled["labels"]), columns=list(LABELS), index=labelled.index)
    table["other"] = (table.sum(axis=1) == 0).astype(int)
    table[by] = labelled[by].to_numpy()
    shares = table.groupby(by).mean().round(3)
    shares["passages"] = table.groupby(by).size()
    return shares
