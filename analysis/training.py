"""Train the shipped models on the whole corpus and save them with a model card."""

from __future__ import annotations

import json
import time
from pathlib import Path

from analysis.corpus import Corpus


def train_and_save(name: str, corpus: Corpus, output: str | Path | None = None,
                   level: str = "paragraph") -> tuple[Path, float]:
    """Fit model ``name`` on every corpus passage of ``level`` and save it with skops.

    Returns the path written and the training time in seconds. The seed article is
    not part of the corpus, so it stays unseen.
    """
    import sklearn

    from analysis.evaluate import EMBEDDING_CACHE, fit_model
    from analysis.files import write_bytes_atomic
    from analysis.models import model_path
    from analysis.models.embed import embedding_cache
    from analysis.models.store import save_model

    passages = corpus.passages(level)
    started = time.perf_counter()
    with embedding_cache(EMBEDDING_CACHE):
        model = fit_model(name, passages)
    seconds = time.perf_counter() - started
    # Out-of-fold scores and TF-IDF's list of cut terms are training by-products;
    # scikit-learn documents stop_words_ as safe to delete before saving.
    for holder in [model, *getattr(model, "estimators_", [])]:
        if hasattr(holder, "oof_scores_"):
            del holder.oof_scores_
        if hasattr(getattr(holder, "features_", None), "stop_words_"):
            del holder.features_.stop_words_
    path = Path(output) if output else model_path(name)
    save_model(model, path)
    card = {
        "model": name,
        "trained_on": {"passages": int(len(passages)), "level": level,
                       "articles": int(passages["article"].nunique())},
        "thresholds": [round(float(t), 4) for t in model.thresholds_],
        "scikit_learn": sklearn.__version__,
        "training_seconds": round(seconds, 1),
    }
    write_bytes_atomic((json.dumps(card, indent=2) + "\n").encode(), path.with_suffix(".json"))
    return path, seconds
