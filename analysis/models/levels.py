"""One model for both passage levels: paragraphs alone, sentences read with their paragraph.

A sentence such as "Another four were wounded." says little on its own; its paragraph says which attack it
belongs to. Sentence-level models therefore see two columns, ``text`` and ``context`` (the paragraph), and
were measured better for it (docs/model-card.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from analysis.codebook import LABELS
from analysis.models.base import TextClassifierMixin
from analysis.models.inputs import model_input  # noqa: F401 - re-exported

LEVEL_NAMES = ("paragraph", "sentence")


def _inputs(frame: pd.DataFrame, rows: np.ndarray, level: str, model=None):
    """Paragraph models read texts (with their article, if they read it); sentence models read text and context."""
    if level == "paragraph":
        if getattr(model, "reads_articles", False) and "article" in frame:
            return frame.loc[rows, ["text", "article", "position"]].reset_index(drop=True)
        return frame.loc[rows, "text"].tolist()
    return frame.loc[rows, ["text", "context"]].reset_index(drop=True)


class LevelModel(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """Route paragraphs to one model and sentences (with their paragraph) to another.

    Parameters
    ----------
    paragraph : estimator
        Multi-label model over paragraph texts.
    sentence : estimator
        Multi-label model over a DataFrame with ``text`` and ``context`` columns.
    """

    def __init__(self, paragraph=None, sentence=None):
        self.paragraph = paragraph
        self.sentence = sentence

    def fit(self, X, y, groups=None):
        """Fit the model of each level present in ``X`` (from :func:`model_input`)."""
        frame = self._frame(X)
        y = np.asarray(y, dtype=int).reshape(len(frame), len(LABELS))
        groups = None if groups is None else np.asarray(groups)
        self.classes_ = np.array(LABELS)
        self.models_ = {}
        for level, template in zip(LEVEL_NAMES, (self.paragraph, self.sentence)):
            rows = np.flatnonzero(frame["level"].to_numpy() == level)
            if len(rows):
                self.models_[level] = clone(template).fit(_inputs(frame, rows, level, template), y[rows],
                                                          groups=None if groups is None else groups[rows])
        self.thresholds_ = self.models_[next(iter(self.models_))].thresholds_
        return self

    def _frame(self, X) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            # Passages straight from segment() or the corpus: build the columns the models read.
            return X.reset_index(drop=True) if "position" in X else model_input(X)
        return model_input(pd.DataFrame({"text": [str(t) for t in X]}))

    def _model(self, level: str):
        check_is_fitted(self)
        if level not in self.models_:
            raise ValueError(f"this model was not trained for {level}s")
        return self.models_[level]

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, 3)``; each row scored by its level's model."""
        frame = self._frame(X)
        scores = np.zeros((len(frame), len(LABELS)))
        for level in LEVEL_NAMES:
            rows = np.flatnonzero(frame["level"].to_numpy() == level)
            if len(rows):
                model = self._model(level)
                scores[rows] = model.predict_proba(_inputs(frame, rows, level, model))
        return scores

    def row_thresholds(self, X) -> np.ndarray:
        """Each row's decision thresholds (they differ between the levels' models)."""
        frame = self._frame(X)
        out = np.zeros((len(frame), len(LABELS)))
        for level in LEVEL_NAMES:
            rows = frame["level"].to_numpy() == level
            if rows.any():
                out[rows] = self._model(level).thresholds_
        return out

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, 3)``."""
        return (self.predict_proba(X) >= self.row_thresholds(X)).astype(int)
