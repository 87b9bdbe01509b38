"""Active learning: which passages to label next, and how fast labels pay off.

The model is least sure of a passage when a label's score sits at its decision threshold.
Picks are spread out: a candidate close in wording to one already picked (TF-IDF cosine)
loses priority, and a near-duplicate is not picked at all while other candidates remain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import InputError

NEAR_DUPLICATE = 0.8
DIVERSITY = 0.3
START_EXAMPLES = 3


def uncertainty(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per passage, 1 at a label's threshold falling to 0 at a score of 0 or 1 (the least sure label)."""
    scores, thresholds = np.asarray(scores, dtype=float), np.asarray(thresholds, dtype=float)
    room = np.where(scores >= thresholds, 1.0 - thresholds, thresholds)
    closeness = 1.0 - np.abs(scores - thresholds) / np.maximum(room, 1e-9)
    return np.clip(closeness, 0.0, 1.0).max(axis=1) if closeness.size else np.zeros(len(scores))


def _similarity_space(texts: list[str]):
    """L2-normalised word TF-IDF of the pool, for the cosine between candidates."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode").fit_transform(texts)
    except ValueError:  # no words at all (numbers, punctuation)
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1))


def diverse_order(priority: np.ndarray, texts: list[str], n: int, diversity: float = DIVERSITY) -> list[int]:
    """Greedy picks by ``priority`` minus ``diversity`` x the cosine to the closest pick so far.

    Candidates at least :data:`NEAR_DUPLICATE` similar to a pick wait until nothing else is left.
    """
    n = min(n, len(texts))
    candidates = np.argsort(-priority, kind="stable")[: max(10 * n, 500)]
    vectors = _similarity_space([texts[i] for i in candidates])
    closest = np.zeros(len(candidates))
    open_ = np.ones(len(candidates), dtype=bool)
    picked: list[int] = []
    while len(picked) < n and open_.any():
        value = priority[candidates] - diversity * closest
        fresh = open_ & (closest < NEAR_DUPLICATE)
        value[~(fresh if fresh.any() else open_)] = -np.inf
        best = int(np.argmax(value))
        picked.append(int(candidates[best]))
        open_[best] = False
        closest = np.maximum(closest, (vectors @ vectors[best].T).toarray().ravel())
    return picked


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def suggest_passages(model, pool: pd.DataFrame, n: int = 20, exclude=(), diversity: float = DIVERSITY) -> pd.DataFrame:
    """The ``n`` passages of ``pool`` whose labels ``model`` is least sure of, spread out in wording.

    Parameters
    ----------
    model
        A model trained on the user's labels (:func:`analysis.userlabels.train_user_model`).
    pool : DataFrame
        Passages with a ``text`` column (``id`` and ``article`` are kept).
    n : int
        How many to suggest.
    exclude : iterable of str
        Texts already labelled; they are never suggested.
    diversity : float
        Weight of the similarity penalty (0 = pure uncertainty sampling).

    Returns
    -------
    DataFrame
        In the order picked: ``[id,] article, index, text``, an empty ``labels`` column to fill
        in, the model's ``guess``, its ``uncertainty`` and one ``score_<label>`` per label.
    """
    from analysis.labelling import model_labels, score_columns, scores_and_thresholds
    from analysis.userlabels import is_user_model

    if not is_user_model(model):
        raise InputError("suggest needs a model trained on your own labels "
                         "(python -m analysis train --labels FILE -o MODEL.skops), not a shipped model")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of passages to suggest must be a whole number of at least 1, not {n!r}")
    if pool is None or len(pool) == 0:
        raise InputError("the pool has no passages to suggest from")
    skip = {_key(text) for text in exclude}
    pool = pool.reset_index(drop=True)
    keep = np.array([_key(text) not in skip and bool(str(text).strip()) for text in pool["text"]], dtype=bool)
    pool = pool[keep].reset_index(drop=True)
    if pool.empty:
        raise InputError("every passage of the pool is empty or already labelled")
    labels = model_labels(model)
    scores, thresholds = scores_and_thresholds(model, pool)
    unsure = uncertainty(scores, thresholds)
    order = diverse_order(unsure, pool["text"].astype(str).tolist(), int(n), diversity)
    columns = [c for c in ("id", "article", "index") if c in pool.columns]
    out = pool.loc[order, columns + ["text"]].reset_index(drop=True)
    out["labels"] = ""
    chosen = scores[order] >= thresholds[order]
    out["guess"] = [";".join(label for label, on in zip(labels, row) if on) for row in chosen]
    out["uncertainty"] = unsure[order].round(4)
    for column, values in zip(score_columns(labels), scores[order].T):
        out[column] = values.round(4)
    return out


def first_passages(pool, y: np.ndarray, ranking: np.ndarray | None = None, rng=None) -> list[int]:
    """First passages to label: down each label's ranking in turn until every label has
    :data:`START_EXAMPLES` passages with it and without it (random order without a ranking).

    ``pool`` are row numbers into ``y`` (the labels, known in a simulation) and ``ranking``
    (scores, e.g. zero-shot, one column per label).
    """
    pool = np.asarray(pool)
    rng = rng if rng is not None else np.random.default_rng(0)
    orders = ([pool[np.argsort(-ranking[pool, j], kind="stable")] for j in range(y.shape[1])]
              if ranking is not None else [rng.permutation(pool)])
    picked: list[int] = []
    seen: set[int] = set()
    positions = [0] * len(orders)

    def enough() -> bool:
        counts = y[picked].sum(axis=0) if picked else np.zeros(y.shape[1])
        return bool((counts >= START_EXAMPLES).all() and (len(picked) - counts >= START_EXAMPLES).all())

    while not enough() and len(seen) < len(pool):
        for k, order in enumerate(orders):
            while positions[k] < len(order) and order[positions[k]] in seen:
                positions[k] += 1
            if positions[k] < len(order):
                seen.add(int(order[positions[k]]))
                picked.append(int(order[positions[k]]))
    return picked


def labelling_curve(data, sizes, strategy: str = "active", ranking: np.ndarray | None = None,
                    kind: str = "tfidf", seed: int = 0) -> pd.DataFrame:
    """Cross-validated macro-F1 against the number of passages labelled, simulated with known labels.

    In each grouped fold of ``data`` (a :class:`analysis.userlabels.LabelledSet`) the training
    part is the pool: labelling starts from the top of ``ranking`` (e.g. zero-shot scores, one
    column per label), then adds the passages ``strategy`` picks (``"active"``: the model's least
    sure, :func:`suggest_passages`; ``"random"``) until each size is reached; the model fitted on
    the labelled passages labels the held-out fold. At the full pool the figure is the usual
    cross-validated macro-F1.

    Returns
    -------
    DataFrame
        ``strategy``, ``labelled`` and ``macro_f1`` (predictions pooled over the folds).
    """
    from sklearn.model_selection import GroupKFold

    from analysis.userlabels import scores_report

    if strategy not in ("active", "random"):
        raise InputError(f"unknown strategy {strategy!r}; expected active or random")
    rng = np.random.default_rng(seed)
    texts = np.array(data.texts, dtype=object)
    sizes = sorted(set(int(s) for s in sizes))
    predicted = {size: np.zeros_like(data.y) for size in sizes}
    counts = {size: [] for size in sizes}
    for train, test in GroupKFold(n_splits=data.folds).split(data.texts, groups=data.groups):
        labelled = first_passages(train, data.y, ranking, rng)
        for size in sizes:
            wanted = min(size, len(train)) - len(labelled)
            rest = np.setdiff1d(train, labelled)
            if wanted > 0 and strategy == "random":
                labelled += [int(i) for i in rng.permutation(rest)[:wanted]]
            elif wanted > 0:
                model = fit_on_rows(data, labelled, kind)
                picks = suggest_passages(model, pd.DataFrame({"index": rest, "text": texts[rest]}), wanted)
                labelled += [int(i) for i in picks["index"]]
            counts[size].append(len(labelled) if len(labelled) <= size else None)
            model = fit_on_rows(data, labelled, kind)
            predicted[size][test] = model.predict(list(texts[test]))
    rows = []
    for size in sizes:
        if None in counts[size]:
            continue  # the first passages alone are more than this
        report = scores_report(data.y, predicted[size], data.labels)
        rows.append({"strategy": strategy, "labelled": int(round(np.mean(counts[size]))),
                     "macro_f1": report["macro_f1"]})
    return pd.DataFrame(rows)


def fit_on_rows(data, rows, kind: str = "tfidf"):
    """A model of ``kind`` fitted on the passages ``rows`` of ``data`` (thresholds by grouped CV
    among them; by passage when they come from a single article)."""
    from analysis.userlabels import fit_user_model

    rows = list(rows)
    groups = data.groups[rows]
    if len(set(groups)) < 2:
        groups = np.arange(len(rows))
    return fit_user_model([data.texts[i] for i in rows], data.y[rows], data.labels, groups, kind)


def passages_to_reach(curve: pd.DataFrame, target: float) -> int | None:
    """The fewest labelled passages whose macro-F1 reaches ``target`` (None if none does)."""
    hits = curve.loc[curve["macro_f1"] >= target, "labelled"]
    return int(hits.min()) if len(hits) else None
