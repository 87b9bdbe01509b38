"""How likely each extracted event is one an annotator would also record.

The extractor (:mod:`analysis.events`) finds about six in ten of the events an
annotator records on unseen articles, and about a third of what it reports is
not in the gold set (``docs/model-card.md``). This stage gives every event a
probability of being a real, annotated event, and the features that moved it
most away from an average event.

It is learned from the ``tune`` half of the held-out gold events only. The rules
were written on the ``dev`` articles (and changed four times after the tune
half was opened), so extracted events are right more often on dev than on
unseen text, and a model trained on dev is overconfident: see
:func:`confidence_report` with ``training_splits=("dev", "tune")``. The ``test``
half is never trained on; it was used once to compare nine training variants
before the choice was made on cross-validation within ``tune`` (the model card
says so), so it is not untouched for this model's selection.

An article without a date (a ``.txt`` without a ``.meta.json``, and no
``--date``) gets no confidence: the features lean on the paper's date, and the
shipped model scored on undated articles ranks events little better than chance
(the ``*_undated`` entries of :func:`confidence_report`).

The model is a plain scikit-learn pipeline (``DictVectorizer``, centring, then an
L2-penalised ``LogisticRegression``) over :func:`event_features`. It ships as plain
arrays (feature names, training mean, coefficients, intercept) in
``analysis/models/trained/event-confidence.npz`` and is scored with numpy alone
(:class:`ConfidenceModel`): loading the pipeline with skops imports scikit-learn,
which took most of the ``events`` cold start.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.articles import Article, with_date
from analysis.errors import InputError

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "trained" / "event-confidence.npz"
FORMAT = "war-passages-event-confidence/1"
#: The gold split the shipped model is trained on; ``test`` is never trained on.
TRAINING_SPLITS = ("tune",)
#: Inverse regularisation strength, chosen by grouped 5-fold cross-validation on ``tune``: Brier 0.187,
#: 0.180, 0.177 and 0.179 for C = 0.1, 0.3, 1 and 3
#: (``python -m analysis evaluate-event-confidence --regularisation C``).
REGULARISATION = 1.0
_FIELDS = ("place", "admin_region", "country", "weapon", "weapon_type", "attacker", "target", "killed", "wounded")
#: Every feature :func:`event_features` can give, in words for :func:`explain_confidence`.
FEATURE_NAMES = {
    **{f"has_{name}": f"{name.replace('_', ' ')} given" for name in _FIELDS},
    "kind=strike": "a strike", "kind=incursion": "an incursion",
    "attacker_inferred": "attacker inferred, not named", "date_from_paper": "dated by the paper's date",
    "date_unknown": "no date", "undated_paper": "the paper has no date",
    "geocoded": "place in the gazetteer", "days_old": "long before the paper's date",
    "same_day": "the paper's day or the day before", "events_in_paragraph": "many events in its paragraph",
    "rank_in_paragraph": "late in its paragraph", "paragraph_position": "late in the article",
    "place_told_earlier": "place already reported", "evidence_length": "long evidence span",
}


def _missing(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _date(value) -> date | None:
    if _missing(value) or not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def event_features(events: pd.DataFrame | list[dict], article: Article) -> list[dict]:
    """One feature dict per event, from its fields and its place among the article's events.

    Parameters
    ----------
    events : DataFrame or list of dict
        Rows of :func:`analysis.events.extract_events` for ``article``, in their
        order, with their ``evidence`` column (a table read back from CSV lacks it).
    article : Article
        The article they came from; its ``date`` dates them.
    """
    records = events.to_dict("records") if isinstance(events, pd.DataFrame) else list(events)
    missing = [name for name in ("kind", "paragraph", "start", "end", "evidence") if records and name not in records[0]]
    if missing:
        raise InputError(f"events lack {', '.join(missing)}: pass the table extract_events gives")
    paper_date = article.date
    features = []
    for number, event in enumerate(records):
        evidence = event.get("evidence") if isinstance(event.get("evidence"), dict) else {}
        row = {f"kind={event['kind']}": 1.0}
        for name in _FIELDS:
            row[f"has_{name}"] = float(not _missing(event.get(name)))
        row["attacker_inferred"] = float(str(evidence.get("attacker", "")).startswith("(inferred"))
        event_date = _date(event.get("date"))
        row["date_from_paper"] = float(event_date is not None and not evidence.get("date"))
        if paper_date is None:
            row["undated_paper"] = 1.0
        if event_date is None:
            row["date_unknown"] = 1.0
        elif paper_date is not None:
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
    """An unfitted pipeline from feature dicts to the probability that an event is real.

    Features are centred on the average training event, so that :func:`explain_confidence`
    measures each one against it; with an unpenalised intercept, centring leaves the
    coefficients and probabilities as they would be without it.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(DictVectorizer(sparse=False), StandardScaler(with_std=False),
                         LogisticRegression(C=regularisation, max_iter=5000))


def training_table(corpus=None, splits: tuple[str, ...] = TRAINING_SPLITS, views: tuple[bool, ...] = (True,)
                   ) -> tuple[list[dict], np.ndarray, list[str]]:
    """Features, labels (1: the event matches a gold event) and article ids of every extracted event.

    Events are extracted from sentences with the corpus' gold passage labels, so the
    labels measure extraction alone; at run time the passage model's labels are used.
    ``views`` says whether each article is read with its date (True; what the model
    is trained on), without it (False), or both.
    """
    table = _table(corpus, splits, views)
    return table["features"], table["labels"], table["groups"]


def _table(corpus, splits: tuple[str, ...], views: tuple[bool, ...]) -> dict:
    """:func:`training_table` as a dict, plus ``dated`` per event and ``gold`` (gold events, counted once)."""
    from analysis.corpus import load_corpus
    from analysis.events.evaluation import SPLITS, gold_articles, match_events
    from analysis.events.pipeline import extract_events

    bad = [split for split in splits if split not in SPLITS or split in ("all", "heldout")]
    if bad:
        raise InputError(f"unknown or overlapping split {bad[0]!r}; expected dev, tune or test")
    corpus = corpus if corpus is not None else load_corpus()
    table = {"features": [], "labels": [], "groups": [], "dated": [], "gold": 0}
    for split in splits:
        for article_id, article, sentences, gold in gold_articles(corpus, split, True):
            table["gold"] += len(gold)
            for dated in views:
                read = article if dated else with_date(article, None)
                predicted = extract_events(read, labelled=sentences).to_dict("records")
                matched = {i for i, _ in match_events(predicted, gold)}
                table["features"] += event_features(predicted, read)
                table["labels"] += [int(i in matched) for i in range(len(predicted))]
                table["groups"] += [article_id] * len(predicted)
                table["dated"] += [dated] * len(predicted)
    table["labels"] = np.array(table["labels"], dtype=int)
    table["dated"] = np.array(table["dated"], dtype=bool)
    return table


def fit_confidence_model(corpus=None):
    """The shipped model, fitted anew: :func:`train_confidence_model` without its card."""
    return train_confidence_model(corpus)[0]


def _check_trainable(labels: np.ndarray, groups: set[str], folds: int = 0) -> None:
    if len(np.unique(labels)) < 2:
        raise InputError("the training events are all real or all invented: nothing to learn a confidence from")
    if folds and len(groups) < folds:
        raise InputError(f"{len(groups)} training articles are too few for {folds}-fold cross-validation")


def train_confidence_model(corpus=None) -> tuple[object, dict]:
    """Fit the shipped model and describe it: ``(model, card)``; the card has no timings, so it reproduces."""
    import sklearn

    features, labels, groups = training_table(corpus, TRAINING_SPLITS)
    _check_trainable(labels, set(groups))
    model = build_confidence_model(REGULARISATION).fit(features, labels)
    card = {"model": "event-confidence", "training_splits": list(TRAINING_SPLITS),
            "trained_on": {"articles": len(set(groups)), "events": int(len(labels)),
                           "share_real": round(float(labels.mean()), 4)},
            "regularisation": REGULARISATION, "features": list(model[0].feature_names_),
            "scikit_learn": sklearn.__version__}
    return model, card


class ConfidenceModel:
    """A fitted :func:`build_confidence_model` pipeline as arrays, scored with numpy alone.

    Gives the same probabilities as the pipeline (to rounding, see
    ``tests/test_event_confidence.py``) without importing scikit-learn.

    Parameters
    ----------
    feature_names : sequence of str
        The vectoriser's columns, in order.
    mean, coef : array of shape (n_features,)
        The training events' mean (the centring) and the logistic regression's coefficients.
    intercept : float
    """

    def __init__(self, feature_names, mean, coef, intercept):
        self.feature_names_ = [str(name) for name in feature_names]
        self.mean_ = np.asarray(mean, dtype=np.float64)
        self.coef_ = np.asarray(coef, dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.asarray(intercept, dtype=np.float64).reshape(1)
        self._columns = {name: i for i, name in enumerate(self.feature_names_)}

    @classmethod
    def from_pipeline(cls, pipeline) -> ConfidenceModel:
        """The arrays of a fitted :func:`build_confidence_model` pipeline."""
        return cls(pipeline[0].feature_names_, pipeline[1].mean_, pipeline[-1].coef_[0], pipeline[-1].intercept_[0])

    def transform(self, features: list[dict]) -> np.ndarray:
        """Feature dicts -> centred rows, as the pipeline's vectoriser and centring give them."""
        matrix = np.zeros((len(features), len(self.feature_names_)))
        for row, values in enumerate(features):
            for name, value in values.items():
                column = self._columns.get(name)
                if column is not None:  # the vectoriser ignores features it was not fitted on
                    matrix[row, column] = value
        matrix -= self.mean_
        return matrix

    def proba_centred(self, centred: np.ndarray) -> np.ndarray:
        """Probability that each centred row is a real event, shape ``(n,)``."""
        from scipy.special import expit

        # The same products and sums as LogisticRegression.decision_function.
        return expit((centred @ self.coef_.T + self.intercept_).ravel())

    def predict_proba(self, features: list[dict]) -> np.ndarray:
        """Probability of (invented, real) for each feature dict, shape ``(n, 2)``."""
        real = self.proba_centred(self.transform(features))
        return np.column_stack([1 - real, real])


def _as_arrays(model) -> ConfidenceModel:
    return model if isinstance(model, ConfidenceModel) else ConfidenceModel.from_pipeline(model)


def save_confidence_model(model, path: str | Path) -> Path:
    """Write a fitted confidence pipeline (or :class:`ConfidenceModel`) to ``path`` as a ``.npz`` of arrays."""
    from analysis.models.arrays import write_npz

    model = _as_arrays(model)
    arrays = {"feature_names": np.array(model.feature_names_, dtype=str), "mean": model.mean_,
              "coef": model.coef_[0], "intercept": model.intercept_}
    return write_npz(arrays, {"format": FORMAT}, path)


_ARRAY_KINDS = {"feature_names": "U", "mean": "f", "coef": "f", "intercept": "f"}


def load_confidence_model(path: str | Path | None = None) -> ConfidenceModel:
    """The shipped confidence model (or the one at ``path``), loaded and checked.

    Reads the ``.npz`` arrays ``train-event-confidence`` writes, or a ``.skops`` file of
    the pipeline (what earlier releases wrote, loaded with skops); either way the result
    is a :class:`ConfidenceModel`. A file that is neither, or whose features are
    not those of :func:`event_features`, is refused with an :class:`InputError`.
    """
    path = Path(path) if path else MODEL_PATH
    if not path.is_file():
        raise InputError(f"{path}: no event confidence model; create it with "
                         "`python -m analysis train-event-confidence`")
    model = _as_arrays(_load_skops(path)) if path.suffix == ".skops" else _load_npz(path)
    if set(model.feature_names_) - set(FEATURE_NAMES):
        raise InputError(f"{path}: not an event confidence model (expected the model that "
                         "`python -m analysis train-event-confidence` writes)")
    return model


def _load_npz(path: Path) -> ConfidenceModel:
    from analysis.models.arrays import read_npz

    _, arrays = read_npz(path, FORMAT)
    if set(arrays) != set(_ARRAY_KINDS) or any(arrays[key].dtype.kind != kind or arrays[key].ndim != 1
                                               for key, kind in _ARRAY_KINDS.items()):
        raise InputError(f"{path}: the event confidence arrays are not {sorted(_ARRAY_KINDS)} of one dimension")
    width = len(arrays["feature_names"])
    if arrays["mean"].shape != (width,) or arrays["coef"].shape != (width,) or arrays["intercept"].shape != (1,):
        raise InputError(f"{path}: the event confidence arrays do not match its {width} features")
    return ConfidenceModel(arrays["feature_names"].tolist(), arrays["mean"], arrays["coef"], arrays["intercept"][0])


def _load_skops(path: Path):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from analysis.models.store import load_model

    model = load_model(path)
    shaped = isinstance(model, Pipeline) and isinstance(model[0], DictVectorizer) and isinstance(
        model[-1], LogisticRegression) and len(getattr(model[-1], "classes_", ())) == 2
    if not shaped or not hasattr(model[0], "feature_names_"):
        raise InputError(f"{path}: not an event confidence model (expected the pipeline that "
                         "`python -m analysis train-event-confidence` writes)")
    return model


#: How a numeric feature reads when it is above and below the average training event.
_NUMERIC = {
    "days_old": ("long before the paper's date", "near the paper's date"),
    "events_in_paragraph": ("many events in its paragraph", "alone in its paragraph"),
    "rank_in_paragraph": ("late in its paragraph", "first in its paragraph"),
    "paragraph_position": ("late in the article", "early in the article"),
    "evidence_length": ("long evidence span", "short evidence span"),
}


#: How a yes/no feature reads when it is absent.
_ABSENT = {
    "date_from_paper": "date read from the text", "attacker_inferred": "attacker named or unknown",
    "geocoded": "place not in the gazetteer", "same_day": "not the paper's day", "date_unknown": "dated",
    "place_told_earlier": "place new in the article", "undated_paper": "the paper has a date",
}


def _describe(name: str, above_average: bool) -> str:
    if name in _NUMERIC:
        return _NUMERIC[name][0 if above_average else 1]
    if above_average:
        return FEATURE_NAMES.get(name, name)
    if name.startswith("has_"):
        return f"no {name[4:].replace('_', ' ')}"
    return _ABSENT.get(name, f"not {FEATURE_NAMES.get(name, name)}")


def explain_confidence(model, features: dict, top: int = 2) -> str:
    """The features that moved one event's probability most from an average event.

    Returns signed phrases, strongest first: "+place given; -no weapon".
    """
    model = _as_arrays(model)
    return _reasons(model, model.transform([features])[0], top)


def _reasons(model: ConfidenceModel, centred: np.ndarray, top: int = 2) -> str:
    """:func:`explain_confidence` for one row already through the model's vectoriser and centring."""
    names = model.feature_names_
    contributions = centred * model.coef_[0]
    order = np.argsort(-np.abs(contributions), kind="stable")[:top]
    return "; ".join(("+" if contributions[i] > 0 else "-") + _describe(names[i], centred[i] > 0)
                     for i in order if abs(contributions[i]) > 1e-9)


def add_confidence(events: pd.DataFrame, article: Article, model=None) -> pd.DataFrame:
    """``events`` with two more columns: ``confidence`` (0-1) and ``confidence_why``.

    Undated articles get NaN and a warning (see the module docstring).

    Parameters
    ----------
    events : DataFrame
        From :func:`analysis.events.extract_events` on ``article``.
    article : Article
        The article the events came from.
    model : optional
        A fitted confidence pipeline or :class:`ConfidenceModel`; the shipped model when None.
    """
    model = _as_arrays(model if model is not None else load_confidence_model())
    table = events.copy()
    if not len(table):
        table["confidence"] = pd.Series(dtype=float)
        table["confidence_why"] = pd.Series(dtype=object)
        return table
    if article.date is None:
        import warnings

        warnings.warn(f"{article.id}: the article has no date, so its events get no confidence "
                      "(give one with --date or a .meta.json file)", UserWarning, stacklevel=2)
        table["confidence"] = np.nan
        table["confidence_why"] = "no paper date"
        return table
    centred = model.transform(event_features(table, article))
    table["confidence"] = np.round(model.proba_centred(centred), 3)
    table["confidence_why"] = [_reasons(model, row) for row in centred]
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


def confidence_report(corpus=None, folds: int = 5, regularisation: float = REGULARISATION,
                      training_splits: tuple[str, ...] = TRAINING_SPLITS) -> dict:
    """Score the confidence model: grouped cross-validation on its training articles, then the test half.

    Parameters
    ----------
    corpus : Corpus, optional
    folds : int
        Cross-validation folds over the articles of ``tune`` (or of the first
        training split without it); folds are whole articles, so no article is
        scored by a model trained on it. Articles of the other training splits are
        always in training, so figures for different ``training_splits`` are
        scored on the same articles.
    regularisation, training_splits
        The model to score (default: the shipped settings).

    Returns
    -------
    dict
        ``{"cross_validation": scores, "test": scores}`` for dated articles and
        ``"cross_validation_undated"``, ``"test_undated"`` for the same articles
        read without their date (scored with the same models, which are trained on
        dated articles only; the shipped code gives undated articles no confidence).
        Scores hold ROC AUC, the Brier score beside that of always answering the
        base rate, a calibration table (mean confidence against the share of real
        events per bin) and the event precision, recall and F1 when the least
        confident events are dropped.
    """
    from sklearn.model_selection import GroupKFold

    from analysis.corpus import load_corpus

    corpus = corpus if corpus is not None else load_corpus()
    scored_split = "tune" if "tune" in training_splits else training_splits[0]
    own = _table(corpus, (scored_split,), (True, False))
    others = tuple(split for split in training_splits if split != scored_split)
    other = _table(corpus, others, (True,)) if others else {"features": [], "labels": np.array([], dtype=int)}
    groups = np.array(own["groups"])
    articles = sorted(set(own["groups"]))
    _check_trainable(own["labels"], set(articles), folds)
    out_of_fold = np.zeros(len(own["labels"]))
    for _, held in GroupKFold(n_splits=folds).split(articles, groups=articles):
        held_rows = np.isin(groups, [articles[i] for i in held])
        train_rows = np.flatnonzero(~held_rows & own["dated"])  # trained on dated articles only, as shipped
        model = build_confidence_model(regularisation).fit(
            other["features"] + [own["features"][i] for i in train_rows],
            np.concatenate([other["labels"], own["labels"][train_rows]]))
        out_of_fold[held_rows] = model.predict_proba([own["features"][i] for i in np.flatnonzero(held_rows)])[:, 1]
    dated_rows = np.flatnonzero(own["dated"])
    model = build_confidence_model(regularisation).fit(other["features"] + [own["features"][i] for i in dated_rows],
                                                        np.concatenate([other["labels"], own["labels"][dated_rows]]))
    test = _table(corpus, ("test",), (True, False))
    test_probabilities = model.predict_proba(test["features"])[:, 1]
    report = {}
    for dated, suffix in ((True, ""), (False, "_undated")):
        rows = own["dated"] == dated
        report["cross_validation" + suffix] = {
            **_scores(own["labels"][rows], out_of_fold[rows], own["gold"]), "folds": folds,
            "scored_split": scored_split, "training_splits": list(training_splits), "regularisation": regularisation}
        rows = test["dated"] == dated
        report["test" + suffix] = _scores(test["labels"][rows], test_probabilities[rows], test["gold"])
    return report
