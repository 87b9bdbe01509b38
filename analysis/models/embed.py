"""The MiniLM sentence encoder as a scikit-learn transformer.

The runtime (tokenizer, ONNX session, window pooling, embedding cache) lives in
:mod:`analysis.models.minilm`, which imports no scikit-learn, so that the fast
model format (:mod:`analysis.models.arrays`) can embed without it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from analysis.models.base import TextTransformerMixin
from analysis.models.minilm import (  # noqa: F401 - re-exported: callers import them from here
    DIMENSIONS,
    MAX_TOKENS,
    TOKENIZER_PATH,
    TOKENIZER_SHA256,
    _encode,
    _key,
    _runtime,
    _windows,
    embedding_cache,
    encode,
)


class MiniLMEncoder(TextTransformerMixin, TransformerMixin, BaseEstimator):
    """scikit-learn transformer: passage texts -> MiniLM sentence embeddings.

    Parameters
    ----------
    batch_size : int
        Windows per ONNX call.
    """

    def __init__(self, batch_size=8):
        self.batch_size = batch_size

    def fit(self, X, y=None):
        """Nothing to learn: the encoder is pretrained."""
        self.n_features_out_ = DIMENSIONS
        return self

    def transform(self, X) -> np.ndarray:
        """Embed each passage text."""
        return encode(list(X), self.batch_size)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"minilm{i}" for i in range(DIMENSIONS)], dtype=object)
