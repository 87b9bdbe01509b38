"""Zero-shot topics: cosine similarity between passage and topic-description embeddings.

No labelled data is needed, so a user can pass topics of their own
(name -> description). When labels are given to ``fit``, only the decision
thresholds are learned from them.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from analysis.codebook import DESCRIPTIONS
from analysis.models.base import TextClassifierMixin
from analysis.models.embed import encode
from analysis.models.text import best_threshold


class ZeroShotClassifier(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """Score each passage against topic descriptions with MiniLM embeddings.

    Parameters
    ----------
    topics : dict, optional
        ``name -> description``; defaults to the codebook's three labels.
    center, scale : float
        The score is ``sigmoid((cosine - center) / scale)``.
    """

    def __init__(self, topics=None, center=0.2, scale=0.05):
        self.topics = topics
        self.center = center
        self.scale = scale

    def fit(self, X, y=None):
        """Embed the topic descriptions; with ``y``, tune one threshold per topic."""
        topics = self.topics if self.topics is not None else DESCRIPTIONS
        if not topics:
            raise ValueError("topics must name at least one topic")
        self.classes_ = np.array(list(topics))
        self.topic_vectors_ = encode([str(topics[name]) for name in self.classes_])
        self.thresholds_ = np.full(len(self.classes_), 0.5)
        texts = list(X)
        if y is not None and len(texts):
            y = np.asarray(y, dtype=int).reshape(len(texts), len(self.classes_))
            scores = self.predict_proba(texts)
            self.thresholds_ = np.array([best_threshold(y[:, j], scores[:, j]) for j in range(y.shape[1])])
        return self

    def cosine(self, X) -> np.ndarray:
        """Cosine similarity of each passage to each topic, shape ``(n, topics)``."""
        check_is_fitted(self)
        return encode(list(X)) @ self.topic_vectors_.T

    def proba_from_embeddings(self, vectors: np.ndarray) -> np.ndarray:
        """Scores from precomputed passage embeddings."""
        return 1.0 / (1.0 + np.exp(-((vectors @ self.topic_vectors_.T) - self.center) / self.scale))

    def predict_proba(self, X) -> np.ndarray:
        """Topic scores in (0, 1), shape ``(n, topics)``."""
        check_is_fitted(self)
        return self.proba_from_embeddings(encode(list(X)))

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, topics)``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
