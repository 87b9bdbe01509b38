"""Honest evaluation: models are always scored on articles they were not trained on.

Protocols, all grouped by article:

* ``test`` - train on the corpus train split, score on the test split;
* ``lto`` - leave theatres out: for each fold of theatres, train on every other
  theatre and score on the held-out ones (predictions pooled over folds);
* ``lwo`` - leave writers out: for each writer batch (``batch`` in ``articles.csv``),
  train on every other batch and score on it (pooled), so no writer's words are
  seen in training; the protocol models are chosen by;
* ``lso`` - leave styles out: the same, one article style (wire, bulletin, ...) at a time;
* ``seed`` - train on the train split, score on the seed article's gold labels.

Every corpus figure is a ceiling: all its text was written here. Leave-writer-out is the
nearest to an unseen outlet, and still not a measure on real journalism.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.corpus import Corpus, label_matrix

SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"
SEED_ID = "000_a59dc000b14f99a5"
EMBEDDING_CACHE = Path(__file__).resolve().parent.parent / "corpus" / "cache" / "minilm.npz"
TRAINABLE = ("keywords", "tfidf", "embed", "zeroshot", "ensemble")
PROTOCOLS = ("test", "lto", "lwo", "lso", "seed")
DEFAULT_PROTOCOLS = ("test", "lto", "lwo", "seed")
# Column of the passages table that each grouped protocol holds out one value of at a time.
GROUPED_PROTOCOLS = {"lto": "lto_fold", "lwo": "batch", "lso": "style"}


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Per-label precision, recall, F1, support and base rate; macro/micro F1; exact match."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=int).reshape(-1, len(LABELS))
    y_pred = np.asarray(y_pred, dtype=int).reshape(-1, len(LABELS))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    per_label = {
        label: {
            "precision": round(float(precision[j]), 4),
            "recall": round(float(recall[j]), 4),
            "f1": round(float(f1[j]), 4),
            "support": int(support[j]),
            "base_rate": round(float(y_true[:, j].mean()) if len(y_true) else 0.0, 4),
            "confusion": {
                "tp": int(((y_true[:, j] == 1) & (y_pred[:, j] == 1)).sum()),
                "fp": int(((y_true[:, j] == 0) & (y_pred[:, j] == 1)).sum()),
                "fn": int(((y_true[:, j] == 1) & (y_pred[:, j] == 0)).sum()),
                "tn": int(((y_true[:, j] == 0) & (y_pred[:, j] == 0)).sum()),
            },
        }
        for j, label in enumerate(LABELS)
    }
    return {
        "passages": int(len(y_true)),
        "labels": per_label,
        "macro_f1": round(float(f1_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y_true, y_pred, average="micro", zero_division=0)), 4),
        "exact_match": round(float((y_true == y_pred).all(axis=1).mean()) if len(y_true) else 0.0, 4),
    }


def expected_calibration_error(y_true: np.ndarray, scores: np.ndarray, bins: int = 10) -> float:
    """ECE over all labels' scores pooled, with equal-width bins."""
    table = reliability_table(y_true, scores, bins)
    if table.empty:
        return 0.0
    weights = table["count"] / table["count"].sum()
    return round(float((weights * (table["mean_score"] - table["frequency"]).abs()).sum()), 4)


def reliability_table(y_true: np.ndarray, scores: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean score and observed frequency per score bin (for a reliability diagram)."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    scores = np.asarray(scores, dtype=float).ravel()
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append({"bin": b, "mean_score": scores[mask].mean(), "frequency": y_true[mask].mean(),
                         "count": int(mask.sum())})
    return pd.DataFrame(rows)


def fit_model(name, passages: pd.DataFrame):
    """A new model ``name`` fitted on ``passages`` (grouped by article for its thresholds).

    ``name`` is a model name, or a function returning a new unfitted model (for experiments).
    """
    from analysis.models import build_model
    from analysis.models.levels import LevelModel, model_input

    model = name() if callable(name) else build_model(name)
    y = label_matrix(passages)
    if isinstance(model, LevelModel):
        return model.fit(model_input(passages), y, groups=passages["article"].to_numpy())
    return model.fit(passages["text"].tolist(), y)


def seed_passages(level: str = "paragraph") -> pd.DataFrame:
    """The seed article's passages with their gold labels (never used for training)."""
    from analysis.articles import read_article
    from analysis.segment import segment

    article = read_article(SEED_DIR / f"{SEED_ID}.txt")
    passages = segment(article, level)
    gold = pd.read_csv(SEED_DIR / f"{SEED_ID}.labels.csv", dtype=str, keep_default_na=False)
    gold = gold[gold["level"] == level]
    lookup = {(int(s), int(e)): labels for s, e, labels in zip(gold["start"], gold["end"], gold["labels"])}
    passages["labels"] = [[x for x in lookup[(s, e)].split(";") if x] for s, e in zip(passages["start"],
                                                                                        passages["end"])]
    return passages


def predict(model, passages: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Scores and 0/1 predictions of ``model`` on ``passages``."""
    from analysis.labelling import scores_and_thresholds

    scores, thresholds = scores_and_thresholds(model, passages)
    return scores, (scores >= thresholds).astype(int)


def evaluate_model(name: str, corpus: Corpus, level: str = "paragraph", protocols=DEFAULT_PROTOCOLS) -> dict:
    """All protocols for one model; returns metrics per protocol plus calibration."""
    passages = corpus.passages(level)
    train = passages[passages["split"] == "train"]
    test = passages[passages["split"] == "test"]
    result: dict = {}
    model = fit_model(name, train)
    if "test" in protocols:
        scores, predicted = predict(model, test)
        truth = label_matrix(test)
        result["test"] = metrics(truth, predicted)
        result["test"]["ece"] = expected_calibration_error(truth, scores)
        result["test"]["reliability"] = reliability_table(truth, scores).round(4).to_dict(orient="records")
    if "seed" in protocols:
        seed = seed_passages(level)
        _, predicted = predict(model, seed)
        result["seed"] = metrics(label_matrix(seed), predicted)
        result["seed"]["wrong"] = [
            int(i) for i in np.flatnonzero((predicted != label_matrix(seed)).any(axis=1))
        ]
    for protocol, column in GROUPED_PROTOCOLS.items():
        if protocol in protocols:
            result[protocol] = grouped_metrics(name, passages, column)
    return result


def grouped_predictions(name: str, passages: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out 0/1 predictions for each value of ``column``, from a model fitted on the other values.

    Returns truth, predictions (rows in ``passages`` order) and the group of each row.
    """
    truth = label_matrix(passages)
    predicted = np.zeros_like(truth)
    for group in sorted(passages[column].unique()):
        held_out = (passages[column] == group).to_numpy()
        fold_model = fit_model(name, passages[~held_out])
        predicted[held_out] = predict(fold_model, passages[held_out])[1]
    return truth, predicted, passages[column].to_numpy()


def grouped_metrics(name: str, passages: pd.DataFrame, column: str) -> dict:
    """Pooled metrics of :func:`grouped_predictions`, plus macro-F1 of each held-out group."""
    truth, predicted, groups = grouped_predictions(name, passages, column)
    result = metrics(truth, predicted)
    result["groups"] = {
        str(group): {"passages": int((groups == group).sum()),
                     "macro_f1": metrics(truth[groups == group], predicted[groups == group])["macro_f1"]}
        for group in sorted(set(groups))
    }
    return result


def test_predictions(name: str, corpus: Corpus, level: str = "paragraph", return_model: bool = False):
    """Test-split passages with gold labels (``gold``) and the model's scores and labels.

    The model is trained on the train split only; with ``return_model`` it is returned too.
    """
    from analysis.labelling import label_passages

    passages = corpus.passages(level)
    model = fit_model(name, passages[passages["split"] == "train"])
    test = passages[passages["split"] == "test"].rename(columns={"labels": "gold"})
    labelled = label_passages(test.reset_index(drop=True), model)
    return (labelled, model) if return_model else labelled


def learning_curve(name: str, corpus: Corpus, sizes=(10, 20, 40, 70, None), level: str = "paragraph",
                   seed: int = 0) -> pd.DataFrame:
    """Test macro-F1 against the number of training articles (a fixed random order)."""
    passages = corpus.passages(level)
    test = passages[passages["split"] == "test"]
    articles = sorted(passages.loc[passages["split"] == "train", "article"].unique())
    order = list(np.random.default_rng(seed).permutation(articles))
    rows = []
    for size in sizes:
        chosen = set(order[: size or len(order)])
        train = passages[passages["article"].isin(chosen)]
        if train.empty or min(label_matrix(train).sum(axis=0)) < 5:
            continue
        model = fit_model(name, train)
        result = metrics(label_matrix(test), predict(model, test)[1])
        rows.append({"model": name, "articles": len(chosen), "passages": len(train),
                     "macro_f1": result["macro_f1"]})
    return pd.DataFrame(rows)


def evaluate(corpus: Corpus, models=TRAINABLE, level: str = "paragraph", protocols=DEFAULT_PROTOCOLS,
             curve_models=("tfidf", "embed")) -> dict:
    """Evaluate every model in ``models``, plus learning curves for ``curve_models``.

    Returns ``{"level", "models": {name: {protocol: metrics}}, "learning_curve": [rows]}``.
    Embeddings are cached across models and folds.
    """
    from analysis.models.embed import embedding_cache

    with embedding_cache(EMBEDDING_CACHE):
        results = {name: evaluate_model(name, corpus, level, protocols) for name in models}
        curves = [learning_curve(name, corpus, level=level) for name in curve_models if name in models]
    curve_rows = pd.concat(curves).to_dict(orient="records") if curves else []
    return {"level": level, "models": results, "learning_curve": curve_rows}


def results_table(results: dict) -> pd.DataFrame:
    """One row per model and protocol: macro/micro F1, exact match and per-label F1."""
    rows = []
    for name, by_protocol in results["models"].items():
        for protocol, result in by_protocol.items():
            row = {"model": name, "protocol": protocol, "passages": result["passages"],
                   "macro_f1": result["macro_f1"], "micro_f1": result["micro_f1"],
                   "exact_match": result["exact_match"]}
            row.update({f"f1_{label}": result["labels"][label]["f1"] for label in LABELS})
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", "protocol"])
