"""Trained multi-label models: text features -> one logistic regression per label.

Each label's decision threshold is chosen on out-of-fold predictions over the
training data only (grouped by article when groups are given), maximising F1.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from analysis.codebook import LABELS
from analysis.models.base import TextClassifierMixin

THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


def best_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Threshold from :data:`THRESHOLD_GRID` with the highest F1 (ties: the middle one)."""
    f1 = []
    for threshold in THRESHOLD_GRID:
        predicted = scores >= threshold
        tp = np.sum(predicted & (y_true == 1))
        denominator = predicted.sum() + (y_true == 1).sum()
        f1.append(2 * tp / denominator if denominator else 0.0)
    f1 = np.array(f1)
    best = np.flatnonzero(f1 >= f1.max() - 1e-9)
    return float(THRESHOLD_GRID[best[len(best) // 2]])


def _needs_refit(features) -> bool:
    """Whether features learn from data (TF-IDF does; pretrained embeddings and the lexicon do not)."""
    parts = getattr(features, "transformer_list", None)  # FeatureUnion
    if parts is None and hasattr(features, "transformers"):  # ColumnTransformer
        parts = [(name, part) for name, part, _ in features.transformers]
    if parts is not None:
        return any(_needs_refit(part) for _, part in parts)
    return getattr(features, "requires_refit", True)


def _as_input(X):
    """Passage texts as a list of str, or a DataFrame of text columns kept as is."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    return [str(t) for t in X]


def _take(X, rows):
    return X.iloc[rows] if hasattr(X, "iloc") else [X[i] for i in rows]


class MultiLabelTextModel(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """Features (any text transformer) + one binary classifier per label.

    Parameters
    ----------
    features : transformer
        Maps a list of passage texts to a feature matrix.
    classifier : estimator
        Binary classifier with ``predict_proba``, cloned once per label.
    cv : int
        Folds for choosing thresholds on out-of-fold scores.
    labels : sequence of str, optional
        Label names, one per column of ``y``; the codebook's :data:`~analysis.codebook.LABELS` by default.
    """

    # Models saved before ``labels`` existed load without it: they use the codebook's labels.
    labels = None

    def __init__(self, features=None, classifier=None, cv=5, labels=None):
        self.features = features
        self.classifier = classifier
        self.cv = cv
        self.labels = labels

    def _classifier(self):
        return clone(self.classifier) if self.classifier is not None else LogisticRegression(max_iter=2000)

    def fit(self, X, y, groups=None):
        """Fit features and per-label classifiers; choose thresholds by cross-validation.

        Parameters
        ----------
        X : list of str
        y : array of shape (n, labels), 0/1 per label
        groups : array of shape (n,), optional
            Article ids: folds never split an article.
        """
        texts = _as_input(X)
        names = label_names(self.labels)
        y = np.asarray(y, dtype=int).reshape(len(texts), len(names))
        self.features_ = clone(self.features)
        matrix = self.features_.fit_transform(texts)
        self.classes_ = np.array(names)
        self.estimators_ = [self._classifier().fit(matrix, y[:, j]) for j in range(len(names))]
        self.oof_scores_ = np.column_stack(
            [self._out_of_fold(texts, matrix, y[:, j], groups) for j in range(len(names))]
        )
        self.thresholds_ = np.array([best_threshold(y[:, j], self.oof_scores_[:, j]) for j in range(len(names))])
        return self

    def _out_of_fold(self, texts, matrix, target, groups) -> np.ndarray:
        scores = np.zeros(len(texts))
        if groups is not None:
            splitter = GroupKFold(n_splits=self.cv)
            splits = splitter.split(texts, target, groups)
        else:
            splitter = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=0)
            splits = splitter.split(texts, target)
        refit_features = _needs_refit(self.features_)
        for train, test in splits:
            if refit_features:
                features = clone(self.features).fit(_take(texts, train))
                train_matrix = features.transform(_take(texts, train))
                test_matrix = features.transform(_take(texts, test))
            else:
                train_matrix, test_matrix = matrix[train], matrix[test]
            if len(np.unique(target[train])) < 2:
                # A fold whose training part lacks one class (small user label sets): score its base rate.
                scores[test] = float(target[train].mean()) if len(train) else 0.0
                continue
            model = self._classifier().fit(train_matrix, target[train])
            scores[test] = model.predict_proba(test_matrix)[:, 1]
        return scores

    def transform_features(self, X):
        """The feature matrix of ``X`` (used by the explanations)."""
        check_is_fitted(self)
        return self.features_.transform(_as_input(X))

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, labels)``."""
        matrix = self.transform_features(X)
        return self.proba_from_features(matrix)

    def proba_from_features(self, matrix) -> np.ndarray:
        """Label probabilities from an already computed feature matrix."""
        if matrix.shape[0] == 0:
            return np.zeros((0, len(self.classes_)))
        return np.column_stack([est.predict_proba(matrix)[:, 1] for est in self.estimators_])

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, labels)``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


def label_names(labels=None) -> tuple[str, ...]:
    """``labels`` as a tuple of str, or the codebook's labels when None."""
    return LABELS if labels is None else tuple(str(label) for label in labels)


def tfidf_features():
    """Word uni- and bigram TF-IDF with sublinear term frequency."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True, strip_accents="unicode",
        dtype=np.float32,
    )


def tfidf_model() -> MultiLabelTextModel:
    """TF-IDF + logistic regression per label."""
    return MultiLabelTextModel(features=tfidf_features(), classifier=LogisticRegression(C=10, max_iter=2000))


def embedding_model() -> MultiLabelTextModel:
    """MiniLM embeddings + logistic regression per label."""
    from analysis.models.embed import MiniLMEncoder

    return MultiLabelTextModel(features=MiniLMEncoder(), classifier=LogisticRegression(C=4, max_iter=2000))


def embedding_lexicon_model() -> MultiLabelTextModel:
    """MiniLM embeddings plus the lexicon's cue counts + logistic regression per label.

    The cues carry the codebook's distinctions (a third state's airspace, a gunfight
    rather than a strike) that embeddings blur; measured to transfer best to unseen wars.
    """
    from sklearn.pipeline import FeatureUnion

    from analysis.models.embed import MiniLMEncoder
    from analysis.models.keywords import LexiconFeatures

    features = FeatureUnion([("minilm", MiniLMEncoder()), ("lexicon", LexiconFeatures())])
    return MultiLabelTextModel(features=features, classifier=LogisticRegression(C=2, max_iter=3000))


def _in_context(text_features, context_features) -> object:
    """Features of the passage (column ``text``) and of its paragraph (column ``context``)."""
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer([("text", text_features, "text"), ("context", context_features, "context")])


def hashed_tfidf_features():
    """Word uni- and bigram TF-IDF over hashed features: no vocabulary to store.

    Used for the sentence models, whose paragraph column would otherwise keep a vocabulary
    of every bigram of every paragraph (tens of MB in a skops file, seconds to load).
    """
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import make_pipeline

    hashing = HashingVectorizer(ngram_range=(1, 2), n_features=2**16, alternate_sign=False, norm=None,
                                strip_accents="unicode", dtype=np.float32)
    return make_pipeline(hashing, TfidfTransformer(sublinear_tf=True))


def tfidf_context_model() -> MultiLabelTextModel:
    """Sentence-level TF-IDF model that also reads the sentence's paragraph."""
    return MultiLabelTextModel(features=_in_context(hashed_tfidf_features(), hashed_tfidf_features()),
                               classifier=LogisticRegression(C=10, max_iter=3000))


def embedding_context_model() -> MultiLabelTextModel:
    """Sentence-level embedding model that also reads the sentence's paragraph."""
    from analysis.models.embed import MiniLMEncoder

    return MultiLabelTextModel(features=_in_context(MiniLMEncoder(), MiniLMEncoder()),
                               classifier=LogisticRegression(C=4, max_iter=3000))


def embedding_lexicon_context_model() -> MultiLabelTextModel:
    """Sentence-level embeddings + lexicon cues of the sentence, plus its paragraph's embedding."""
    from sklearn.compose import ColumnTransformer

    from analysis.models.embed import MiniLMEncoder
    from analysis.models.keywords import LexiconFeatures

    features = ColumnTransformer([("text", MiniLMEncoder(), "text"), ("cues", LexiconFeatures(), "text"),
                                  ("context", MiniLMEncoder(), "context")])
    return MultiLabelTextModel(features=features, classifier=LogisticRegression(C=2, max_iter=3000))
