"""Models of the user's own labels: read a labelled file, check it, cross-validate, fit and save.

A labelled file is a CSV, JSONL or Parquet table with ``text`` and ``labels`` (names joined by
``;``, empty = none of them), and optionally ``id`` and ``article``. Cross-validation keeps each
article in one fold (or each passage, when there is no ``article`` column); the decision threshold
of every label is chosen on out-of-fold scores inside the training part only, so the reported
figures come from passages the model did not see.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

KINDS = ("tfidf", "embed", "ensemble")
DEFAULT_KIND = "ensemble"
FOLDS = 5
MIN_POSITIVES = 5
MIN_GROUPS = 3


@dataclass
class LabelledSet:
    """Checked training data: texts, the 0/1 matrix of ``labels`` and the cross-validation groups."""

    texts: list[str]
    y: np.ndarray
    labels: tuple[str, ...]
    groups: np.ndarray
    grouped_by: str
    source: str

    @property
    def folds(self) -> int:
        """Cross-validation folds: five, or one per group when there are fewer groups."""
        return min(FOLDS, len(np.unique(self.groups)))


def split_labels(value) -> list[str]:
    """The label names of one cell: ``"a; b"`` -> ``["a", "b"]``; empty or missing -> ``[]``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def read_labelled(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a labelled file into ``text``, ``labels`` (lists) and, when given, ``id`` and ``article``."""
    from analysis.articles import PASSAGE_SUFFIXES, read_table

    path = Path(path)
    if path.suffix.lower() not in PASSAGE_SUFFIXES:
        raise InputError(f"{path}: expected a .csv, .jsonl or .parquet file of labelled passages")
    frame = read_table(path, encoding, required=("text", "labels"))
    out = pd.DataFrame({"text": frame["text"].astype("string").fillna("").astype(str).to_numpy()})
    out["labels"] = [split_labels(value) for value in frame["labels"]]
    for column in ("id", "article"):
        if column in frame.columns:
            out[column] = frame[column].astype("string").fillna("").astype(str).str.strip().to_numpy()
    return out


def _check_names(names: set[str], source: str) -> tuple[str, ...]:
    for name in sorted(names):
        if not name.isidentifier() or keyword.iskeyword(name):
            raise InputError(f"{source}: label name {name!r} is not a valid identifier "
                             "(letters, digits and _, not starting with a digit); rename it")
        if name == "other":
            raise InputError(f"{source}: 'other' means no label; leave the labels cell empty instead")
    if len(names) < 2:
        found = f"only one label, {next(iter(names))!r}" if names else "no labels at all"
        raise InputError(f"{source}: {found}; give at least two labels (a passage with none is 'other')")
    return tuple(sorted(names))


def _groups(frame: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Cross-validation groups: the article (a row without one is its own group), else the row."""
    rows = np.array([f"row {i + 1}" for i in range(len(frame))], dtype=object)
    if "article" not in frame.columns:
        return rows, "row"
    articles = frame["article"].to_numpy(dtype=object)
    return np.where(articles == "", rows, articles), "article"


def _check_duplicates(texts: list[str], groups: np.ndarray, grouped_by: str, source: str) -> None:
    seen: dict[str, int] = {}
    for row, text in enumerate(texts):
        key = re.sub(r"\s+", " ", text).strip().casefold()
        first = seen.setdefault(key, row)
        if first != row and groups[first] != groups[row]:
            where = (f"articles {groups[first]!r} and {groups[row]!r}" if grouped_by == "article"
                     else "different folds (no article column: each row is its own group)")
            raise InputError(f"{source}: rows {first + 1} and {row + 1} have the same text but are in {where}, "
                             "so cross-validation would test on a training passage; drop one"
                             + (" or give both the same article" if grouped_by == "article" else ""))


def check_labelled(frame: pd.DataFrame, source: str = "labels") -> LabelledSet:
    """Check a table from :func:`read_labelled` and turn it into a :class:`LabelledSet`.

    Raises
    ------
    InputError
        Empty texts; label names that are not identifiers; fewer than two labels; a label
        with fewer than :data:`MIN_POSITIVES` passages with it (or without it); too few
        articles for cross-validation; the same text in two cross-validation groups.
    """
    for column in ("text", "labels"):
        if column not in frame.columns:
            raise InputError(f"{source}: no {column!r} column")
    frame = frame.reset_index(drop=True)
    texts = [str(t) for t in frame["text"]]
    empty = [i + 1 for i, t in enumerate(texts) if not t.strip()]
    if empty:
        raise InputError(f"{source}: empty text in row {empty[0]}" + (f" and {len(empty) - 1} more" if len(empty) > 1
                                                                       else ""))
    rows = [split_labels(value) for value in frame["labels"]]
    labels = _check_names({name for row in rows for name in row}, source)
    y = np.array([[int(label in row) for label in labels] for row in rows], dtype=int).reshape(len(rows), -1)
    positives, negatives = y.sum(axis=0), len(y) - y.sum(axis=0)
    few = [f"{label} ({n})" for label, n in zip(labels, positives) if n < MIN_POSITIVES]
    if few:
        raise InputError(f"{source}: each label needs at least {MIN_POSITIVES} passages with it; too few for "
                         + ", ".join(few))
    common = [f"{label} ({n})" for label, n in zip(labels, negatives) if n < MIN_POSITIVES]
    if common:
        raise InputError(f"{source}: each label needs at least {MIN_POSITIVES} passages without it; too few for "
                         + ", ".join(common))
    groups, grouped_by = _groups(frame)
    if len(set(groups)) < MIN_GROUPS:
        raise InputError(f"{source}: cross-validation by article needs at least {MIN_GROUPS} articles, found "
                         f"{len(set(groups))}; add articles or drop the article column to split by passage")
    for j, label in enumerate(labels):
        for value, name in ((1, "with"), (0, "without")):
            spread = set(groups[y[:, j] == value])
            if len(spread) < 2:
                raise InputError(f"{source}: every passage {name} label {label!r} is in article "
                                 f"{next(iter(spread))!r}; cross-validation needs them in at least two articles")
    _check_duplicates(texts, groups, grouped_by, source)
    return LabelledSet(texts, y, labels, groups, grouped_by, source)


def build_user_model(kind: str, labels, cv: int = FOLDS):
    """A new, unfitted model of ``kind`` (tfidf, embed or ensemble) for ``labels``."""
    from sklearn.linear_model import LogisticRegression

    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.text import MultiLabelTextModel, embedding_lexicon_model, embedding_model, tfidf_features

    labels = list(labels)
    if kind == "tfidf":
        return MultiLabelTextModel(features=tfidf_features(), classifier=LogisticRegression(C=10, max_iter=2000),
                                   cv=cv, labels=labels)
    if kind == "embed":
        return embedding_model().set_params(cv=cv, labels=labels)
    if kind == "ensemble":
        tfidf = MultiLabelTextModel(features=tfidf_features(), classifier=LogisticRegression(C=10, max_iter=2000),
                                    cv=cv)
        return MeanEnsemble([tfidf, embedding_lexicon_model().set_params(cv=cv)], labels=labels)
    raise InputError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")


def fit_user_model(texts, y, labels, groups, kind: str = DEFAULT_KIND):
    """Fit a model of ``kind``; thresholds from cross-validation grouped by ``groups``."""
    groups = np.asarray(groups)
    model = build_user_model(kind, labels, cv=min(FOLDS, len(np.unique(groups))))
    return model.fit(list(texts), np.asarray(y), groups=groups)


def scores_report(y_true: np.ndarray, y_pred: np.ndarray, labels) -> dict:
    """Macro-F1 and per-label precision, recall, F1 and support."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(y_true, y_pred, average="macro", zero_division=0)), 4),
        "labels": {label: {"precision": round(float(precision[j]), 4), "recall": round(float(recall[j]), 4),
                           "f1": round(float(f1[j]), 4), "support": int(support[j])}
                   for j, label in enumerate(labels)},
    }


def cross_validate(data: LabelledSet, kind: str = DEFAULT_KIND) -> dict:
    """Grouped cross-validation: each fold is labelled by a model fitted (thresholds too) without it."""
    from sklearn.model_selection import GroupKFold

    predicted = np.zeros_like(data.y)
    folds = []
    for train, test in GroupKFold(n_splits=data.folds).split(data.texts, groups=data.groups):
        model = fit_user_model([data.texts[i] for i in train], data.y[train], data.labels, data.groups[train], kind)
        predicted[test] = model.predict([data.texts[i] for i in test])
        fold = scores_report(data.y[test], predicted[test], data.labels)
        folds.append({"passages": int(len(test)), "groups": int(len(set(data.groups[test]))),
                      "macro_f1": fold["macro_f1"]})
    report = {"folds": data.folds, "grouped_by": data.grouped_by, **scores_report(data.y, predicted, data.labels),
              "per_fold": folds}
    return report


def zero_shot(data: LabelledSet, topics: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Scores and 0/1 labels of ``data`` from topic descriptions alone, one column per label of ``data``."""
    from analysis.models.zeroshot import ZeroShotClassifier

    if set(topics) != set(data.labels):
        raise InputError(f"describe exactly the labels {', '.join(data.labels)}; got {', '.join(topics) or 'none'}")
    model = ZeroShotClassifier(topics={label: topics[label] for label in data.labels}).fit([])
    scores = model.predict_proba(data.texts)
    return scores, (scores >= model.thresholds_).astype(int)


def embeddings_once():
    """Context: embeddings computed once per text (backed by the corpus cache when present)."""
    from analysis.evaluate import EMBEDDING_CACHE
    from analysis.models.embed import embedding_cache

    return embedding_cache(EMBEDDING_CACHE if EMBEDDING_CACHE.is_file() else None)


def train_user_model(labelled, kind: str = DEFAULT_KIND, source: str | None = None) -> tuple[object, dict]:
    """Cross-validate, then fit on every passage, a model of the user's labels.

    Parameters
    ----------
    labelled : str, Path or DataFrame
        A labelled file (see :func:`read_labelled`) or a table with ``text`` and ``labels``.
    kind : {"tfidf", "embed", "ensemble"}
    source : str, optional
        Names the data in error messages and the card.

    Returns
    -------
    model, dict
        The fitted model (its ``classes_`` are the labels) and its card: labels, counts,
        cross-validated macro-F1 and per-label precision / recall / F1, folds and thresholds.
    """
    import sklearn

    from analysis.training import _drop_training_leftovers

    if kind not in KINDS:
        raise InputError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")
    if isinstance(labelled, pd.DataFrame):
        frame, source = labelled, source or "labels"
    else:
        frame, source = read_labelled(labelled), source or Path(labelled).name
    data = check_labelled(frame, source)
    with embeddings_once():
        report = cross_validate(data, kind)
        model = fit_user_model(data.texts, data.y, data.labels, data.groups, kind)
    _drop_training_leftovers(model)
    card = {
        "model": kind,
        "labels": list(data.labels),
        "trained_on": {"file": source, "passages": len(data.texts),
                       "articles": int(len(set(data.groups))) if data.grouped_by == "article" else None},
        "counts": {**{label: int(n) for label, n in zip(data.labels, data.y.sum(axis=0))},
                   "none": int((data.y.sum(axis=1) == 0).sum())},
        "cross_validation": report,
        "thresholds": {label: round(float(t), 4) for label, t in zip(data.labels, model.thresholds_)},
        "scikit_learn": sklearn.__version__,
    }
    return model, card


def card_path(model_path: str | Path) -> Path:
    """The JSON card beside a model file."""
    return Path(model_path).with_suffix(".json")


def check_output(path: str | Path, force: bool = False) -> Path:
    """Refuse a model path that is not ``.skops``, or that exists (with its card) without ``force``."""
    from analysis.files import check_writable

    path = Path(path)
    if path.suffix != ".skops":
        raise InputError(f"{path}: the model file name must end in .skops")
    check_writable(path, force)
    check_writable(card_path(path), force)
    return path


def save_user_model(model, card: dict, path: str | Path, force: bool = False) -> Path:
    """Write the model with skops and its card as JSON beside it."""
    from analysis.files import write_text_atomic
    from analysis.models.store import save_model

    path = check_output(path, force)
    save_model(model, path)
    write_text_atomic(json.dumps(card, indent=2) + "\n", card_path(path))
    return path


def card_summary(card: dict) -> str:
    """The card's figures as lines for the terminal."""
    cv = card["cross_validation"]
    trained = card["trained_on"]
    where = f"{trained['articles']} articles" if trained["articles"] else "passages, no article column"
    lines = [f"{card['model']} model of {', '.join(card['labels'])}: {trained['passages']} passages ({where})",
             f"cross-validated macro-F1 {cv['macro_f1']:.3f} ({cv['folds']} folds grouped by {cv['grouped_by']}; "
             "fold macro-F1 " + ", ".join(f"{fold['macro_f1']:.3f}" for fold in cv["per_fold"]) + ")",
             f"{'label':<20} {'passages':>8} {'precision':>9} {'recall':>7} {'F1':>6} {'threshold':>9}"]
    for label in card["labels"]:
        scores = cv["labels"][label]
        lines.append(f"{label:<20} {card['counts'][label]:>8} {scores['precision']:>9.3f} {scores['recall']:>7.3f} "
                     f"{scores['f1']:>6.3f} {card['thresholds'][label]:>9.3f}")
    lines.append(f"{'(none)':<20} {card['counts']['none']:>8}")
    return "\n".join(lines)


def is_user_model(model) -> bool:
    """Whether ``model`` was trained on a user's own labels (a bare multi-label model, not a shipped one)."""
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.text import MultiLabelTextModel

    return isinstance(model, (MultiLabelTextModel, MeanEnsemble)) and hasattr(model, "classes_")
