"""Save and load models with skops, trusting only the types this project uses.

Nothing here unpickles: skops reconstructs objects from a JSON schema and refuses
types that are not on an explicit list.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from analysis.errors import InputError

# Types beyond skops' defaults that our own model files contain. A file asking
# for anything else is refused.
TRUSTED_TYPES = [
    "analysis.models.keywords.KeywordClassifier",
    "analysis.models.keywords.LexiconFeatures",
    "analysis.models.text.MultiLabelTextModel",
    "analysis.models.embed.MiniLMEncoder",
    "analysis.models.zeroshot.ZeroShotClassifier",
    "analysis.models.ensemble.MeanEnsemble",
    "analysis.models.levels.LevelModel",
    "analysis.models.context.ArticleContextModel",
]


def save_model(model, path: str | Path) -> Path:
    """Write ``model`` to ``path`` with :func:`skops.io.dump`."""
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dump beside the target and rename, so a reader never sees a half-written model.
    temporary = path.with_name(f".{path.name}.part")
    try:
        sio.dump(model, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _needed_types(path: Path) -> list[str]:
    import skops.io as sio

    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a .skops model file")
    if not path.exists():
        raise InputError(f"{path}: no such model file")
    from analysis.articles import check_regular_file

    check_regular_file(path)
    try:
        return sorted(set(sio.get_untrusted_types(file=path)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable skops model file ({err})") from None


def untrusted_types(path: str | Path) -> list[str]:
    """Types in the file that are neither skops defaults nor in :data:`TRUSTED_TYPES`."""
    return sorted(set(_needed_types(Path(path))) - set(TRUSTED_TYPES))


def load_model(path: str | Path):
    """Load a skops file, refusing it if it contains types we do not trust."""
    import skops.io as sio

    path = Path(path)
    needed = _needed_types(path)
    refused = sorted(set(needed) - set(TRUSTED_TYPES))
    if refused:
        raise InputError(f"{path}: refusing to load untrusted types: {', '.join(refused)}")
    try:
        return sio.load(path, trusted=needed)
    except Exception as err:  # skops raises a wide range of types on corrupt files
        raise InputError(f"{path}: could not load model ({type(err).__name__}: {err})") from None


# What a passage classifier of each project class must carry once fitted. A model file
# holding anything else (a dict, a bare LogisticRegression, a Pipeline) is refused at
# load, before it can fail half-way through an article.
_FITTED_ATTRIBUTES = {
    "KeywordClassifier": ("classes_", "thresholds_", "cues_"),
    "MultiLabelTextModel": ("classes_", "thresholds_", "features_", "estimators_"),
    "MeanEnsemble": ("classes_", "thresholds_", "estimators_"),
    "LevelModel": ("classes_", "thresholds_", "models_"),
    "ArticleContextModel": ("classes_", "thresholds_", "base_", "stage_"),
    "ZeroShotClassifier": ("classes_", "thresholds_", "topic_vectors_"),
}


def _project_classes() -> dict[str, type]:
    from analysis.models.context import ArticleContextModel
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.keywords import KeywordClassifier
    from analysis.models.levels import LevelModel
    from analysis.models.text import MultiLabelTextModel
    from analysis.models.zeroshot import ZeroShotClassifier

    return {cls.__name__: cls for cls in (KeywordClassifier, MultiLabelTextModel, MeanEnsemble, LevelModel,
                                         ZeroShotClassifier, ArticleContextModel)}


def check_classifier(model, source: str) -> None:
    """Raise an InputError unless ``model`` is a fitted passage classifier of this project.

    Checks the class (exactly one of the project's, not a subclass from elsewhere), the
    fitted attributes, one threshold per label, and the same of every member model.
    Never quotes the model's content in the message.
    """
    classes = _project_classes()
    name = type(model).__name__
    if classes.get(name) is not type(model):
        raise InputError(f"{source}: holds a {_describe(model)}, not one of this project's passage classifiers "
                         f"({', '.join(sorted(classes))})")
    missing = [attribute for attribute in _FITTED_ATTRIBUTES[name] if not hasattr(model, attribute)]
    if missing:
        raise InputError(f"{source}: the {name} in this file is not fitted (missing {', '.join(missing)})")
    labels, thresholds = list(getattr(model, "classes_", [])), getattr(model, "thresholds_", None)
    if not labels or not all(isinstance(label, str) for label in labels):
        raise InputError(f"{source}: the {name} in this file has no valid label names")
    try:
        count = len(thresholds)
    except TypeError:
        count = -1
    if count != len(labels):
        raise InputError(f"{source}: the {name} in this file has {count} thresholds for {len(labels)} labels")
    if name == "LevelModel" and not isinstance(model.models_, dict):
        raise InputError(f"{source}: the LevelModel in this file has no per-level models")
    members = {"LevelModel": lambda: list(model.models_.values()), "MeanEnsemble": lambda: model.estimators_,
               "ArticleContextModel": lambda: [model.base_]}
    members = members.get(name, list)()
    for member in members:
        check_classifier(member, source)
    if name == "MultiLabelTextModel" and (len(model.estimators_) != len(labels)
                                          or not all(hasattr(e, "predict_proba") for e in model.estimators_)):
        raise InputError(f"{source}: the MultiLabelTextModel in this file lacks a classifier per label")


def _describe(obj) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__name__


def load_classifier(path: str | Path):
    """Load a skops file that must hold one of the project's fitted passage classifiers."""
    model = load_model(path)
    check_classifier(model, str(path))
    return model
