"""Which second stage reads a paragraph's article best (issue 14): variants on the same base scores.

The base ensemble (TF-IDF + embeddings with lexicon cues) is fitted once per fold of each
protocol (the test split, leave-writer-out, leave-theatres-out) and its members' out-of-fold
scores on the training part and scores on the held-out part are cached; every second-stage
variant is then fitted on the cached scores, thresholds chosen on grouped out-of-fold scores of
the training part only, exactly as :class:`~analysis.models.context.ArticleContextModel` does.
Paragraph level. Every figure is on text written here: a ceiling, not a measure on real journalism.

    python scripts/stage_experiments.py      # about 15 min on 2 cores, most of it fitting the base folds
    python scripts/stage_experiments.py --variants "linear (C 1);second degree (C 3)"
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.corpus import label_matrix, load_corpus  # noqa: E402
from analysis.evaluate import EMBEDDING_CACHE, GROUPED_PROTOCOLS, metrics  # noqa: E402
from analysis.models.inputs import LOGIT_BOUND, article_context  # noqa: E402
from analysis.models.text import best_threshold  # noqa: E402

PROTOCOLS = ("test", "lwo", "lto")


def base_folds(protocols=PROTOCOLS) -> dict:
    """Members' scores per fold: out-of-fold on the training part, fitted-model scores on the held-out part."""
    from analysis.models.embed import embedding_cache
    from analysis.models.ensemble import MeanEnsemble

    passages = load_corpus().passages("paragraph").reset_index(drop=True)
    y = label_matrix(passages)
    folds = []
    for protocol in protocols:
        if protocol == "test":
            folds.append((protocol, "test", (passages["split"] == "train").to_numpy()))
            continue
        column = GROUPED_PROTOCOLS[protocol]
        folds += [(protocol, group, (passages[column] != group).to_numpy())
                  for group in sorted(passages[column].unique())]
    result = {"passages": passages[["article", "index", "text"]], "y": y, "folds": []}
    with embedding_cache(EMBEDDING_CACHE):
        for protocol, group, train in folds:
            started = time.perf_counter()
            part = passages[train]
            ensemble = MeanEnsemble().fit(part["text"].tolist(), y[train], groups=part["article"].to_numpy())
            held = passages[~train]["text"].tolist()
            result["folds"].append({"protocol": protocol, "group": group, "train": train,
                                    "oof": [m.oof_scores_ for m in ensemble.estimators_],
                                    "held": [m.predict_proba(held) for m in ensemble.estimators_]})
            print(f"base scores {protocol} {group}: {time.perf_counter() - started:.0f} s", flush=True)
    return result


def _mean_context(members, passages):
    return article_context(np.mean(members, axis=0), passages["article"].to_numpy(), passages["index"].to_numpy())


def _members_context(members, passages):
    return article_context(np.hstack(members), passages["article"].to_numpy(), passages["index"].to_numpy())


def _own_times_max(members, passages):
    features = _mean_context(members, passages)
    own, maxima = 1 / (1 + np.exp(-features[:, :3])), 1 / (1 + np.exp(-features[:, 6:9]))
    products = (own[:, :, None] * maxima[:, None, :]).reshape(len(features), -1)
    return np.hstack([features, products])


def _unit(members, passages):
    return _mean_context(members, passages) / LOGIT_BOUND


def variants() -> dict:
    """name -> (features of the members' scores, new second-stage classifier); None: no second stage."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    def linear(C):
        return lambda: LogisticRegression(C=C, max_iter=2000)

    def second_degree(C, standardise=False):
        steps = ([StandardScaler()] if standardise else []) + [PolynomialFeatures(2, include_bias=False)]
        return lambda: make_pipeline(*steps, LogisticRegression(C=C, max_iter=5000))

    table = {"no second stage (mean ensemble)": None}
    table.update({f"linear (C {C:g})": (_mean_context, linear(C)) for C in (0.1, 0.3, 1.0, 3.0)})
    table["linear, members' scores apart"] = (_members_context, linear(1.0))
    table["linear, own x article maximum"] = (_own_times_max, linear(1.0))
    table["gradient boosting"] = (_mean_context, lambda: HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=0))
    table.update({f"second degree, standardised (C {C:g})": (_mean_context, second_degree(C, True))
                  for C in (0.01, 0.02, 0.1)})
    table.update({f"second degree (C {C:g})": (_unit, second_degree(C)) for C in (0.3, 1.0, 3.0, 10.0)})
    return table


def score(data: dict, variant) -> dict:
    """Pooled macro-F1 and per-label F1 of one variant on every protocol."""
    from sklearn.model_selection import GroupKFold, cross_val_predict

    passages, y = data["passages"], data["y"]
    pooled: dict = {}
    for fold in data["folds"]:
        train = fold["train"]
        truth = y[~train]
        if variant is None:
            oof, held = np.mean(fold["oof"], axis=0), np.mean(fold["held"], axis=0)
            thresholds = np.array([best_threshold(y[train][:, j], oof[:, j]) for j in range(y.shape[1])])
            predicted = (held >= thresholds).astype(int)
        else:
            featurise, stage = variant
            train_features = featurise(fold["oof"], passages[train])
            held_features = featurise(fold["held"], passages[~train])
            groups = passages.loc[train, "article"].to_numpy()
            predicted = np.zeros_like(truth)
            for j in range(y.shape[1]):
                fitted = stage().fit(train_features, y[train][:, j])
                oof = cross_val_predict(stage(), train_features, y[train][:, j], groups=groups, cv=GroupKFold(5),
                                        method="predict_proba")[:, 1]
                predicted[:, j] = fitted.predict_proba(held_features)[:, 1] >= best_threshold(y[train][:, j], oof)
        pooled.setdefault(fold["protocol"], []).append((truth, predicted))
    result = {}
    for protocol, parts in pooled.items():
        result[protocol] = metrics(np.vstack([t for t, _ in parts]), np.vstack([p for _, p in parts]))
    return result


def _f1s(result: dict) -> list[str]:
    return [f"{label['f1']:.3f}" for label in result["labels"].values()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=None, help="variant names separated by ; (default: all)")
    args = parser.parse_args()
    data = base_folds()
    table = variants()
    for name in (args.variants.split(";") if args.variants else table):
        result = score(data, table[name])
        cells = "  ".join(f"{protocol} {r['macro_f1']:.3f} ({' / '.join(_f1s(r))})" for protocol, r in result.items())
        print(f"{name:42s} {cells}", flush=True)


if __name__ == "__main__":
    main()
