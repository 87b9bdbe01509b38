"""What the corpus says without labels: NMF topics set against the codebook labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.codebook import LABELS


@dataclass
class TopicModel:
    """Fitted TF-IDF + NMF topics with the passages' topic weights."""

    vectorizer: object
    nmf: object
    weights: np.ndarray

    def top_words(self, n: int = 8) -> pd.DataFrame:
        """The ``n`` heaviest words of each topic, one row per topic."""
        names = self.vectorizer.get_feature_names_out()
        rows = []
        for k, component in enumerate(self.nmf.components_):
            order = np.argsort(-component, kind="stable")[:n]
            rows.append({"topic": k, "words": ", ".join(names[order])})
        return pd.DataFrame(rows).set_index("topic")

    def dominant(self) -> np.ndarray:
        """Index of each passage's heaviest topic."""
        return self.weights.argmax(axis=1)


def fit_topics(texts, n_topics: int = 10, seed: int = 0) -> TopicModel:
    """Fit NMF topics on TF-IDF of ``texts`` (English stop words removed, fixed seed)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", min_df=3, max_df=0.4, sublinear_tf=True,
                                 token_pattern=r"(?u)\b[^\W\d_][\w-]{2,}\b")
    matrix = vectorizer.fit_transform(list(texts))
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=600)
    weights = nmf.fit_transform(matrix)
    return TopicModel(vectorizer=vectorizer, nmf=nmf, weights=weights)


def topics_by_label(model: TopicModel, labels: pd.Series) -> pd.DataFrame:
    """Share of each topic's passages (by dominant topic) that carry each label."""
    dominant = model.dominant()
    rows = []
    for k in range(model.weights.shape[1]):
        members = [labels.iloc[i] for i in np.flatnonzero(dominant == k)]
        row = {"topic": k, "passages": len(members)}
        for label in LABELS:
            row[label] = round(sum(label in m for m in members) / max(len(members), 1), 2)
        row["other"] = round(sum(not m for m in members) / max(len(members), 1), 2)
        rows.append(row)
    return pd.DataFrame(rows).set_index("topic")
