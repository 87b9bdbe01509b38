"""Train the shipped models on the whole corpus and save them with a model card."""

from __future__ import annotations

import json
import time
from pathlib import Path

from analysis.corpus import Corpus


def _drop_training_leftovers(model) -> None:
    """Delete what only training needed: out-of-fold scores and TF-IDF's list of cut terms.

    scikit-learn documents ``stop_words_`` as safe to delete before saving.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    seen, todo = set(), [model]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if hasattr(item, "oof_scores_"):
            del item.oof_scores_
        if isinstance(item, TfidfVectorizer) and hasattr(item, "stop_words_"):
            del item.stop_words_
        todo.extend(getattr(item, "models_", {}).values())
        todo.extend(getattr(item, "estimators_", []))
        todo.extend([item.base_] if hasattr(item, "base_") else [])
        todo.extend([getattr(item, "features_", None)] if hasattr(item, "features_") else [])
        todo.extend(part for _, part in getattr(item, "transformer_list", []))
        todo.extend(part for _, part, _ in getattr(item, "transformers_", []))


def train_and_save(name: str, corpus: Corpus, output: str | Path | None = None) -> tuple[Path, float]:
    """Fit model ``name`` on every corpus paragraph and sentence and save it with skops.

    Returns the path written and the training time in seconds. The seed article is
    not part of the corpus, so it stays unseen.
    """
    import pandas as pd
    import sklearn

    from analysis.evaluate import EMBEDDING_CACHE, fit_model
    from analysis.files import write_bytes_atomic
    from analysis.models import model_path
    from analysis.models.embed import embedding_cache
    from analysis.models.store import save_model

    passages = pd.concat([corpus.passages("paragraph"), corpus.passages("sentence")], ignore_index=True)
    started = time.perf_counter()
    with embedding_cache(EMBEDDING_CACHE):
        model = fit_model(name, passages)
    seconds = time.perf_counter() - started
    _drop_training_leftovers(model)
    path = Path(output) if output else model_path(name)
    save_model(model, path)
    if output is None:  # the shipped models also get their fast, plain-array form
        from analysis.models import arrays_path
        from analysis.models.arrays import export_arrays

        export_arrays(model, arrays_path(name))
    card = {
        "model": name,
        "trained_on": {"paragraphs": int((passages["level"] == "paragraph").sum()),
                       "sentences": int((passages["level"] == "sentence").sum()),
                       "articles": int(passages["article"].nunique())},
        "thresholds": {level: [round(float(t), 4) for t in sub.thresholds_] for level, sub in model.models_.items()},
        "scikit_learn": sklearn.__version__,
        "training_seconds": round(seconds, 1),
    }
    write_bytes_atomic((json.dumps(card, indent=2) + "\n").encode(), path.with_suffix(".json"))
    return path, seconds
