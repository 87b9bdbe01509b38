"""Which paragraph model transfers best to writers it has not seen (issue 14).

Scores model variants on leave-writer-out (the protocol models are chosen by),
leave-theatres-out and the test split, at paragraph level, and writes
``docs/results/transfer.json``. Every figure is on text written here: a ceiling,
not a measure on real journalism.

    python scripts/transfer_experiments.py [--variants a,b] [--protocols lwo,lto,test]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.corpus import label_matrix, load_corpus  # noqa: E402
from analysis.evaluate import (  # noqa: E402
    EMBEDDING_CACHE,
    GROUPED_PROTOCOLS,
    fit_model,
    grouped_metrics,
    metrics,
    predict,
)

OUT = ROOT / "docs" / "results" / "transfer.json"


def _tfidf(**params):
    """The shipped paragraph TF-IDF model with some settings changed (``features__min_df=5``, ...)."""
    from analysis.models.text import tfidf_model

    return tfidf_model().set_params(**params)


def _ensemble(members, weights=None):
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.levels import LevelModel

    return lambda: LevelModel(paragraph=MeanEnsemble(members(), weights=weights))


def _in_article(members, C=1.0):
    from analysis.models.context import ArticleContextModel
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.levels import LevelModel

    return lambda: LevelModel(paragraph=ArticleContextModel(MeanEnsemble(members()), C=C))


def with_neighbours(passages):
    """Paragraphs as context-reading rows: ``context`` holds the paragraphs before and after.

    The level-aware model then scores them with its context model, as it scores sentences
    with their paragraph; an incursion reaction ("Tallinn asked for consultations") often
    names its violation only in the paragraph before.
    """
    passages = passages.sort_values(["article", "index"]).reset_index(drop=True)
    by_article = passages.groupby("article")["text"]
    before = by_article.shift(1).fillna("")
    after = by_article.shift(-1).fillna("")
    passages["context"] = (before + " " + after).str.strip()
    passages.loc[passages["context"] == "", "context"] = passages["text"]
    passages["level"] = "sentence"
    return passages


def _neighbour_ensemble():
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.levels import LevelModel
    from analysis.models.text import embedding_lexicon_context_model, tfidf_context_model

    return LevelModel(sentence=MeanEnsemble([tfidf_context_model(), embedding_lexicon_context_model()]))


# Variants whose paragraphs are scored as context-reading rows (see :func:`with_neighbours`).
READ_NEIGHBOURS = {"ensemble, paragraphs read their neighbours"}


def _stacked(members):
    """Members' label scores (as logits) into one logistic regression per label (experiment)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.levels import LevelModel
    from analysis.models.text import best_threshold

    def logits(scores):
        scores = np.clip(scores, 1e-4, 1 - 1e-4)
        return np.log(scores / (1 - scores))

    class Stacked(MeanEnsemble):
        def fit(self, X, y, groups=None):
            super().fit(X, y, groups=groups)
            y = np.asarray(y, dtype=int)
            features = np.hstack([logits(member.oof_scores_) for member in self.estimators_])
            self.meta_ = [LogisticRegression(C=1.0, max_iter=1000).fit(features, y[:, j]) for j in range(y.shape[1])]
            oof = np.column_stack([
                cross_val_predict(LogisticRegression(C=1.0, max_iter=1000), features, y[:, j],
                                  groups=groups, cv=GroupKFold(5), method="predict_proba")[:, 1]
                for j in range(y.shape[1])])
            self.thresholds_ = np.array([best_threshold(y[:, j], oof[:, j]) for j in range(y.shape[1])])
            return self

        def predict_proba(self, X):
            features = np.hstack([logits(member.predict_proba(X)) for member in self.estimators_])
            return np.column_stack([meta.predict_proba(features)[:, 1] for meta in self.meta_])

    return lambda: LevelModel(paragraph=Stacked(members()))


def variants() -> dict:
    from analysis.models.levels import LevelModel
    from analysis.models.text import embedding_lexicon_model, embedding_model, tfidf_model

    return {
        "tfidf": lambda: LevelModel(paragraph=tfidf_model()),
        "embed": lambda: LevelModel(paragraph=embedding_model()),
        "embed+cues": lambda: LevelModel(paragraph=embedding_lexicon_model()),
        "ensemble (tfidf + embed+cues, 1:1)": _ensemble(lambda: [tfidf_model(), embedding_lexicon_model()]),
        "ensemble read within its article (default)": _in_article(lambda: [tfidf_model(), embedding_lexicon_model()]),
        "ensemble without cues (tfidf + embed, 1:1)": _ensemble(lambda: [tfidf_model(), embedding_model()]),
        "ensemble, embed share 2/3 (tfidf + embed+cues, 1:2)": _ensemble(
            lambda: [tfidf_model(), embedding_lexicon_model()], [1, 2]),
        "ensemble without cues, embed share 2/3 (1:2)": _ensemble(lambda: [tfidf_model(), embedding_model()], [1, 2]),
        "ensemble, tfidf min_df 5 (1:1)": _ensemble(lambda: [_tfidf(features__min_df=5), embedding_lexicon_model()]),
        "ensemble, tfidf C 3 (1:1)": _ensemble(lambda: [_tfidf(classifier__C=3), embedding_lexicon_model()]),
        "ensemble, paragraphs read their neighbours": _neighbour_ensemble,
        "stacked (tfidf, embed+cues)": _stacked(lambda: [tfidf_model(), embedding_lexicon_model()]),
        "stacked (tfidf, embed, embed+cues)": _stacked(
            lambda: [tfidf_model(), embedding_model(), embedding_lexicon_model()]),
    }


def run(names, protocols) -> dict:
    from analysis.models.embed import embedding_cache

    passages = load_corpus().passages("paragraph")
    table = variants()
    results = {}
    with embedding_cache(EMBEDDING_CACHE):
        for name in names:
            started = time.perf_counter()
            factory, row = table[name], {}
            if name in READ_NEIGHBOURS:
                everything = with_neighbours(passages)
                train, test = everything[everything["split"] == "train"], everything[everything["split"] == "test"]
            else:
                everything = passages
                train, test = passages[passages["split"] == "train"], passages[passages["split"] == "test"]
            if "test" in protocols:
                row["test"] = metrics(label_matrix(test), predict(fit_model(factory, train), test)[1])
            for protocol in protocols:
                if protocol in GROUPED_PROTOCOLS:
                    row[protocol] = grouped_metrics(factory, everything, GROUPED_PROTOCOLS[protocol])
            results[name] = row
            summary = "  ".join(f"{p} {row[p]['macro_f1']:.3f}" for p in protocols)
            print(f"{name:55s} {summary}  ({time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=None, help="variant names separated by ; (default: all)")
    parser.add_argument("--protocols", default="lwo,lto,test")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    names = args.variants.split(";") if args.variants else list(variants())
    protocols = args.protocols.split(",")
    results = run(names, protocols)
    args.output.write_text(json.dumps({"level": "paragraph", "protocols": protocols, "variants": results},
                                      indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
