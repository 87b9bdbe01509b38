"""Passage classifiers behind one interface, selected by name.

Every model is a scikit-learn style estimator over raw passage texts with
``fit(texts, Y)``, ``predict_proba(texts) -> (n, 3)`` (one column per label of
:data:`analysis.codebook.LABELS`), ``predict(texts) -> (n, 3)`` and the per-label
decision thresholds in ``thresholds_``.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputError

TRAINED_DIR = Path(__file__).parent / "trained"
MODEL_NAMES = ("keywords", "tfidf", "embed", "zeroshot", "ensemble")
TRAINED_MODELS = ("tfidf", "embed", "ensemble")
DEFAULT_MODEL = "ensemble"


def build_model(name: str):
    """Return a new, unfitted model called ``name``."""
    if name == "keywords":
        from analysis.models.keywords import KeywordClassifier

        return KeywordClassifier()
    if name == "tfidf":
        from analysis.models.levels import LevelModel
        from analysis.models.text import tfidf_context_model, tfidf_model

        return LevelModel(paragraph=tfidf_model(), sentence=tfidf_context_model())
    if name == "embed":
        from analysis.models.levels import LevelModel
        from analysis.models.text import embedding_context_model, embedding_model

        return LevelModel(paragraph=embedding_model(), sentence=embedding_context_model())
    if name == "zeroshot":
        from analysis.models.zeroshot import ZeroShotClassifier

        return ZeroShotClassifier()
    if name == "ensemble":
        from analysis.models.context import ArticleContextModel
        from analysis.models.ensemble import MeanEnsemble
        from analysis.models.levels import LevelModel
        from analysis.models.text import embedding_lexicon_context_model, tfidf_context_model

        # Paragraphs are read within their article, by a second stage that reads products of the
        # article's scores: both chosen by leave-writer-out (docs/model-card.md).
        return LevelModel(paragraph=ArticleContextModel(MeanEnsemble(), C=3.0, degree=2),
                          sentence=MeanEnsemble([tfidf_context_model(), embedding_lexicon_context_model()]))
    raise InputError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)} or a .skops file")


def model_path(name: str) -> Path:
    """Where the shipped, trained model ``name`` lives."""
    return TRAINED_DIR / f"{name}.skops"


def arrays_path(name: str) -> Path:
    """Where the plain-array form (:mod:`analysis.models.arrays`) of shipped model ``name`` lives."""
    return TRAINED_DIR / f"{name}.npz"


def get_model(name: str | None = None):
    """Return a fitted model by name, or from a ``.skops`` path.

    Rule-based and zero-shot models are built on the spot; trained ones are
    loaded from the plain arrays shipped in ``analysis/models/trained`` (no
    scikit-learn import, see :mod:`analysis.models.arrays`), or from their skops files.
    """
    from analysis.models.store import load_classifier

    name = name or DEFAULT_MODEL
    if name.endswith(".skops") or (name not in MODEL_NAMES and Path(name).is_dir()):
        return load_classifier(name)
    if name not in MODEL_NAMES:
        build_model(name)  # raises the unknown-model error
    if name in TRAINED_MODELS:
        path = model_path(name)
        if not path.is_file():
            raise InputError(
                f"model {name!r} is not trained yet; run `python -m analysis train --model {name}`"
            )
        if arrays_path(name).is_file():
            from analysis.models.arrays import load_arrays

            return load_arrays(arrays_path(name), fallback=path)
        return load_classifier(path)
    return build_model(name).fit([], None)
