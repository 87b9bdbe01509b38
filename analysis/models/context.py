"""Paragraph scores revised by the rest of their article.

A reaction to an incursion ("Tallinn asked for consultations") or a casualty line after a shelling
paragraph rarely names its event; the article around it does. :class:`ArticleContextModel` first
scores every paragraph with a base model, then feeds each paragraph's own scores together with its
article's (mean and maximum of the other paragraphs, the paragraphs before and after) to one
logistic regression per label. The second stage learns from the base model's out-of-fold scores,
so it never sees scores of a paragraph the base model was fitted on.

With ``degree=2`` the second stage also reads the pairwise products of those features:
"diplomacy here, incursions elsewhere in the article" is a reaction to an incursion, while
"nothing here, incursions elsewhere" is not, and a linear stage cannot tell the two apart. The
features are then divided by the logits' bound, so every term lies in [-1, 1] and a passage unlike
any seen in training cannot push a squared term far outside what the stage was fitted on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.utils.validation import check_is_fitted

from analysis.models.base import TextClassifierMixin
from analysis.models.inputs import LOGIT_BOUND, article_context, standalone_articles
from analysis.models.text import best_threshold, label_names


def article_rows(X) -> pd.DataFrame:
    """``text``, ``article`` and ``position`` columns of ``X``.

    A DataFrame keeps its ``article`` and ``position`` columns when it has them; texts without
    them are each their own article, so unrelated passages never lend each other context.
    """
    if isinstance(X, pd.DataFrame):
        frame = X.reset_index(drop=True)
        texts = frame["text"].astype(str)
    else:
        frame = None
        texts = pd.Series([str(t) for t in X], dtype=object)
    n = len(texts)
    articles = (frame["article"].astype(str) if frame is not None and "article" in frame
                else pd.Series(standalone_articles(n), dtype=object))
    positions = (frame["position"].to_numpy() if frame is not None and "position" in frame else np.arange(n))
    return pd.DataFrame({"text": texts.to_numpy(), "article": articles.to_numpy(), "position": positions})


class ArticleContextModel(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """A base model's paragraph scores, revised by the scores of the rest of the article.

    Parameters
    ----------
    base : estimator, optional
        A multi-label text model with ``oof_scores_`` after ``fit`` (the default is the
        TF-IDF + embeddings ensemble).
    C : float
        Inverse regularisation of the second-stage logistic regressions.
    degree : {1, 2}
        1: the second stage is linear in its features; 2: it also reads their pairwise
        products and squares, each feature divided by the logits' bound first.
    cv : int
        Folds (grouped by article) for the second stage's thresholds.
    labels : sequence of str, optional
        Label names, one per column of ``y``; the codebook's labels by default.
    """

    reads_articles = True
    # Models saved before ``degree`` existed load without it: their stage is linear.
    degree = 1

    def __init__(self, base=None, C=1.0, degree=1, cv=5, labels=None):
        self.base = base
        self.C = C
        self.degree = degree
        self.cv = cv
        self.labels = labels

    def _base(self):
        if self.base is not None:
            base = clone(self.base)
        else:
            from analysis.models.ensemble import MeanEnsemble

            base = MeanEnsemble()
        return base.set_params(labels=self.labels) if self.labels is not None else base

    def fit(self, X, y, groups=None):
        """Fit the base model, then the second stage on its out-of-fold scores.

        Parameters
        ----------
        X : list of str, or DataFrame with ``text`` and optional ``article``, ``position``
        y : array of shape (n, labels)
        groups : array of shape (n,), optional
            Article ids for the folds; the ``article`` column by default.
        """
        rows = article_rows(X)
        names = label_names(self.labels)
        y = np.asarray(y, dtype=int).reshape(len(rows), len(names))
        groups = rows["article"].to_numpy() if groups is None else np.asarray(groups)
        self.base_ = self._base().fit(rows["text"].tolist(), y, groups=groups)
        features = self._features(self.base_.oof_scores_, rows)
        self.stage_ = [self._stage().fit(features, y[:, j]) for j in range(len(names))]
        folds = GroupKFold(n_splits=min(self.cv, len(np.unique(groups))))
        self.oof_scores_ = np.column_stack([
            cross_val_predict(self._stage(), features, y[:, j], groups=groups, cv=folds, method="predict_proba")[:, 1]
            for j in range(len(names))])
        self.classes_ = np.array(names)
        self.thresholds_ = np.array([best_threshold(y[:, j], self.oof_scores_[:, j]) for j in range(len(names))])
        return self

    def _features(self, scores, rows) -> np.ndarray:
        features = article_context(scores, rows["article"].to_numpy(), rows["position"].to_numpy())
        return features / LOGIT_BOUND if self.degree == 2 else features

    def _stage(self):
        if self.degree == 1:
            return LogisticRegression(C=self.C, max_iter=2000)
        if self.degree == 2:
            return make_pipeline(PolynomialFeatures(2, include_bias=False), LogisticRegression(C=self.C, max_iter=5000))
        raise ValueError(f"degree must be 1 or 2, not {self.degree!r}")

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, labels)``, each paragraph read within its article."""
        check_is_fitted(self)
        rows = article_rows(X)
        base = self.base_.predict_proba(rows["text"].tolist())
        features = self._features(base, rows)
        return np.column_stack([stage.predict_proba(features)[:, 1] for stage in self.stage_])

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, labels)``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
