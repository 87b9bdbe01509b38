"""How likely each extracted event is one an annotator would also record.

The extractor (:mod:`analysis.events`) finds about two thirds of the events an
annotator records, and about a third of what it reports is not in the gold set
(``docs/model-card.md``). This stage gives every event a probability of being a
real, annotated event, and the features that moved it most. It is learned from
the ``tune`` half of the held-out gold events only: the rules were written on the
``dev`` articles, so their events there are more often right than on unseen text,
and a model trained on them is overconfident (grouped cross-validation on ``tune``:
Brier 0.189 with ``dev`` added, 0.176 without). The blind ``test`` half is never
trained on; :func:`confidence_report` scores it.

The model is a plain scikit-learn pipeline (``DictVectorizer`` then
``LogisticRegression``) over :func:`event_features`, saved with skops in
``analysis/models/trained/event-confidence.skops``.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.articles import Article
from analysis.errors import InputError

MODEL_PATH = Path(__file__).resolve().parent / "models" / "trained" / "event-confidence.skops"
#: The gold split the shipped model is trained on; ``test`` stays blind.
TRAINING_SPLITS = ("tune",)
#: Inverse regularisation strength, chosen by grouped cross-validation on ``tune``
#: (0.1, 0.3 and 1.0 gave out-of-fold Brier scores 0.183, 0.176 and 0.177).
REGULARISATION = 0.3
_FIELDS = ("place", "admin_region", "country", "weapon", "weapon_type", "attacker", "target", "killed", "wounded")
#: Words for the features in :func:`explain_confidence`.
FEATURE_NAMES = {
    **{f"has_{name}": f"{name.replace('_', ' ')} given" for name in _FIELDS},
    "kind=strike": "a strike", "kind=incursion": "an incursion",
    "attacker_inferred": "attacker inferred, not named", "date_from_paper": "dated by the paper's date",
    "date_unknown": "no date", "geocoded": "place in the gazetteer", "days_old": "days before the paper's date",
    "same_day": "the paper's day or the day before", "events_in_paragraph": "other events in its paragraph",
    "rank_in_paragraph": "later in its paragraph", "paragraph_position": "later in the article",
    "place_told_earlier": "place already reported", "evidence_length": "long evidence span",
}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if not _missing(value) and value else None
    except ValueError:
        return None


def event_features(events: pd.DataFrame | list[dict], article: Article) -> list[dict]:
    """One feature dict per event, from its fields and its place among the article's events.

    Parameters
    ----------
    events : DataFrame or list of dict
        Rows of :func:`analysis.events.extract_events` for ``article``, in their order.
    article : Article
        The article they came from; ``meta["date"]`` dates them.
    """
    records = events.to_dict("records") if isinstance(events, pd.DataFrame) else list(events)
    paper_date = _date((article.meta or {}).get("date"))
    features = []
    for number, event in enumerate(records):
        evidence = event.get("evidence") if isinstance(event.get("evidence"), dict) else {}
        row = {f"kind={event['kind']}": 1.0}
        for name in _FIELDS:
            row[f"has_{name}"] = float(not _missing(event.get(name)))
        row["attacker_inferred"] = float(str(evidence.get("attacker", "")).startswith("(inferred"))
        event_date = _date(event.get("date"))
        row["date_from_paper"] = float(event_date is not None and not evidence.get("date"))
        if event_date is None or paper_date is None:
            row["date_unknown"] = 1.0
        else:
            days = abs((paper_date - event_date).days)
            row["days_old"] = min(days, 60) / 60
            row["same_day"] = float(days <= 1)
        row["geocoded"] = float(not _missing(event.get("latitude")))
        same = [other for other in records if other["paragraph"] == event["paragraph"]
                and other["kind"] == event["kind"]]
        row["events_in_paragraph"] = min(len(same), 6) / 6
        row["rank_in_paragraph"] = min(next(i for i, other in enumerate(same) if other is event), 5) / 5
        row["paragraph_position"] = min(int(event["paragraph"]), 20) / 20
        place = event.get("place")
        row["place_told_earlier"] = float(not _missing(place) and any(
            other.get("place") == place for other in records[:number]))
        row["evidence_length"] = min(int(event["end"]) - int(event["start"]), 1000) / 1000
        features.append(row)
    return features


def build_confidence_model(regularisation: float = REGULARISATION):
    """An unfitted pipeline from feature dicts to the probability that an event is real."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(DictVectorizer(sparse=False), LogisticRegression(C=regularisation, max_iter=5000))


def training_table(corpus=None, splits: tuple[str, ...] = TRAINING_SPLITS) -> tuple[list[dict], np.ndarray,
                                                                                   list[str]]:
    """Features, labels (1: the event matches a gold event) and article ids of every extracted event.

    Events are extracted from sentences with the corpus' gold passage labels, so the
    labels measure extraction alone; at run time the passage model's labels are used.
    """
    features, labels, groups, _ = _table(corpus, splits)
    return features, labels, groups


def _table(corpus, splits: tuple[str, ...]) -> tuple[list[dict], np.ndarray, list[str], int]:
    """:func:`training_table` plus the number of gold events."""
    from analysis.event_evaluation import SPLITS, _extracted, match_events

    bad = [split for split in splits if split not in SPLITS or split in ("all", "heldout")]
    if bad:
        raise InputError(f"unknown or overlapping split {bad[0]!r}; expected dev, tune or test")
    features, labels, groups, gold_events = [], [], [], 0
    for split in splits:
        for article_id, predicted, gold in _extracted(corpus, split, True, None):
            matched = {i for i, _ in match_events(predicted, gold)}
            features += event_features(predicted, _article(corpus, article_id))
            labels += [int(i in matched) for i in range(len(predicted))]
            groups += [article_id] * len(predicted)
            gold_events += len(gold)
    return features, np.array(labels, dtype=int), groups, gold_events


def _article(corpus, article_id: str) -> Article:
    from analysis.event_evaluation import SEED_ID, _seed_article

    if article_id == SEED_ID:
        return _seed_article()
    dates = corpus.articles.set_index("id")["date"]
    return Article(id=article_id, text=corpus.texts[article_id], meta={"date": dates.get(article_id)})


def fit_confidence_model(corpus=None, splits: tuple[str, ...] = TRAINING_SPLITS,
                         regularisation: float = REGULARISATION):
    """Fit :func:`build_confidence_model` on the extracted events of ``splits``."""
    from analysis.corpus import load_corpus

    corpus = corpus if corpus is not None else load_corpus()
    features, labels, _ = training_table(corpus, splits)
    return build_confidence_model(regularisation).fit(features, labels)


def load_confidence_model(path: str | Path | None = None):
    """The shipped confidence model (or the one at ``path``), loaded with skops."""
    from analysis.models.store import load_model

    path = Path(path) if path else MODEL_PATH
    if not path.is_file():
        raise InputError(f"{path}: no event confidence model; create it with "
                         "`python -m analysis train-event-confidence`")
    return load_model(path)


def explain_confidence(model, features: dict, top: int = 2) -> str:
    """The features that moved one event's probability most, signed: "+place given; -no date"."""
    vectorizer, classifier = model[0], model[-1]
    values = vectorizer.transform([features])[0] * classifier.coef_[0]
    order = np.argsort(-np.abs(values), kind="stable")[:top]
    parts = []
    for index in order:
        if values[index] == 0:
            continue
        name = vectorizer.feature_names_[index]
        parts.append(("+" if values[index] > 0 else "-") + FEATURE_NAMES.get(name, name))
    return "; ".join(parts)


def add_confidence(events: pd.DataFrame, article: Article, model=None) -> pd.DataFrame:
    """``events`` with two more columns: ``confidence`` (0-1) and ``confidence_why``.

    Parameters
    ----------
    events : DataFrame
        From :func:`analysis.events.extract_events` on ``article``.
    article : Article
        The article the events came from.
    model : optional
        A fitted confidence pipeline; the shipped model when None.
    """
    model = model if model is not None else load_confidence_model()
    table = events.copy()
    if not len(table):
        table["confidence"] = pd.Series(dtype=float)
        table["confidence_why"] = pd.Series(dtype=object)
        return table
    features = event_features(table, article)
    table["confidence"] = np.round(model.predict_proba(features)[:, 1], 3)
    table["confidence_why"] = [explain_confidence(model, row) for row in features]
    return table


def _calibration(labels: np.ndarray, probabilities: np.ndarray, bins: int = 5) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (probabilities >= low) & ((probabilities < high) if high < 1 else (probabilities <= high))
        if inside.any():
            rows.append({"bin": f"{low:.1f}-{high:.1f}", "events": int(inside.sum()),
                         "mean_confidence": round(float(probabilities[inside].mean()), 3),
                         "share_real": round(float(labels[inside].mean()), 3)})
    return rows


def _filtered_f1(labels: np.ndarray, probabilities: np.ndarray, gold_events: int,
                 thresholds=(0.0, 0.3, 0.5, 0.7)) -> list[dict]:
    """Event precision, recall and F1 when events below each threshold are dropped.

    A dropped event that matched a gold event becomes a miss; the pairing of the
    others is kept as it was (a dropped match could free its gold event for another
    prediction, which this ignores; it can only understate the gain from dropping).
    """
    rows = []
    for threshold in thresholds:
        kept = probabilities >= threshold
        tp = int((kept & (labels == 1)).sum())
        fp = int((kept & (labels == 0)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / gold_events if gold_events else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"min_confidence": threshold, "events_kept": int(kept.sum()), "precision": round(precision, 4),
                     "recall": round(recall, 4), "f1": round(f1, 4)})
    return rows


def _scores(labels: np.ndarray, probabilities: np.ndarray, gold_events: int) -> dict:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    base_rate = float(labels.mean())
    return {"events": int(len(labels)), "share_real": round(base_rate, 4),
            "roc_auc": round(float(roc_auc_score(labels, probabilities)), 4),
            "brier": round(float(brier_score_loss(labels, probabilities)), 4),
            "brier_of_base_rate": round(float(brier_score_loss(labels, np.full(len(labels), base_rate))), 4),
            "calibration": _calibration(labels, probabilities),
            "filtering": _filtered_f1(labels, probabilities, gold_events)}


def confidence_report(corpus=None, folds: int = 5, regularisation: float = REGULARISATION) -> dict:
    """Score the confidence model: grouped cross-validation on its training split, then the blind test half.

    Returns
    -------
    dict
        ``{"cross_validation": scores, "test": scores}``; scores hold ROC AUC, the
        Brier score beside that of always answering the base rate, a calibration
        table (mean confidence against the share of real events per bin) and the
        event precision, recall and F1 when the least confident events are dropped.
        Folds are whole articles, so no article is scored by a model trained on it.
    """
    from sklearn.model_selection import GroupKFold

    from analysis.corpus import load_corpus

    corpus = corpus if corpus is not None else load_corpus()
    features, labels, groups, gold_total = _table(corpus, TRAINING_SPLITS)
    out_of_fold = np.zeros(len(labels))
    for train, held in GroupKFold(n_splits=folds).split(features, labels, groups):
        model = build_confidence_model(regularisation).fit([features[i] for i in train], labels[train])
        out_of_fold[held] = model.predict_proba([features[i] for i in held])[:, 1]
    model = build_confidence_model(regularisation).fit(features, labels)
    test_features, test_labels, _, test_gold = _table(corpus, ("test",))
    test_probabilities = model.predict_proba(test_features)[:, 1]
    return {"cross_validation": {**_scores(labels, out_of_fold, gold_total), "folds": folds,
                                 "splits": list(TRAINING_SPLITS)},
            "test": _scores(test_labels, test_probabilities, test_gold)}
