"""Apply a model to passages: the labelled-passages table every later stage reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.errors import InputError

SCORE_COLUMNS = [f"score_{label}" for label in LABELS]
SCORE_PREFIX = "score_"


def model_labels(model) -> tuple[str, ...]:
    """The label names of a fitted model (its ``classes_``), in score-column order."""
    classes = getattr(model, "classes_", None)
    return LABELS if classes is None else tuple(str(label) for label in classes)


def score_columns(labels) -> list[str]:
    """The ``score_<label>`` column of each label."""
    return [f"{SCORE_PREFIX}{label}" for label in labels]


def frame_labels(labelled: pd.DataFrame) -> tuple[str, ...]:
    """The labels a labelled-passages table was scored for, read from its ``score_<label>`` columns."""
    found = tuple(str(c)[len(SCORE_PREFIX):] for c in labelled.columns if str(c).startswith(SCORE_PREFIX))
    return found or LABELS


def label_passages(passages: pd.DataFrame, model) -> pd.DataFrame:
    """Add ``labels`` and one ``score_<label>`` column per label of the model to ``passages``.

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
    labels = model_labels(model)
    scores, thresholds = scores_and_thresholds(model, out)
    chosen = scores >= thresholds
    if "boilerplate" in out.columns:
        chosen[out["boilerplate"].to_numpy(dtype=bool)] = False
    for column, values in zip(score_columns(labels), scores.T):
        out[column] = values.round(4)
    out["labels"] = [[label for label, on in zip(labels, row) if on] for row in chosen]
    return out


def label_article(article, model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The article's paragraphs and sentences, labelled in one pass of the model.

    The same tables as :func:`label_passages` of each level's :func:`~analysis.segment.segment`,
    for a fraction of the work: the model is loaded and called once, each level's rows
    going to its own part of a level-aware model, so nothing is scored twice.
    """
    from analysis.segment import segment

    paragraphs, sentences = segment(article, "paragraph"), segment(article, "sentence")
    labelled = label_passages(pd.concat([paragraphs, sentences], ignore_index=True), model)
    split = len(paragraphs)
    return (labelled.iloc[:split][list(paragraphs.columns) + _added(labelled, paragraphs)].reset_index(drop=True),
            labelled.iloc[split:][list(sentences.columns) + _added(labelled, sentences)].reset_index(drop=True))


def _added(labelled: pd.DataFrame, passages: pd.DataFrame) -> list[str]:
    return [column for column in labelled.columns if column not in passages.columns and column != "context"]


def labels_events(model) -> bool:
    """Whether ``model`` labels the codebook's strikes and incursions, which events are read from."""
    return {"strikes", "incursions"} <= set(model_labels(model))


def check_event_labels(model, name: str | None) -> None:
    """Refuse a model that does not label the codebook's strikes and incursions (see :func:`labels_events`)."""
    if not labels_events(model):
        raise InputError(f"{name}: events need a model of the codebook's strikes and incursions; this one labels "
                         f"{', '.join(model_labels(model))}")


def scores_and_thresholds(model, passages: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Label scores of ``passages`` and the thresholds that apply to each row, both ``(n, labels)``.

    Level-aware models read each sentence with its paragraph; other models read the text alone.
    """
    from analysis.models.inputs import model_input

    n, k = len(passages), len(model_labels(model))
    if hasattr(model, "row_thresholds"):  # LevelModel, or its plain-array form (no scikit-learn import)
        frame = model_input(passages)
        scores, thresholds = model.predict_proba(frame), model.row_thresholds(frame)
    else:
        scores = model.predict_proba(passages["text"].astype(str).tolist())
        thresholds = np.tile(np.asarray(model.thresholds_, dtype=float), (n, 1))
    return np.asarray(scores, dtype=float).reshape(n, k), thresholds.reshape(n, k)


def label_matrix(labels: pd.Series, names=LABELS) -> np.ndarray:
    """Turn a Series of label lists into a 0/1 matrix with one column per label of ``names``."""
    return np.array([[int(label in row) for label in names] for row in labels], dtype=int).reshape(
        len(labels), len(names)
    )


def margins(labelled: pd.DataFrame, model) -> pd.DataFrame:
    """Passage-label pairs sorted by how close the score is to its threshold.

    Returns a DataFrame with ``index``, ``label``, ``score``, ``threshold``,
    ``margin`` (score minus threshold) and ``text``; the first rows are the
    decisions a reader should check.
    """
    _, thresholds = scores_and_thresholds(model, labelled)
    labels = model_labels(model)
    scores = labelled[score_columns(labels)].to_numpy()
    rows = []
    for row, row_scores, row_thresholds in zip(labelled.itertuples(index=False), scores, thresholds):
        for label, score, threshold in zip(labels, row_scores, row_thresholds):
            rows.append({"index": row.index, "label": label, "score": score,
                         "threshold": round(float(threshold), 3),
                         "margin": round(float(score - threshold), 4), "text": row.text})
    table = pd.DataFrame(rows)
    order = table["margin"].abs().sort_values(kind="stable").index
    return table.loc[order].reset_index(drop=True)


def topic_shares(labelled: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of passages carrying each label (and none), per value of column ``by``."""
    labels = frame_labels(labelled)
    table = pd.DataFrame(label_matrix(labelled["labels"], labels), columns=list(labels), index=labelled.index)
    table["other"] = (table.sum(axis=1) == 0).astype(int)
    table[by] = labelled[by].to_numpy()
    shares = table.groupby(by).mean().round(3)
    shares["passages"] = table.groupby(by).size()
    return shares
