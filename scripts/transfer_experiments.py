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


def _tfidf(min_df=2, max_df=0.5):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from analysis.models.text import MultiLabelTextModel

    features = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, max_df=max_df, sublinear_tf=True,
                               strip_accents="unicode")
    return MultiLabelTextModel(features=features, classifier=LogisticRegression(C=10, max_iter=2000))


def _ensemble(members, weights=None):
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.levels import LevelModel

    return lambda: LevelModel(paragraph=MeanEnsemble(members(), weights=weights))


def variants() -> dict:
    from analysis.models.levels import LevelModel
    from analysis.models.text import embedding_lexicon_model, embedding_model, tfidf_model

    return {
        "tfidf": lambda: LevelModel(paragraph=tfidf_model()),
        "embed": lambda: LevelModel(paragraph=embedding_model()),
        "embed+cues": lambda: LevelModel(paragraph=embedding_lexicon_model()),
        "ensemble (default: tfidf + embed+cues, 1:1)": _ensemble(lambda: [tfidf_model(), embedding_lexicon_model()]),
        "ensemble without cues (tfidf + embed, 1:1)": _ensemble(lambda: [tfidf_model(), embedding_model()]),
        "ensemble, embed share 2/3 (tfidf + embed+cues, 1:2)": _ensemble(
            lambda: [tfidf_model(), embedding_lexicon_model()], [1, 2]),
        "ensemble without cues, embed share 2/3 (1:2)": _ensemble(lambda: [tfidf_model(), embedding_model()], [1, 2]),
        "ensemble, tfidf min_df 5 (1:1)": _ensemble(lambda: [_tfidf(min_df=5), embedding_lexicon_model()]),
    }


def run(names, protocols) -> dict:
    from analysis.models.embed import embedding_cache

    passages = load_corpus().passages("paragraph")
    train = passages[passages["split"] == "train"]
    test = passages[passages["split"] == "test"]
    table = variants()
    results = {}
    with embedding_cache(EMBEDDING_CACHE):
        for name in names:
            started = time.perf_counter()
            factory, row = table[name], {}
            if "test" in protocols:
                row["test"] = metrics(label_matrix(test), predict(fit_model(factory, train), test)[1])
            for protocol in protocols:
                if protocol in GROUPED_PROTOCOLS:
                    row[protocol] = grouped_metrics(factory, passages, GROUPED_PROTOCOLS[protocol])
            results[name] = row
            summary = "  ".join(f"{p} {row[p]['macro_f1']:.3f}" for p in protocols)
            print(f"{name:55s} {summary}  ({time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=None, help="comma-separated variant names (default: all)")
    parser.add_argument("--protocols", default="lwo,lto,test")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    names = args.variants.split(",") if args.variants else list(variants())
    protocols = args.protocols.split(",")
    results = run(names, protocols)
    args.output.write_text(json.dumps({"level": "paragraph", "protocols": protocols, "variants": results},
                                      indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
