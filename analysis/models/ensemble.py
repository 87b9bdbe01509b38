"""Average the label probabilities of several trained models."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from analysis.models.base import TextClassifierMixin
from analysis.models.text import _as_input, best_threshold, label_names


class MeanEnsemble(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """Weighted mean of member models' probabilities, with its own thresholds.

    Parameters
    ----------
    estimators : list of MultiLabelTextModel, optional
        Defaults to the TF-IDF model and the embeddings-plus-lexicon model.
    weights : list of float, optional
        One weight per member; equal by default.
    labels : sequence of str, optional
        Label names, one per column of ``y`` (given to every member); the codebook's labels by default.
    """

    # Models saved before ``labels`` existed load without it: they use the codebook's labels.
    labels = None

    def __init__(self, estimators=None, weights=None, labels=None):
        self.estimators = estimators
        self.weights = weights
        self.labels = labels

    def _members(self):
        if self.estimators is not None:
            members = [clone(est) for est in self.estimators]
        else:
            from analysis.models.text import embedding_lexicon_model, tfidf_model

            members = [tfidf_model(), embedding_lexicon_model()]
        if self.labels is not None:
            members = [member.set_params(labels=self.labels) for member in members]
        return members

    def _weights(self, n):
        weights = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=float)
        return weights / weights.sum()

    def fit(self, X, y, groups=None):
        """Fit every member; choose thresholds on their averaged out-of-fold scores."""
        texts = _as_input(X)
        names = label_names(self.labels)
        y = np.asarray(y, dtype=int).reshape(len(texts), len(names))
        self.estimators_ = [member.fit(texts, y, groups=groups) for member in self._members()]
        weights = self._weights(len(self.estimators_))
        oof = sum(w * member.oof_scores_ for w, member in zip(weights, self.estimators_))
        self.oof_scores_ = oof
        self.classes_ = np.array(names)
        self.thresholds_ = np.array([best_threshold(y[:, j], oof[:, j]) for j in range(len(names))])
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Weighted mean probability of each label, shape ``(n, labels)``."""
        check_is_fitted(self)
        texts = _as_input(X)
        weights = self._weights(len(self.estimators_))
        return sum(w * member.predict_proba(texts) for w, member in zip(weights, self.estimators_))

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, labels)``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
