"""Why a passage got its labels: the words or cues that pushed each label's score up.

* ``keywords``: the lexicon cues found in the passage, with their weights;
* ``tfidf`` (and the TF-IDF member of the ensemble): terms ranked by
  TF-IDF value x logistic-regression coefficient;
* ``embed`` and ``zeroshot``: word occlusion, the drop in the label's score when
  the word is removed from the passage.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from analysis.labelling import model_labels

TOP_TERMS = 5
MIN_SCORE = 0.2


@functools.lru_cache(maxsize=65536)
def stopwords_only(term: str) -> bool:
    """True when every word of ``term`` is an English stopword ("it", "he", "of the").

    Such terms carry no evidence a reader can use, whatever their weight.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = re.findall(r"\w+", term.lower())
    return not words or all(word in ENGLISH_STOP_WORDS for word in words)


def _keyword_terms(model, text: str) -> dict[str, list[tuple[str, float]]]:
    found = model.explain(text)
    out = {}
    for label, hits in found.items():
        totals: dict[str, float] = {}
        for phrase, weight in hits:
            totals[phrase.lower()] = totals.get(phrase.lower(), 0.0) + weight
        out[label] = sorted(((p, w) for p, w in totals.items() if w > 0), key=lambda x: (-x[1], x[0]))
    return out


def _tfidf_terms(model, texts: list[str]) -> list[dict[str, list[tuple[str, float]]]]:
    matrix = model.transform_features(texts).tocsr()
    names = model.features_.get_feature_names_out()
    coefficients = np.vstack([est.coef_[0] for est in model.estimators_])
    results = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        per_label = {}
        for j, label in enumerate(model_labels(model)):
            contribution = values * coefficients[j, columns]
            order = np.lexsort((names[columns], -contribution))
            per_label[label] = [(str(names[columns[k]]), float(contribution[k])) for k in order
                                if contribution[k] > 0 and not stopwords_only(str(names[columns[k]]))][:TOP_TERMS]
        results.append(per_label)
    return results


def _occlusion_terms(model, text: str) -> dict[str, list[tuple[str, float]]]:
    words = list(dict.fromkeys(w for w in re.findall(r"[^\W\d_][\w’'-]{2,}", text) if not stopwords_only(w)))[:60]
    labels = model_labels(model)
    if not words:
        return {label: [] for label in labels}
    variants = [re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", " ", text) for w in words]
    scores = np.asarray(model.predict_proba([text] + variants))
    drops = scores[0] - scores[1:]
    per_label = {}
    for j, label in enumerate(labels):
        order = sorted(range(len(words)), key=lambda i: (-drops[i, j], words[i]))
        per_label[label] = [(words[i], float(drops[i, j])) for i in order if drops[i, j] > 0.005][:TOP_TERMS]
    return per_label


def explain_texts(model, texts: list[str]) -> list[dict[str, list[tuple[str, float]]]]:
    """Evidence per passage: ``{label: [(term, contribution), ...]}``, strongest first."""
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.keywords import KeywordClassifier
    from analysis.models.levels import LevelModel
    from analysis.models.text import MultiLabelTextModel

    if hasattr(model, "estimator"):  # the plain-array form: explain with the full estimator
        model = model.estimator()
    if isinstance(model, LevelModel):
        # Evidence is read from the passage's own words, so the paragraph model explains both levels.
        model = model.models_.get("paragraph") or next(iter(model.models_.values()))
    if hasattr(model, "base_") and getattr(model, "reads_articles", False):
        # The article stage only reweighs the base model's scores: the words that count are the base's.
        model = model.base_
    if isinstance(model, KeywordClassifier):
        return [_keyword_terms(model, t) for t in texts]
    if isinstance(model, MeanEnsemble):
        tfidf = [m for m in model.estimators_ if hasattr(m.features_, "vocabulary_")]
        if tfidf:
            return _tfidf_terms(tfidf[0], texts)
    if isinstance(model, MultiLabelTextModel) and hasattr(model.features_, "vocabulary_"):
        return _tfidf_terms(model, texts)
    return [_occlusion_terms(model, t) for t in texts]


def explain_passages(model, labelled: pd.DataFrame) -> list[dict[str, list[str]]]:
    """Evidence terms for each labelled passage, for labels chosen or scoring above 0.2."""
    from analysis.labelling import score_columns

    evidence = explain_texts(model, labelled["text"].astype(str).tolist())
    labels = model_labels(model)
    scores = labelled[score_columns(labels)].to_numpy(dtype=float)
    out = []
    for row, terms, row_scores in zip(labelled.itertuples(index=False), evidence, scores):
        keep = {}
        for label, score in zip(labels, row_scores):
            if label in row.labels or score >= MIN_SCORE:
                keep[label] = [term for term, _ in terms.get(label, [])][:TOP_TERMS]
        out.append(keep)
    return out
